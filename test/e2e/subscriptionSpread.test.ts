// Issue 22 over the real sweep (simulator over HTTP, the app, its store): under "watch subscriptions all"
// with 1,000 customers, after the first round fetched every list, the rounds of a period fetch about the same
// number of lists each, not none and then all. The app's clock is moved on between rounds instead of waiting.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { install, watch } from '../support/alertSteps.js';

const CUSTOMERS = 1_000;
const POLL_MINUTES = 10;
const PERIOD_MS = POLL_MINUTES * 60_000;
/** Five rounds per period, for three periods after the first round. */
const STEP_MS = PERIOD_MS / 5;

describe('subscription lists spread over SUBSCRIPTION_POLL_MINUTES, over the real sweep (1,000 customers)', () => {
  let h: Harness | undefined;
  /** The app's clock runs `offset.ms` ahead of real time. */
  const offset = { ms: 0 };
  const clock = { now: () => Date.now() + offset.ms, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5))) };
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Runs one round and returns how many subscription lists Partner Center was asked for in it. */
  async function listsFetchedInRound(t: Harness): Promise<number> {
    t.sim.requests.splice(0);
    await t.app.engine.sweepNow();
    return t.sim.requests.filter((request) => /\/customers\/[^/]+\/subscriptions$/.test(request.path) && request.status === 200).length;
  }

  it('fetches about a fifth of the lists in each of five rounds a period (within ±30% of the mean), each once a period', async function () {
    this.timeout(90_000);
    offset.ms = 0;
    const t = (h = await startHarness({ sim: { customerCount: CUSTOMERS, maxRecordedRequests: 50_000 }, config: { subscriptionPollMinutes: POLL_MINUTES }, app: { clock } }));
    await install(t);
    await watch(t, 'watch subscriptions all');
    const reachable = t.sim.data.customers.filter((customer) => !customer.noRelationship).length;
    assert.equal(await listsFetchedInRound(t), reachable, 'the first round fetches every list (the baseline)');

    const counts: number[] = [];
    for (let round = 1; round <= 20; round++) {
      offset.ms += STEP_MS;
      const fetched = await listsFetchedInRound(t);
      // The first period settles the lists fetched all at once; the next three are measured.
      if (round > 5) counts.push(fetched);
    }
    const mean = counts.reduce((sum, n) => sum + n, 0) / counts.length;
    for (const n of counts) assert.ok(Math.abs(n - mean) <= 0.3 * mean, `rounds fetched ${counts.join(', ')} lists (mean ${mean.toFixed(0)}): ${n} is not within ±30%`);
    const total = counts.reduce((sum, n) => sum + n, 0);
    assert.ok(Math.abs(total - 3 * reachable) <= 0.05 * 3 * reachable, `${total} lists fetched in three periods of ${reachable} customers: once a period each`);
  });
});

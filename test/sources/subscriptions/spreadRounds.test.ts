// 5,000 customers under "watch all" and "watch subscriptions all", over simulated rounds of the pure plan
// (test/support/roundModel.ts). Issue 22: the lists must be spread over the period (before, they all came due
// in one round), never be left a period unfetched, and a new customer must not wait for its moment.
import assert from 'node:assert/strict';
import { subscriptionSource } from '../../../src/sources/subscriptions/index.js';
import { RoundModel } from '../../support/roundModel.js';
import { customer, target, watch } from '../../support/samples.js';

const CUSTOMERS = 5_000;
const POLL_MINUTES = 60;
const PERIOD_MS = POLL_MINUTES * 60_000;
/** A round of the 5,000 incident requests alone takes a fifth of the period: about 4 rounds per period. */
const MS_PER_REQUEST = PERIOD_MS / 5 / CUSTOMERS;
const START = Date.parse('2026-11-22T12:00:00Z');
const source = subscriptionSource({ pollMinutes: POLL_MINUTES, warnDays: 30 });
const model = () => new RoundModel(CUSTOMERS, source, MS_PER_REQUEST, START);

describe('subscription lists spread over their period (5,000 customers, simulated rounds)', () => {
  it('gives every round of a period about the same number of lists: within ±30% of the mean', () => {
    const sim = model();
    const first = sim.run();
    assert.equal(first.subscriptions.length, CUSTOMERS, 'the first round fetches every list (the baseline)');
    sim.runUntil(START + 4 * PERIOD_MS);
    // After the first period, once the lists fetched all at once in the first round have settled.
    const settled = sim.rounds.filter((round) => round.startedAt >= START + PERIOD_MS);
    assert.ok(settled.length >= 9, `${settled.length} rounds in three periods`);
    const counts = settled.map((round) => round.subscriptions.length);
    const mean = counts.reduce((sum, n) => sum + n, 0) / counts.length;
    for (const n of counts) assert.ok(Math.abs(n - mean) <= 0.3 * mean, `rounds fetched ${counts.join(', ')} lists (mean ${mean.toFixed(0)}): ${n} is not within ±30%`);
  });

  it('costs no more requests: each list once per period', () => {
    const sim = model();
    sim.runUntil(START + 4 * PERIOD_MS);
    const window = sim.rounds.filter((round) => round.startedAt >= START + PERIOD_MS && round.startedAt < START + 3 * PERIOD_MS);
    const fetches = new Map<string, number>();
    for (const round of window) for (const id of round.subscriptions) fetches.set(id, (fetches.get(id) ?? 0) + 1);
    assert.equal(fetches.size, CUSTOMERS, 'every list fetched in two periods');
    const total = [...fetches.values()].reduce((sum, n) => sum + n, 0);
    assert.ok(total <= 2 * CUSTOMERS * 1.05, `${total} fetches of ${CUSTOMERS} lists in two periods`);
    assert.ok(Math.max(...fetches.values()) <= 3, 'no list fetched more than once per period and a boundary');
  });

  it('never leaves a list a period old: every round fetches each list whose last fetch is that old', () => {
    const sim = model();
    sim.runUntil(START + 4 * PERIOD_MS);
    let checked = 0;
    for (const round of sim.rounds) {
      const fetched = new Set(round.subscriptions);
      for (const [id, age] of round.ages) {
        if (age === undefined || age >= PERIOD_MS) {
          assert.ok(fetched.has(id), `${id} was ${age === undefined ? 'never fetched' : `${(age / 60_000).toFixed(1)} min old`} and left out of the round at ${new Date(round.startedAt).toISOString()}`);
          checked += 1;
        }
      }
    }
    assert.ok(checked >= CUSTOMERS, 'the first round at least had lists to check');
    // And so no list goes much longer than a period between fetches: at most a period and a round.
    const longestRound = Math.max(...sim.rounds.slice(1).map((round, i) => round.startedAt - (sim.rounds[i]?.startedAt ?? 0)));
    const ages = sim.rounds.flatMap((round) => [...round.ages.values()].filter((age): age is number => age !== undefined));
    assert.ok(Math.max(...ages) <= PERIOD_MS + longestRound, `oldest list ${(Math.max(...ages) / 60_000).toFixed(1)} min`);
  });

  it('fetches a new customer and a new watch in the next round, whatever its moment of the period', () => {
    const sim = model();
    sim.runUntil(START + 1.5 * PERIOD_MS);
    const newcomers = Array.from({ length: 50 }, (_, i) => customer(CUSTOMERS + 1 + i));
    sim.listing.push(...newcomers);
    // One customer not in the listing, watched on its own in another conversation.
    const alone = customer(CUSTOMERS + 100);
    sim.state.targets.B = target('B');
    sim.state.watches.push(watch({ id: 'alone', targetKey: 'B', kind: 'subscriptions', customerId: alone.id, customerName: alone.companyName }));
    const next = new Set(sim.run().subscriptions);
    for (const c of [...newcomers, alone]) assert.ok(next.has(c.id), `${c.companyName} waits for a later round`);
  });
});

// Measure 8: stall isolation. Three channels watch all of 1,000 customers; one answers every send with
// 429 Retry-After: 3600, another never answers at all (a hung connection: the send timeout, 15 s by
// default, must end it). Three customers (early, middle and late in the round) get a new incident. The
// figure: the longest time from a changed customer's answer to its card in the healthy channel.
import { randomUUID } from 'node:crypto';
import { incidentItemKey } from '../src/sources/incidents/plan.js';
import { startSimulator } from '../src/sandbox/simulator.js';
import { BenchConnector } from './connector.js';
import { LATENCY_MS, RATE_PER_SECOND } from './cycle.js';
import { activeIncident, channelTarget, recordingFetch, round, row, startBenchApp, watchAll, type Row } from './support.js';

const CUSTOMERS = 1_000;
const POSITIONS = [0.2, 0.5, 0.8];

export interface StallFigures {
  /** Longest answer → card time in the healthy channel (s). */
  isolationS: number;
  perChangeS: number[];
  cards: number;
  throttledAnswers: number;
  hungRequests: number;
  roundS: number;
  /** What did not finish within its deadline after the test (null: everything closed). */
  closeStuck: string | null;
}

/** true when `work` ends within `ms`, false when it does not (it is left running). */
function deadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function measureStall(): Promise<{ figures: StallFigures; rows: (fetchToCardP95S: number) => Row[] }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, rateLimitPerSecond: RATE_PER_SECOND, seed: 42 });
  const connector = await new BenchConnector().start();
  const arrivals = new Map<string, number>();
  const bench = await startBenchApp(sim, {
    requestsPerMinute: RATE_PER_SECOND * 60,
    fetch: recordingFetch((customerId, at) => arrivals.set(customerId, at)),
  });
  let closed = false;
  try {
    const { app } = bench;
    const [healthy, throttled, hung] = [0, 1, 2].map((i) => channelTarget(i, connector.url));
    if (!healthy || !throttled || !hung) throw new Error('three targets');
    await app.store.update((draft) => {
      for (const target of [healthy, throttled, hung]) {
        draft.targets[target.key] = target;
        draft.watches.push(watchAll(target.key));
      }
    });
    const listed = await app.directory.reload({ correlationId: randomUUID() });
    await app.engine.sweepNow(); // snapshots: no incident events (a notice about the customer that refuses access)
    // From now on one conversation is throttled for an hour and another never answers.
    connector.behaviours.set(throttled.key, { kind: 'throttle', retryAfterSeconds: 3600 });
    connector.behaviours.set(hung.key, { kind: 'hang' });

    const reachable = listed.filter((customer) => !sim.data.customers.find((c) => c.id === customer.id)?.noRelationship);
    const order = [...reachable].sort((a, b) => (incidentItemKey(a.id) < incidentItemKey(b.id) ? -1 : 1));
    const changed = POSITIONS.map((share) => order[Math.floor(share * order.length)]!);
    const ids = changed.map((customer, i) => {
      const incident = activeIncident(`EX9${String(i).padStart(5, '0')}`);
      sim.data.incidentsOf(customer.id).push(incident);
      return incident.id;
    });
    arrivals.clear();
    const callsBefore = connector.calls.length;
    const started = performance.now();
    // Not awaited: it settles only when every conversation's worker is idle, and the hung one is not.
    const roundDone = app.engine.sweepNow().catch(() => undefined);
    const cardFor = (incidentId: string) =>
      connector.calls.slice(callsBefore).find((call) => call.kind === 'post' && call.status === 200 && call.conversationId === healthy.key && call.body.includes(incidentId));
    await connector.waitFor(() => ids.every((id) => cardFor(id)), 30_000);
    const roundS = (performance.now() - started) / 1000;
    const perChangeS = changed.map((customer, i) => {
      const card = cardFor(ids[i] ?? '');
      const at = arrivals.get(customer.id);
      return card && at !== undefined ? (card.at - at) / 1000 : Number.POSITIVE_INFINITY;
    });
    const since = connector.calls.slice(callsBefore);
    const figures: StallFigures = {
      isolationS: Math.max(...perChangeS),
      perChangeS,
      cards: ids.filter((id) => cardFor(id)).length,
      throttledAnswers: since.filter((call) => call.conversationId.startsWith(throttled.key) && call.status === 429).length,
      hungRequests: since.filter((call) => call.conversationId.startsWith(hung.key) && call.status === 0).length,
      roundS,
      closeStuck: null,
    };
    // Close the connector first: the hung request fails at once instead of holding the app's close. Neither
    // the close nor the round's settling may hold the bench: each gets a deadline, and a miss is reported.
    await connector.close();
    closed = true;
    figures.closeStuck = (await deadline(bench.close(), 20_000)) ? null : 'app.close()';
    figures.closeStuck ??= (await deadline(roundDone, 20_000)) ? null : 'sweepNow() settling';
    const rows = (fetchToCardP95S: number): Row[] => [
      row(
        'stall isolation: answer -> card in the healthy channel (max of 3)',
        `${round(figures.isolationS, 3)} s (${figures.perChangeS.map((s) => round(s, 3)).join(' / ')})`,
        `<= ${round(2 * fetchToCardP95S, 3)} s (2 x answer -> card p95)`,
        figures.isolationS <= 2 * fetchToCardP95S,
      ),
      row('  cards in the healthy channel', `${figures.cards} of ${ids.length}`, String(ids.length), figures.cards === ids.length),
      row('  meanwhile: 429 (Retry-After 3600) answers / hung sends', `${figures.throttledAnswers} / ${figures.hungRequests}`),
      row('  the app closed afterwards (20 s deadline each)', figures.closeStuck ? `no: ${figures.closeStuck} still waiting` : 'yes', 'yes', figures.closeStuck === null),
    ];
    return { figures, rows };
  } finally {
    if (!closed) {
      await connector.close();
      await deadline(bench.close(), 20_000);
    }
    await sim.close();
  }
}

// webhook_isolation_s: two webhook URLs, one that never answers (every attempt runs into the 10 s attempt
// timeout, then backs off) and one healthy. Rounds of the sweep find a new incident at 25 customers each (one
// Teams card per round, so Teams' pacing does not stretch the measure); the
// figure is the 95th percentile, at the healthy URL, of the time from the batch that found a change (the
// event's occurredAt) to its arrival. Target: <= 2 s, i.e. the hanging URL holds up nothing.
import { randomUUID } from 'node:crypto';
import { startSimulator } from '../src/sandbox/simulator.js';
import { startReceiver } from '../test/support/webhookReceiver.js';
import { BenchConnector } from './connector.js';
import { LATENCY_MS, RATE_PER_SECOND } from './cycle.js';
import { activeIncident, channelTarget, percentile, round, row, startBenchApp, watchAll, type Row } from './support.js';

const CUSTOMERS = 200;
const ROUNDS = 4;
const CHANGED_PER_ROUND = 25;
const TARGET_S = 2;

export interface WebhookIsolationFigures {
  /** p95 of change found → arrival at the healthy URL (s). */
  p95S: number;
  maxS: number;
  delivered: number;
  expected: number;
  /** Requests the hanging URL got meanwhile (each held open until the attempt timeout). */
  hungRequests: number;
  seconds: number;
}

export async function measureWebhookIsolation(): Promise<{ figures: WebhookIsolationFigures; rows: Row[]; json: Record<string, unknown> }> {
  const started = performance.now();
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, rateLimitPerSecond: RATE_PER_SECOND, seed: 42 });
  const hanging = await startReceiver({ hang: true });
  const healthy = await startReceiver({ status: 200 });
  const connector = await new BenchConnector().start();
  const bench = await startBenchApp(sim, { requestsPerMinute: RATE_PER_SECOND * 60, config: { webhooks: { urls: [hanging.url, healthy.url], secret: 'bench-secret' } } });
  try {
    const { app } = bench;
    const target = channelTarget(0, connector.url);
    await app.store.update((draft) => {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key));
    });
    await app.directory.reload({ correlationId: randomUUID() });
    await app.engine.sweepNow(); // the baseline: no events
    const reachable = sim.data.customers.filter((customer) => !customer.noRelationship);
    let expected = 0;
    for (let roundNo = 0; roundNo < ROUNDS; roundNo++) {
      for (const customer of reachable.slice(roundNo * CHANGED_PER_ROUND, (roundNo + 1) * CHANGED_PER_ROUND)) {
        sim.data.incidentsOf(customer.id).push(activeIncident(`EX8${roundNo}0000`));
        expected++;
      }
      await app.engine.sweepNow();
    }
    await healthy.waitFor(expected, 20_000).catch(() => undefined);
    const latencies = healthy.received.map((request) => (request.at - Date.parse(String(request.json.occurredAt))) / 1000);
    const figures: WebhookIsolationFigures = {
      p95S: latencies.length === expected ? percentile(latencies, 95) : Number.POSITIVE_INFINITY,
      maxS: Math.max(...latencies),
      delivered: healthy.received.length,
      expected,
      hungRequests: hanging.received.length,
      seconds: (performance.now() - started) / 1000,
    };
    const rows = [
      row('webhook isolation: change found -> healthy URL, p95 (one URL hanging)', `${round(figures.p95S, 3)} s (max ${round(figures.maxS, 3)})`, `<= ${TARGET_S} s`, figures.p95S <= TARGET_S),
      row('  events at the healthy URL / the hanging URL\'s open requests', `${figures.delivered} of ${figures.expected} / ${figures.hungRequests}`, String(figures.expected), figures.delivered === figures.expected),
      row('  measure time', `${round(figures.seconds, 1)} s`, '< 30 s', figures.seconds < 30),
    ];
    return { figures, rows, json: { webhook_isolation_s: round(figures.p95S, 3), webhook_isolation_max_s: round(figures.maxS, 3), webhook_isolation_events: figures.delivered } };
  } finally {
    await bench.close();
    await connector.close();
    await hanging.close();
    await healthy.close();
    await sim.close();
  }
}

// Measure 3: command latency. 200 "status for <customer>" messages over HTTP to /api/messages, each to a
// different customer, the reply captured by the fake Bot Connector; simulator latency 50 ms. Latency is
// from sending the activity to the moment the connector records the reply. Baseline: the same Partner
// Center request alone (one incidents fetch through the app's client).
import { randomUUID } from 'node:crypto';
import { startSimulator } from '../src/sandbox/simulator.js';
import { message, sendToBot } from '../test/support/activities.js';
import { cardOf, cardText, FakeConnector } from '../test/support/fakeConnector.js';
import { clearRecorded, elapsedMs, gc, percentile, round, row, startBenchApp, tallyApi, type Row } from './support.js';

const LATENCY_MS = 50;
const CUSTOMERS = 1_000;
const COMMANDS = 200;
const WARM_UP = 10;

export interface CommandFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Mean Partner Center requests per command (after the directory is warm). */
  pcRequests: number;
  pcRequestsMax: number;
  failures: number;
  baselineP50: number;
  baselineP95: number;
  baselineP99: number;
}

const ms = (value: number) => `${round(value, 1)} ms`;

export async function measureCommands(): Promise<{ figures: CommandFigures; rows: Row[] }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, seed: 42, maxRecordedRequests: 100_000 });
  const connector = await new FakeConnector().start();
  const bench = await startBenchApp(sim, { requestsPerMinute: 12_000 });
  try {
    const { app } = bench;
    for (const customer of sim.data.customers) sim.data.incidentsOf(customer.id); // not the simulator's lazy build
    await app.directory.reload({ correlationId: randomUUID() }); // joins the listing started by startApp
    // Generated customers (past the 31 named ones), spread over the whole list: a different one each time.
    const pool = sim.data.customers.slice(31).filter((customer) => !customer.noRelationship);
    const stride = Math.floor(pool.length / (COMMANDS + WARM_UP));
    const chosen = Array.from({ length: COMMANDS + WARM_UP }, (_, i) => pool[(i * stride) % pool.length]!);

    const latencies: number[] = [];
    const pcRequests: number[] = [];
    let failures = 0;
    for (const [i, customer] of chosen.entries()) {
      const activity = message(`status for ${customer.companyName}`, { serviceUrl: connector.url });
      const activityId = String(activity['id']);
      if (i === WARM_UP) gc();
      clearRecorded(sim);
      const started = process.hrtime.bigint();
      const replied = connector
        .waitFor((calls) => calls.some((call) => call.activityId === activityId), 10_000)
        .then(() => process.hrtime.bigint());
      const { status } = await sendToBot(app.url, activity);
      const repliedAt = await replied;
      if (i < WARM_UP) continue; // token, JIT and card templates warm up here
      latencies.push(Number(repliedAt - started) / 1e6);
      pcRequests.push(tallyApi(sim.requests).requests);
      const reply = connector.calls.find((call) => call.activityId === activityId);
      if (status !== 200 || !reply || reply.status !== 200 || !cardText(cardOf(reply)).includes(customer.companyName)) failures += 1;
    }

    // Baseline: the incidents request alone, through the same client, for the same customers.
    const baseline: number[] = [];
    const ctx = { correlationId: randomUUID() };
    for (const customer of chosen.slice(WARM_UP)) {
      const started = process.hrtime.bigint();
      await app.client.incidents(ctx, customer.id);
      baseline.push(elapsedMs(started));
    }

    const figures: CommandFigures = {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      pcRequests: pcRequests.reduce((sum, n) => sum + n, 0) / pcRequests.length,
      pcRequestsMax: Math.max(...pcRequests),
      failures,
      baselineP50: percentile(baseline, 50),
      baselineP95: percentile(baseline, 95),
      baselineP99: percentile(baseline, 99),
    };
    const rows: Row[] = [
      row(`"status for <customer>" x${COMMANDS}, p50`, ms(figures.p50)),
      row('  p95', ms(figures.p95), '<= 75 ms', figures.p95 <= 75),
      row('  p99 / max', `${ms(figures.p99)} / ${ms(figures.max)}`),
      row('  Partner Center requests per command', `${round(figures.pcRequests, 2)} (max ${figures.pcRequestsMax})`, '1', figures.pcRequestsMax === 1),
      row('  replies missing or wrong', String(figures.failures), '0', figures.failures === 0),
      row('  baseline: incidents fetch alone p50/p95/p99', `${ms(figures.baselineP50)} / ${ms(figures.baselineP95)} / ${ms(figures.baselineP99)}`),
      row('  command overhead over baseline (p50 / p95)', `${ms(figures.p50 - figures.baselineP50)} / ${ms(figures.p95 - figures.baselineP95)}`),
    ];
    return { figures, rows };
  } finally {
    await bench.close();
    await connector.close();
    await sim.close();
  }
}

// Measure 3: command latency. 200 "status for <customer>" messages over HTTP to /api/messages, each to a
// different customer, the reply captured by the bench's Bot Connector; simulator latency 50 ms. Latency is
// from sending the activity to the moment the connector receives the reply. Baseline: the same Partner
// Center request alone (one incidents fetch through the app's client).
import { randomUUID } from 'node:crypto';
import type { App } from '../src/app.js';
import { startSimulator, type Simulator } from '../src/sandbox/simulator.js';
import { message, sendToBot } from '../test/support/activities.js';
import { BenchConnector } from './connector.js';
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

export interface CommandRun {
  /** ms from sending each (timed) command to its reply at the connector. */
  latencies: number[];
  /** performance.now() when each timed command was sent and answered. */
  spans: { sent: number; replied: number }[];
  /** Partner Center requests each timed command made (only when `sim` is given: it is cleared each time). */
  pcRequests: number[];
  failures: number;
}

/**
 * Sends "status for <name>" for each customer, one after the other, and times each reply. The first
 * `warmUp` are not timed. Stops early when `keepGoing` says so (checked before each command).
 */
export async function statusCommands(
  app: App,
  connector: BenchConnector,
  customers: readonly { companyName: string }[],
  options: { warmUp?: number; sim?: Simulator; keepGoing?: () => boolean } = {},
): Promise<CommandRun> {
  const warmUp = options.warmUp ?? 0;
  const run: CommandRun = { latencies: [], spans: [], pcRequests: [], failures: 0 };
  for (const [i, customer] of customers.entries()) {
    if (options.keepGoing && !options.keepGoing()) break;
    const activity = message(`status for ${customer.companyName}`, { serviceUrl: connector.url });
    const activityId = String(activity['id']);
    if (i === warmUp && warmUp > 0) gc();
    if (options.sim) clearRecorded(options.sim);
    const isReply = (call: BenchConnector['calls'][number]) => call.kind === 'post' && call.activityId === activityId;
    const sent = performance.now();
    const replied = connector.waitFor(() => connector.calls.some(isReply), 10_000);
    const { status } = await sendToBot(app.url, activity);
    await replied;
    if (i < warmUp) continue; // token, JIT and card templates warm up here
    const reply = connector.calls.find(isReply);
    if (status !== 200 || !reply || reply.status !== 200 || !reply.body.includes(customer.companyName)) {
      run.failures += 1;
      continue;
    }
    run.latencies.push(reply.at - sent);
    run.spans.push({ sent, replied: reply.at });
    if (options.sim) run.pcRequests.push(tallyApi(options.sim.requests).requests);
  }
  return run;
}

const ms = (value: number) => `${round(value, 1)} ms`;

export async function measureCommands(): Promise<{ figures: CommandFigures; rows: Row[] }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, seed: 42, maxRecordedRequests: 100_000 });
  const connector = await new BenchConnector().start();
  const bench = await startBenchApp(sim, { requestsPerMinute: 12_000 });
  try {
    const { app } = bench;
    for (const customer of sim.data.customers) sim.data.incidentsOf(customer.id); // not the simulator's lazy build
    await app.directory.reload({ correlationId: randomUUID() }); // joins the listing started by startApp
    // Generated customers (past the 31 named ones), spread over the whole list: a different one each time.
    const pool = sim.data.customers.slice(31).filter((customer) => !customer.noRelationship);
    const stride = Math.floor(pool.length / (COMMANDS + WARM_UP));
    const chosen = Array.from({ length: COMMANDS + WARM_UP }, (_, i) => pool[(i * stride) % pool.length]!);

    const run = await statusCommands(app, connector, chosen, { warmUp: WARM_UP, sim });
    const latencies = run.latencies;

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
      pcRequests: run.pcRequests.reduce((sum, n) => sum + n, 0) / Math.max(1, run.pcRequests.length),
      pcRequestsMax: Math.max(0, ...run.pcRequests),
      failures: run.failures,
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

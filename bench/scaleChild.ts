// One scale run in a process of its own (forked by bench/scale.ts), with the simulator in another
// (bench/simChild.ts): "watch all" over N customers, two full sweep rounds, the second with one new
// incident at every customer. Reports the event-loop delay during each round (monitorEventLoopDelay), the
// RSS after both, and what blocks the loop in the second round (bench/blocking.ts: stretches over 100 ms
// without a turn of the loop, and the app functions V8's profiler found running in them); besides, each
// state change the store applied (a batch's diff + route) timed where it runs, what one JSON.stringify of
// the whole state costs at the end, and what rendering the incident's card with every customer costs.
// With a database URL, the app runs on the PostgreSQL store (a fresh database) instead of the state file;
// with `follower` after it, an instance that does not lead runs on that database from before the rounds, and
// is measured once the leader's figures are taken (bench/follower.ts).
//   node --expose-gc dist/bench/scaleChild.js <customers> [postgres://... [follower]]
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { startApp } from '../src/app.js';
import { FOLLOWERS_SHARE } from '../src/partnerCenter/budgetShare.js';
import { threadAlertCard } from '../src/sources/incidents/threadCard.js';
import type { Simulator } from '../src/sandbox/simulator.js';
import type { State } from '../src/store/state.js';
import type { UpdateOptions } from '../src/store/stateStore.js';
import { wholeState } from '../src/store/paged.js';
import { TENANT } from '../test/support/activities.js';
import { simulatorConfig } from '../test/support/appConfig.js';
import { startBlockingProbe, type BlockingReport } from './blocking.js';
import { BenchConnector } from './connector.js';
import { startFollower, type FollowerResult } from './follower.js';
import type { SimChildMessage, SimChildRequest } from './simChild.js';
import { channelTarget, gc, median, PRODUCTION_PACING, silentLog, tempDir, until, watchAll } from './support.js';

export interface ScaleResult {
  customers: number;
  backend: 'lowdb' | 'postgres';
  requestsPerSecond: number;
  rounds: {
    seconds: number;
    events: number;
    lagMaxMs: number;
    lagP99Ms: number;
    lagMeanMs: number;
    /** The state changes the store applied (a batch's diff + route, a delivery's record ...). */
    changes: { count: number; maxMs: number; meanMs: number };
  }[];
  rssMb: number;
  /** Heap used right after that, once a full GC ran: what the rounds left alive, without their garbage. (RSS
   * does not follow at once: V8 keeps the pages it grew to.) */
  heapAfterGcMb: number;
  /** RSS with the app started, the customers listed and nothing swept yet (the baseline). */
  rssBeforeMb: number;
  /** What the customer directory keeps alive after a listing: heap after a full GC with it loaded, less before.
   * In memory (lowdb): every customer and its index for names; with PostgreSQL: its bounded cache and no list. */
  directoryHeapMb: number;
  peakRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  stateMb: number;
  /** JSON.stringify of the whole state in one piece (median of 3, at the end). */
  stringifyMs: number;
  /** What blocked the loop in the second round. */
  blocking: BlockingReport;
  /** Rendering the incident's card with every customer in it (what an edit of that thread costs). */
  cardRenderMs: number;
  cardCustomers: number;
  cards: number;
  /** An instance that does not lead, on the same database from before the rounds, measured after them (asked for; PostgreSQL only). */
  follower?: FollowerResult;
}

const SIM_LATENCY_MS = 5;
/** How often src/app.ts looks at the instances to split the partner's limit. */
const BUDGET_SPLIT_LOOK_MS = 5_000;
/** The app's budget here: high enough that the rounds of N = 50,000 take seconds, not hours. */
export const SCALE_REQUESTS_PER_SECOND = 2_000;
/** A second's worth of results: never reached before the flush timer fires (see startApp below). */
export const SCALE_BATCH_SIZE = SCALE_REQUESTS_PER_SECOND;
const here = path.dirname(fileURLToPath(import.meta.url));

type Timing = { count: number; maxMs: number; totalMs: number };
const timing = (): Timing => ({ count: 0, maxMs: 0, totalMs: 0 });
const note = (t: Timing, ms: number) => {
  t.count += 1;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
};
const summary = (t: Timing) => ({ count: t.count, maxMs: t.maxMs, meanMs: t.count ? t.totalMs / t.count : 0 });
const ms = (ns: number) => ns / 1e6;

/**
 * Heap used once what is garbage is gone: one full GC leaves some of a listing's garbage (the PostgreSQL
 * directory's pages were still counted as 11 MB after it), so a few, with the promises between them settled.
 */
async function settledHeapUsed(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const customers = Number(process.argv[2] ?? 10_000);
  const databaseUrl = process.argv[3] || null;
  const withFollower = databaseUrl !== null && process.argv[4] === 'follower';
  const sim = fork(path.join(here, 'simChild.js'), [String(customers), String(SIM_LATENCY_MS)], {
    execArgv: ['--no-deprecation', '--max-old-space-size=4096'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T extends SimChildMessage['type']>(type: T) =>
    new Promise<Extract<SimChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: SimChildMessage) => {
        if (message.type !== type) return;
        sim.off('message', onMessage);
        resolve(message as Extract<SimChildMessage, { type: T }>);
      };
      sim.on('message', onMessage);
      sim.once('exit', (code) => reject(new Error(`the simulator process exited (${code})`)));
    });
  const ask = (request: SimChildRequest) => sim.send(request);
  const ready = await next('ready');

  const tmp = await tempDir('pa-bench-scale-');
  const connector = await new BenchConnector().start();
  // The app's settings for a simulator on loopback, as the tests build them (only url and credentials are read).
  const simLike = { url: ready.url, authorityHost: ready.url, credentials: ready.credentials } as unknown as Simulator;
  const config = await simulatorConfig(simLike, { allowedTenantIds: [TENANT], dataFile: path.join(tmp.dir, 'state.json'), databaseUrl });
  // With a follower beside it the leader sweeps with its share of the partner's limit (budgetShare.ts): the
  // limit is raised so that share is the SCALE_REQUESTS_PER_SECOND of every other scale run.
  const leaderShare = withFollower ? 1 - FOLLOWERS_SHARE : 1;
  config.partnerCenter = { ...config.partnerCenter, requestsPerMinute: Math.round((SCALE_REQUESTS_PER_SECOND * 60) / leaderShare), timeoutMs: 30_000 };
  // Production spacing of thread edits (60 s): the round posts the incident's card once, then merges. And
  // commits paced by the flush timer as at the real 500/min, where 25 results never gather within the
  // 200 ms flush: at this budget a batch of 25 fills in 12 ms and commits would run back to back (a
  // 50,000 round then took ~6 minutes, nearly all of it writing the whole state again and again).
  const app = await startApp({
    config,
    log: silentLog,
    schedule: false,
    engine: { ...PRODUCTION_PACING, batchSize: SCALE_BATCH_SIZE },
  });
  // This app took the lease as its store opened; the follower finds it held, and follows the rounds.
  const followerStarting =
    withFollower && databaseUrl ? startFollower({ databaseUrl, simUrl: ready.url, credentials: ready.credentials, requestsPerMinute: config.partnerCenter.requestsPerMinute }) : null;
  const target = channelTarget(0, connector.url);
  await app.store.update((draft) => {
    draft.targets[target.key] = target;
    draft.watches.push(watchAll(target.key));
  });
  const heapBeforeDirectory = await settledHeapUsed();
  await app.directory.reload();
  const directoryHeapMb = ((await settledHeapUsed()) - heapBeforeDirectory) / 1024 / 1024;
  const follower = await followerStarting;
  if (follower) {
    // The leader takes its share once its lease has heard of the follower and the app looks again (every 5 s).
    await until(() => (app.store.coordination.leadership.report().others ?? []).length > 0, 20_000);
    await new Promise((resolve) => setTimeout(resolve, BUDGET_SPLIT_LOOK_MS));
  }
  gc();
  const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;

  // The state changes the store applies run synchronously on the loop: time each one.
  const changes = timing();
  const update = app.store.update.bind(app.store);
  app.store.update = <T>(change: (draft: State) => T, options?: UpdateOptions) =>
    update((draft) => {
      const started = process.hrtime.bigint();
      try {
        return change(draft);
      } finally {
        note(changes, ms(Number(process.hrtime.bigint() - started)));
      }
    }, options);

  const rounds: ScaleResult['rounds'] = [];
  const sweep = async () => {
    Object.assign(changes, timing());
    const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const started = performance.now();
    const { cycle } = await app.engine.sweepNow();
    histogram.disable();
    rounds.push({
      seconds: (performance.now() - started) / 1000,
      events: cycle.events,
      lagMaxMs: ms(histogram.max),
      lagP99Ms: ms(histogram.percentile(99)),
      lagMeanMs: ms(histogram.mean),
      changes: summary(changes),
    });
  };

  await sweep(); // snapshots only
  ask({ type: 'incident-all', id: 'EX990001' });
  await next('done');
  const probe = await startBlockingProbe(100);
  await sweep(); // one new incident at every customer
  const blocking = await probe.stop();
  const memory = process.memoryUsage();
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  gc();
  const afterGc = process.memoryUsage();

  // The whole state, as one JSON text (after the memory figures: with PostgreSQL this reads every snapshot in).
  const state = await wholeState(app.store);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    gc();
    const started = process.hrtime.bigint();
    bytes = JSON.stringify(state).length;
    times.push(ms(Number(process.hrtime.bigint() - started)));
  }
  const thread = Object.values(state.threads).sort((a, b) => Object.keys(b.customers).length - Object.keys(a.customers).length)[0];
  let cardRenderMs = 0;
  if (thread) {
    const started = process.hrtime.bigint();
    threadAlertCard(thread, new Date(), { shrink: true });
    cardRenderMs = ms(Number(process.hrtime.bigint() - started));
  }
  const result: ScaleResult = {
    customers,
    backend: app.store.backend,
    requestsPerSecond: SCALE_REQUESTS_PER_SECOND,
    rounds,
    rssMb: mb(memory.rss),
    heapAfterGcMb: mb(afterGc.heapUsed),
    rssBeforeMb,
    directoryHeapMb,
    peakRssMb,
    heapUsedMb: mb(memory.heapUsed),
    heapTotalMb: mb(memory.heapTotal),
    externalMb: mb(memory.external),
    stateMb: mb(bytes),
    stringifyMs: median(times),
    blocking,
    cardRenderMs,
    cardCustomers: thread ? Object.keys(thread.customers).length : 0,
    cards: connector.posts().length,
  };
  if (follower) {
    // While this app still leads (it renews its lease every few seconds until closed below).
    const names = ((await app.directory.known()) ?? []).map((customer) => customer.companyName);
    result.follower = await follower.measure(connector, target.key, names);
  }
  if (process.send) await new Promise<void>((resolve) => process.send?.(result, () => resolve()));
  else process.stdout.write(`${JSON.stringify(result)}\n`);
  await app.close();
  await connector.close();
  ask({ type: 'close' });
  await tmp.remove();
  process.exit(0);
}

// Only as a script: bench/scale.ts imports this module for its types and settings.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

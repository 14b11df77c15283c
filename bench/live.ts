// Measures 5-7: the live engine at 5,000 customers, on ONE app and state file, in this order:
//   a. "status for X" with no sweep (baseline), then the same while a full sweep round (the first, which
//      writes every snapshot) saturates the budget: cmd_busy_ratio = p95 busy / p95 idle.
//   b. changes (new incidents) at 60 random customers, one more round: from each changed customer's answer
//      to its card at the connector (fetch_to_card), the mean time to the card against the mean time the
//      sweep needs to reach those customers at the budget's rate (alert_ratio), and that round's wall time
//      against requests / budget (the 5,000-customer throughput of section 1).
//   c. the same state file restarted with schedule on (cron rounds back to back + the fast lane), 10% of
//      the customers with an active incident: the largest gap between two fetches of such a customer.
// Simulator: 50 ms latency, 200/s limit; the app's budget 200/s (a 5,000 round takes ~26 s).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { App } from '../src/app.js';
import { incidentItemKey } from '../src/sources/incidents/plan.js';
import { startSimulator, type Simulator } from '../src/sandbox/simulator.js';
import type { WireIncident } from '../src/sandbox/simWire.js';
import { statusCommands } from './commands.js';
import { BenchConnector } from './connector.js';
import { cycleRun, LATENCY_MS, RATE_PER_SECOND, runRows, type CycleRun } from './cycle.js';
import {
  activeIncident, channelTarget, clearRecorded, gc, mean, percentile, pickSome, recordingFetch, round, row, seededRandom,
  startBenchApp, tempDir, until, watchAll, type Row,
} from './support.js';

const CUSTOMERS = 5_000;
const PAGE_SIZE = 500;
const COMMANDS = 200;
const WARM_UP = 10;
const CHANGES = 60;
const ACTIVE_SHARE = 0.1;
/** FAST_LANE_MINUTES for the bench: 6 s. 500 customers per 6 s need 83/s of the lane's 0.5 x 190/s = 95/s (88%). */
export const FAST_LANE_MINUTES = 0.1;
const FAST_LANE_SHARE = 0.5;
/** Periods the fast lane runs: the first is skipped (the lane settles), the rest are measured. */
const FAST_LANE_PERIODS = 6;

export interface LiveFigures {
  cmdIdleP50: number;
  cmdIdleP95: number;
  cmdBusyP50: number;
  cmdBusyP95: number;
  cmdBusyRatio: number;
  cmdBusyCount: number;
  cmdFailures: number;
  /** /v1 requests per second at the simulator while the busy commands ran (sweep + commands). */
  busyRequestRate: number;
  /** Fewest sweep requests seen waiting for the budget during the busy commands (> 0: the sweep saturates it). */
  busySweepQueuedMin: number;
  busyThrottled: number;
  roundA: CycleRun;
  roundB: CycleRun;
  changes: number;
  cardsFound: number;
  fetchToCardP50: number;
  fetchToCardP95: number;
  fetchToCardMax: number;
  alertMeanS: number;
  alertReachMeanS: number;
  alertRatio: number;
  fastLaneMaxS: number;
  fastLaneTargetS: number;
  fastLaneP95S: number;
  fastLaneEngineMaxS: number;
  fastLaneCustomers: number;
  fastLaneMissing: number;
  fastLaneShareNeeded: number;
  /** Requests per second to all customers / to the active ones, during the measured periods. */
  fastLaneRates: { all: number; active: number };
  fastLaneThrottled: number;
}

/** Every incident of the dataset resolved (shared incidents stay shared), so only the ones we add are active. */
function resolveEverything(sim: Simulator): void {
  const resolved = new Map<WireIncident, WireIncident>();
  for (const customer of sim.data.customers) {
    const list = sim.data.incidentsOf(customer.id);
    for (let i = 0; i < list.length; i++) {
      const incident = list[i] as WireIncident;
      let copy = resolved.get(incident);
      if (!copy) {
        copy = { ...incident, resolved: true, status: 'normal', endTime: new Date(sim.data.referenceMs).toISOString() };
        resolved.set(incident, copy);
      }
      list[i] = copy;
    }
  }
}

const seconds = (ms: number) => round(ms / 1000, 2);

/**
 * `beside`: measures that mostly wait, run while 5c only waits its periods out (the bench is then shorter);
 * the fast lane's window is its own either way, from its settling to the end of its periods.
 */
export async function measureLive<T>(
  progress: (text: string) => void,
  beside: () => Promise<T>,
): Promise<{ figures: LiveFigures; rows: { busy: Row[]; alerts: Row[]; fast: Row[]; cycle: Row[] }; beside: T }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, rateLimitPerSecond: RATE_PER_SECOND, seed: 42, maxRecordedRequests: 200_000 });
  const connector = await new BenchConnector().start();
  const tmp = await tempDir('pa-bench-live-');
  const dataFile = path.join(tmp.dir, 'state.json');
  let onArrival: (customerId: string, at: number) => void = () => undefined;
  const fetch = recordingFetch((customerId, at) => onArrival(customerId, at));
  let app: App | null = null;
  try {
    resolveEverything(sim);
    const reachable = sim.data.customers.filter((customer) => !customer.noRelationship);
    const picked = pickSome(reachable, Math.round(CUSTOMERS * ACTIVE_SHARE), seededRandom(7));
    const changed = picked.slice(0, CHANGES);
    const alreadyActive = picked.slice(CHANGES);
    const shared = activeIncident('EX700001', sim.data.referenceMs);
    for (const customer of alreadyActive) sim.data.incidentsOf(customer.id).push(shared);

    const first = await startBenchApp(sim, { requestsPerMinute: RATE_PER_SECOND * 60, dataFile, fetch });
    app = first.app;
    const target = channelTarget(0, connector.url);
    await app.store.update((draft) => {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key));
    });
    const listed = await app.directory.reload({ correlationId: randomUUID() });

    // a. Commands with no sweep, then during the first round.
    progress('5a. "status for" with no sweep, then during a 5,000-customer round');
    const pool = sim.data.customers.slice(31).filter((customer) => !customer.noRelationship);
    const stride = Math.floor(pool.length / (COMMANDS + WARM_UP));
    const chosen = Array.from({ length: COMMANDS + WARM_UP }, (_, i) => pool[(i * stride) % pool.length]!);
    const idle = await statusCommands(app, connector, chosen, { warmUp: WARM_UP });
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    clearRecorded(sim);
    const liveApp = app;
    let roundEndAt = Number.POSITIVE_INFINITY;
    const startedA = performance.now();
    const roundA = liveApp.engine.sweepNow().then((result) => {
      roundEndAt = performance.now();
      return result;
    });
    // Commands start once the round is past its listing and fetching at full pace.
    await until(() => liveApp.engine.sweep.fetches >= 300, 30_000);
    const queuedSamples: number[] = [];
    const busy = await statusCommands(liveApp, connector, chosen.slice(WARM_UP), {
      keepGoing: () => {
        void liveApp.health().then((report) => queuedSamples.push((report['partnerCenter'] as { queued: { sweep: number } } | undefined)?.queued.sweep ?? 0));
        return liveApp.engine.sweep.running !== null;
      },
    });
    const resultA = await roundA;
    const wallA = roundEndAt - startedA;
    const inRound = busy.spans.map((span, i) => ({ span, latency: busy.latencies[i] ?? 0 })).filter(({ span }) => span.replied <= roundEndAt);
    const busyLatencies = inRound.map(({ latency }) => latency);
    // The simulator stamps requests with Date.now(); the spans are performance.now().
    const windowStart = performance.timeOrigin + Math.min(...inRound.map(({ span }) => span.sent));
    const windowEnd = performance.timeOrigin + Math.max(...inRound.map(({ span }) => span.replied));
    const inWindow = sim.requests.filter((request) => request.path.startsWith('/v1') && request.at >= windowStart && request.at <= windowEnd);
    const roundARun = cycleRun(sim, { customers: CUSTOMERS, concurrency: 16, orders: 0, wallMs: wallA, customersFailed: resultA.cycle.customersFailed.length, ordersFailed: 0 });

    // b. Changes at random customers, then one round.
    progress(`5b. ${CHANGES} changes at random customers, one 5,000-customer round`);
    const base = Date.now();
    const incidentIds = changed.map((customer, i) => {
      const incident = activeIncident(`EX8${String(i).padStart(5, '0')}`, base);
      sim.data.incidentsOf(customer.id).push(incident);
      return incident.id;
    });
    const arrivals = new Map<string, number>();
    onArrival = (customerId, at) => arrivals.set(customerId, at);
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    clearRecorded(sim);
    const callsBefore = connector.calls.length;
    const startedB = performance.now();
    const startedBDate = Date.now();
    const resultB = await app.engine.sweepNow();
    const endedB = Date.parse(app.store.read().lastCycle?.endedAt ?? '') || Date.now();
    const cardFor = (incidentId: string) =>
      connector.calls.slice(callsBefore).find((call) => call.kind === 'post' && call.status === 200 && call.conversationId === target.key && call.body.includes(incidentId));
    await connector.waitFor(() => incidentIds.every((id) => cardFor(id)), 10_000);
    const roundBRun = cycleRun(sim, { customers: CUSTOMERS, concurrency: 16, orders: 0, wallMs: endedB - startedBDate, customersFailed: resultB.cycle.customersFailed.length, ordersFailed: 0 });
    const order = [...listed].map((customer) => incidentItemKey(customer.id)).sort();
    const pages = Math.max(1, Math.ceil(listed.length / PAGE_SIZE));
    const perChange = changed.flatMap((customer, i) => {
      const card = cardFor(incidentIds[i] ?? '');
      const fetchedAt = arrivals.get(customer.id);
      if (!card || fetchedAt === undefined) return [];
      const position = pages + order.indexOf(incidentItemKey(customer.id)) + 1;
      return [{ fetchToCard: card.at - fetchedAt, toCard: card.at - startedB, reach: (position / RATE_PER_SECOND) * 1000 }];
    });
    const fetchToCard = perChange.map((change) => change.fetchToCard);
    await app.close();
    app = null;

    // c. Restart with schedule on: the fast lane.
    const periodMs = FAST_LANE_MINUTES * 60_000;
    progress(`5c. fast lane: schedule on, ${picked.length} of ${CUSTOMERS} customers active, period ${periodMs / 1000} s, ${FAST_LANE_PERIODS} periods`);
    const fetches = new Map<string, number[]>();
    let fetchCount = 0;
    onArrival = (customerId, at) => {
      fetchCount += 1;
      const list = fetches.get(customerId);
      if (list) list.push(at);
      else fetches.set(customerId, [at]);
    };
    gc();
    clearRecorded(sim);
    const fastStarted = performance.now();
    const second = await startBenchApp(sim, {
      requestsPerMinute: RATE_PER_SECOND * 60,
      dataFile,
      fetch,
      schedule: true,
      config: { pollSchedule: '* * * * * *', fastLaneMinutes: FAST_LANE_MINUTES, fastLaneShare: FAST_LANE_SHARE },
    });
    app = second.app;
    const settledAt = fastStarted + periodMs;
    let engineGapsAtSettle = 0;
    const fastApp = app;
    setTimeout(() => void (engineGapsAtSettle = fastApp.engine.sweep.fastLaneGaps.length), periodMs).unref();
    const besideRun = beside();
    await new Promise((resolve) => setTimeout(resolve, periodMs * FAST_LANE_PERIODS));
    const fastEnded = performance.now();
    const engineGaps = app.engine.sweep.fastLaneGaps.slice(engineGapsAtSettle);
    const fastThrottled = sim.requests.filter((request) => request.status === 429).length;
    await app.close();
    app = null;
    const besideResult = await besideRun;

    const gaps: number[] = [];
    let missing = 0;
    for (const customer of picked) {
      const times = (fetches.get(customer.id) ?? []).filter((at) => at >= settledAt);
      if (times.length === 0) {
        missing += 1;
        gaps.push(fastEnded - settledAt);
        continue;
      }
      for (let i = 1; i < times.length; i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
      gaps.push(fastEnded - (times.at(-1) ?? 0)); // still open at the end: at least this long
    }
    let windowFetches = 0;
    let activeFetches = 0;
    const activeIds = new Set(picked.map((customer) => customer.id));
    for (const [customerId, times] of fetches) {
      const n = times.filter((at) => at >= settledAt).length;
      windowFetches += n;
      if (activeIds.has(customerId)) activeFetches += n;
    }
    const windowSeconds = (fastEnded - settledAt) / 1000;
    const laneShare = RATE_PER_SECOND * 0.95 * FAST_LANE_SHARE;

    const figures: LiveFigures = {
      cmdIdleP50: percentile(idle.latencies, 50),
      cmdIdleP95: percentile(idle.latencies, 95),
      cmdBusyP50: percentile(busyLatencies, 50),
      cmdBusyP95: percentile(busyLatencies, 95),
      cmdBusyRatio: percentile(busyLatencies, 95) / percentile(idle.latencies, 95),
      cmdBusyCount: busyLatencies.length,
      cmdFailures: idle.failures + busy.failures,
      busyRequestRate: inWindow.length / Math.max(0.001, (windowEnd - windowStart) / 1000),
      busySweepQueuedMin: Math.min(...queuedSamples.slice(0, Math.max(1, inRound.length))),
      busyThrottled: inWindow.filter((request) => request.status === 429).length,
      roundA: roundARun,
      roundB: roundBRun,
      changes: CHANGES,
      cardsFound: perChange.length,
      fetchToCardP50: percentile(fetchToCard, 50) / 1000,
      fetchToCardP95: percentile(fetchToCard, 95) / 1000,
      fetchToCardMax: Math.max(...fetchToCard) / 1000,
      alertMeanS: mean(perChange.map((change) => change.toCard)) / 1000,
      alertReachMeanS: mean(perChange.map((change) => change.reach)) / 1000,
      alertRatio: mean(perChange.map((change) => change.toCard)) / mean(perChange.map((change) => change.reach)),
      fastLaneMaxS: Math.max(...gaps) / 1000,
      fastLaneTargetS: periodMs / 1000,
      fastLaneP95S: percentile(gaps, 95) / 1000,
      fastLaneEngineMaxS: Math.max(0, ...engineGaps) / 1000,
      fastLaneCustomers: picked.length,
      fastLaneMissing: missing,
      fastLaneShareNeeded: picked.length / (periodMs / 1000) / laneShare,
      fastLaneRates: { all: windowFetches / windowSeconds, active: activeFetches / windowSeconds },
      fastLaneThrottled: fastThrottled,
    };
    const f = figures;
    const ms = (value: number) => `${round(value, 1)} ms`;
    const busyRows: Row[] = [
      row(`"status for X" p95 during a ${CUSTOMERS} round / with no sweep`, `${round(f.cmdBusyRatio, 3)} (${ms(f.cmdBusyP95)} / ${ms(f.cmdIdleP95)})`, '<= 1.15', f.cmdBusyRatio <= 1.15),
      row('  p50 busy / idle', `${ms(f.cmdBusyP50)} / ${ms(f.cmdIdleP50)}`),
      row('  commands answered during the round (of 200)', String(f.cmdBusyCount), '>= 100', f.cmdBusyCount >= 100),
      row('  replies missing or wrong', String(f.cmdFailures), '0', f.cmdFailures === 0),
      row(
        '  budget saturated meanwhile: /v1 rate, sweep requests queued (min)',
        `${round(f.busyRequestRate, 1)}/s of ${RATE_PER_SECOND}/s, ${f.busySweepQueuedMin} queued, ${f.busyThrottled} x 429`,
        '> 0 queued',
        f.busySweepQueuedMin > 0,
      ),
    ];
    const alertRows: Row[] = [
      row(`answer -> card, p95 over ${f.cardsFound} changes in a ${CUSTOMERS} round`, `${round(f.fetchToCardP95, 3)} s`, '<= 2 s', f.fetchToCardP95 <= 2 && f.cardsFound >= 50),
      row('  p50 / max', `${round(f.fetchToCardP50, 3)} s / ${round(f.fetchToCardMax, 3)} s`),
      row('  cards found (one per change)', `${f.cardsFound} of ${f.changes}`, String(f.changes), f.cardsFound === f.changes),
      row(
        'alert: mean time to card / mean time to reach at the budget',
        `${round(f.alertRatio, 3)} (${round(f.alertMeanS, 2)} s / ${round(f.alertReachMeanS, 2)} s)`,
        '<= 1.15',
        f.alertRatio <= 1.15,
      ),
    ];
    const fastRows: Row[] = [
      row(
        `fast lane: largest gap between fetches of an active customer`,
        `${round(f.fastLaneMaxS, 2)} s (p95 ${round(f.fastLaneP95S, 2)} s)`,
        `<= ${round(1.1 * f.fastLaneTargetS, 2)} s (1.1 x ${f.fastLaneTargetS} s)`,
        f.fastLaneMaxS <= 1.1 * f.fastLaneTargetS,
      ),
      row(
        '  setting: active customers, period, share; need of the lane',
        `${f.fastLaneCustomers} of ${CUSTOMERS}, ${f.fastLaneTargetS} s, ${FAST_LANE_SHARE}: ${round(f.fastLaneCustomers / f.fastLaneTargetS, 1)}/s of ${round(laneShare, 1)}/s (${round(100 * f.fastLaneShareNeeded, 0)}%)`,
      ),
      row('  fetches per second, all / active customers (measured periods)', `${round(f.fastLaneRates.all, 1)}/s / ${round(f.fastLaneRates.active, 1)}/s`),
      row('  active customers not fetched after the first period', String(f.fastLaneMissing), '0', f.fastLaneMissing === 0),
      row("  the engine's own fastLaneGaps, max after the first period", `${round(f.fastLaneEngineMaxS, 2)} s`),
      row('  429s from the simulator', String(f.fastLaneThrottled), '0', f.fastLaneThrottled === 0),
    ];
    const cycleRows: Row[] = [
      ...runRows(`sweep round, watch-all N=${CUSTOMERS} c=16 (with ${CHANGES} changes)`, roundBRun),
      row(
        `  the first ${CUSTOMERS} round (writes every snapshot; 200 commands meanwhile)`,
        `${seconds(roundARun.wallMs)} s, ratio ${round(roundARun.ratio, 3)} (${roundARun.requests} requests)`,
      ),
    ];
    return { figures, rows: { busy: busyRows, alerts: alertRows, fast: fastRows, cycle: cycleRows }, beside: besideResult };
  } finally {
    await app?.close();
    await connector.close();
    await sim.close();
    await tmp.remove();
  }
}

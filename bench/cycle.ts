// Measure 1: sweep throughput. One full sweep round (engine.sweepNow(): listing + one incidents request per
// customer + one per watched order, committed in batches) of a "watch all" over N customers against the
// simulator over loopback HTTP with 50 ms latency and a 200/s limit, the app's budget also 200/s. The
// lower bound of a round is requests / 200 per second; the ratio says how close the round gets.
// (The 5,000-customer round is measured in live.ts, on the app the other live measures share.)
import { randomUUID } from 'node:crypto';
import { RateBudget } from '../src/partnerCenter/rateBudget.js';
import { startSimulator, type Simulator } from '../src/sandbox/simulator.js';
import { BenchConnector } from './connector.js';
import { channelTarget, clearRecorded, elapsedMs, gc, round, row, startBenchApp, tallyApi, watchAll, watchOrder, wire, type Row } from './support.js';

export const LATENCY_MS = 50;
export const RATE_PER_SECOND = 200;
/**
 * The app's default number of fetch workers (src/engine/engine.ts). By Little's law the budget needs
 * rate × time per request in flight: 200/s × ~0.06 s (50 ms latency + client and loopback overhead) ≈ 12.
 */
export const CYCLE_CONCURRENCY = 16;
const PAGE_SIZE = 500;
const WATCHED_ORDERS = 10;

export interface CycleRunOptions {
  customers: number;
  concurrency: number;
  watchedOrders?: number;
}

export interface CycleRun {
  customers: number;
  concurrency: number;
  budgetPerSecond: number;
  wallMs: number;
  /** /v1 requests the simulator received during the round, 429s included. */
  requests: number;
  /** Customer-list pages + one incidents request per customer + one per watched order. */
  expected: number;
  pages: number;
  orders: number;
  throttled: number;
  /** Most requests the simulator's limiter saw in one of its one-second windows. */
  peakPerSecond: number;
  lowerBoundMs: number;
  ratio: number;
  customersFailed: number;
  ordersFailed: number;
}

/** The first `count` orders (of generated customers) whose provisioning status the simulator can answer. */
function ordersToWatch(sim: Simulator, count: number): { customer: { id: string; companyName: string }; orderId: string }[] {
  const picked: { customer: { id: string; companyName: string }; orderId: string }[] = [];
  for (const customer of sim.data.customers.slice(31)) {
    if (picked.length >= count) break;
    const order = sim.data.ordersOf(customer.id).find((candidate) => candidate.provisioning !== null);
    if (order) picked.push(wire({ customer: { id: customer.id, companyName: customer.companyName }, orderId: order.order.id }));
  }
  return picked;
}

/** Turns what the simulator recorded during a round into the throughput figures. */
export function cycleRun(
  sim: Simulator,
  run: { customers: number; concurrency: number; orders: number; wallMs: number; customersFailed: number; ordersFailed: number },
): CycleRun {
  const tally = tallyApi(sim.requests, LATENCY_MS);
  const pages = sim.requests.filter((request) => request.path === '/v1/customers').length;
  const expected = Math.max(1, Math.ceil(run.customers / PAGE_SIZE)) + run.customers + run.orders;
  const lowerBoundMs = (tally.requests / RATE_PER_SECOND) * 1000;
  return {
    ...run,
    budgetPerSecond: RATE_PER_SECOND,
    requests: tally.requests,
    expected,
    pages,
    throttled: tally.throttled,
    peakPerSecond: tally.peakPerSecond,
    lowerBoundMs,
    ratio: run.wallMs / lowerBoundMs,
  };
}

export async function measureCycle(options: CycleRunOptions): Promise<CycleRun> {
  const sim = await startSimulator({
    customerCount: options.customers,
    latencyMs: LATENCY_MS,
    rateLimitPerSecond: RATE_PER_SECOND,
    seed: 42,
    maxRecordedRequests: 100_000,
  });
  // A first round raises no incident events, but it may queue a notice (the customer that refuses access):
  // a connector that answers at once keeps its delivery out of the round's time.
  const connector = await new BenchConnector().start();
  const bench = await startBenchApp(sim, { requestsPerMinute: RATE_PER_SECOND * 60, cycleConcurrency: options.concurrency });
  try {
    const { app } = bench;
    // Build every customer's incident list now, so the simulator's lazy generation is not timed.
    for (const customer of sim.data.customers) sim.data.incidentsOf(customer.id);
    const orders = ordersToWatch(sim, options.watchedOrders ?? WATCHED_ORDERS);
    const target = channelTarget(0, connector.url);
    await app.store.update((draft) => {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key), ...orders.map((order) => watchOrder(target.key, order.customer, order.orderId)));
    });
    // The listing startApp began (and the token grant) are not part of a round.
    await app.directory.reload({ correlationId: randomUUID() });
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the budget's bucket refill
    clearRecorded(sim);

    const started = process.hrtime.bigint();
    const { cycle } = await app.engine.sweepNow();
    const wallMs = elapsedMs(started);
    return cycleRun(sim, {
      customers: options.customers,
      concurrency: options.concurrency,
      orders: orders.length,
      wallMs,
      customersFailed: cycle.customersFailed.length,
      ordersFailed: cycle.ordersFailed.length,
    });
  } finally {
    await bench.close();
    await connector.close();
    await sim.close();
  }
}

/**
 * The rate budget alone (src/partnerCenter/rateBudget.ts, as startApp builds it: RATE_PER_SECOND less 5%
 * headroom), 16 callers taking sweep-lane tokens as fast as it grants them for `ms`: what rate the sweep
 * can get at most, with the app's bucket (burst 4, 3 kept for commands) and with a bucket of `burst`.
 */
export async function measureBudget(burst?: number, ms = 2_000): Promise<number> {
  const budget = new RateBudget({ requestsPerMinute: RATE_PER_SECOND * 60, burst });
  let granted = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: CYCLE_CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await budget.take('sweep');
        granted++;
      }
    }),
  );
  return granted / ((performance.now() - started) / 1000);
}

export interface CycleFigures {
  /** Sweep-lane tokens per second from the app's budget, and from one with a bucket of 8. */
  budgetRate: number;
  budgetRateBurst8: number;
  at1000: CycleRun;
  at500: CycleRun;
  naive500: CycleRun;
  naiveSpeedup500: number;
  sweep: CycleRun[];
}

const seconds = (ms: number) => `${round(ms / 1000, 2)} s`;

export function runRows(label: string, run: CycleRun): Row[] {
  const extra = run.requests - run.expected;
  return [
    row(
      `${label}: wall / bound (requests / ${RATE_PER_SECOND}/s)`,
      `${round(run.ratio, 3)} (${seconds(run.wallMs)} / ${seconds(run.lowerBoundMs)})`,
      '<= 1.15',
      run.ratio <= 1.15,
    ),
    row(
      '  /v1 requests (pages + customers + orders)',
      `${run.requests} = ${run.pages} + ${run.customers} + ${run.orders}${extra > 0 ? ` + ${extra} retried` : ''}`,
      String(run.expected),
      run.requests === run.expected,
    ),
    row('  429s from the simulator', `${run.throttled} (peak ${run.peakPerSecond} in one of its 1 s windows)`, '0', run.throttled === 0),
  ];
}

function sweepRow(run: CycleRun, note: string): Row {
  return row(
    `  N=${run.customers} c=${run.concurrency} budget ${run.budgetPerSecond}/s${note}`,
    `ratio ${round(run.ratio, 3)}, ${run.throttled} x 429, peak ${run.peakPerSecond}/s`,
  );
}

/**
 * The naive loop's baseline (one fetch worker, 500 customers): ~27 s of waiting on the simulator's 50 ms, one
 * request at a time, so bench/run.ts runs it beside other waiting measures and hands it to cyclesSection.
 */
export const measureNaive500 = (): Promise<CycleRun> => measureCycle({ customers: 500, concurrency: 1 });

/** Everything of measure 1 but the naive loop. */
export type CyclesPart = Omit<CycleFigures, 'naive500' | 'naiveSpeedup500'>;

export async function measureCycles(): Promise<CyclesPart> {
  await measureCycle({ customers: 300, concurrency: CYCLE_CONCURRENCY }); // JIT and sockets warm up, not reported
  const at1000 = await measureCycle({ customers: 1_000, concurrency: CYCLE_CONCURRENCY });
  const at500 = await measureCycle({ customers: 500, concurrency: CYCLE_CONCURRENCY });
  // Why the default is 16 fetch workers: too few in flight, and the break-even of Little's law.
  const sweep = [await measureCycle({ customers: 1_000, concurrency: 8 }), await measureCycle({ customers: 1_000, concurrency: 12 })];
  const budgetRate = await measureBudget();
  const budgetRateBurst8 = await measureBudget(8);
  return { budgetRate, budgetRateBurst8, at1000, at500, sweep };
}

/** `naiveNote`: how the naive loop was run, when not alone. */
export function cyclesSection(part: CyclesPart, naive500: CycleRun, naiveNote = ''): { figures: CycleFigures; rows: Row[] } {
  const { budgetRate, budgetRateBurst8, at1000, at500, sweep } = part;
  const naiveSpeedup500 = naive500.wallMs / at500.wallMs;
  const nominal = RATE_PER_SECOND * 0.95;
  const c = `c=${CYCLE_CONCURRENCY}`;
  const rows: Row[] = [
    ...runRows(`sweep round, watch-all N=1000 ${c}`, at1000),
    row(`sweep round N=500 ${c}`, `${seconds(at500.wallMs)}, ratio ${round(at500.ratio, 3)}, ${at500.throttled} x 429`),
    row(`  baseline: naive loop (1 fetch worker) N=500${naiveNote}`, `${seconds(naive500.wallMs)}, ratio ${round(naive500.ratio, 3)}`),
    row(`  speed-up of ${c} over the naive loop`, `${round(naiveSpeedup500, 1)}x`),
    row('fetch workers (why the default of 16)', ''),
    sweepRow(sweep[0]!, ' (too few in flight)'),
    sweepRow(sweep[1]!, ' (Little: 200/s x 0.06 s)'),
    row(
      "the rate budget alone: sweep-lane grants per second (app's bucket: 4, 3 kept)",
      `${round(budgetRate, 1)}/s of ${round(nominal, 0)}/s (${round((100 * budgetRate) / nominal, 0)}%)`,
      `>= ${round(0.97 * nominal, 0)}/s`,
      budgetRate >= 0.97 * nominal,
    ),
    row('  the same with a bucket of 8 (3 kept)', `${round(budgetRateBurst8, 1)}/s (${round((100 * budgetRateBurst8) / nominal, 0)}%)`),
  ];
  return { figures: { budgetRate, budgetRateBurst8, at1000, at500, naive500, naiveSpeedup500, sweep }, rows };
}

// Measure 9: scale. "watch all" over 50,000 customers in a process of its own (bench/scaleChild.ts, the
// simulator in a third: bench/simChild.ts): two full sweep rounds, the second with one new incident at
// every customer. The event-loop delay during that round must stay <= 200 ms and the process's RSS after
// both rounds <= 400 MB. When 50,000 misses, the same run at fewer customers finds the largest N (of
// 10,000 / 20,000 / 30,000, tried from the middle) at which both hold.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScaleResult } from './scaleChild.js';
import { SCALE_BATCH_SIZE, SCALE_REQUESTS_PER_SECOND } from './scaleChild.js';
import { round, row, type Row } from './support.js';

export const LAG_TARGET_MS = 200;
export const RSS_TARGET_MB = 400;
export const FULL = 50_000;
const here = path.dirname(fileURLToPath(import.meta.url));

export interface ScaleFigures {
  full: ScaleResult;
  tried: ScaleResult[];
  /** Largest N tried at which both targets hold (0: none; null: not searched, BENCH_LOWDB_SEARCH). */
  largestOk: number | null;
}

/** The event-loop delay that counts: the round in which the incident hits every customer. */
export const lagOf = (result: ScaleResult): number => result.rounds[1]?.lagMaxMs ?? Number.NaN;
const holds = (result: ScaleResult) => lagOf(result) <= LAG_TARGET_MS && result.rssMb <= RSS_TARGET_MB;

/**
 * One scale run in a child process; with `databaseUrl`, the app's store is PostgreSQL, and with `follower`
 * an instance that does not lead runs on its database from before the rounds, measured after them
 * (bench/follower.ts).
 */
export function runScale(customers: number, databaseUrl?: string, options: { follower?: boolean } = {}): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const args = [String(customers), ...(databaseUrl ? [databaseUrl, ...(options.follower ? ['follower'] : [])] : [])];
    const child = fork(path.join(here, 'scaleChild.js'), args, {
      execArgv: ['--expose-gc', '--no-deprecation'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: ScaleResult | null = null;
    child.on('message', (message: ScaleResult) => void (result = message));
    child.once('error', reject);
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the scale run at ${customers} exited (${code}) without a result`))));
  });
}

/** The run at FULL customers (the headline figures). */
export async function runFull(progress: (text: string) => void): Promise<ScaleResult> {
  progress(`9. scale: ${FULL.toLocaleString('en-US')} customers, two rounds (in a child process)`);
  return runScale(FULL);
}

/**
 * When the run at FULL misses, the largest N at which both targets hold: the runs tried, from the middle:
 * 20,000, then 30,000 if it holds, else 10,000 (and 5,000 if that misses too).
 */
export async function searchLargest(full: ScaleResult, progress: (text: string) => void): Promise<ScaleResult[]> {
  const tried: ScaleResult[] = [];
  if (holds(full)) return tried;
  let n: number | null = 20_000;
  while (n !== null) {
    progress(`9. scale: ${n.toLocaleString('en-US')} customers`);
    const result = await runScale(n);
    tried.push(result);
    const ok = holds(result);
    n = ok ? (n === 20_000 ? 30_000 : null) : n === 20_000 ? 10_000 : n === 10_000 ? 5_000 : null;
  }
  return tried;
}

export async function measureScale(progress: (text: string) => void): Promise<{ figures: ScaleFigures; rows: Row[] }> {
  const full = await runFull(progress);
  return scaleSection(full, await searchLargest(full, progress));
}

/** `tried`: the search's runs (null: not asked for, BENCH_LOWDB_SEARCH). */
export function scaleSection(full: ScaleResult, searched: ScaleResult[] | null): { figures: ScaleFigures; rows: Row[] } {
  const tried = searched ?? [];
  const largestOk = Math.max(0, ...[full, ...tried].filter(holds).map((r) => r.customers));
  const f = full;
  const [first, second] = f.rounds;
  const blocking = f.blocking;
  const frames = (list: { frame: string; share: number }[]) => list.map((entry) => `${entry.share}% ${entry.frame}`).join(', ');
  const rows: Row[] = [
    row(
      `loop delay max, ${FULL} customers, the round with 1 new incident each`,
      `${round(lagOf(f), 0)} ms (p99 ${round(second?.lagP99Ms ?? 0, 0)} ms; snapshot round ${round(first?.lagMaxMs ?? 0, 0)} ms)`,
      `<= ${LAG_TARGET_MS} ms`,
      lagOf(f) <= LAG_TARGET_MS,
    ),
    row(
      `RSS after two rounds of ${FULL}`,
      `${round(f.rssMb, 0)} MB (before the rounds ${round(f.rssBeforeMb, 0)} MB; peak ${round(f.peakRssMb, 0)}; heap ${round(f.heapUsedMb, 0)} of ${round(f.heapTotalMb, 0)} MB)`,
      `<= ${RSS_TARGET_MB} MB`,
      f.rssMb <= RSS_TARGET_MB,
    ),
    row('  the customer directory (every customer and its name index), heap after a full GC', `${round(f.directoryHeapMb, 1)} MB`),
    row(
      '  rounds: seconds (snapshots / incident), events',
      `${round(first?.seconds ?? 0, 1)} s / ${round(second?.seconds ?? 0, 1)} s, ${second?.events ?? 0} events, ${f.cards} card posts`,
    ),
    row(
      `  budget ${SCALE_REQUESTS_PER_SECOND}/s, batch ${SCALE_BATCH_SIZE} (commits on the flush timer), state file`,
      `${round(f.stateMb, 1)} MB`,
    ),
    row(
      '  loop stalls > 100 ms in the incident round: count, total, longest',
      `${blocking.blocks}, ${round(blocking.blockedMs / 1000, 1)} s, ${round(blocking.worst[0]?.ms ?? 0, 0)} ms`,
    ),
    row('  what ran in them (V8 samples, innermost app frame)', frames(blocking.top.slice(0, 3))),
    ...blocking.worst.slice(0, 3).map((worst, i) => row(`    stall #${i + 1} (${worst.ms} ms)`, `${frames(worst.top)} | leaves: ${frames(worst.leaves)}`)),
    row('  one state change (diff + route of a batch), max / mean', `${round(second?.changes.maxMs ?? 0, 0)} ms / ${round(second?.changes.meanMs ?? 0, 1)} ms over ${second?.changes.count ?? 0}`),
    row('  JSON.stringify of the whole state in one piece', `${round(f.stringifyMs, 0)} ms`),
    row(`  rendering the incident card with its ${f.cardCustomers} customers`, `${round(f.cardRenderMs, 0)} ms`),
    ...tried.map((r) =>
      row(
        `  N=${r.customers}: loop delay max / RSS`,
        `${round(lagOf(r), 0)} ms / ${round(r.rssMb, 0)} MB (rounds ${round(r.rounds[0]?.seconds ?? 0, 1)} s + ${round(r.rounds[1]?.seconds ?? 0, 1)} s)`,
        `<= ${LAG_TARGET_MS} ms / <= ${RSS_TARGET_MB} MB`,
        holds(r),
      ),
    ),
    searched
      ? row('largest N tried at which both hold', largestOk > 0 ? String(largestOk) : `none (of ${[full, ...tried].map((r) => r.customers).join(', ')})`)
      : row('largest N tried at which both hold', holds(full) ? String(full.customers) : 'not searched: BENCH_LOWDB_SEARCH=1 tries 20,000, then 10,000 or 30,000 (about 80 s more)'),
  ];
  return { figures: { full, tried, largestOk: searched || holds(full) ? largestOk : null }, rows };
}

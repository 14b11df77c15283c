// Measure 11: the PostgreSQL store (src/store/postgres/postgresStore.ts) at 50,000 customers, each figure
// beside the lowdb store's from the same run.
// (a) One batch commit as measure 2 times it (commitBatch of 25 results: diff + route + cursor in one
//     store.update), with 50,000 customers' snapshots stored: in a lowdb store, then in a PostgreSQL one
//     (and into an empty PostgreSQL store, the fixed cost of a transaction's round trips).
// (c) The same commit on the same store once one incident's card threads list all 50,000 customers in 4
//     conversations (bench/wideThread.ts), (a) being its baseline.
// (b) The scale run of measure 9 (bench/scaleChild.ts: two rounds, the second with an incident at every
//     customer) with the app on a fresh PostgreSQL database: RSS after both rounds and the loop delay; then,
//     the leader still running, an instance that does not lead on its database (bench/follower.ts).
// (d) Two instances committing unrelated changes at once ÷ one alone (bench/parallelCommits.ts).
// The server is the tests' own (test/support/postgres.ts: a throwaway initdb on loopback with fsync and
// synchronous_commit off), so what a commit costs here is CPU and round trips, never a disk flush.
// Without PostgreSQL installed the rows say so and the figures are null: the bench never fails for it.
import path from 'node:path';
import pg from 'pg';
import { diffIncidents } from '../src/sources/incidents/diff.js';
import { type CustomerIncidentSnapshot } from '../src/domain/incidentRecords.js';
import type { Incident } from '../src/domain/types.js';
import { LowdbStateStore } from '../src/store/lowdbStore.js';
import { PostgresStateStore } from '../src/store/postgres/postgresStore.js';
import type { StateStore } from '../src/store/stateStore.js';
import { postgresServer, stopPostgresServer, type PostgresServer } from '../test/support/postgres.js';
import { BATCH, BATCH_RUNS, customerChanged, customerId, customerIncidents, HOUR, REFERENCE, timeBatches, watchEverything } from './diffPersist.js';
import { FULL, LAG_TARGET_MS, lagOf, runScale } from './scale.js';
import type { ScaleResult } from './scaleChild.js';
import { followerRows } from './follower.js';
import { measureParallelCommits, parallelCommitRows, type ParallelCommitFigures } from './parallelCommits.js';
import { elapsedMs, gc, round, row, tempDir, type Row } from './support.js';
import { seedWideThreads, WIDE_CONVERSATIONS, wideThreadRows, withWideIncident } from './wideThread.js';

export const PG_COMMIT_TARGET_MS = 50;
export const PG_RSS_TARGET_MB = 300;
/** Snapshots per store.update while seeding: each a transaction of 5 INSERTs of 1,000 rows (lowdb: a whole-file write). */
const SEED_CHUNK = 5_000;

/** What a PostgreSQL commit spent where (ms per commit, means over the timed commits). */
export interface CommitPhases {
  /** From store.update() to its promise settling. */
  total: number;
  /** Inside the transaction (commit): the rest of `total` is waiting for its turn (a poll's catch-up, a group). */
  transaction: number;
  /** The change itself (commitBatch's diff + route), on the tracked draft. */
  change: number;
  /** Comparing the touched records with their stored JSON (changesOf). */
  compare: number;
  /** Reading other instances' rows first (catchUp: one SELECT per table). */
  catchUp: number;
  /** The INSERT ... ON CONFLICT statements (writeRows). */
  write: number;
}

export interface PostgresFigures {
  /** null: not measured (why in `missing`). */
  missing: string | null;
  pgCommitMs: number | null;
  pgCommitTimes: number[];
  pgCommitEvents: number | null;
  pgCommitEmptyMs: number | null;
  lowdbCommitMs: number | null;
  lowdbCommitEvents: number | null;
  phases: CommitPhases | null;
  /** The same commit while one incident's threads list every customer in 4 conversations (wideThread.ts). */
  wideThread: PhasedCommits | null;
  pgSeedS: number | null;
  lowdbSeedS: number | null;
  scale: ScaleResult | null;
  /** Two instances committing unrelated changes at once (null: not measured, why in parallelMissing). */
  parallel: ParallelCommitFigures | null;
  parallelMissing: string | null;
  serverVersion: string | null;
}

/**
 * Stores every customer's snapshot as measure 2's store holds them (the changed fetch diffed against the
 * base one, so the commits below differ in ~1% of incidents again), SEED_CHUNK customers per store.update.
 * Built chunk by chunk: 50,000 customers' incidents at once would be ~300 MB of strings. Returns seconds.
 */
export async function seed(store: StateStore): Promise<number> {
  const started = process.hrtime.bigint();
  const before = new Date(REFERENCE - HOUR).toISOString();
  const at = new Date(REFERENCE).toISOString();
  for (let from = 0; from < FULL; from += SEED_CHUNK) {
    const chunk: Record<string, CustomerIncidentSnapshot> = {};
    for (let c = from; c < Math.min(FULL, from + SEED_CHUNK); c++) {
      const id = customerId(c);
      const base = customerIncidents(c);
      const first = diffIncidents(id, undefined, base, before).snapshot;
      chunk[id] = diffIncidents(id, first, customerChanged(c, base), at).snapshot;
    }
    await store.update((draft) => {
      Object.assign(draft.incidentSnapshots, chunk);
    });
  }
  return elapsedMs(started) / 1000;
}

/**
 * Times the PostgreSQL store's phases of each commit by wrapping its (private) methods on this one
 * instance: the explanation of the headline figure, not part of it. A method not found is left out (0).
 */
function phaseTimer(store: PostgresStateStore): { reset(): void; perCommit(commits: number): CommitPhases } {
  const totals: CommitPhases = { total: 0, transaction: 0, change: 0, compare: 0, catchUp: 0, write: 0 };
  const wrap = (name: string, phase: keyof CommitPhases, owner: object = store) => {
    const inner = owner as Record<string, unknown>;
    const method = inner[name];
    if (typeof method !== 'function') return;
    inner[name] = function (this: unknown, ...args: unknown[]) {
      const started = process.hrtime.bigint();
      const result: unknown = method.apply(this, args);
      const done = () => void (totals[phase] += elapsedMs(started));
      if (result instanceof Promise) return result.finally(done);
      done();
      return result;
    };
  };
  wrap('update', 'total');
  wrap('commit', 'transaction');
  wrap('applyGroup', 'change');
  wrap('changesOf', 'compare');
  wrap('catchUp', 'catchUp', (store as unknown as { copy: object }).copy);
  wrap('writeRows', 'write');
  return {
    reset: () => void (Object.keys(totals) as (keyof CommitPhases)[]).forEach((phase) => (totals[phase] = 0)),
    perCommit: (commits) =>
      Object.fromEntries((Object.keys(totals) as (keyof CommitPhases)[]).map((phase) => [phase, totals[phase] / commits])) as unknown as CommitPhases,
  };
}

const customerIncidentsOf = (c: number) => customerIncidents(c);

/** timeBatches's figures, with what each commit spent where. */
export interface PhasedCommits {
  ms: number;
  events: number;
  times: number[];
  phases: CommitPhases;
}

/** timeBatches on a PostgreSQL store, with its phases counted from the second commit (the first is a warm-up). */
export async function timeWithPhases(store: PostgresStateStore, incidents: (c: number) => Incident[]): Promise<PhasedCommits> {
  const phases = phaseTimer(store);
  let commits = 0;
  const timed = await timeBatches(
    new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'update') return Reflect.get(target, key, receiver) as unknown;
        return (...args: Parameters<StateStore['update']>) => {
          if (commits++ === 1) phases.reset();
          return target.update(...args);
        };
      },
    }),
    incidents,
  );
  return { ...timed, phases: phases.perCommit(Math.max(1, commits - 1)) };
}

async function measureCommits(server: PostgresServer, progress: (text: string) => void): Promise<Omit<PostgresFigures, 'missing' | 'scale' | 'parallel' | 'parallelMissing' | 'serverVersion'>> {
  // lowdb first, closed before PostgreSQL's store opens: one 50,000-customer state in memory at a time.
  progress(`11. PostgreSQL: one batch commit with ${FULL.toLocaleString('en-US')} customers stored (lowdb baseline, seeding)`);
  const tmp = await tempDir('pa-bench-pg-lowdb-');
  let lowdb: { ms: number; events: number; seedS: number };
  try {
    const store = await LowdbStateStore.open(path.join(tmp.dir, 'state.json'));
    const seedS = await seed(store);
    await watchEverything(store);
    const timed = await timeBatches(store, customerIncidentsOf);
    await store.close();
    lowdb = { ms: timed.ms, events: timed.events, seedS };
  } finally {
    await tmp.remove();
  }
  gc();

  progress(`11. PostgreSQL: one batch commit with ${FULL.toLocaleString('en-US')} customers stored (seeding)`);
  const store = await PostgresStateStore.open(await server.createDatabase());
  let pg: PhasedCommits & { seedS: number; wide: PhasedCommits };
  try {
    const pgSeedS = await seed(store);
    await watchEverything(store);
    gc();
    progress('11. PostgreSQL: timing the commits');
    const timed = await timeWithPhases(store, customerIncidentsOf);
    progress(`11. PostgreSQL: one batch commit with one incident's threads over all ${FULL.toLocaleString('en-US')} customers in ${WIDE_CONVERSATIONS} conversations (seeding)`);
    await seedWideThreads(store);
    gc();
    progress('11. PostgreSQL: timing the commits with the wide threads');
    const wide = await timeWithPhases(store, withWideIncident);
    pg = { ...timed, seedS: pgSeedS, wide };
  } finally {
    await store.close();
  }
  gc();

  // The same commit into an empty PostgreSQL store: what any commit costs (its ~20 round trips).
  const empty = await PostgresStateStore.open(await server.createDatabase());
  let emptyMs: number;
  try {
    await watchEverything(empty);
    emptyMs = (await timeBatches(empty, customerIncidentsOf)).ms;
  } finally {
    await empty.close();
  }
  gc();

  return {
    pgCommitMs: pg.ms,
    pgCommitTimes: pg.times,
    pgCommitEvents: pg.events,
    pgCommitEmptyMs: emptyMs,
    lowdbCommitMs: lowdb.ms,
    lowdbCommitEvents: lowdb.events,
    phases: pg.phases,
    wideThread: pg.wide,
    pgSeedS: pg.seedS,
    lowdbSeedS: lowdb.seedS,
  };
}

async function serverVersion(server: PostgresServer): Promise<string | null> {
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>(`select current_setting('server_version') as v`);
    return rows[0]?.v ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `lowdbScale`: measure 9's run at 50,000 on lowdb in this same bench (the baseline of (b)). */
export async function measurePostgres(progress: (text: string) => void, lowdbScale: ScaleResult): Promise<{ figures: PostgresFigures; rows: Row[] }> {
  let server: PostgresServer | null = null;
  let missing: string | null = null;
  try {
    server = await postgresServer();
    if (!server) missing = 'PostgreSQL is not installed';
  } catch (error) {
    missing = `PostgreSQL did not start (${(error as Error).message.split('\n')[0]})`;
  }
  if (!server) {
    const figures: PostgresFigures = {
      missing,
      pgCommitMs: null,
      pgCommitTimes: [],
      pgCommitEvents: null,
      pgCommitEmptyMs: null,
      lowdbCommitMs: null,
      lowdbCommitEvents: null,
      phases: null,
      wideThread: null,
      pgSeedS: null,
      lowdbSeedS: null,
      scale: null,
      parallel: null,
      parallelMissing: missing,
      serverVersion: null,
    };
    const not = `not measured: ${missing}`;
    return {
      figures,
      rows: [
        row(`one batch commit (commitBatch, ${BATCH} results) with ${FULL} customers stored, PostgreSQL`, not, `<= ${PG_COMMIT_TARGET_MS} ms`),
        row(`RSS after two rounds of ${FULL}, the app on PostgreSQL`, not, `<= ${PG_RSS_TARGET_MB} MB`),
        ...wideThreadRows(null, null, not),
        row(`loop delay max, ${FULL} customers, the incident round, on PostgreSQL`, not, `<= ${LAG_TARGET_MS} ms`),
        ...followerRows(undefined, null, FULL, not),
        ...parallelCommitRows(null, missing),
      ],
    };
  }

  try {
    const version = await serverVersion(server);
    const commits = await measureCommits(server, progress);
    gc();
    progress('11. PostgreSQL: two instances committing unrelated changes at once, then each alone (in child processes)');
    let parallel: ParallelCommitFigures | null = null;
    let parallelMissing: string | null = null;
    try {
      parallel = await measureParallelCommits(await server.createDatabase(), await server.createDatabase());
    } catch (error) {
      parallelMissing = (error as Error).message.split('\n')[0] ?? 'failed';
    }
    progress(`11. PostgreSQL: scale, ${FULL.toLocaleString('en-US')} customers, two rounds, the app on PostgreSQL (in a child process), then a follower`);
    const scale = await runScale(FULL, await server.createDatabase(), { follower: true });
    const figures: PostgresFigures = { missing: null, ...commits, scale, parallel, parallelMissing, serverVersion: version };
    return { figures, rows: rowsOf(figures, lowdbScale) };
  } finally {
    await stopPostgresServer();
  }
}

function rowsOf(f: PostgresFigures, lowdb: ScaleResult): Row[] {
  const s = f.scale as ScaleResult;
  const p = f.phases as CommitPhases;
  const pgMs = f.pgCommitMs ?? Number.NaN;
  const [first, second] = s.rounds;
  const [lowFirst, lowSecond] = lowdb.rounds;
  const frames = (list: { frame: string; share: number }[]) => list.map((entry) => `${entry.share}% ${entry.frame}`).join(', ');
  return [
    row(
      `one batch commit (commitBatch, ${BATCH} results) with ${FULL} customers stored, PostgreSQL`,
      `${round(pgMs, 1)} ms (min ${round(Math.min(...f.pgCommitTimes), 1)}, max ${round(Math.max(...f.pgCommitTimes), 1)}; ${f.pgCommitEvents} events in ${BATCH_RUNS} commits)`,
      `<= ${PG_COMMIT_TARGET_MS} ms`,
      pgMs <= PG_COMMIT_TARGET_MS,
    ),
    row(`  baseline: the same commit, lowdb, ${FULL} customers stored`, `${round(f.lowdbCommitMs ?? 0, 1)} ms (${f.lowdbCommitEvents} events)`),
    row('  the same commit into an empty PostgreSQL store', `${round(f.pgCommitEmptyMs ?? 0, 1)} ms`),
    row(
      '  of a PostgreSQL commit (means): change / compare (changesOf) / catch-up SELECTs / INSERTs / other round trips / waiting its turn',
      `${[p.change, p.compare, p.catchUp, p.write, p.transaction - p.change - p.compare - p.catchUp - p.write, p.total - p.transaction].map((v) => round(v, 1)).join(' / ')} ms of ${round(p.total, 1)}`,
    ),
    ...wideThreadRows(f.wideThread, f.pgCommitMs),
    row(
      `  seeding ${FULL} snapshots (store.update, ${SEED_CHUNK} per update; not timed above)`,
      `PostgreSQL ${round(f.pgSeedS ?? 0, 1)} s, lowdb ${round(f.lowdbSeedS ?? 0, 1)} s`,
    ),
    row(
      `RSS after two rounds of ${FULL}, the app on PostgreSQL`,
      `${round(s.rssMb, 0)} MB (before the rounds ${round(s.rssBeforeMb, 0)} MB; peak ${round(s.peakRssMb, 0)}; heap ${round(s.heapUsedMb, 0)} of ${round(s.heapTotalMb, 0)} MB)`,
      `<= ${PG_RSS_TARGET_MB} MB`,
      s.rssMb <= PG_RSS_TARGET_MB,
    ),
    row('  baseline: the same run on lowdb (section 7)', `${round(lowdb.rssMb, 0)} MB (before the rounds ${round(lowdb.rssBeforeMb, 0)} MB; peak ${round(lowdb.peakRssMb, 0)})`),
    row(
      '  heap used after a forced full GC (what stays alive), PostgreSQL / lowdb',
      `${round(s.heapAfterGcMb, 0)} MB / ${round(lowdb.heapAfterGcMb, 0)} MB (RSS does not drop with it: V8 keeps its pages)`,
    ),
    row(
      `loop delay max, ${FULL} customers, the incident round, on PostgreSQL`,
      `${round(lagOf(s), 0)} ms (p99 ${round(second?.lagP99Ms ?? 0, 0)} ms; snapshot round ${round(first?.lagMaxMs ?? 0, 0)} ms)`,
      `<= ${LAG_TARGET_MS} ms`,
      lagOf(s) <= LAG_TARGET_MS,
    ),
    row('  baseline: lowdb (section 7)', `${round(lagOf(lowdb), 0)} ms (snapshot round ${round(lowFirst?.lagMaxMs ?? 0, 0)} ms)`),
    row(
      '  rounds on PostgreSQL: seconds (snapshots / incident), events',
      `${round(first?.seconds ?? 0, 1)} s / ${round(second?.seconds ?? 0, 1)} s, ${second?.events ?? 0} events, ${s.cards} card posts (lowdb ${round(lowFirst?.seconds ?? 0, 1)} s / ${round(lowSecond?.seconds ?? 0, 1)} s)`,
    ),
    row('  one state change on PostgreSQL (diff + route of a batch), max / mean', `${round(second?.changes.maxMs ?? 0, 0)} ms / ${round(second?.changes.meanMs ?? 0, 1)} ms over ${second?.changes.count ?? 0}`),
    row(
      '  loop stalls > 100 ms in the incident round on PostgreSQL: count, total, longest',
      `${s.blocking.blocks}, ${round(s.blocking.blockedMs / 1000, 1)} s, ${round(s.blocking.worst[0]?.ms ?? 0, 0)} ms`,
    ),
    row('  what ran in them (V8 samples, innermost app frame)', frames(s.blocking.top.slice(0, 3))),
    ...followerRows(s.follower, s, FULL),
    ...parallelCommitRows(f.parallel, f.parallelMissing),
    row('  server', `PostgreSQL ${f.serverVersion ?? '?'} (test server: loopback, fsync and synchronous_commit off)`),
  ];
}

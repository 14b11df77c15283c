// pg_commit_parallel_ratio (issue 22): two PostgreSQL store instances on one database commit UNRELATED
// changes at the same time; the wall time until both streams are done ÷ the time one stream takes alone.
// 1 means their commits ran side by side; 2 means they took turns (today every commit takes one global
// advisory lock, LOCKS.writes in src/store/postgres/postgresStore.ts, so about 2 is expected).
//
// Design, so that the ratio tells lock waiting and not CPU contention on this 2-core machine:
// - Each instance is a process of its own (bench/commitChild.ts), so their JavaScript never shares one event
//   loop (two stores in one process would take turns on the CPU even without any lock).
// - Each talks to the database through a proxy that adds ONE_WAY_MS each way (bench/latencyProxy.ts), as a
//   network does: on loopback a round trip costs microseconds and a commit would be nothing but CPU, so two
//   streams on two busy cores would measure the CPU. With ~1 ms each way, most of a commit is waiting for
//   its ~20 round trips, as with a database across a network; the proxy changes no statement and is outside
//   the store. (Without the global lock and on loopback, the same streams took 2.6x as long together.)
// - A stream is one chain: store.update, await, the next one; so one stream keeps at most one core busy.
// - Each commit changes one incident card of the instance's own conversation: every one of its
//   THREAD_CUSTOMERS customers, i.e. that many rows upserted into incident_thread_customers. The two
//   instances touch different cards and different rows, in different conversations.
// - Both streams are timed alone first (their mean is the baseline), then together from one start signal,
//   with the same sampler running, and every process already warmed up. Other work on the machine still
//   skews both: the figure is noisy, and the sampled overlap says whether the commits really ran at once.
// - The control, in the same run: stream a together with a third instance doing the same on a database of
//   its own (nothing shared but the server and the machine). Its ratio is what this machine and harness
//   cost two independent streams; what the shared database adds beyond it is waiting on each other.
// - What the ratio includes today besides the lock: each commit first reads what the other instance wrote
//   since its last commit (catch-up), and each NOTIFY makes the other catch up, taking its turn before its
//   own next commit; a store without in-memory copies does neither. (With the lock taken out of the store,
//   tried once and not kept: 1.77, and still no two writes at once.)
// Overlap: pg_stat_activity is sampled every SAMPLE_MS; in a sample, an instance "writes" when one of its
// backends is inside a transaction that has written (backend_xid set: its catch-up reads never have one),
// and "waits" when one of its backends waits on a lock. Both writing in one sample = the commits overlapped.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { CommitChildMessage, CommitChildRequest } from './commitChild.js';
import { THREAD_CUSTOMERS } from './commitChild.js';
import { startLatencyProxy } from './latencyProxy.js';
import { mean, round, row, type Row } from './support.js';

export const PARALLEL_RATIO_TARGET = 1.3;
/** Commits per stream: a few seconds alone here. */
const COMMITS = 60;
const WARM_UP = 10;
const SAMPLE_MS = 5;
/** Added by the proxy in each direction between an instance and the database. */
export const ONE_WAY_MS = 1;
const here = path.dirname(fileURLToPath(import.meta.url));

export interface ParallelCommitFigures {
  ratio: number;
  togetherMs: number;
  aloneMs: [number, number];
  commits: number;
  rowsPerCommit: number;
  /** Samples of the together run: all, both instances writing at once, one of them waiting on a lock. */
  samples: number;
  bothWriting: number;
  lockWaits: number;
  /** The same counts while one stream ran alone (both writing must be 0 there: the sampler's check). */
  aloneBothWriting: number;
  /** Stream a beside the same stream on a database of its own: wall time ÷ the same baseline. */
  controlRatio: number;
  controlBothWriting: number;
}

interface Instance {
  child: ChildProcess;
  next(type: CommitChildMessage['type']): Promise<CommitChildMessage>;
  ask(request: CommitChildRequest): void;
}

function instance(databaseUrl: string, name: string): Instance {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', `bench-commits-${name}`);
  const child = fork(path.join(here, 'commitChild.js'), [url.href, name], { execArgv: ['--no-deprecation'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = (type: CommitChildMessage['type']) =>
    new Promise<CommitChildMessage>((resolve, reject) => {
      const onMessage = (message: CommitChildMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`commit instance ${name} exited (${code})`)));
    });
  return { child, next, ask: (request) => child.send(request) };
}

/** Samples pg_stat_activity until stopped: how often both instances wrote at once, and lock waits. */
function sampler(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  const counts = { samples: 0, bothWriting: 0, lockWaits: 0 };
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ app: string; wrote: boolean; waits: boolean }>(
        `select application_name as app, backend_xid is not null as wrote, wait_event_type is not distinct from 'Lock' as waits
           from pg_stat_activity where application_name like 'bench-commits-%' and xact_start is not null`,
      );
      counts.samples += 1;
      if (new Set(rows.filter((r) => r.wrote && !r.waits).map((r) => r.app)).size >= 2) counts.bothWriting += 1;
      if (rows.some((r) => r.waits)) counts.lockWaits += 1;
      await sleep(SAMPLE_MS);
    }
    await client.end();
  })();
  // A failed query rejects `done`; stop() hands that on, and until then it must not end the process.
  done.catch(() => undefined);
  return {
    counts,
    stop: async () => {
      running = false;
      await done;
      return { ...counts };
    },
  };
}

async function timedRun(instances: Instance[], commits: number): Promise<number> {
  const started = performance.now();
  const finished = instances.map((i) => i.next('done'));
  for (const i of instances) i.ask({ type: 'run', commits });
  await Promise.all(finished);
  return performance.now() - started;
}

/** `databaseUrl` for the two instances; `separateUrl`, another database on the same server, for the control. */
export async function measureParallelCommits(databaseUrl: string, separateUrl: string): Promise<ParallelCommitFigures> {
  const proxy = await startLatencyProxy(databaseUrl, ONE_WAY_MS);
  const a = instance(proxy.via(databaseUrl), 'a');
  const b = instance(proxy.via(databaseUrl), 'b');
  const c = instance(proxy.via(separateUrl), 'c');
  try {
    await Promise.all([a.next('ready'), b.next('ready'), c.next('ready')]);
    for (const i of [a, b, c]) await timedRun([i], WARM_UP);
    const alone = sampler(databaseUrl);
    const aloneMs: [number, number] = [await timedRun([a], COMMITS), await timedRun([b], COMMITS)];
    const aloneCounts = await alone.stop();
    const together = sampler(databaseUrl);
    const togetherMs = await timedRun([a, b], COMMITS);
    const counts = await together.stop();
    const control = sampler(databaseUrl);
    const controlMs = await timedRun([a, c], COMMITS);
    const controlCounts = await control.stop();
    return {
      ratio: togetherMs / mean(aloneMs),
      togetherMs,
      aloneMs,
      commits: COMMITS,
      rowsPerCommit: THREAD_CUSTOMERS,
      samples: counts.samples,
      bothWriting: counts.bothWriting,
      lockWaits: counts.lockWaits,
      aloneBothWriting: aloneCounts.bothWriting,
      controlRatio: controlMs / mean(aloneMs),
      controlBothWriting: controlCounts.bothWriting,
    };
  } finally {
    for (const i of [a, b, c]) {
      if (i.child.connected) i.ask({ type: 'close' });
    }
    await Promise.all([a, b, c].map((i) => (i.child.exitCode === null ? new Promise((resolve) => i.child.once('exit', resolve)) : null)));
    await proxy.close();
  }
}

export function parallelCommitRows(f: ParallelCommitFigures | null, missing: string | null): Row[] {
  const title = `two instances committing unrelated changes at once (each ${COMMITS} commits of ${THREAD_CUSTOMERS} rows, ${ONE_WAY_MS} ms each way to the database): wall time ÷ one alone`;
  if (!f) return [row(title, `not measured: ${missing ?? '?'}`, `<= ${PARALLEL_RATIO_TARGET}`)];
  const s = (ms: number) => `${round(ms / 1000, 2)} s`;
  return [
    row(title, `${round(f.ratio, 3)} (${s(f.togetherMs)} / ${s(mean(f.aloneMs))})`, `<= ${PARALLEL_RATIO_TARGET}`, f.ratio <= PARALLEL_RATIO_TARGET),
    row('  baseline: each stream alone (a / b)', `${s(f.aloneMs[0])} / ${s(f.aloneMs[1])}, ${round(mean(f.aloneMs) / f.commits, 1)} ms a commit`),
    row(
      `  overlapped? samples of pg_stat_activity every ${SAMPLE_MS} ms: both writing at once / a commit waiting on a lock`,
      `${f.bothWriting > 0 ? 'yes' : 'no'}: ${f.bothWriting} / ${f.lockWaits} of ${f.samples} (alone: both writing ${f.aloneBothWriting})`,
    ),
    row(
      '  control: stream a beside the same stream on a database of its own (nothing shared): wall time ÷ one alone',
      `${round(f.controlRatio, 3)} (both writing at once in ${f.controlBothWriting} samples): what the machine costs, not waiting`,
    ),
  ];
}

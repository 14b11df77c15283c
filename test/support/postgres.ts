// A real PostgreSQL server for tests (never a mock): one per test process, started on first use from the
// installed binaries (Debian: apt-get install postgresql), in a throwaway data directory, on loopback only.
// Durability is switched off: the data lives for one test run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

// pg is CommonJS: its classes come from the default export.
const { Client } = pg;

export const POSTGRES_MISSING =
  'PostgreSQL is not installed here (apt-get install -y postgresql): the PostgreSQL tests do not run';

export interface PostgresServer {
  /** The superuser's URL of the `postgres` database: postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Creates an empty database with a name not used before on this server; returns its postgres:// URL. */
  createDatabase(): Promise<string>;
  /** Shuts the server down and removes its data directory. */
  stop(): Promise<void>;
  /**
   * Shuts the server down as an operator's restart does (fast shutdown: clients are disconnected), keeping
   * its data; `resume` starts it again on the same port. For a server of one's own (privatePostgresServer).
   */
  halt(): Promise<void>;
  resume(): Promise<void>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_TAIL_CHARS = 4096;

let shared: Promise<PostgresServer | null> | undefined;

/**
 * The server for a suite of PostgreSQL tests (call it in the suite's `before`). The one place such a suite
 * is skipped: only where PostgreSQL is not installed, saying so. CI sets PA_REQUIRE_POSTGRES=1, and there
 * a missing server fails instead (see postgresServer).
 */
export async function postgresForSuite(suite: Mocha.Context): Promise<PostgresServer> {
  return serverOrSkip(suite, await postgresServer());
}

/**
 * A server of the suite's own, not shared with other suites: for tests that halt and resume it. The suite
 * stops it (in its `after`). Skipped, or failing under PA_REQUIRE_POSTGRES=1, as postgresForSuite.
 */
export async function privatePostgresForSuite(suite: Mocha.Context): Promise<PostgresServer> {
  return serverOrSkip(suite, await startPostgresServer(() => undefined));
}

function serverOrSkip(suite: Mocha.Context, server: PostgresServer | null): PostgresServer {
  if (server) return server;
  console.log(`      ${POSTGRES_MISSING}`);
  return suite.skip();
}

/** The test process's PostgreSQL server, started on the first call; null when PostgreSQL is not installed. */
export function postgresServer(): Promise<PostgresServer | null> {
  if (!shared) {
    const started = startPostgresServer(() => {
      // A stopped server is not handed out again: the next call starts a new one.
      if (shared === started) shared = undefined;
    });
    shared = started;
  }
  return shared;
}

/** Stops the shared server, if one was started. (Not needed at the end of a run: the exit handler kills it.) */
export async function stopPostgresServer(): Promise<void> {
  const pending = shared;
  shared = undefined;
  // A start that failed has already cleaned up after itself.
  const server = await pending?.catch(() => null);
  await server?.stop();
}

/**
 * The directory holding `initdb` and `postgres`: $PG_BIN when set, else Debian's
 * /usr/lib/postgresql/<version>/bin of the highest version installed; null when there is none.
 */
export function findPostgresBin(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) {
    // Set on purpose, so a wrong value is an error rather than a silent skip.
    if (!hasServerBinaries(fromEnv)) throw new Error(`PG_BIN=${fromEnv} holds no initdb and postgres`);
    return fromEnv;
  }
  let versions: string[];
  try {
    versions = readdirSync(DEBIAN_ROOT);
  } catch {
    return null;
  }
  return (
    versions
      .filter((version) => /^\d+(\.\d+)?$/.test(version))
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => path.join(DEBIAN_ROOT, version, 'bin'))
      .find(hasServerBinaries) ?? null
  );
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
}

async function startPostgresServer(onStop: () => void): Promise<PostgresServer | null> {
  const bin = findPostgresBin();
  // CI must run the PostgreSQL tests: there a missing server is a failure, not a skip.
  if (!bin && process.env.PA_REQUIRE_POSTGRES === '1') throw new Error(`${POSTGRES_MISSING}, and PA_REQUIRE_POSTGRES=1 requires them`);
  if (!bin) return null;
  // initdb and postgres refuse to run as root.
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  const command = (name: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', path.join(bin, name), ...args]] : [path.join(bin, name), args];

  const dir = await mkdtemp(path.join(os.tmpdir(), 'partner-alerts-pg-'));
  let child: ChildProcess | undefined;
  let postmasterPid: number | undefined;

  // Under runuser, `child` is runuser, which forks: a SIGKILL to it would not reach postgres. Signal the
  // postmaster itself (its pid is the first line of postmaster.pid); its backends follow it out.
  const pidsToSignal = (): number[] => {
    postmasterPid ??= readPostmasterPid(dir);
    return [...new Set([postmasterPid, child?.pid])].filter((pid): pid is number => pid !== undefined);
  };
  const killNow = (): void => {
    for (const pid of pidsToSignal()) signal(pid, 'SIGKILL');
  };
  // Synchronous, as an exit handler must be: nothing is left running, nothing left in the temp directory.
  const onExit = (): void => {
    killNow();
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: a dying backend may still be writing there.
    }
  };

  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    await run(
      ...command('initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-locale']),
      dir,
    );

    const port = await freePort();
    const [file, args] = command('postgres', [
      '-D', dir,
      '-p', String(port),
      '-h', '127.0.0.1',
      '-k', dir,
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ]);
    const base = `postgres://postgres@127.0.0.1:${port}`;
    const url = `${base}/postgres`;
    process.on('exit', onExit);

    /** Starts the postmaster on the data directory and resolves once it accepts connections. */
    const launch = async (): Promise<ChildProcess> => {
      postmasterPid = undefined;
      // cwd: the postgres user may not be allowed into the directory the tests run from.
      const started = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
      child = started;
      const output = keepTail(started);
      let ended: string | undefined;
      started.on('error', (error) => (ended ??= error.message));
      started.on('exit', (code, sig) => (ended ??= `exit ${sig ?? code}`));
      await waitUntilReady(url, () => ended, output);
      postmasterPid = readPostmasterPid(dir);
      // The server must not keep the test process alive; the exit handler ends it.
      started.unref();
      unrefStream(started.stdout);
      unrefStream(started.stderr);
      return started;
    };
    /** Fast shutdown of the running postmaster; SIGKILL when it does not end in time. */
    const shutDown = async (running: ChildProcess): Promise<void> => {
      if (running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<boolean>((resolve) => running.once('exit', () => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS, false)));
      // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, not waited for. It goes to the
      // postmaster, not to runuser, which would turn it into SIGTERM (a shutdown that waits for clients).
      const postmaster = postmasterPid ?? running.pid;
      if (postmaster !== undefined) signal(postmaster, 'SIGINT');
      const stopped = await Promise.race([exited, timeUp]);
      clearTimeout(timer);
      if (!stopped) killNow();
    };

    let running = await launch();
    let databases = 0;
    let stopping: Promise<void> | undefined;
    return {
      url,
      async createDatabase() {
        const name = `test_${++databases}`;
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `${base}/${name}`;
      },
      halt: () => shutDown(running),
      async resume() {
        running = await launch();
      },
      stop() {
        stopping ??= (async () => {
          onStop();
          await shutDown(running);
          process.off('exit', onExit);
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        })();
        return stopping;
      },
    };
  } catch (error) {
    onExit();
    process.off('exit', onExit);
    throw error;
  }
}

/** The uid and gid of the `postgres` user, which the Debian package creates. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('PostgreSQL cannot run as root and there is no `postgres` user to run it as');
  }
}

/** Runs a command to its end; rejects with the tail of its output when it fails. */
function run(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = keepTail(child);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`${[file, ...args].join(' ')} failed (${sig ?? `exit ${code}`}):\n${output()}`));
    });
  });
}

/** Keeps the last few KB of a child's output (PostgreSQL logs to stderr) and drains the pipes so it never blocks. */
export function keepTail(child: ChildProcess, chars = OUTPUT_TAIL_CHARS): () => string {
  let tail = '';
  const add = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-chars);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail;
}

/** Retries connecting until the server answers; rejects with its output when it exits or takes too long. */
async function waitUntilReady(url: string, ended: () => string | undefined, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const reason = ended();
    if (reason) throw new Error(`PostgreSQL stopped while starting (${reason}):\n${output()}`);
    // A failed connect closes its own socket; end() is only for a client that connected.
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s ` +
            `(${(error as Error).message}):\n${output()}`,
        );
      }
    }
    await sleep(100);
  }
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readPostmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function unrefStream(stream: Readable | null): void {
  // A child's pipes are sockets.
  if (stream instanceof net.Socket) stream.unref();
}

/** Runs one statement on its own connection to `url` and returns its rows (what a test looks at beside the store). */
export async function queryRows(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

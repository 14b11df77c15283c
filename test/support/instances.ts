// Real Partner Alerts processes on one PostgreSQL database: the entry point dist/src/main.js, started as
// `npm start` starts it (Partner Center settings pointing at a simulator, no Bot Framework auth, its own
// free PORT), for the multi-instance tests and the failover benchmark (which also runs one on a lowdb state
// file, its baseline). Each process can be asked for its /healthz, killed with any signal (kill -9 included)
// and waited for.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TENANT } from './activities.js';
import { freePort, keepTail } from './postgres.js';

const MAIN = new URL('../../src/main.js', import.meta.url).pathname;
const START_TIMEOUT_MS = 20_000;
const OUTPUT_TAIL_CHARS = 64 * 1024;

/** What an instance needs of the Partner Center simulator (a Simulator, or its address from another process). */
export interface PartnerCenterEndpoint {
  url: string;
  authorityHost: string;
  credentials: { tenantId: string; clientId: string; clientSecret: string; refreshToken?: string };
}

export interface InstanceOptions {
  /**
   * The shared database (postgres://...); null: the lowdb store, on the state file that `env.DATA_FILE`
   * names (an absolute path: each process runs in a working directory of its own, removed when it exits).
   */
  databaseUrl: string | null;
  sim: PartnerCenterEndpoint;
  /** Extra or overriding environment variables (e.g. LEASE_SECONDS, PARTNER_CENTER_REQUESTS_PER_MINUTE). */
  env?: Record<string, string>;
  /**
   * A name for messages and for PostgreSQL: the instance's connections carry it as their application_name,
   * so a test can tell its connections apart. Default "bot".
   */
  name?: string;
  /** Default: a free loopback port. */
  port?: number;
  startTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The /healthz report (see src/engine/health.ts): loosely typed, as the benchmark reads other fields too. */
export interface InstanceHealth {
  status: 'ok' | 'stalled';
  reasons: string[];
  store: {
    backend: string;
    instance: string;
    leading: boolean;
    token?: number | null;
    leaseSeconds?: number;
    others?: { instance: string; leading: boolean; heartbeatAt: string; secondsAgo: number }[];
  };
  sweep: {
    round: { id: string; startedAt: string | null; done: number; total: number; cursor: string | null } | null;
    lastCommitAt: string | null;
    lastRound: { correlationId: string; startedAt: string; endedAt: string; customersFetched: number; customersFailed: unknown[]; customersRefused?: number; events: number; deliveriesQueued: number } | null;
  };
  deliveries: { pending: number; failing: number; byConversation: Record<string, number> };
  [key: string]: unknown;
}

export interface BotInstance {
  name: string;
  url: string;
  port: number;
  pid: number;
  /** The instance id the store reports (host:pid:random), as other instances list it. */
  instance: string;
  /** GET /healthz (its JSON, whether 200 or 503). Rejects when the process does not answer. */
  health(): Promise<InstanceHealth>;
  /** Sends `signal` (default SIGKILL) to the process; no-op once it has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** The process is still running. */
  readonly running: boolean;
  /** The last 64 KB of what the process wrote (stdout: pino JSON logs; stderr: start problems). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (0: SIGKILL at once); resolves once the process is gone. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Starts one instance and resolves when its /healthz answers; rejects with its output if it exits first. */
export async function startInstance(options: InstanceOptions): Promise<BotInstance> {
  const name = options.name ?? 'bot';
  // A port picked free may be taken before the child binds it: try again with another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options, name, options.port ?? (await freePort()));
    } catch (error) {
      if (options.port !== undefined || attempt >= 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function launch(options: InstanceOptions, name: string, port: number): Promise<BotInstance> {
  const { sim } = options;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PARTNER_TENANT_ID: sim.credentials.tenantId,
    PARTNER_CENTER_CLIENT_ID: sim.credentials.clientId,
    PARTNER_CENTER_CLIENT_SECRET: sim.credentials.clientSecret,
    ...(sim.credentials.refreshToken ? { PARTNER_CENTER_REFRESH_TOKEN: sim.credentials.refreshToken } : {}),
    PARTNER_CENTER_URL: sim.url,
    PARTNER_CENTER_AUTHORITY_HOST: sim.authorityHost,
    ALLOWED_TENANT_IDS: TENANT,
    ...(options.databaseUrl === null ? {} : { DATABASE_URL: withApplicationName(options.databaseUrl, name) }),
    PORT: String(port),
    LEASE_SECONDS: '5',
    // Rounds come only from "poll now" (and an interrupted round's resumption), never from the clock.
    POLL_SCHEDULE: '0 0 1 1 *',
    FAST_LANE_MINUTES: '1440',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  // An empty working directory: main.ts reads .env from there, and a developer's .env must not leak in.
  const cwd = await mkdtemp(path.join(tmpdir(), `pa-instance-${name}-`));
  const child = spawn(process.execPath, ['--no-deprecation', MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child, OUTPUT_TAIL_CHARS);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    return rm(cwd, { recursive: true, force: true }).catch(() => undefined);
  });
  const url = `http://127.0.0.1:${port}`;
  const health = async (): Promise<InstanceHealth> => {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return (await response.json()) as InstanceHealth;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? START_TIMEOUT_MS);
  let first: InstanceHealth | null = null;
  while (!first) {
    if (gone) {
      const text = output();
      if (/already in use/.test(text)) throw new PortTaken(`port ${port} was taken`);
      throw new Error(`instance ${name} exited at start (${JSON.stringify(await exited)}):\n${text}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`instance ${name} did not answer /healthz within ${(options.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s:\n${output()}`);
    }
    first = await health().catch(() => null);
    if (!first) await sleep(50);
  }

  const pid = child.pid ?? 0;
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!gone) child.kill(signal);
  };
  return {
    name,
    url,
    port,
    pid,
    instance: first.store.instance,
    health,
    kill,
    exited,
    get running() {
      return !gone;
    },
    output,
    async stop(graceMs = 10_000) {
      if (gone) return exited;
      kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      const timer = graceMs > 0 ? setTimeout(() => kill('SIGKILL'), graceMs) : undefined;
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
}

/** The URL with `application_name` set, so the instance's connections can be told apart in pg_stat_activity. */
export function withApplicationName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', `partner-alerts-${name}`);
  return url.toString();
}

/**
 * The conversation claims each instance holds right now (by the `name` it was started with): the
 * conversations it is delivering to, read from the outbox rows' claims (locked_by, unexpired), as another
 * client of the database sees them. A claim is named by its conversation's key when that key is among
 * `targetKeys`; `count` counts the conversations claimed.
 */
export async function claimsByInstance(
  databaseUrl: string,
  instances: readonly Pick<BotInstance, 'name' | 'instance'>[],
  targetKeys: readonly string[] = [],
): Promise<Record<string, { count: number; targetKeys: string[] }>> {
  const names = new Map(instances.map((bot) => [bot.instance, bot.name]));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked_by: string; target_key: string }>(
      'select distinct locked_by, target_key from outbox where locked_by is not null and locked_until > now()',
    );
    const claims: Record<string, { count: number; targetKeys: string[] }> = {};
    for (const row of rows) {
      const entry = (claims[names.get(row.locked_by) ?? row.locked_by] ??= { count: 0, targetKeys: [] });
      entry.count++;
      if (targetKeys.includes(row.target_key)) entry.targetKeys.push(row.target_key);
    }
    return claims;
  } finally {
    await client.end();
  }
}

/** Polls `probe` until it returns something other than null/undefined/false; rejects after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs / 1000} s${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Kills `leader` with SIGKILL and measures how long until one of `others` reports that it leads:
 * the failover time in ms, and the new leader.
 */
export async function killAndTimeFailover(
  leader: BotInstance,
  others: BotInstance[],
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ failoverMs: number; newLeader: BotInstance }> {
  const killedAt = Date.now();
  leader.kill('SIGKILL');
  const newLeader = await waitFor(
    async () => {
      for (const other of others) if (other.running && (await other.health().catch(() => null))?.store.leading) return other;
      return null;
    },
    `another instance to take the lease after ${leader.name} was killed`,
    { timeoutMs, intervalMs },
  );
  return { failoverMs: Date.now() - killedAt, newLeader };
}


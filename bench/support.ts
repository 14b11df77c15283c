// Shared pieces of the benchmark: the app against the simulator, state builders (targets and watches
// written straight into the store), request accounting, statistics and small helpers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { startApp, type App, type AppOptions } from '../src/app.js';
import type { TeamsRateLimiter } from '../src/engine/teamsRateLimiter.js';
import type { Customer } from '../src/domain/types.js';
import type { Watch } from '../src/domain/watch.js';
import type { RecordedRequest, Simulator } from '../src/sandbox/simulator.js';
import type { WireIncident } from '../src/sandbox/simWire.js';
import type { Target } from '../src/store/state.js';
import { TENANT } from '../test/support/activities.js';
import { simulatorConfig } from '../test/support/appConfig.js';

export const silentLog: Logger = pino({ level: 'silent' });

/**
 * The pacing of a card's updates in production (replies a minute apart, edits alone 10 s apart). An app
 * started without its schedule (as the bench starts it) would otherwise edit and reply at once.
 */
export const PRODUCTION_PACING = { threadEditIntervalMs: 60_000, cardEditIntervalMs: 10_000 } as const;

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A Teams channel the bot may post to, with its conversation reference pointing at `serviceUrl`. */
export function channelTarget(index: number, serviceUrl: string, tenantId = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1'): Target {
  const key = `19:bench-channel-${String(index).padStart(3, '0')}@thread.tacv2`;
  return {
    key,
    kind: 'channel',
    tenantId,
    teamId: '19:bench-team@thread.tacv2',
    name: `Bench channel ${index}`,
    reference: {
      serviceUrl,
      channelId: 'msteams',
      conversation: { id: key, conversationType: 'channel', tenantId, isGroup: true },
      bot: { id: '28:partner-alerts-bot', name: 'Partner Alerts' },
      locale: 'en-US',
    },
    active: true,
    inactiveReason: null,
    updatedAt: new Date().toISOString(),
  };
}

let watchSeq = 0;

/**
 * One plain literal for every kind, as src/bot/watchBook.ts newWatch() builds them. (Spreading a shared
 * base object gave objects that V8 reads ~50x slower in routing's watch scan: a bench artifact.)
 */
function makeWatch(targetKey: string, kind: Watch['kind'], customer: Pick<Customer, 'id' | 'companyName'> | null, orderId: string | null): Watch {
  watchSeq += 1;
  return {
    id: `bench-watch-${watchSeq}`,
    targetKey,
    kind,
    customerId: customer?.id ?? null,
    customerName: customer?.companyName ?? null,
    orderId,
    minSeverity: null,
    workloads: [],
    createdBy: 'bench',
    createdAt: new Date().toISOString(),
  };
}

export const watchAll = (targetKey: string): Watch => makeWatch(targetKey, 'all', null, null);

export const watchCustomer = (targetKey: string, customer: Pick<Customer, 'id' | 'companyName'>): Watch =>
  makeWatch(targetKey, 'customer', customer, null);

export const watchOrder = (targetKey: string, customer: Pick<Customer, 'id' | 'companyName'>, orderId: string): Watch =>
  makeWatch(targetKey, 'order', customer, orderId);

export const watchAllSubscriptions = (targetKey: string): Watch => makeWatch(targetKey, 'subscriptions', null, null);

/** Forget what the simulator recorded so far (the array is trimmed, never replaced). */
export function clearRecorded(sim: Simulator): void {
  sim.requests.splice(0, sim.requests.length);
}

export interface ApiTally {
  requests: number;
  throttled: number;
  /** Most /v1 requests the simulator saw arrive in one wall-clock second (its limiter's window). */
  peakPerSecond: number;
}

/**
 * Partner Center (/v1) requests among `recorded`, and how many were answered 429. The simulator records a
 * request when it arrives but checks its limiter after `latencyMs`, so seconds are counted from then.
 */
export function tallyApi(recorded: readonly RecordedRequest[], latencyMs = 0): ApiTally {
  const perSecond = new Map<number, number>();
  let requests = 0;
  let throttled = 0;
  for (const request of recorded) {
    if (!request.path.startsWith('/v1')) continue;
    requests += 1;
    if (request.status === 429) throttled += 1;
    const second = Math.floor((request.at + latencyMs) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  return { requests, throttled, peakPerSecond: Math.max(0, ...perSecond.values()) };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/**
 * A deep copy as if parsed from the wire. The simulator builds ids by concatenation (V8 cons strings),
 * which compare far slower than the flat strings the app really holds (parsed JSON, the state file).
 */
export const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export const elapsedMs = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e6;

/** Median of `runs` timed runs after one untimed warm-up run. */
export async function timed<T>(runs: number, work: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  let result = await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const started = process.hrtime.bigint();
    result = await work();
    times.push(elapsedMs(started));
  }
  return { ms: median(times), result };
}

/** One line of the printed table; `ok` null means "for information, no target". */
export interface Row {
  measure: string;
  value: string;
  target: string;
  ok: boolean | null;
}

export const row = (measure: string, value: string, target = '', ok: boolean | null = null): Row => ({ measure, value, target, ok });

export interface BenchAppOptions {
  requestsPerMinute: number;
  cycleConcurrency?: number;
  teamsLimiter?: TeamsRateLimiter;
  /** Default false: rounds only on engine.sweepNow(). */
  schedule?: boolean;
  engine?: AppOptions['engine'];
  /** Used for Partner Center calls (e.g. recordingFetch). */
  fetch?: typeof fetch;
  /** An existing state file (a restart); the caller then owns its directory. */
  dataFile?: string;
  config?: Partial<Pick<AppConfig, 'pollSchedule' | 'fastLaneMinutes' | 'fastLaneShare' | 'webhooks' | 'subscriptionPollMinutes' | 'tickets'>>;
}

type AppConfig = AppOptions['config'];

/**
 * The whole app against the simulator, configured as test/support/harness.ts does it but on the real
 * clock (the harness cuts waits short, which would flatter a benchmark) and with an explicit budget.
 */
export async function startBenchApp(sim: Simulator, options: BenchAppOptions): Promise<{ app: App; dataFile: string; close(): Promise<void> }> {
  const tmp = options.dataFile ? null : await tempDir('pa-bench-app-');
  const dataFile = options.dataFile ?? path.join(tmp?.dir ?? '.', 'state.json');
  const config = await simulatorConfig(sim, { allowedTenantIds: [TENANT], dataFile, ...options.config });
  config.partnerCenter = { ...config.partnerCenter, requestsPerMinute: options.requestsPerMinute, timeoutMs: 30_000 };
  const app = await startApp({
    config,
    log: silentLog,
    schedule: options.schedule ?? false,
    cycleConcurrency: options.cycleConcurrency,
    teamsLimiter: options.teamsLimiter,
    engine: options.engine,
    fetch: options.fetch,
  });
  return {
    app,
    dataFile,
    close: async () => {
      await app.close();
      await tmp?.remove();
    },
  };
}

/** A fetch that notes when each customer's incidents answer arrives (performance.now()), then passes it on. */
export function recordingFetch(onIncidents: (customerId: string, at: number) => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const match = /\/customers\/([^/]+)\/serviceincidents\//.exec(url);
    if (match && response.ok) onIncidents(decodeURIComponent(match[1] ?? ''), performance.now());
    return response;
  };
}

/** A new active incident as Partner Center serves it. */
export function activeIncident(id: string, at = Date.now(), workload = 'Exchange Online'): WireIncident {
  const iso = new Date(at).toISOString();
  return {
    id,
    actionType: '',
    affectedWorkloadNames: [workload],
    category: 'Incident',
    endTime: '0001-01-01T00:00:00Z',
    impactedArea: `Users may be unable to use ${workload} (${id})`,
    impactedCustomers: 1,
    messageType: 'incident',
    messages: [{ publishedTime: iso, messageText: `Title: ${id}\nUser impact: some users are affected.\nCurrent status: We're investigating.` }],
    requiredBy: '0001-01-01T00:00:00Z',
    resolved: false,
    severity: 'warning',
    startTime: iso,
    status: 'warning',
    workload,
  };
}

/** A small seeded generator (mulberry32): the same picks in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct entries of `from`, picked with `random`. */
export function pickSome<T>(from: readonly T[], count: number, random: () => number): T[] {
  const copy = [...from];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

export const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);

/** Resolves once `predicate` holds, checking every `everyMs`; false after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}

// Shared pieces of the benchmark: a Partner Center client built the way src/app.ts builds it, state
// builders (targets and watches written straight into the store), request accounting and statistics.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { startApp, type App } from '../src/app.js';
import type { TeamsRateLimiter } from '../src/engine/teamsRateLimiter.js';
import type { Customer } from '../src/domain/types.js';
import type { Watch } from '../src/domain/watch.js';
import { EntraTokenProvider } from '../src/partnerCenter/auth.js';
import { PartnerCenterClient } from '../src/partnerCenter/client.js';
import { CustomerDirectory } from '../src/partnerCenter/customerDirectory.js';
import { PartnerCenterPipeline } from '../src/partnerCenter/http.js';
import { RateBudget } from '../src/partnerCenter/rateBudget.js';
import type { RecordedRequest, Simulator } from '../src/sandbox/simulator.js';
import type { Target } from '../src/store/state.js';
import { TENANT } from '../test/support/activities.js';
import { simulatorConfig } from '../test/support/appConfig.js';

export const silentLog: Logger = pino({ level: 'silent' });

/** The burst src/app.ts gives the shared RateBudget (the RateBudget default: a bucket of 4). */
export const APP_BURST = 4;

export interface BenchClient {
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  tokens: EntraTokenProvider;
  budget: RateBudget;
}

/** Token provider → rate budget → pipeline → client → directory, as startApp wires them (token kept in memory). */
export function buildClient(sim: Simulator, options: { requestsPerMinute: number; burst?: number; headroom?: number }): BenchClient {
  let refreshToken: string | null = null;
  const tokens = new EntraTokenProvider({
    credentials: {
      authorityHost: sim.authorityHost,
      tenantId: sim.credentials.tenantId,
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
      refreshToken: sim.credentials.refreshToken,
      resource: 'https://api.partnercenter.microsoft.com',
    },
    refreshTokenStore: {
      loadRefreshToken: async () => refreshToken,
      saveRefreshToken: async (token) => void (refreshToken = token),
    },
  });
  const budget = new RateBudget({ requestsPerMinute: options.requestsPerMinute, burst: options.burst ?? APP_BURST, headroom: options.headroom });
  const pipeline = new PartnerCenterPipeline({ baseUrl: sim.url, tokens, budget, log: silentLog, timeoutMs: 30_000 });
  const client = new PartnerCenterClient(pipeline);
  return { client, directory: new CustomerDirectory(client), tokens, budget };
}

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

/** One line of the printed table; `ok` null means "for information, no target". */
export interface Row {
  measure: string;
  value: string;
  target: string;
  ok: boolean | null;
}

export const row = (measure: string, value: string, target = '', ok: boolean | null = null): Row => ({ measure, value, target, ok });

/**
 * The whole app against the simulator, configured as test/support/harness.ts does it but on the real
 * clock (the harness cuts waits short, which would flatter a benchmark) and with an explicit budget.
 */
export async function startBenchApp(
  sim: Simulator,
  options: { requestsPerMinute: number; cycleConcurrency?: number; teamsLimiter?: TeamsRateLimiter },
): Promise<{ app: App; close(): Promise<void> }> {
  const tmp = await tempDir('pa-bench-app-');
  const config = await simulatorConfig(sim, { allowedTenantIds: [TENANT], dataFile: path.join(tmp.dir, 'state.json') });
  config.partnerCenter = { ...config.partnerCenter, requestsPerMinute: options.requestsPerMinute, timeoutMs: 30_000 };
  const app = await startApp({
    config,
    log: silentLog,
    schedule: false,
    cycleConcurrency: options.cycleConcurrency,
    teamsLimiter: options.teamsLimiter,
  });
  return {
    app,
    close: async () => {
      await app.close();
      await tmp.remove();
    },
  };
}

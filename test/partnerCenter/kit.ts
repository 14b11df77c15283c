// Shared set-up for the Partner Center client's integration tests: the simulator over real HTTP, the
// product's pipeline/client/token provider on top, and a virtual clock so waits are asserted, not slept.
import { randomUUID } from 'node:crypto';
import { EntraTokenProvider, type EntraCredentials, type RefreshTokenStore } from '../../src/partnerCenter/auth.js';
import { PartnerCenterClient } from '../../src/partnerCenter/client.js';
import { PartnerCenterPipeline, type PipelineOptions, type RequestContext } from '../../src/partnerCenter/http.js';
import { RateBudget, type Clock } from '../../src/partnerCenter/rateBudget.js';
import { startSimulator, type RecordedRequest, type Simulator, type SimulatorOptions } from '../../src/sandbox/simulator.js';

export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';

/**
 * Virtual time: `now()` only moves when someone sleeps (or the test calls `advance`). `sleep` records the
 * requested wait, moves virtual time by it at once and resolves after at most 2 real milliseconds.
 */
export interface VirtualClock extends Clock {
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function virtualClock(start = Date.UTC(2025, 4, 12, 9, 0, 0)): VirtualClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), 2)));
    },
  };
}

export interface Rig {
  sim: Simulator;
  clock: VirtualClock;
  tokens: EntraTokenProvider;
  budget: RateBudget;
  pipeline: PartnerCenterPipeline;
  client: PartnerCenterClient;
  ctx: RequestContext;
  /** Partner Center requests (/v1/...) recorded by the simulator, oldest first. */
  api(): RecordedRequest[];
  /** Token endpoint requests recorded by the simulator. */
  tokenRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export interface RigOptions {
  sim?: SimulatorOptions;
  pipeline?: Partial<Omit<PipelineOptions, 'tokens' | 'budget' | 'clock'>>;
  /** Default: a budget so generous (with a large burst) that it never waits. */
  budget?: { requestsPerMinute: number; burst?: number; headroom?: number };
  credentials?: Partial<EntraCredentials>;
  refreshTokenStore?: RefreshTokenStore;
  /** Leave the refresh token out: app-only. */
  appOnly?: boolean;
  clock?: VirtualClock;
}

export function credentialsFor(sim: Simulator, overrides: Partial<EntraCredentials> = {}, appOnly = false): EntraCredentials {
  return {
    authorityHost: sim.authorityHost,
    tenantId: sim.credentials.tenantId,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    ...(appOnly ? {} : { refreshToken: sim.credentials.refreshToken }),
    resource: PARTNER_CENTER_RESOURCE,
    ...overrides,
  };
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const clock = options.clock ?? virtualClock();
  const sim = await startSimulator({ clock: { now: () => new Date(clock.now()) }, ...options.sim });
  const tokens = new EntraTokenProvider({
    credentials: credentialsFor(sim, options.credentials, options.appOnly),
    refreshTokenStore: options.refreshTokenStore,
    clock,
  });
  const budget = new RateBudget({ requestsPerMinute: 600_000, burst: 10_000, ...options.budget, clock });
  const pipeline = new PartnerCenterPipeline({
    baseUrl: sim.url,
    tokens,
    budget,
    clock,
    timeoutMs: 5_000,
    ...options.pipeline,
  });
  return {
    sim,
    clock,
    tokens,
    budget,
    pipeline,
    client: new PartnerCenterClient(pipeline),
    ctx: { correlationId: randomUUID() },
    api: () => sim.requests.filter((r) => r.path.startsWith('/v1/')),
    tokenRequests: () => sim.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')),
    close: () => sim.close(),
  };
}

/** Runs `action` and returns what it threw; fails if it did not throw. */
export async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// GET /healthz: how fresh each lane's data is, where the sweep stands, what waits for delivery and which
// conversations are deferred — and "stalled" (503) when the sweep or delivery has stopped moving. A stopped
// outbound endpoint is one of the reasons, without making it "stalled".
import type { Clock, RateBudget } from '../partnerCenter/rateBudget.js';
import { noTokenStatus, type TokenStatus } from '../partnerCenter/tokenStatus.js';
import type { LeadershipReport } from '../store/coordination.js';
import type { StateStore } from '../store/stateStore.js';
import type { FetchSpread } from '../store/paged.js';
import type { DeliveryPipeline } from './delivery.js';
import type { EndpointReport, OutboundPipeline } from './outbound.js';
import type { AlertEngine } from './engine.js';

export interface HealthInputs {
  store: StateStore;
  engine: AlertEngine;
  delivery: DeliveryPipeline;
  budget: RateBudget;
  clock: Clock;
  stallMs: number;
  /** The App+User refresh token's condition (absent: none). */
  tokenStatus?: TokenStatus;
  /** Webhooks and other outbound destinations (absent: none). */
  outbound?: OutboundPipeline;
}

export interface HealthReport {
  status: 'ok' | 'stalled';
  /** Why it is stalled, then each stopped outbound endpoint (which does not make it stalled). */
  reasons: string[];
  /** What /metrics reads of the report as well (metrics.ts), so both see one walk of the state. */
  store: LeadershipReport & { backend: StateStore['backend'] };
  sweep: { round: { id: string; startedAt: string | null; done: number; total: number; cursor: string | null } | null; [key: string]: unknown };
  lanes: Record<'fast' | 'rolling', LaneFigures>;
  deliveries: {
    pending: number;
    failing: number;
    byConversation: Record<string, number>;
    deferred: ReturnType<DeliveryPipeline['deferredConversations']>;
  };
  /**
   * Each outbound endpoint's backlog, and the stopped ones with why. Not a reason to answer 503: Teams
   * alerts go on whatever a webhook or PSA does.
   */
  outbound?: { pending: number; failing: number; stopped: EndpointReport[]; endpoints: EndpointReport[] };
  [key: string]: unknown;
}

export interface LaneFigures {
  customers: number;
  oldestAgeSeconds: number | null;
  p95AgeSeconds: number | null;
}

const CONVERSATIONS_LISTED = 20;

export async function healthReport({ store, engine, delivery, budget, clock, stallMs, tokenStatus = noTokenStatus, outbound }: HealthInputs): Promise<HealthReport> {
  // How fresh each lane's data is, as stored: one aggregate (an unreachable store: no figures).
  const fastCustomers = engine.sweep.fastLaneRecords('incidentSnapshots');
  const spread = await store.fetchSpread('incidentSnapshots', fastCustomers).catch(() => null);
  const { ports } = store;
  const now = clock.now();
  const sweep = ports.sweep.position();
  const outbox = ports.outbox.all();
  const reasons: string[] = [];

  const lastCommit = Date.parse(sweep.lastCommitAt ?? sweep.roundStartedAt ?? '');
  if (sweep.roundId && Number.isFinite(lastCommit) && now - lastCommit > stallMs) {
    reasons.push(`the sweep has committed nothing for ${minutes(now - lastCommit)} min`);
  }
  const deferred = delivery.deferredConversations();
  const deferredKeys = new Set(deferred.map((entry) => entry.targetKey));
  const stuck = outbox.filter(
    (item) => !deferredKeys.has(item.targetKey) && Date.parse(item.notBefore) <= now && now - Date.parse(item.createdAt) > stallMs,
  );
  const lastDelivery = delivery.lastProgressAt ?? Number.NEGATIVE_INFINITY;
  if (stuck.length > 0 && now - lastDelivery > stallMs) reasons.push(`${stuck.length} due deliveries have waited over ${minutes(stallMs)} min`);

  const outboxByConversation = new Map<string, number>();
  for (const item of outbox) outboxByConversation.set(item.targetKey, (outboxByConversation.get(item.targetKey) ?? 0) + 1);
  const targets = ports.conversations.all();


  const leadership = store.coordination.leadership.report();
  if (store.backend === 'postgres' && !leadership.leading && !(leadership.others ?? []).some((other) => other.leading && other.secondsAgo * 1000 <= stallMs)) {
    reasons.push('no instance has led the sweep recently');
  }

  const outboundReport = outbound ? outboundFigures(outbound.report()) : undefined;
  // A stopped webhook or PSA (410, refused credentials) is said among the reasons until it is fixed, yet never
  // makes the bot "stalled": a 503 here (and /readyz) would take it out of rotation, and Teams alerts go on.
  const stoppedReasons = (outboundReport?.stopped ?? []).map((endpoint) => `${endpoint.destination} ${endpoint.endpoint} is stopped until restart: ${endpoint.stopped}`);

  return {
    status: reasons.length > 0 ? 'stalled' : 'ok',
    reasons: [...reasons, ...stoppedReasons],
    store: { backend: store.backend, ...leadership },
    sweep: {
      round: sweep.roundId ? { id: sweep.roundId, startedAt: sweep.roundStartedAt, done: sweep.done, total: sweep.total, cursor: sweep.cursor } : null,
      lastCommitAt: sweep.lastCommitAt,
      lastRound: ports.sweep.lastRound(),
    },
    lanes: { fast: laneFigures(spread?.among, now), rolling: laneFigures(spread?.rest, now) },
    partnerCenter: budget.stats(),
    partnerCenterToken: { condition: tokenStatus.condition(), detail: tokenStatus.detail?.() ?? null },
    deliveries: {
      pending: outbox.length,
      failing: outbox.filter((item) => item.attempts > 0).length,
      byConversation: Object.fromEntries([...outboxByConversation].sort((a, b) => b[1] - a[1]).slice(0, CONVERSATIONS_LISTED)),
      deferred,
    },
    ...(outboundReport ? { outbound: outboundReport } : {}),
    targets: { active: targets.filter((target) => target.active).length, inactive: targets.filter((target) => !target.active).length },
    watches: ports.watches.all().length,
  };
}

function outboundFigures(endpoints: EndpointReport[]): NonNullable<HealthReport['outbound']> {
  const sum = (pick: (endpoint: EndpointReport) => number) => endpoints.reduce((total, endpoint) => total + pick(endpoint), 0);
  return { pending: sum((e) => e.pending), failing: sum((e) => e.failing), stopped: endpoints.filter((e) => e.stopped !== null), endpoints };
}

/** How old the customers' data is: the oldest and the 95th percentile, in seconds. */
function laneFigures(spread: FetchSpread | undefined, now: number): LaneFigures {
  if (!spread?.oldest || !spread.p95) return { customers: spread?.count ?? 0, oldestAgeSeconds: null, p95AgeSeconds: null };
  const ageSeconds = (at: string) => Math.round(Math.max(0, now - Date.parse(at)) / 1000);
  return { customers: spread.count, oldestAgeSeconds: ageSeconds(spread.oldest), p95AgeSeconds: ageSeconds(spread.p95) };
}

function minutes(ms: number): number {
  return Math.round(ms / 60_000);
}

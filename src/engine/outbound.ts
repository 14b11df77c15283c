// Outbound delivery: one ordered queue per endpoint of each destination (each webhook URL, a PSA), each
// served by its own worker with its own retry and back-off, so an endpoint that hangs or fails holds up no
// other and never Teams. Outcomes: done and dropped ones enter the delivery log (never queued again); a
// retry waits (Retry-After honoured) and holds its endpoint's later events, in order; after 24 h it is given
// up; a stop (410, a PSA's 401/403) halts the endpoint until restart and tells every watching conversation once.
import type { Logger } from 'pino';
import type { AttemptOutcome, Destination } from '../destinations/destination.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { OutboundDelivery } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { TxPorts } from '../store/ports/index.js';
import { queueNoticeTo } from '../sources/notices.js';
import type { OutboundRoutes } from './outboundQueue.js';

export type OutboundResult = 'sent' | 'retried' | 'dropped' | 'expired' | 'stopped';

export interface OutboundDeps {
  store: StateStore;
  destinations: readonly Destination[];
  clock: Clock;
  log: Logger;
  /** Wake up by itself for retries (off in tests that drive delivery step by step). */
  auto?: boolean;
  /** One attempt that has not answered by then is a timeout, retried (default 10 s). */
  attemptTimeoutMs?: number;
  /** The first back-off without Retry-After (default 5 s); each further one doubles, up to `maxBackoffMs`. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** An event still undelivered this long after it was queued is given up (default 24 h). */
  giveUpMs?: number;
  /** Hears each attempt's result (the metrics count them). */
  onOutcome?: (delivery: OutboundDelivery, result: OutboundResult) => void;
  /** A notice was queued for Teams (an endpoint stopped): Teams delivery looks at its outbox. */
  onNotice?: () => void;
}

export interface EndpointReport {
  destination: string;
  endpoint: string;
  pending: number;
  /** Events that failed at least once and wait for their retry. */
  failing: number;
  oldestQueuedAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  /** Why the endpoint is stopped until restart (null: it is not). */
  stopped: string | null;
}

const DAY_MS = 24 * 3_600_000;

/** The wait before attempt `attempts + 1` after `attempts` failures without Retry-After: grows from `first`. */
export function backoffMs(attempts: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** Math.max(0, attempts - 1));
}

export class OutboundPipeline implements OutboundRoutes {
  readonly destinations: readonly Destination[];
  private readonly byName: Map<string, Destination>;
  private readonly workers = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly kickedWhileBusy = new Set<string>();
  private readonly halted = new Map<string, { reason: string; since: string }>();
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private stopping = false;

  constructor(private readonly deps: OutboundDeps) {
    this.destinations = deps.destinations;
    this.byName = new Map(deps.destinations.map((destination) => [destination.name, destination]));
  }

  stopped(destination: string, endpoint: string): boolean {
    return this.halted.has(endpointKey(destination, endpoint));
  }

  /** Starts a worker for every endpoint with something queued. Returns at once. */
  kick(): void {
    if (this.stopping) return;
    const endpoints = new Map<string, { destination: string; endpoint: string }>();
    for (const item of this.deps.store.ports.outbound.queue()) endpoints.set(endpointKey(item.destination, item.endpoint), item);
    for (const [key, { destination, endpoint }] of endpoints) this.startWorker(key, destination, endpoint);
  }

  /** Resolves when no worker runs (retries not yet due wait on their timers, not here). */
  whenIdle(): Promise<void> {
    if (this.workers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Delivers what is due now, and resolves when every endpoint's worker is idle. */
  async settle(): Promise<void> {
    this.kick();
    await this.whenIdle();
  }

  /** Stops: attempts in flight are aborted (their events stay queued), no timer fires again. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.abort.abort(new Error('the app is stopping'));
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.workers.values()]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** Each endpoint's backlog, for /healthz and /metrics: configured ones, and any with events queued. */
  report(): EndpointReport[] {
    const reports = new Map<string, EndpointReport>();
    const entry = (destination: string, endpoint: string): EndpointReport => {
      const key = endpointKey(destination, endpoint);
      let report = reports.get(key);
      if (!report) {
        report = { destination, endpoint, pending: 0, failing: 0, oldestQueuedAt: null, nextAttemptAt: null, lastError: null, stopped: this.halted.get(key)?.reason ?? null };
        reports.set(key, report);
      }
      return report;
    };
    for (const destination of this.destinations) for (const endpoint of destination.endpoints()) entry(destination.name, endpoint);
    for (const item of this.deps.store.ports.outbound.queue()) {
      const report = entry(item.destination, item.endpoint);
      report.pending++;
      if (report.oldestQueuedAt === null || item.createdAt < report.oldestQueuedAt) report.oldestQueuedAt = item.createdAt;
      if (item.attempts > 0) {
        report.failing++;
        // The head of the queue is what waits; the rest follow it.
        if (report.nextAttemptAt === null) {
          report.nextAttemptAt = item.notBefore;
          report.lastError = item.lastError;
        }
      }
    }
    return [...reports.values()];
  }

  private startWorker(key: string, destination: string, endpoint: string): void {
    if (this.workers.has(key)) {
      this.kickedWhileBusy.add(key);
      return;
    }
    const worker = this.serve(destination, endpoint)
      .catch((error: unknown) => this.deps.log.error({ err: error, destination, endpoint }, 'outbound delivery stopped for an endpoint; it is tried again at the next event'))
      .finally(() => {
        this.workers.delete(key);
        if (this.kickedWhileBusy.delete(key) && !this.stopping) return this.startWorker(key, destination, endpoint);
        if (this.workers.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    this.workers.set(key, worker);
  }

  /** One endpoint's queue, in order, until nothing of it is due. With PostgreSQL, one instance at a time serves it. */
  private async serve(destinationName: string, endpoint: string): Promise<void> {
    const key = endpointKey(destinationName, endpoint);
    const claim = await this.deps.store.coordination.endpoints.claim(`outbound|${key}`);
    if (!claim) return this.wakeAt(key, destinationName, endpoint, this.deps.clock.now() + 2_000);
    try {
      await this.deps.store.refresh();
      for (;;) {
        if (this.stopping || this.halted.has(key)) return;
        const head = await this.deps.store.ports.outbound.head(destinationName, endpoint);
        if (!head) return;
        const now = this.deps.clock.now();
        const due = Date.parse(head.notBefore);
        // A failed head holds its endpoint's later events: they keep their order.
        if (due > now) return this.wakeAt(key, destinationName, endpoint, due);
        const destination = this.byName.get(destinationName);
        const outcome: AttemptOutcome = destination?.endpoints().includes(endpoint)
          ? await this.attempt(destination, endpoint, head)
          : { kind: 'drop', reason: 'the endpoint is no longer configured' };
        if (this.stopping) return; // aborted by the stop: it stays queued for the next start
        await this.record(head, outcome);
      }
    } finally {
      await claim.release();
    }
  }

  private async attempt(destination: Destination, endpoint: string, item: OutboundDelivery): Promise<AttemptOutcome> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.deps.attemptTimeoutMs ?? 10_000)]);
    try {
      return await destination.deliver(endpoint, item.event, signal);
    } catch (error) {
      // A destination should answer with an outcome; whatever it threw is retried, never lost.
      return { kind: 'retry', reason: signal.aborted ? 'no answer in time' : (error as Error).message };
    }
  }

  private async record(item: OutboundDelivery, outcome: AttemptOutcome): Promise<void> {
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    const key = endpointKey(item.destination, item.endpoint);
    const where = { destination: item.destination, endpoint: item.endpoint, delivery: item.event.id, type: item.event.type };
    let result: OutboundResult;
    if (outcome.kind === 'retry') {
      const wait = outcome.afterMs ?? backoffMs(item.attempts + 1, this.deps.firstBackoffMs ?? 5_000, this.deps.maxBackoffMs ?? 3_600_000);
      const expired = now + wait - Date.parse(item.createdAt) > (this.deps.giveUpMs ?? DAY_MS);
      result = expired ? 'expired' : 'retried';
      await this.deps.store.transaction((tx) => {
        const stored = tx.outbound.get(item.id);
        if (!stored) return;
        if (expired) return finish(tx, item.id, at);
        stored.attempts++;
        stored.notBefore = new Date(now + wait).toISOString();
        stored.lastError = outcome.reason;
      });
      if (expired) this.deps.log.warn({ ...where, attempts: item.attempts + 1, reason: outcome.reason }, 'an outbound delivery was given up: still failing 24 h after it was queued');
      else this.deps.log.info({ ...where, retryInMs: wait, reason: outcome.reason }, 'an outbound delivery failed; it is retried');
    } else if (outcome.kind === 'stop') {
      result = 'stopped';
      this.halted.set(key, { reason: outcome.reason, since: at });
      // Once a day at most per endpoint, whichever instance meets the stop (each halts it for itself): a
      // restart tries the endpoint again, and a stop found again on a later day is told again.
      const told = await this.deps.store.transaction((tx) => tellWatchers(tx, `outbound-stopped|${key}|${at.slice(0, 10)}`, outcome.notice, new Date(now)));
      this.deps.log.warn({ destination: item.destination, endpoint: item.endpoint, reason: outcome.reason }, 'an outbound endpoint is stopped until restart');
      if (told > 0) this.deps.onNotice?.();
    } else {
      result = outcome.kind === 'done' ? 'sent' : 'dropped';
      await this.deps.store.transaction((tx) => void (tx.outbound.get(item.id) && finish(tx, item.id, at)));
      if (outcome.kind === 'drop') this.deps.log.warn({ ...where, reason: outcome.reason }, 'an outbound delivery was refused and dropped (not retried)');
    }
    this.deps.onOutcome?.(item, result);
  }

  private wakeAt(key: string, destination: string, endpoint: string, at: number): void {
    if (this.stopping || !this.deps.auto || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.startWorker(key, destination, endpoint);
    }, Math.min(Math.max(0, at - this.deps.clock.now()) + 5, 2 ** 31 - 1));
    timer.unref?.();
    this.timers.set(key, timer);
  }
}

const endpointKey = (destination: string, endpoint: string): string => `${destination}|${endpoint}`;

/** Out of the queue and into the delivery log: never queued again, whatever found it again. */
function finish(tx: TxPorts, id: string, at: string): void {
  tx.outbound.remove(id);
  tx.deliveryLog.record(id, at);
}

/** One notice to every conversation that watches anything. Returns how many were queued. */
function tellWatchers(tx: TxPorts, what: string, text: string, now: Date): number {
  const watching = new Set(tx.watches.all().map((watch) => watch.targetKey));
  let queued = 0;
  for (const targetKey of watching) if (tx.conversations.get(targetKey)?.active) queued += queueNoticeTo(tx, targetKey, what, text, now);
  return queued;
}

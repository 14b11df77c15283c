// The delivery pipeline, in Alertmanager's stages: route (is the conversation still there?) → mute →
// dedup against the delivery log → send or edit, with retries → record. Each queued delivery is recorded
// the moment it is sent, so a crash can repeat at most the one delivery that was in flight.
import type { Logger } from 'pino';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { Delivery, IncidentThread, ProvisioningDelivery, Target } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import { mapWithConcurrency } from './concurrency.js';
import { SendFailure, classifySendError, type ConversationSender } from './teamsSender.js';

export interface AlertCards {
  incident(thread: IncidentThread, now: Date, options: { shrink: boolean }): object;
  provisioning(delivery: ProvisioningDelivery, now: Date): object;
}

export interface DeliveryDeps {
  store: StateStore;
  sender: ConversationSender;
  cards: AlertCards;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** Conversations served at once (each conversation's deliveries stay in order). */
  concurrency?: number;
}

export interface DeliveryReport {
  sent: number;
  deferred: number;
  dropped: number;
}

const RETRIES_PER_RUN = 3;
const MAX_ATTEMPTS = 12;

export class DeliveryPipeline {
  private running: Promise<DeliveryReport> | null = null;

  constructor(private readonly deps: DeliveryDeps) {}

  /** Deliver everything due. Concurrent calls share one run, so nothing is sent twice in parallel. */
  deliverPending(): Promise<DeliveryReport> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<DeliveryReport> {
    const now = this.deps.clock.now();
    const due = this.deps.store.read().outbox.filter((delivery) => Date.parse(delivery.notBefore) <= now);
    const byTarget = new Map<string, Delivery[]>();
    for (const delivery of due) byTarget.set(delivery.targetKey, [...(byTarget.get(delivery.targetKey) ?? []), delivery]);
    const report: DeliveryReport = { sent: 0, deferred: 0, dropped: 0 };
    await mapWithConcurrency([...byTarget.values()], this.deps.concurrency ?? 8, async (deliveries) => {
      for (const delivery of deliveries) {
        const outcome = await this.deliverOne(delivery);
        report[outcome]++;
        if (outcome === 'dropped' && !this.deps.store.read().targets[delivery.targetKey]?.active) break;
      }
    });
    return report;
  }

  private async deliverOne(delivery: Delivery): Promise<keyof DeliveryReport> {
    const state = this.deps.store.read();
    const target = state.targets[delivery.targetKey];
    // Route stage: a conversation that went away since the delivery was queued gets nothing.
    if (!target?.active) return this.drop(delivery, 'conversation inactive');
    // Dedup stage: already sent and recorded (e.g. queued again by a re-run cycle).
    if (state.deliveryLog[delivery.id]) return this.drop(delivery, 'already delivered');
    const thread = delivery.kind === 'incident' ? state.threads[delivery.threadKey] : undefined;
    if (delivery.kind === 'incident' && !thread) return this.drop(delivery, 'incident thread pruned');

    let shrink = false;
    for (let attempt = 0; ; attempt++) {
      let postedId: string | null;
      try {
        postedId = await this.send(delivery, target, thread, shrink);
      } catch (error) {
        const failure = classifySendError(error);
        this.deps.log.warn({ deliveryId: delivery.id, target: target.key, kind: failure.kind, status: failure.status, code: failure.code }, 'delivery failed');
        if (failure.kind === 'gone') {
          await this.deactivate(target, failure);
          return 'dropped';
        }
        if (failure.kind === 'tooBig' && !shrink) {
          shrink = true; // same content, fewer customers and shorter text: never the same payload again
          continue;
        }
        if (failure.kind === 'transient' && attempt < RETRIES_PER_RUN) {
          await this.deps.clock.sleep(failure.retryAfterMs ?? this.backoffMs(attempt));
          continue;
        }
        if (failure.kind === 'tooBig' || delivery.attempts + 1 >= MAX_ATTEMPTS) return this.drop(delivery, failure.message, 'error');
        await this.defer(delivery, failure);
        return 'deferred';
      }
      // Outside the try: a failed record is not a failed send, and retrying it would post the card again.
      await this.record(delivery, postedId);
      return 'sent';
    }
  }

  /** Returns the id of a newly posted card, or null when an existing card was edited. */
  private async send(delivery: Delivery, target: Target, thread: IncidentThread | undefined, shrink: boolean): Promise<string | null> {
    const now = new Date(this.deps.clock.now());
    if (delivery.kind === 'provisioning') {
      return this.deps.sender.post(target, this.deps.cards.provisioning(delivery, now));
    }
    if (!thread) throw new SendFailure('other', null, null, null, 'no thread');
    const card = this.deps.cards.incident(thread, now, { shrink });
    if (!thread.activityId) return this.deps.sender.post(target, card);
    await this.deps.sender.update(target, thread.activityId, card);
    // Mute stage: a muted incident still gets its card kept current, but no reply pings anyone.
    const muted = thread.mutedUntil !== null && Date.parse(thread.mutedUntil) > now.getTime();
    if (delivery.note && !muted) await this.deps.sender.reply(target, thread.activityId, delivery.note);
    return null;
  }

  private record(delivery: Delivery, postedId: string | null): Promise<void> {
    const at = new Date(this.deps.clock.now()).toISOString();
    return this.deps.store.update((state) => {
      state.outbox = state.outbox.filter((queued) => queued.id !== delivery.id);
      state.deliveryLog[delivery.id] = at;
      if (delivery.kind === 'incident' && postedId) {
        const thread = state.threads[delivery.threadKey];
        if (thread) thread.activityId = postedId;
      }
    });
  }

  private async drop(delivery: Delivery, reason: string, level: 'info' | 'error' = 'info'): Promise<'dropped'> {
    this.deps.log[level]({ deliveryId: delivery.id, target: delivery.targetKey, reason }, 'delivery dropped');
    await this.deps.store.update((state) => {
      state.outbox = state.outbox.filter((queued) => queued.id !== delivery.id);
    });
    return 'dropped';
  }

  private defer(delivery: Delivery, failure: SendFailure): Promise<void> {
    const delayMs = failure.retryAfterMs ?? this.backoffMs(delivery.attempts + 2);
    const notBefore = new Date(this.deps.clock.now() + delayMs).toISOString();
    return this.deps.store.update((state) => {
      const queued = state.outbox.find((item) => item.id === delivery.id);
      if (queued) Object.assign(queued, { attempts: queued.attempts + 1, notBefore, lastError: failure.message });
    });
  }

  /** No retry storm against a conversation that is gone: deactivate it and drop everything queued for it. */
  private deactivate(target: Target, failure: SendFailure): Promise<void> {
    const at = new Date(this.deps.clock.now()).toISOString();
    return this.deps.store.update((state) => {
      const stored = state.targets[target.key];
      if (stored) Object.assign(stored, { active: false, inactiveReason: failure.code ?? `HTTP ${failure.status}`, updatedAt: at });
      state.outbox = state.outbox.filter((queued) => queued.targetKey !== target.key);
    });
  }

  /** Exponential backoff with jitter: about 1 s, 2 s, 4 s ... capped at 5 minutes. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(300_000, 1_000 * 2 ** attempt);
    return Math.round(ceiling / 2 + ((this.deps.random ?? Math.random)() * ceiling) / 2);
  }
}

// Delivery: one ordered queue per conversation, each served by its own worker, so a conversation that is
// slow, throttled for an hour or gone defers only itself. Each delivery passes the stages of
// deliveryStages.ts (route → dedup → quiet hours → mute → send/edit with retry → record); this file decides
// who goes when.
import type { ConversationClaim } from '../store/coordination.js';
import type { Delivery } from '../store/state.js';
import { ClaimLostError, StoreUnavailableError } from '../store/stateStore.js';
import { DeliveryStages, type Outcome, type StageDeps } from './deliveryStages.js';

export type { AlertCards } from './deliveryStages.js';

export interface DeliveryDeps extends StageDeps {
  /** Conversations served at once. */
  concurrency?: number;
  /** Wake up by itself for retries and spaced edits (off in tests that drive delivery step by step). */
  auto?: boolean;
  /** Hears each delivery's outcome (the metrics count them by kind and outcome). */
  onOutcome?: (delivery: Delivery, outcome: Outcome) => void;
}

/** How soon a conversation another instance was serving is looked at again (it may have died). */
const CLAIM_RETRY_MS = 2_000;

export interface DeliveryReport {
  sent: number;
  deferred: number;
  dropped: number;
}

export class DeliveryPipeline {
  private readonly stages: DeliveryStages;
  private readonly workers = new Map<string, Promise<void>>();
  private readonly waiting: string[] = [];
  private readonly inFlightIds = new Set<string>();
  private readonly totals: DeliveryReport = { sent: 0, deferred: 0, dropped: 0 };
  /** The latest failures (a bounded list) and how many came before them. */
  private errors: unknown[] = [];
  private errorsDropped = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  /** Claims kept between looks: a delivery of the conversation was sent and is not recorded yet. */
  private readonly heldClaims = new Map<string, ConversationClaim>();
  /** Conversations kicked while their worker ran: it may have looked at the queue before the kick. */
  private readonly kickedWhileBusy = new Set<string>();
  /** Conversations another instance was serving when this one looked, and the timer to look again. */
  private readonly servedElsewhere = new Set<string>();
  private elsewhereTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];
  /** When a delivery last reached an outcome (health: is delivery moving?). */
  lastProgressAt: number | null = null;

  constructor(private readonly deps: DeliveryDeps) {
    this.stages = new DeliveryStages(deps);
  }

  /** Deliveries being sent right now: the router must not merge changes into them. */
  get inFlight(): ReadonlySet<string> {
    // Sent but not yet recorded counts too: a change merged into it would never be sent. So does the queue
    // of a conversation another instance is serving (PostgreSQL): it may be sending any of it right now.
    const unrecorded = this.stages.unrecordedIds();
    const { claims } = this.deps.store.coordination;
    const elsewhere = this.deps.store.ports.outbox.all().filter((delivery) => claims.busy(delivery.targetKey)).map((delivery) => delivery.id);
    if (unrecorded.length === 0 && elsewhere.length === 0) return this.inFlightIds;
    return new Set([...this.inFlightIds, ...unrecorded, ...elsewhere]);
  }

  /** Conversations whose next attempt waits for a failure's retry time, with that time. */
  deferredConversations(): { targetKey: string; until: string; lastError: string | null }[] {
    const now = this.deps.clock.now();
    return this.deps.store.ports.outbox
      .heads()
      .filter((head) => head.attempts > 0 && Date.parse(head.notBefore) > now)
      .map((head) => ({ targetKey: head.targetKey, until: head.notBefore, lastError: head.lastError }));
  }

  /** Starts a worker for every conversation with something due. Returns at once. */
  kick(): void {
    if (this.stopping) return;
    for (const key of this.deps.store.ports.outbox.conversations()) this.startWorker(key);
    this.armWakeTimer();
  }

  /** Where delivery stands now, to report later what happened since (see settle). */
  mark(): { totals: DeliveryReport; errors: number } {
    return { totals: { ...this.totals }, errors: this.errorsDropped + this.errors.length };
  }

  /**
   * Delivers everything due now and resolves when every conversation's worker is idle, with what happened
   * since `mark`. Rejects when a delivery could not be recorded since then (see DeliveryStages.record).
   */
  async settle(mark: { totals: DeliveryReport; errors: number }): Promise<DeliveryReport> {
    this.kick();
    await this.whenIdle();
    const error = this.errors[Math.max(0, mark.errors - this.errorsDropped)];
    if (error) throw error;
    const before = mark.totals;
    return { sent: this.totals.sent - before.sent, deferred: this.totals.deferred - before.deferred, dropped: this.totals.dropped - before.dropped };
  }

  /** Delivers everything due now; resolves with what this call saw happen. */
  deliverPending(): Promise<DeliveryReport> {
    return this.settle(this.mark());
  }

  /** Resolves when no worker runs and none waits for a slot. */
  whenIdle(): Promise<void> {
    if (this.workers.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops starting deliveries; waits (at most `graceMs`) for those being sent. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.elsewhereTimer) clearTimeout(this.elsewhereTimer);
    this.waiting.length = 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.workers.values()]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private startWorker(targetKey: string): void {
    if (this.workers.has(targetKey)) {
      // Its worker may be past its last look (giving its claim back): it looks once more when done.
      this.kickedWhileBusy.add(targetKey);
      return;
    }
    if (this.waiting.includes(targetKey)) return;
    if (this.workers.size >= (this.deps.concurrency ?? 32)) {
      this.waiting.push(targetKey);
      return;
    }
    const worker = this.serve(targetKey)
      .catch((error: unknown) => {
        this.errors.push(error);
        if (this.errors.length > 100) {
          this.errors.shift();
          this.errorsDropped++;
        }
        // An unreachable database is logged once by the store's outage account, not every look at every conversation.
        if (error instanceof StoreUnavailableError) this.deps.log.debug({ err: error.message, target: targetKey }, 'a conversation waits for the database');
        else this.deps.log.error({ err: error, target: targetKey }, 'delivery stopped for a conversation');
      })
      .finally(() => {
        this.workers.delete(targetKey);
        if (this.kickedWhileBusy.delete(targetKey) && !this.stopping) {
          this.startWorker(targetKey);
          return;
        }
        const next = this.waiting.shift();
        if (next !== undefined && !this.stopping) this.startWorker(next);
        if (this.workers.size === 0 && this.waiting.length === 0) {
          this.armWakeTimer();
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    this.workers.set(targetKey, worker);
  }

  /**
   * One conversation's queue, in order, until nothing of it is due. With several instances, only the one
   * holding the conversation's claim serves it, from the state as it stands once the claim is held.
   */
  private async serve(targetKey: string): Promise<void> {
    const held = this.heldClaims.get(targetKey);
    this.heldClaims.delete(targetKey);
    const claim = await (held ? this.extended(held, targetKey) : this.deps.store.coordination.claims.claim(targetKey)).catch((error: unknown) => {
      // An unreachable database is logged once by the store, not once per conversation and look.
      if (error instanceof StoreUnavailableError) this.deps.log.debug({ err: error.message, target: targetKey }, 'a claim waits for the database');
      else this.deps.log.warn({ err: error, target: targetKey }, 'could not claim a conversation; will look again');
      return null;
    });
    if (!claim) {
      this.lookAgainLater(targetKey);
      return;
    }
    try {
      await this.deps.store.refresh();
      await this.serveClaimed(targetKey, claim);
    } finally {
      if (this.stages.hasUnrecorded(targetKey) && !this.stopping) {
        // Sent, but its record could not be written: another instance would send it again. Keep the
        // conversation until the record is written (the next look tries it).
        this.heldClaims.set(targetKey, claim);
        this.lookAgainLater(targetKey);
      } else {
        await claim.release();
      }
    }
  }

  /** A claim kept since the last look, renewed (null: it expired meanwhile and another instance took it). */
  private async extended(claim: ConversationClaim, targetKey: string): Promise<ConversationClaim | null> {
    if (await claim.extend()) return claim;
    await claim.release();
    this.deps.log.warn({ target: targetKey }, 'a conversation this instance kept claimed was taken over by another instance');
    return null;
  }

  private async serveClaimed(targetKey: string, claim: ConversationClaim): Promise<void> {
    const attempted = new Set<string>();
    for (;;) {
      if (this.stopping) return;
      let next = await this.nextDue(targetKey, attempted);
      if (next && !claim.covers(next.id)) {
        // Queued after the claim was taken: claim again to cover it, then read what a sweep merged meanwhile.
        if (!(await claim.extend())) return this.lookAgainLater(targetKey);
        await this.deps.store.refresh();
        next = await this.nextDue(targetKey, attempted);
        if (next && !claim.covers(next.id)) {
          attempted.add(next.id); // not queued in the database (any more): nothing to send
          continue;
        }
      }
      if (!next) return;
      attempted.add(next.id);
      this.inFlightIds.add(next.id);
      let outcome: Outcome;
      try {
        outcome = await this.stages.deliver(next);
      } catch (error) {
        if (!(error instanceof ClaimLostError)) throw error;
        // This instance stalled past its claim's expiry mid-send: the new owner holds the queue now.
        this.deps.log.warn({ deliveryId: next.id, target: targetKey }, 'sent after this instance lost its claim on the conversation: the record was refused, the instance that took it over delivers the rest');
        return;
      } finally {
        this.inFlightIds.delete(next.id);
      }
      this.lastProgressAt = this.deps.clock.now();
      this.deps.onOutcome?.(next, outcome);
      if (outcome === 'held') continue; // quiet hours: kept for their summary, the rest of the queue goes on
      if (outcome === 'edited') continue; // its card is current, its reply waits for its time: the rest goes on
      this.totals[outcome]++;
      if (outcome === 'deferred') return; // its retry time is stored; the rest of the queue keeps its order
      if (outcome === 'dropped' && !this.deps.store.ports.conversations.get(targetKey)?.active) return;
    }
  }

  /**
   * The conversation's first delivery that may go now, or null. A delivery waiting after a failure holds
   * the whole conversation (order matters); an edit waiting only for its thread's spacing holds nothing else.
   */
  private async nextDue(targetKey: string, attempted: ReadonlySet<string>): Promise<Delivery | null> {
    const now = this.deps.clock.now();
    const queue = this.deps.store.ports.outbox.queuedFor(targetKey).filter((delivery) => !attempted.has(delivery.id) && !this.inFlightIds.has(delivery.id));
    const state = await this.stages.pacingView(queue.filter((delivery) => Date.parse(delivery.notBefore) <= now));
    for (const delivery of queue) {
      if (Date.parse(delivery.notBefore) > now) {
        if (delivery.attempts > 0) return null;
        continue;
      }
      if (this.stages.dueAt(delivery, state) > now) continue;
      return delivery;
    }
    return null;
  }

  /**
   * Another instance serves the conversation now. Should it die mid-queue, nothing would tell this one
   * (PostgreSQL just lets its claim go): look again shortly, for as long as something is queued there.
   */
  private lookAgainLater(targetKey: string): void {
    if (this.stopping || !this.deps.auto) return;
    this.servedElsewhere.add(targetKey);
    if (this.elsewhereTimer) return;
    this.elsewhereTimer = setTimeout(() => {
      this.elsewhereTimer = null;
      const queued = this.deps.store.ports.outbox.conversations();
      const keys = [...this.servedElsewhere].filter((key) => queued.has(key));
      this.servedElsewhere.clear();
      for (const key of keys) this.startWorker(key);
    }, CLAIM_RETRY_MS);
    this.elsewhereTimer.unref?.();
  }

  /** Wakes up for the earliest delivery that is queued but not yet due (a retry, or a spaced edit). */
  private armWakeTimer(): void {
    this.armWakeTimerNow().catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not work out when the next delivery is due; the next kick looks again'));
  }

  private async armWakeTimerNow(): Promise<void> {
    if (this.stopping || !this.deps.auto) return;
    const outbox = this.deps.store.ports.outbox.all();
    const state = await this.stages.pacingView(outbox);
    if (this.stopping) return;
    const now = this.deps.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const delivery of outbox) {
      const due = Math.max(Date.parse(delivery.notBefore), this.stages.dueAt(delivery, state));
      if (due > now && due < earliest) earliest = due;
    }
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (!Number.isFinite(earliest)) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.kick();
    }, Math.min(earliest - now + 5, 2 ** 31 - 1));
    this.wakeTimer.unref?.();
  }
}

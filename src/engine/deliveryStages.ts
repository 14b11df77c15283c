// The stages one delivery passes, in Alertmanager's order: route (is the conversation still there?) →
// dedup against the delivery log → quiet hours (quietHours.ts: held for their summary, or edited without a
// reply) → mute (inside send: a muted card is still edited, its reply held) → send or edit with retries and
// a timeout → record. The record comes outside the retry: a failed record
// is not a failed send, and retrying it must not post the card again.
// Replies about one card are spaced a minute apart, since each one notifies people; an edit notifies no
// one, so a card behind its thread is edited within CARD_EDIT_INTERVAL_MS while its reply still waits
// (an "edit only" attempt: the delivery stays queued for its reply).
import type { Logger } from 'pino';
import type { SummaryReport } from '../domain/digest.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { ThreadKindRegistry } from '../sources/source.js';
import type { Delivery, IncidentThread, ProvisioningDelivery, State, Target } from '../store/state.js';
import { ClaimLostError, type StateStore } from '../store/stateStore.js';
import { QuietHoursStage } from './quietHours.js';
import { editsOnly, nextDueAt, type CardThread } from './cardPacing.js';
import { deliveryThreadKinds, isThreadDelivery, threadKindOf, threadOf } from './threadKinds.js';
import { SendFailure, classifySendError, type ConversationSender } from './teamsSender.js';
import { deliveryFailureLine } from './deliveryFailureLine.js';

export interface AlertCards {
  incident(thread: IncidentThread, now: Date, options: { shrink: boolean }): object;
  /** May look something up first (the order's product names); never rejects. */
  provisioning(delivery: ProvisioningDelivery, now: Date): object | Promise<object>;
  /** A digest or a quiet-hours summary (see digestScheduler.ts). */
  summary?(report: SummaryReport, now: Date): object;
}


export interface StageDeps {
  store: StateStore;
  sender: ConversationSender;
  cards: AlertCards;
  /** The sources' card thread kinds, registered at the composition root (the incident card is the engine's). */
  threadKinds?: ThreadKindRegistry;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** A send that has not answered by then counts as a transient failure (default 15 s). */
  sendTimeoutMs?: number;
  /** Replies about one incident in one conversation are spaced this far apart (default 60 s). */
  threadEditIntervalMs?: number;
  /** Edits of a card behind its thread are spaced this far apart, changes in between coalesced (default 10 s). */
  cardEditIntervalMs?: number;
}

/**
 * `held`: quiet hours took it out of the outbox for their summary (quietHours.ts). `edited`: its card was
 * brought up to date while its reply waits for the thread's spacing; it stays queued.
 */
export type Outcome = 'sent' | 'deferred' | 'dropped' | 'held' | 'edited';

const RETRIES_PER_RUN = 3;
const MAX_ATTEMPTS = 12;
/** A Retry-After up to this long is waited out in place; a longer one defers the conversation. */
const INLINE_RETRY_MAX_MS = 5_000;

export class DeliveryStages {
  /** Sent but not recorded (the record write failed): never sent again by this process, only recorded. */
  private readonly unrecorded = new Map<string, string | null>();
  /** The conversations of those deliveries. */
  private readonly unrecordedTargets = new Map<string, string>();
  private readonly quiet: QuietHoursStage;
  private readonly kinds: ThreadKindRegistry;

  constructor(private readonly deps: StageDeps) {
    this.kinds = deliveryThreadKinds(deps.cards.incident, deps.threadKinds);
    this.quiet = new QuietHoursStage({ ...deps, threadKinds: this.kinds });
  }

  /** Deliveries sent whose record is still to be written. */
  unrecordedIds(): string[] {
    return [...this.unrecorded.keys()];
  }

  /** A delivery to this conversation was sent and its record is still to be written. */
  hasUnrecorded(targetKey: string): boolean {
    for (const target of this.unrecordedTargets.values()) if (target === targetKey) return true;
    return false;
  }

  /**
   * When a delivery with a thread reply may go next: its reply once the thread's replies are spaced, its
   * card's edit alone sooner when the card is behind the thread (edits of one card spaced a little too).
   */
  dueAt(delivery: Delivery, state: Readonly<State>): number {
    return nextDueAt(this.replies(delivery), threadOf(this.kinds, delivery, state), this.deps);
  }

  async deliver(delivery: Delivery): Promise<Outcome> {
    const state = this.deps.store.read();
    const target = state.targets[delivery.targetKey];
    // Route stage: a conversation that went away since the delivery was queued gets nothing.
    if (!target?.active) return this.drop(delivery, 'conversation inactive');
    // Dedup stage: already sent and recorded (e.g. queued again by a re-run batch).
    if (state.deliveryLog[delivery.id]) return this.drop(delivery, 'already delivered');
    if (this.unrecorded.has(delivery.id)) {
      await this.record(delivery, this.unrecorded.get(delivery.id) ?? null);
      return 'sent';
    }
    const thread = threadOf(this.kinds, delivery, state);
    if (isThreadDelivery(delivery) && !thread) {
      if (!this.kinds.has(delivery.kind)) return this.drop(delivery, `no thread kind "${delivery.kind}" is registered`, 'error');
      return this.drop(delivery, `${delivery.kind} thread pruned`);
    }
    // Quiet-hours stage: held for the summary at their end, or a card edited without a reply.
    if ((await this.quiet.decide(delivery, target, thread)) === 'held') return 'held';

    const editOnly = editsOnly(this.replies(delivery), thread, this.deps.clock.now(), this.deps) && !this.quiet.silenced(delivery.id);
    // What the card shows once sent: the thread as read now (a batch may change it meanwhile).
    const shownAt = thread?.updatedAt ?? null;
    let shrink = false;
    for (let attempt = 0; ; attempt++) {
      let postedId: string | null;
      try {
        postedId = await this.withTimeout(this.send(delivery, target, thread, shrink, editOnly));
      } catch (error) {
        const failure = classifySendError(error);
        this.deps.log.warn(
          { deliveryId: delivery.id, target: target.key, kind: failure.kind, status: failure.status, code: failure.code, summary: deliveryFailureLine(target, failure) },
          'delivery failed',
        );
        if (failure.kind === 'gone') {
          await this.deactivate(target, failure);
          return 'dropped';
        }
        if (failure.kind === 'tooBig' && !shrink) {
          shrink = true; // same content, fewer customers and shorter text: never the same payload again
          continue;
        }
        const waitMs = failure.retryAfterMs ?? this.backoffMs(attempt);
        // A send that timed out may still arrive: trying again at once would risk a second card. Defer it.
        const inPlace = failure.kind === 'transient' && failure.code !== 'Timeout';
        if (inPlace && attempt < RETRIES_PER_RUN && waitMs <= INLINE_RETRY_MAX_MS) {
          await this.deps.clock.sleep(waitMs);
          continue;
        }
        if (failure.kind === 'tooBig' || delivery.attempts + 1 >= MAX_ATTEMPTS) return this.drop(delivery, failure.message, 'error');
        await this.defer(delivery, failure);
        return 'deferred';
      }
      // An edit alone is not the delivery: it stays queued for its reply. (A card found deleted was posted
      // anew instead: that is the whole delivery, as below.)
      if (editOnly && postedId === null) return this.recordEdit(delivery, shownAt);
      this.unrecorded.set(delivery.id, postedId);
      this.unrecordedTargets.set(delivery.id, delivery.targetKey);
      await this.record(delivery, postedId, shownAt);
      return 'sent';
    }
  }

  /** Returns the id of a newly posted card, or null when an existing card was edited. */
  private async send(delivery: Delivery, target: Target, thread: CardThread | undefined, shrink: boolean, editOnly = false): Promise<string | null> {
    const now = new Date(this.deps.clock.now());
    if (delivery.kind === 'notice') {
      if (delivery.replyTo) await this.deps.sender.reply(target, delivery.replyTo, delivery.text);
      else await this.deps.sender.say(target, delivery.text);
      return null;
    }
    if (delivery.kind === 'provisioning') return this.deps.sender.post(target, await this.deps.cards.provisioning(delivery, now));
    if (delivery.kind === 'summary') {
      const card = this.deps.cards.summary?.(delivery.report, now);
      if (!card) throw new SendFailure('other', null, null, null, 'no summary card renderer');
      return this.deps.sender.post(target, card);
    }
    if (!thread) throw new SendFailure('other', null, null, null, 'no thread');
    // A card thread of any kind: its kind renders the card and words the reply.
    const kind = threadKindOf(this.kinds, delivery);
    if (!kind || !isThreadDelivery(delivery)) throw new SendFailure('other', null, null, null, `no card for ${delivery.kind}`);
    const card = kind.card(thread, now, { shrink });
    const note = editOnly ? null : kind.reply(delivery, thread);
    return this.postOrEdit(delivery.id, target, thread, card, note, now);
  }

  /** A thread's first card is posted; later ones edit it and reply with `note` (unless muted). */
  private async postOrEdit(deliveryId: string, target: Target, thread: CardThread, card: object, note: string | null, now: Date): Promise<string | null> {
    if (!thread.activityId) return this.deps.sender.post(target, card);
    try {
      await this.deps.sender.update(target, thread.activityId, card);
    } catch (error) {
      // Someone deleted the card: the conversation is still there, so the incident gets a new card.
      if (classifySendError(error).kind === 'cardGone') return this.deps.sender.post(target, card);
      throw error;
    }
    // Mute stage: a muted (snoozed) alert still gets its card kept current, but no reply pings anyone.
    const muted = thread.mutedUntil !== null && Date.parse(thread.mutedUntil) > now.getTime();
    if (note && !muted && !this.quiet.silenced(deliveryId)) await this.deps.sender.reply(target, thread.activityId, note);
    return null;
  }

  /** A hanging connection counts as a transient failure, so it defers its conversation instead of holding it. */
  private withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.deps.sendTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SendFailure('transient', null, 'Timeout', null, `Teams did not answer within ${ms / 1000} s`)), ms);
    });
    work.catch(() => undefined); // a late failure after the timeout has nobody to tell
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private async record(delivery: Delivery, postedId: string | null, shownAt: string | null = null): Promise<void> {
    const at = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.update((state) => {
      state.outbox = state.outbox.filter((queued) => queued.id !== delivery.id);
      state.deliveryLog[delivery.id] = at;
      const thread = threadOf(this.kinds, delivery, state);
      if (thread) {
        if (postedId) thread.activityId = postedId;
        thread.lastSentAt = at;
        thread.editedAt = at;
        if (shownAt) thread.shownAt = shownAt;
      }
      this.quiet.recorded(state, delivery);
    }, { completes: delivery.id }).catch((error: unknown) => {
      // Another instance took the conversation over: the record is its to write, never this one's again.
      if (error instanceof ClaimLostError) {
        this.unrecorded.delete(delivery.id);
        this.unrecordedTargets.delete(delivery.id);
        this.quiet.forget(delivery.id);
      }
      throw error;
    });
    this.unrecorded.delete(delivery.id);
    this.unrecordedTargets.delete(delivery.id);
    this.quiet.forget(delivery.id);
  }

  /**
   * After an edit alone: when, and what the card shows now. An edit repeated is harmless, so a failed write
   * only means the card is edited once more; the delivery is left queued for its reply either way.
   */
  private async recordEdit(delivery: Delivery, shownAt: string | null): Promise<'edited'> {
    const at = new Date(this.deps.clock.now()).toISOString();
    try {
      await this.deps.store.update((state) => {
        const thread = threadOf(this.kinds, delivery, state);
        if (!thread) return;
        thread.editedAt = at;
        if (shownAt) thread.shownAt = shownAt;
      });
    } catch (error) {
      this.deps.log.warn({ err: error, deliveryId: delivery.id, target: delivery.targetKey }, 'could not record a card edit; it may be edited again');
    }
    return 'edited';
  }

  private async drop(delivery: Delivery, reason: string, level: 'info' | 'error' = 'info'): Promise<'dropped'> {
    this.deps.log[level]({ deliveryId: delivery.id, target: delivery.targetKey, reason }, 'delivery dropped');
    this.unrecorded.delete(delivery.id);
    this.unrecordedTargets.delete(delivery.id);
    this.quiet.forget(delivery.id);
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

  /** The delivery replies in its card's thread (its kind says; deliveries of no card thread never do). */
  private replies(delivery: Delivery): boolean {
    const kind = threadKindOf(this.kinds, delivery);
    return kind !== undefined && isThreadDelivery(delivery) && kind.hasReply(delivery);
  }

  /** Exponential backoff with jitter: about 1 s, 2 s, 4 s ... capped at 5 minutes. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(300_000, 1_000 * 2 ** attempt);
    return Math.round(ceiling / 2 + ((this.deps.random ?? Math.random)() * ceiling) / 2);
  }
}

// Send stage: post or edit the card (or say the sentence), then reply in the card's thread, with retries and
// a timeout. A Retry-After up to a few seconds is waited out in place; a longer one, or a send that timed
// out (it may still arrive: trying again at once would risk a second card), defers the conversation. A card
// too big is sent once more smaller; a conversation gone is deactivated with everything queued for it.
import type { CardThread } from '../../sources/source.js';
import type { Delivery, Target } from '../../store/state.js';
import { deliveryFailureLine } from '../deliveryFailureLine.js';
import { SendFailure, classifySendError } from '../teamsSender.js';
import { isThreadDelivery } from '../threadKinds.js';
import { dropDelivery } from './drop.js';
import { NEXT, type ChainContext, type DeliveryAttempt, type DeliveryStage } from './stage.js';

const RETRIES_PER_RUN = 3;
const MAX_ATTEMPTS = 12;
/** A Retry-After up to this long is waited out in place; a longer one defers the conversation. */
const INLINE_RETRY_MAX_MS = 5_000;

export class SendStage implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run(attempt: DeliveryAttempt): Promise<'deferred' | 'dropped' | typeof NEXT> {
    const { delivery, target } = attempt;
    const { deps } = this.chain;
    if (!target) return NEXT; // the route stage always sets it
    let shrink = false;
    for (let tries = 0; ; tries++) {
      try {
        attempt.postedId = await this.withTimeout(this.send(attempt, target, shrink));
        return NEXT;
      } catch (error) {
        const failure = classifySendError(error);
        deps.log.warn(
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
        const waitMs = failure.retryAfterMs ?? this.backoffMs(tries);
        // A send that timed out may still arrive: trying again at once would risk a second card. Defer it.
        const inPlace = failure.kind === 'transient' && failure.code !== 'Timeout';
        if (inPlace && tries < RETRIES_PER_RUN && waitMs <= INLINE_RETRY_MAX_MS) {
          await deps.clock.sleep(waitMs);
          continue;
        }
        if (failure.kind === 'tooBig' || delivery.attempts + 1 >= MAX_ATTEMPTS) return dropDelivery(this.chain, delivery, failure.message, 'error');
        await this.defer(delivery, failure);
        return 'deferred';
      }
    }
  }

  /** Returns the id of a newly posted card, or null when an existing card was edited. */
  private async send({ delivery, kind, thread, editOnly, replyHeld }: DeliveryAttempt, target: Target, shrink: boolean): Promise<string | null> {
    const { sender, cards, clock } = this.chain.deps;
    const now = new Date(clock.now());
    if (delivery.kind === 'notice') {
      if (delivery.replyTo) await sender.reply(target, delivery.replyTo, delivery.text);
      else await sender.say(target, delivery.text);
      return null;
    }
    if (delivery.kind === 'provisioning') return sender.post(target, await cards.provisioning(delivery, now));
    if (delivery.kind === 'summary') {
      const card = cards.summary?.(delivery.report, now);
      if (!card) throw new SendFailure('other', null, null, null, 'no summary card renderer');
      return sender.post(target, card);
    }
    if (!thread) throw new SendFailure('other', null, null, null, 'no thread');
    // A card thread of any kind: its kind renders the card and words the reply.
    if (!kind || !isThreadDelivery(delivery)) throw new SendFailure('other', null, null, null, `no card for ${delivery.kind}`);
    const card = kind.card(thread, now, { shrink });
    const note = editOnly || replyHeld ? null : kind.reply(delivery, thread);
    return this.postOrEdit(target, thread, card, note);
  }

  /** A thread's first card is posted; later ones edit it and reply with `note`. */
  private async postOrEdit(target: Target, thread: CardThread, card: object, note: string | null): Promise<string | null> {
    const { sender } = this.chain.deps;
    if (!thread.activityId) return sender.post(target, card);
    try {
      await sender.update(target, thread.activityId, card);
    } catch (error) {
      // Someone deleted the card: the conversation is still there, so the thread gets a new card.
      if (classifySendError(error).kind === 'cardGone') return sender.post(target, card);
      throw error;
    }
    if (note) await sender.reply(target, thread.activityId, note);
    return null;
  }

  /** A hanging connection counts as a transient failure, so it defers its conversation instead of holding it. */
  private withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.chain.deps.sendTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SendFailure('transient', null, 'Timeout', null, `Teams did not answer within ${ms / 1000} s`)), ms);
    });
    work.catch(() => undefined); // a late failure after the timeout has nobody to tell
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private defer(delivery: Delivery, failure: SendFailure): Promise<void> {
    const { clock, store } = this.chain.deps;
    const delayMs = failure.retryAfterMs ?? this.backoffMs(delivery.attempts + 2);
    const notBefore = new Date(clock.now() + delayMs).toISOString();
    return store.transaction((tx) => {
      const queued = tx.outbox.find(delivery.id);
      if (queued) Object.assign(queued, { attempts: queued.attempts + 1, notBefore, lastError: failure.message });
    });
  }

  /** No retry storm against a conversation that is gone: deactivate it and drop everything queued for it. */
  private deactivate(target: Target, failure: SendFailure): Promise<void> {
    const at = new Date(this.chain.deps.clock.now()).toISOString();
    return this.chain.deps.store.transaction((tx) => {
      tx.conversations.deactivate(target.key, failure.code ?? `HTTP ${failure.status}`, at);
      tx.outbox.removeFor(target.key);
    });
  }

  /** Exponential backoff with jitter: about 1 s, 2 s, 4 s ... capped at 5 minutes. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(300_000, 1_000 * 2 ** attempt);
    return Math.round(ceiling / 2 + ((this.chain.deps.random ?? Math.random)() * ceiling) / 2);
  }
}

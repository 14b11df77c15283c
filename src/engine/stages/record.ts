// Record stage: a delivery sent leaves the outbox and enters the delivery log in one write, with its
// thread's card id and times. It comes outside the send's retries: a failed record is not a failed send, and
// retrying it must not post the card again (the dedup stage writes it on the next look). An edit alone is
// not the delivery: it stays queued for its reply, and only the card's edit time is written.
import type { Delivery } from '../../store/state.js';
import { ClaimLostError } from '../../store/stateStore.js';
import { threadLoads, threadOf } from '../threadKinds.js';
import type { ChainContext, DeliveryAttempt, DeliveryStage } from './stage.js';
import { recordDelivered } from '../../store/deliveryLog.js';

export class RecordStage implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run({ delivery, editOnly, postedId, shownAt }: DeliveryAttempt): Promise<'sent' | 'edited'> {
    // (A card found deleted was posted anew instead: that is the whole delivery.)
    if (editOnly && postedId === null) return this.recordEdit(delivery, shownAt);
    this.chain.unrecorded.add(delivery.id, delivery.targetKey, postedId);
    await recordSent(this.chain, delivery, postedId, shownAt);
    return 'sent';
  }

  /**
   * After an edit alone: when, and what the card shows now. An edit repeated is harmless, so a failed write
   * only means the card is edited once more; the delivery is left queued for its reply either way.
   */
  private async recordEdit(delivery: Delivery, shownAt: string | null): Promise<'edited'> {
    const { clock, store, log } = this.chain.deps;
    const at = new Date(clock.now()).toISOString();
    try {
      await store.update((state) => {
        const thread = threadOf(this.chain.kinds, delivery, state);
        if (!thread) return;
        thread.editedAt = at;
        if (shownAt) thread.shownAt = shownAt;
      }, { load: threadLoads(this.chain.kinds, delivery, 'head') });
    } catch (error) {
      log.warn({ err: error, deliveryId: delivery.id, target: delivery.targetKey }, 'could not record a card edit; it may be edited again');
    }
    return 'edited';
  }
}

/** The one write that records a sent delivery (a silent edit's reply joins the held alerts in it). */
export async function recordSent(chain: ChainContext, delivery: Delivery, postedId: string | null, shownAt: string | null = null): Promise<void> {
  const at = new Date(chain.deps.clock.now()).toISOString();
  await chain.deps.store.update((state) => {
    state.outbox = state.outbox.filter((queued) => queued.id !== delivery.id);
    recordDelivered(state, delivery.id, at);
    const thread = threadOf(chain.kinds, delivery, state);
    if (thread) {
      if (postedId) thread.activityId = postedId;
      thread.lastSentAt = at;
      thread.editedAt = at;
      if (shownAt) thread.shownAt = shownAt;
    }
    chain.quiet.recorded(state, delivery);
    // The thread's head only: a silent edit's held alert names no customer of it (its reply says what changed).
  }, { completes: delivery.id, load: threadLoads(chain.kinds, delivery, 'head') }).catch((error: unknown) => {
    // Another instance took the conversation over: the record is its to write, never this one's again.
    if (error instanceof ClaimLostError) {
      chain.unrecorded.forget(delivery.id);
      chain.quiet.forget(delivery.id);
    }
    throw error;
  });
  chain.unrecorded.forget(delivery.id);
  chain.quiet.forget(delivery.id);
}

// Mute stage: a muted (snoozed) card is still kept current, but no reply pings anyone; neither does a reply
// quiet hours hold for their summary. And replies about one card are spaced a minute apart, since each one
// notifies people, while an edit notifies no one: a card behind its thread is edited on its own sooner
// (an "edit only" attempt: the delivery stays queued for its reply; see ../cardPacing.ts).
import { isThreadDelivery } from '../threadKinds.js';
import { editsOnly } from '../cardPacing.js';
import { NEXT, type ChainContext, type DeliveryAttempt, type DeliveryStage } from './stage.js';

export class MuteStage implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run(attempt: DeliveryAttempt): Promise<typeof NEXT> {
    const { delivery, kind, thread } = attempt;
    const now = this.chain.deps.clock.now();
    const silenced = this.chain.quiet.silenced(delivery.id);
    const replies = kind !== undefined && isThreadDelivery(delivery) && kind.hasReply(delivery);
    attempt.editOnly = editsOnly(replies, thread, now, this.chain.deps) && !silenced;
    const muted = thread !== undefined && thread.mutedUntil !== null && Date.parse(thread.mutedUntil) > now;
    attempt.replyHeld = muted || silenced;
    return NEXT;
  }
}

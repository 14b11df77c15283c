// Route stage: a conversation that went away since the delivery was queued gets nothing. Finds what the
// later stages post to: the conversation, and the card thread of the delivery's kind (thread-kind registry).
import { threadKindOf, threadLoads, threadOf } from '../threadKinds.js';
import { dropDelivery } from './drop.js';
import { NEXT, type ChainContext, type DeliveryAttempt, type DeliveryStage } from './stage.js';

export class RouteStage implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run(attempt: DeliveryAttempt): Promise<'dropped' | typeof NEXT> {
    const { delivery } = attempt;
    const target = this.chain.deps.store.ports.conversations.get(delivery.targetKey);
    if (!target?.active) return dropDelivery(this.chain, delivery, 'conversation inactive');
    attempt.target = target;
    attempt.kind = threadKindOf(this.chain.kinds, delivery);
    // The card thread is paged (store/pagedThreads.ts): read by its key, for this attempt only.
    attempt.thread = threadOf(this.chain.kinds, delivery, await this.chain.deps.store.view(threadLoads(this.chain.kinds, delivery)));
    attempt.shownAt = attempt.thread?.updatedAt ?? null;
    return NEXT;
  }
}

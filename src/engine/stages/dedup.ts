// Dedup stage, against the delivery log: a delivery already sent and recorded (e.g. queued again by a
// re-run batch) is dropped; one sent whose record failed is only recorded now. A card thread's delivery
// whose thread is gone (pruned) has nothing left to post.
import { isThreadDelivery } from '../threadKinds.js';
import { dropDelivery } from './drop.js';
import { recordSent } from './record.js';
import { NEXT, type ChainContext, type DeliveryAttempt, type DeliveryStage } from './stage.js';

export class DedupStage implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run(attempt: DeliveryAttempt): Promise<'sent' | 'dropped' | typeof NEXT> {
    const { delivery } = attempt;
    const { store } = this.chain.deps;
    if (store.ports.deliveryLog.has(delivery.id)) return dropDelivery(this.chain, delivery, 'already delivered');
    if (this.chain.unrecorded.has(delivery.id)) {
      await recordSent(this.chain, delivery, this.chain.unrecorded.postedId(delivery.id));
      return 'sent';
    }
    if (isThreadDelivery(delivery) && !attempt.thread) {
      if (!attempt.kind) return dropDelivery(this.chain, delivery, `no thread kind "${delivery.kind}" is registered`, 'error');
      return dropDelivery(this.chain, delivery, `${delivery.kind} thread pruned`);
    }
    return NEXT;
  }
}

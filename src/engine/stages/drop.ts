// A delivery that will never go (its conversation or thread is gone, it was sent already, it failed for
// good) leaves the outbox; whatever the stages remembered of it is forgotten.
import type { Delivery } from '../../store/state.js';
import type { ChainContext } from './stage.js';

export async function dropDelivery(chain: ChainContext, delivery: Delivery, reason: string, level: 'info' | 'error' = 'info'): Promise<'dropped'> {
  chain.deps.log[level]({ deliveryId: delivery.id, target: delivery.targetKey, reason }, 'delivery dropped');
  chain.unrecorded.forget(delivery.id);
  chain.quiet.forget(delivery.id);
  await chain.deps.store.transaction((tx) => tx.outbox.remove(delivery.id));
  return 'dropped';
}

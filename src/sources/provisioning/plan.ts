// What the provisioning source fetches: every watched order, every round (`o|<customerId>/<orderId>`; a
// watch ends once its order is final), and all of them in the fast lane too. Pure.
import { customerFromWatch } from '../../domain/watchedCustomer.js';
import { orderKey, type State, type Watch } from '../../store/state.js';
import type { CustomerSourceItem, FastLaneHook } from '../source.js';

export const PROVISIONING_SOURCE = 'provisioning';

/** One watched order. The key never changes: a stored round cursor goes by it. */
export interface OrderItem extends CustomerSourceItem {
  source: typeof PROVISIONING_SOURCE;
  orderId: string;
}

export const orderItemKey = (customerId: string, orderId: string): string => `o|${orderKey(customerId, orderId)}`;

/** Watched orders of conversations the bot may still post to, each once. */
export function orderItems(state: Readonly<State>): OrderItem[] {
  const items = new Map<string, OrderItem>();
  for (const watch of state.watches) {
    if (watch.kind !== 'order' || !watch.customerId || !watch.orderId || !state.targets[watch.targetKey]?.active) continue;
    const key = orderItemKey(watch.customerId, watch.orderId);
    items.set(key, { key, kind: 'source', source: PROVISIONING_SOURCE, customer: customerFromWatch(watch.customerId, watch.customerName), orderId: watch.orderId });
  }
  return [...items.values()];
}

const isOrderWatch = (watch: Watch) => watch.kind === 'order' && watch.customerId && watch.orderId;

export const orderFastLane: FastLaneHook<OrderItem> = {
  field: 'orderSnapshots',
  filter: (state, changedSince) => ({ changedSince, keys: state.watches.filter(isOrderWatch).map((watch) => orderKey(watch.customerId as string, watch.orderId as string)) }),
  // Every watched order is watched one by one: the lane keeps them all.
  items: (state) => ({ watched: orderItems(state), lively: [] }),
  recordKey: (item) => orderKey(item.customer.id, item.orderId),
};

// Route stage of provisioning: a batch's order changes → one card per conversation watching the order, in
// the batch's single durable write. Not a card thread: each change posts a card of its own.
import type { Watch } from '../../domain/watch.js';
import type { ProvisioningDelivery, State } from '../../store/state.js';
import { OutboxQueue } from '../threadOutbox.js';
import { lineChangeText, type ProvisioningEvent } from './diff.js';

export interface ProvisioningRouteOptions {
  customerName: (customerId: string) => string;
  now: Date;
}

/** Queues a card for every active watch of each changed order; a completed order's watches end. Returns how many were queued. */
export function routeProvisioningEvents(state: State, provisioningEvents: readonly ProvisioningEvent[], { customerName, now }: ProvisioningRouteOptions): number {
  if (provisioningEvents.length === 0) return 0;
  const at = now.toISOString();
  // A delivery already queued or already sent (a batch fetched again after a crash) is not queued again.
  const outbox = new OutboxQueue(state);
  let queued = 0;
  for (const event of provisioningEvents) {
    const matches = (watch: Watch) => watch.kind === 'order' && watch.orderId === event.orderId && watch.customerId === event.customerId;
    for (const watch of state.watches.filter(matches)) {
      if (!state.targets[watch.targetKey]?.active) continue;
      const delivery: ProvisioningDelivery = {
        kind: 'provisioning',
        id: `provisioning|${watch.targetKey}|${event.id}`,
        targetKey: watch.targetKey,
        customerName: customerName(event.customerId),
        provisioning: event.provisioning,
        final: event.kind === 'completed',
        note: event.changes.map(lineChangeText).join('\n'),
        changes: event.changes,
        createdAt: at,
        attempts: 0,
        notBefore: at,
        lastError: null,
      };
      queued += outbox.enqueue(delivery);
    }
    // An order watch ends by itself once everything is final: its last card is the one just queued.
    if (event.kind === 'completed') state.watches = state.watches.filter((watch) => !matches(watch));
  }
  return queued;
}

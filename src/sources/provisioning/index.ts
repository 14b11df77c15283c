// Provisioning alerts as a source: a watched order's line items, fetched by the engine's sweep
// (`o|<customerId>/<orderId>`), diffed here against the stored snapshot (diff.ts), one card per change to
// every conversation watching the order (routing.ts; the watch ends once the order is final), and told to
// the outbound destinations (alertEvents.ts). Cards: card.ts.
import { eventCustomer } from '../../domain/alertEvent.js';
import type { OrderProvisioning } from '../../domain/types.js';
import { orderKey, type State } from '../../store/state.js';
import type { BatchSource } from '../source.js';
import { provisioningAlertEvent } from './alertEvents.js';
import { provisioningDigest, provisioningDigestReads, provisioningQuietReads, provisioningQuietSummary } from './digest.js';
import { diffProvisioning, type ProvisioningEvent } from './diff.js';
import { routeProvisioningEvents } from './routing.js';

export const PROVISIONING_SOURCE = 'provisioning';

export function provisioningSource(): BatchSource<OrderProvisioning> {
  return {
    name: PROVISIONING_SOURCE,
    loads: (fetched) => ({ orderSnapshots: fetched.map((provisioning) => orderKey(provisioning.customerId, provisioning.orderId)) }),
    ingest(state, fetched, ctx) {
      const fetchedAt = ctx.now.toISOString();
      const events: ProvisioningEvent[] = [];
      for (const provisioning of fetched) {
        const key = orderKey(provisioning.customerId, provisioning.orderId);
        // The watch may have ended (order complete, or unwatched) while this fetch was out.
        if (!hasOrderWatch(state, provisioning.customerId, provisioning.orderId)) continue;
        const diff = diffProvisioning(state.orderSnapshots[key], provisioning, fetchedAt);
        if (diff.event) {
          events.push(diff.event);
          const id = provisioning.customerId;
          ctx.emit?.(provisioningAlertEvent(diff.event, eventCustomer(id, ctx.findCustomer?.(id), ctx.customerName(id)), fetchedAt));
        }
        state.orderSnapshots[key] = diff.snapshot;
      }
      return { events: events.length, queued: routeProvisioningEvents(state, events, { customerName: ctx.customerName, now: ctx.now }) };
    },
    prune: pruneOrders,
    digestSection: provisioningDigest,
    digestReads: provisioningDigestReads,
    quietSection: provisioningQuietSummary,
    quietReads: provisioningQuietReads,
  };
}

/** The snapshots of orders no conversation watches any more (a watch ends once its order is final). */
export function pruneOrders(state: State): void {
  const watchedOrders = new Set(state.watches.filter((watch) => watch.kind === 'order').map((watch) => `${watch.customerId}/${watch.orderId}`));
  for (const key of Object.keys(state.orderSnapshots)) if (!watchedOrders.has(key)) delete state.orderSnapshots[key];
}

function hasOrderWatch(state: State, customerId: string, orderId: string): boolean {
  return state.watches.some((watch) => watch.kind === 'order' && watch.customerId === customerId && watch.orderId === orderId);
}

// Provisioning alerts as a source: a watched order's line items, planned (`o|<customerId>/<orderId>`, every
// round and in the fast lane: plan.ts) and fetched through the sweep, diffed here against the stored
// snapshot (diff.ts), one card per change to every conversation watching the order (routing.ts; the watch
// ends once the order is final), and told to the outbound destinations (alertEvents.ts). Cards: card.ts.
import { eventCustomer } from '../../domain/alertEvent.js';
import type { OrderProvisioning } from '../../domain/types.js';
import { orderKey, type State } from '../../store/state.js';
import { batchRegisterable, FAILURES_KEPT, type BatchSource, type SourceIngestContext } from '../source.js';
import { provisioningAlertEvent } from './alertEvents.js';
import { provisioningDigest, provisioningDigestReads, provisioningQuietReads, provisioningQuietSummary } from './digest.js';
import { diffProvisioning, type ProvisioningEvent } from './diff.js';
import { orderFastLane, orderItems, PROVISIONING_SOURCE, type OrderItem } from './plan.js';
import { routeProvisioningEvents } from './routing.js';

export { PROVISIONING_SOURCE };

export function provisioningSource(): BatchSource {
  return batchRegisterable<OrderProvisioning, OrderItem>({
    name: PROVISIONING_SOURCE,
    records: ['orderSnapshots'],
    byCustomer: false,
    counted: 'orders',
    wantsListing: () => false,
    roundItems: (state) => orderItems(state),
    fastLane: orderFastLane,
    fetch: (client, ctx, item) => client.provisioning(ctx, item.customer.id, item.orderId),
    loads: (fetched) => [{ orderSnapshots: fetched.map(({ data }) => orderKey(data.customerId, data.orderId)) }],
    ingest(state, ctx) {
      const fetched: OrderProvisioning[] = [];
      return {
        take(_item, provisioning) {
          fetched.push(provisioning);
          return 0;
        },
        // A refused order is a failed one in the round's summary; only a customer's refusal is told.
        refused: () => 0,
        finish: () => ingestOrders(state, fetched, ctx),
      };
    },
    count(sweep, item, failure) {
      if (!failure) sweep.ordersFetched++;
      else if (sweep.ordersFailed.length < FAILURES_KEPT) sweep.ordersFailed.push({ orderId: item.orderId, error: failure.error });
    },
    roundEnd: () => 0,
    prune: pruneOrders,
    digestSection: provisioningDigest,
    digestReads: provisioningDigestReads,
    quietSection: provisioningQuietSummary,
    quietReads: provisioningQuietReads,
  });
}

function ingestOrders(state: State, fetched: readonly OrderProvisioning[], ctx: SourceIngestContext): { events: number; queued: number } {
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
}

/** The snapshots of orders no conversation watches any more (a watch ends once its order is final). */
export function pruneOrders(state: State): void {
  const watchedOrders = new Set(state.watches.filter((watch) => watch.kind === 'order').map((watch) => `${watch.customerId}/${watch.orderId}`));
  for (const key of Object.keys(state.orderSnapshots)) if (!watchedOrders.has(key)) delete state.orderSnapshots[key];
}

function hasOrderWatch(state: State, customerId: string, orderId: string): boolean {
  return state.watches.some((watch) => watch.kind === 'order' && watch.customerId === customerId && watch.orderId === orderId);
}

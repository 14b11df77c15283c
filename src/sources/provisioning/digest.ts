// The provisioning source's part of a conversation's digest (its watched orders, every one still
// provisioning since a watch ends when its order is final) and of its end-of-quiet-hours summary (the
// orders whose changes were held), read from the order snapshots alone; and what those read of them.
import { SUMMARY_LIMITS, summaryList, type SummaryOrder } from '../../domain/digest.js';
import { isFinalState, isFulfilled } from '../../domain/provisioning.js';
import type { Loads } from '../../store/paged.js';
import { orderKey, type HeldAlert, type State } from '../../store/state.js';
import { customerNames, type CustomerNames } from '../customerNames.js';
import type { DigestKeys, DigestSectionContext, SummaryParts } from '../source.js';

/** Watched orders, those with failed lines first. */
export function provisioningDigest(state: Readonly<State>, targetKey: string, ctx: DigestSectionContext): SummaryParts {
  const name = customerNames(state, targetKey, ctx.customerName);
  const orders = watchedOrders(state, targetKey)
    .map((watch) => summaryOrder(state, name, watch.customerId, watch.orderId, watch.customerName))
    .sort((a, b) => b.linesFailed - a.linesFailed || a.customerName.localeCompare(b.customerName) || a.orderId.localeCompare(b.orderId));
  return { orders: summaryList(orders, SUMMARY_LIMITS.orders) };
}

/** The orders whose changes quiet hours held, each with the latest change held. */
export function provisioningQuietSummary(state: Readonly<State>, targetKey: string, held: readonly HeldAlert[], ctx: DigestSectionContext): SummaryParts {
  const name = customerNames(state, targetKey, ctx.customerName);
  const orders = new Map<string, SummaryOrder>();
  for (const alert of held) {
    if (alert.kind !== 'provisioning') continue;
    const key = `${alert.customerId ?? ''}/${alert.orderId ?? ''}`;
    const order = orders.get(key) ?? summaryOrder(state, name, alert.customerId ?? '', alert.orderId ?? '', alert.customerName);
    order.note = alert.text; // the latest change says where it stands
    orders.set(key, order);
  }
  return { orders: summaryList([...orders.values()], SUMMARY_LIMITS.orders) };
}

export function provisioningDigestReads(state: Readonly<State>, targetKey: string): DigestKeys[] {
  return [{ field: 'orderSnapshots', keys: watchedOrders(state, targetKey).map((watch) => orderKey(watch.customerId, watch.orderId)) }];
}

export function provisioningQuietReads(held: readonly HeldAlert[]): Loads {
  return { orderSnapshots: held.filter((alert) => alert.kind === 'provisioning').map((alert) => orderKey(alert.customerId ?? '', alert.orderId ?? '')) };
}

function watchedOrders(state: Readonly<State>, targetKey: string): { customerId: string; orderId: string; customerName: string | undefined }[] {
  return state.watches
    .filter((watch) => watch.targetKey === targetKey && watch.kind === 'order' && watch.customerId && watch.orderId)
    .map((watch) => ({ customerId: watch.customerId as string, orderId: watch.orderId as string, customerName: watch.customerName ?? undefined }));
}

function summaryOrder(state: Readonly<State>, name: CustomerNames, customerId: string, orderId: string, customerName?: string): SummaryOrder {
  const snapshot = state.orderSnapshots[orderKey(customerId, orderId)];
  const states = Object.values(snapshot?.lines ?? {}).map((line) => line.split('|')[0] ?? '');
  return {
    customerId,
    customerName: customerName ?? name(customerId),
    orderId,
    linesTotal: states.length,
    linesFinal: states.filter((lineState) => isFinalState(lineState)).length,
    linesFailed: states.filter((lineState) => isFinalState(lineState) && !isFulfilled(lineState)).length,
    unchecked: !snapshot,
    note: null,
  };
}

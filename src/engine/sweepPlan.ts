// What the sweep fetches: every watched customer once (however many conversations watch it) and every
// watched order, as items with keys that sort, so a durable cursor can say where a round stands; and which
// customers belong in the fast lane. Pure: the state and the customer listing come in as arguments.
import type { Customer } from '../domain/types.js';
import { customerFromWatch } from '../domain/watchedCustomer.js';
import { orderKey, type State } from '../store/state.js';
import type { AlertSource, SourceItem } from '../sources/source.js';
import { factsIn, type PlanFacts } from '../store/paged.js';

export type SweepItem =
  | { key: string; kind: 'customer'; customer: Customer }
  | { key: string; kind: 'order'; customerId: string; orderId: string; customerName: string }
  | SourceItem;

export const CUSTOMER_ITEM_PREFIX = 'c|';
export const customerItemKey = (customerId: string): string => `${CUSTOMER_ITEM_PREFIX}${customerId}`;
export const orderItemKey = (customerId: string, orderId: string): string => `o|${orderKey(customerId, orderId)}`;

/** Active watches of conversations the bot may still post to. */
function activeWatches(state: Readonly<State>) {
  return state.watches.filter((watch) => state.targets[watch.targetKey]?.active);
}

export function watchesAll(state: Readonly<State>): boolean {
  return activeWatches(state).some((watch) => watch.kind === 'all');
}

/** Does the round need the partner's customer listing: a "watch all", of incidents or of a source? */
export function wantsListing(state: Readonly<State>, sources: readonly AlertSource[] = []): boolean {
  return watchesAll(state) || sources.some((source) => source.wantsListing(state));
}

/**
 * The items of a round, sorted by key. `listing` is the customer list for "watch all": the fresh one, or
 * the last known one when listing failed (never nothing: a failed listing must not stop alerting). Each
 * source adds its items that are due at `now` (e.g. `s|<customerId>`: one customer's subscriptions).
 */
export function roundItems(
  state: Readonly<State>,
  listing: readonly Customer[],
  find: (id: string) => Customer | undefined,
  sources: readonly AlertSource[] = [],
  now = 0,
  facts: PlanFacts = factsIn(state),
): SweepItem[] {
  const items = new Map<string, SweepItem>();
  const watches = activeWatches(state);
  if (watches.some((watch) => watch.kind === 'all')) {
    for (const customer of listing) items.set(customerItemKey(customer.id), { key: customerItemKey(customer.id), kind: 'customer', customer });
  }
  for (const watch of watches) {
    if (!watch.customerId) continue;
    if (watch.kind === 'customer') {
      const key = customerItemKey(watch.customerId);
      if (!items.has(key)) items.set(key, { key, kind: 'customer', customer: find(watch.customerId) ?? customerFromWatch(watch.customerId, watch.customerName) });
    } else if (watch.kind === 'order' && watch.orderId) {
      const key = orderItemKey(watch.customerId, watch.orderId);
      items.set(key, { key, kind: 'order', customerId: watch.customerId, orderId: watch.orderId, customerName: watch.customerName ?? watch.customerId });
    }
  }
  for (const source of sources) for (const item of source.roundItems(state, listing, find, now, facts)) items.set(item.key, item);
  return [...items.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Items the fast lane keeps fresh: customers with an active incident or a change within `recentMs`, and
 * everything watched one by one (customers and orders) — but only what some conversation watches. Never a
 * source's items: they keep to their own period, in the rolling round.
 */
export function fastLaneItems(
  state: Readonly<State>,
  now: number,
  recentMs: number,
  find: (id: string) => Customer | undefined,
  facts: PlanFacts = factsIn(state),
): SweepItem[] {
  const items = new Map<string, SweepItem>();
  const watches = activeWatches(state);
  for (const item of roundItems({ ...state, watches: watches.filter((watch) => watch.kind !== 'all') } as State, [], find, [], 0, facts)) {
    items.set(item.key, item);
  }
  if (watches.some((watch) => watch.kind === 'all')) {
    const recent = new Date(now - recentMs).toISOString();
    for (const [customerId, snapshot] of facts.get('incidentSnapshots') ?? []) {
      const key = customerItemKey(customerId);
      if (items.has(key)) continue;
      if (snapshot.active || (snapshot.changedAt !== null && snapshot.changedAt >= recent)) {
        items.set(key, { key, kind: 'customer', customer: find(customerId) ?? customerFromWatch(customerId, null) });
      }
    }
  }
  return [...items.values()];
}

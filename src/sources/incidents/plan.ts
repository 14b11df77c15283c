// What the incidents source fetches: every watched customer once, however many conversations watch it
// (`c|<customerId>`; with "watch all", every customer of the partner's listing), and which of them the fast
// lane keeps fresh: those watched one by one, and with "watch all" those with an active incident or a change
// within the lane's `recentMs`. Pure: the state and the customer listing come in as arguments.
import type { Customer } from '../../domain/types.js';
import { customerFromWatch } from '../../domain/watchedCustomer.js';
import type { PlanFacts } from '../../store/paged.js';
import type { State, Watch } from '../../store/state.js';
import type { CustomerSourceItem, FastLaneHook } from '../source.js';

export const INCIDENTS_SOURCE = 'incidents';

/** One customer's incidents. The key never changes: a stored round cursor goes by it. */
export interface IncidentItem extends CustomerSourceItem {
  source: typeof INCIDENTS_SOURCE;
}

export const INCIDENT_ITEM_PREFIX = 'c|';
export const incidentItemKey = (customerId: string): string => `${INCIDENT_ITEM_PREFIX}${customerId}`;

const item = (customer: Customer): IncidentItem => ({ key: incidentItemKey(customer.id), kind: 'source', source: INCIDENTS_SOURCE, customer });

/** Active watches of conversations the bot may still post to. */
function activeWatches(state: Readonly<State>): Watch[] {
  return state.watches.filter((watch) => state.targets[watch.targetKey]?.active);
}

export function watchesAllIncidents(state: Readonly<State>): boolean {
  return activeWatches(state).some((watch) => watch.kind === 'all');
}

/** Customers watched one by one, each once. */
function ownItems(watches: readonly Watch[], find: (id: string) => Customer | undefined, items: Map<string, IncidentItem>): void {
  for (const watch of watches) {
    if (watch.kind !== 'customer' || !watch.customerId) continue;
    const key = incidentItemKey(watch.customerId);
    if (!items.has(key)) items.set(key, item(find(watch.customerId) ?? customerFromWatch(watch.customerId, watch.customerName)));
  }
}

/** `listing`: the partner's customers for "watch all" (the fresh list, or the last known one when listing failed). */
export function incidentItems(state: Readonly<State>, listing: readonly Customer[], find: (id: string) => Customer | undefined): IncidentItem[] {
  const items = new Map<string, IncidentItem>();
  const watches = activeWatches(state);
  if (watches.some((watch) => watch.kind === 'all')) for (const customer of listing) items.set(incidentItemKey(customer.id), item(customer));
  ownItems(watches, find, items);
  return [...items.values()];
}

export const incidentFastLane: FastLaneHook<IncidentItem> = {
  field: 'incidentSnapshots',
  // Only what may belong in the lane: active or recently changed, or watched one by one.
  filter: (state, changedSince) => ({ changedSince, keys: state.watches.filter((watch) => watch.kind === 'customer' && watch.customerId).map((watch) => watch.customerId as string) }),
  items(state, now, recentMs, find, facts: PlanFacts) {
    const own = new Map<string, IncidentItem>();
    const watches = activeWatches(state);
    ownItems(watches, find, own);
    const lively: IncidentItem[] = [];
    if (watches.some((watch) => watch.kind === 'all')) {
      const recent = new Date(now - recentMs).toISOString();
      for (const [customerId, snapshot] of facts.get('incidentSnapshots') ?? []) {
        if (own.has(incidentItemKey(customerId))) continue;
        if (snapshot.active || (snapshot.changedAt !== null && snapshot.changedAt >= recent)) lively.push(item(find(customerId) ?? customerFromWatch(customerId, null)));
      }
    }
    return { watched: [...own.values()], lively };
  },
  recordKey: (fetched) => fetched.customer.id,
};

// Which customers' subscriptions a round fetches: every customer under "watch subscriptions all" and every
// one watched one by one, each once (key `s|<customerId>`), and only when due: once per
// SUBSCRIPTION_POLL_MINUTES, each customer at its own moment of that period (../spread.ts), so 5,000 lists
// do not all come due in one round — subscriptions change slowly, and the budget is shared. Pure.
import type { Customer } from '../../domain/types.js';
import type { Watch } from '../../domain/watch.js';
import { customerFromWatch } from '../../domain/watchedCustomer.js';
import type { SourceItem } from '../source.js';
import { isDue } from '../spread.js';
import type { State } from '../../store/state.js';
import { factsIn, type PlanFacts } from '../../store/paged.js';
import type { SubscriptionSettings } from './model.js';

export const SOURCE_NAME = 'subscriptions';

export const subscriptionItemKey = (customerId: string): string => `s|${customerId}`;

/** Subscription watches of conversations the bot may still post to. */
export function subscriptionWatches(state: Readonly<State>): Watch[] {
  return state.watches.filter((watch) => watch.kind === 'subscriptions' && state.targets[watch.targetKey]?.active);
}

export function watchesAllSubscriptions(state: Readonly<State>): boolean {
  return subscriptionWatches(state).some((watch) => watch.customerId === null);
}

export function subscriptionItems(
  state: Readonly<State>,
  listing: readonly Customer[],
  find: (id: string) => Customer | undefined,
  now: number,
  settings: Pick<SubscriptionSettings, 'pollMinutes'>,
  facts: PlanFacts = factsIn(state),
): SourceItem[] {
  const snapshots = facts.get('subscriptionSnapshots');
  const periodMs = settings.pollMinutes * 60_000;
  const items = new Map<string, SourceItem>();
  const add = (customer: Customer) => {
    const key = subscriptionItemKey(customer.id);
    if (items.has(key)) return;
    const fetchedAt = snapshots?.get(customer.id)?.fetchedAt ?? null;
    if (isDue(key, fetchedAt === null ? undefined : Date.parse(fetchedAt), now, periodMs)) items.set(key, { key, kind: 'source', source: SOURCE_NAME, customer });
  };
  const watches = subscriptionWatches(state);
  if (watches.some((watch) => watch.customerId === null)) for (const customer of listing) add(customer);
  for (const watch of watches) {
    if (watch.customerId !== null) add(find(watch.customerId) ?? customerFromWatch(watch.customerId, watch.customerName));
  }
  return [...items.values()];
}

// Subscription alerts as an alert source of the continuous engine: suspended, expired, disabled or deleted
// subscriptions, attention needed, terms ending without renewal, quantity changes, new and cancelled
// subscriptions, trials. Plan (plan.ts) → fetch → diff (diff.ts) → threads and outbox (routing.ts), in the
// engine's lanes, budget and single write per batch; cards in card.ts.
import { RETENTION_MS } from '../../domain/retention.js';
import type { Subscription } from '../../domain/types.js';
import type { Watch } from '../../domain/watch.js';
import type { AlertSource, CustomerSourceItem } from '../source.js';
import type { State } from '../../store/state.js';
import type { StorePorts } from '../../store/ports/index.js';
import { subscriptionAlertEvent } from './alertEvents.js';
import { diffSubscriptions } from './diff.js';
import { subscriptionDigestReads, subscriptionDigestSection } from './digestSection.js';
import { DEFAULT_SUBSCRIPTION_SETTINGS, type SubscriptionSettings, type SubscriptionThread } from './model.js';
import { SOURCE_NAME, subscriptionItems, subscriptionWatches, watchesAllSubscriptions } from './plan.js';
import { markSubscriptionsSeen, routeSubscriptionEvents } from './routing.js';

export { SOURCE_NAME, subscriptionItemKey } from './plan.js';
export type { SubscriptionSettings } from './model.js';

export interface SubscriptionSource extends AlertSource<Subscription[], CustomerSourceItem> {
  readonly settings: SubscriptionSettings;
  /**
   * A new watch's baseline, in the write that stores the watch: the subscriptions it was shown are what
   * already is (kept if another conversation's watch made one), and those in trouble count as seen here.
   */
  baseline(state: State, watch: Watch, customerName: string, subscriptions: readonly Subscription[], now: Date): void;
}

export function subscriptionSource(settings: SubscriptionSettings = DEFAULT_SUBSCRIPTION_SETTINGS): SubscriptionSource {
  return {
    name: SOURCE_NAME,
    noun: 'subscription list',
    settings,
    wantsListing: watchesAllSubscriptions,
    records: ['subscriptionSnapshots'],
    // The customer's cards (paged), in every conversation: routing finds its episodes' cards among them.
    loads: (item) => ({ subscriptionSnapshots: [item.customer.id], subscriptionThreads: { customers: [item.customer.id] } }),
    roundItems: (state, listing, find, now, facts) => subscriptionItems(state, listing, find, now, settings, facts),
    fetch: (client, ctx, item) => client.subscriptions(ctx, item.customer.id),
    ingest(state, item, subscriptions, ctx) {
      const id = item.customer.id;
      const before = state.subscriptionSnapshots[id];
      const diff = diffSubscriptions(id, before, subscriptions, ctx.now.toISOString(), settings);
      state.subscriptionSnapshots[id] = diff.snapshot;
      // Outbound destinations (webhooks, tickets) hear of every change, in this same write.
      if (ctx.emit) for (const event of diff.events) ctx.emit(subscriptionAlertEvent(event, before, item.customer, ctx.customerName(id), ctx.now.toISOString()));
      return { events: diff.events.length, queued: routeSubscriptionEvents(state, diff.events, ctx) };
    },
    prune: pruneSubscriptions,
    digestSection: (state, targetKey, ctx) => subscriptionDigestSection(state, targetKey, ctx, settings),
    digestReads: (state, targetKey, ctx) => subscriptionDigestReads(state, targetKey, ctx, settings),
    baseline(state, watch, customerName, subscriptions, now) {
      if (watch.customerId === null) return;
      state.subscriptionSnapshots[watch.customerId] ??= diffSubscriptions(watch.customerId, undefined, subscriptions, now.toISOString(), settings).snapshot;
      markSubscriptionsSeen(state, watch, customerName, subscriptions, now, settings.warnDays);
    },
  };
}

/**
 * Cards of episodes over for 30 days are forgotten; so are cards unchanged for 30 days that nobody can see
 * any more (their conversation went inactive, or no subscription watch of it covers the customer now),
 * even if their episode never ended; and the snapshots of customers no watch covers.
 */
export function pruneSubscriptions(state: State, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  // Conversations the bot may still post to → the customers their subscription watches cover (null: all).
  const covered = new Map<string, Set<string | null>>();
  for (const watch of subscriptionWatches(state)) {
    const customers = covered.get(watch.targetKey) ?? new Set<string | null>();
    covered.set(watch.targetKey, customers.add(watch.customerId));
  }
  const seen = (thread: SubscriptionThread): boolean => {
    const customers = covered.get(thread.targetKey);
    return customers !== undefined && (customers.has(null) || customers.has(thread.customerId));
  };
  for (const [key, thread] of Object.entries(state.subscriptionThreads)) {
    if ((thread.closedAt && thread.closedAt < cutoff) || (thread.updatedAt < cutoff && !seen(thread))) delete state.subscriptionThreads[key];
  }
  // Any subscription watch (even of a conversation gone quiet) keeps its customers: a watch may come back.
  const watches = state.watches.filter((watch) => watch.kind === 'subscriptions');
  if (watches.some((watch) => watch.customerId === null)) return;
  const watched = new Set(watches.map((watch) => watch.customerId));
  for (const customerId of Object.keys(state.subscriptionSnapshots)) if (!watched.has(customerId)) delete state.subscriptionSnapshots[customerId];
}

/** The state of one conversation's subscription watch of a customer: its own, through "all", or none. */
export function subscriptionWatchOf(ports: Pick<StorePorts, 'conversations' | 'watches'>, targetKey: string, customerId: string): 'customer' | 'all' | null {
  // As subscriptionWatches: a conversation the bot may no longer post to watches nothing.
  if (!ports.conversations.get(targetKey)?.active) return null;
  const mine = ports.watches.forConversation(targetKey).filter((watch) => watch.kind === 'subscriptions');
  if (mine.some((watch) => watch.customerId === customerId)) return 'customer';
  return mine.some((watch) => watch.customerId === null) ? 'all' : null;
}

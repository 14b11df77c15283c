// Watching subscriptions: "watch subscriptions contoso|all [severity warning]", "unwatch subscriptions
// contoso|all", and the "Watch subscriptions here" buttons. A watch of one customer reads its subscriptions
// first and stores them as the baseline in the same write, so only what changes after it is alerted;
// "all" takes its baseline customer by customer at the first fetch of each.
import { messageCard } from '../cards.js';
import type { WatchFilters } from '../domain/commands.js';
import { matchCustomer } from '../domain/customerMatch.js';
import type { Customer, Subscription } from '../domain/types.js';
import { describeWatch, type Watch } from '../domain/watch.js';
import { subscriptionSource, type SubscriptionSource } from '../sources/subscriptions/index.js';
import { resolveCustomer, toResolution } from './customerResolution.js';
import { forCustomer } from './failureText.js';
import { cardReply, textReply, type Reply } from './reply.js';
import { subscriptionsReplyCard } from './replyCards.js';
import type { BotServices } from './services.js';
import { txPorts } from '../store/ports/index.js';
import { conversationExclusions, newWatch, watchesOf, type WatchContext } from './watchBook.js';
import { announce } from './watchCommands.js';

const defaultSource = subscriptionSource();

export function subscriptionsOf(services: BotServices): SubscriptionSource {
  return services.subscriptions ?? defaultSource;
}

/** This conversation's subscription watches. */
export function subscriptionWatchesOf(services: BotServices, ctx: { target: { key: string } }): Watch[] {
  return watchesOf(services, ctx).filter((watch) => watch.kind === 'subscriptions');
}

/**
 * Watch a customer's subscriptions here (replacing an earlier such watch here), with `subscriptions` as the
 * baseline, in one write.
 */
export async function saveSubscriptionWatch(
  services: BotServices,
  ctx: WatchContext,
  customer: Customer,
  subscriptions: readonly Subscription[],
  minSeverity: WatchFilters['minSeverity'],
): Promise<Watch> {
  const watch = newWatch(ctx, { kind: 'subscriptions', customerId: customer.id, customerName: customer.companyName, minSeverity, workloads: [] });
  const source = subscriptionsOf(services);
  await services.store.update((state) => {
    // The watch through its port; its baseline (the subscriptions' snapshot) still on the draft.
    const { watches } = txPorts(state);
    watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'subscriptions' && w.customerId === customer.id);
    watches.add(watch);
    // Watching its subscriptions on their own brings the customer back into "watch subscriptions all" too.
    for (const all of watches.forConversation(ctx.target.key)) {
      if (all.kind === 'subscriptions' && all.customerId === null && all.excluded) {
        all.excluded = all.excluded.filter((entry) => entry.customerId !== customer.id);
      }
    }
    source.baseline(state, watch, customer.companyName, subscriptions, ctx.now);
  }, { load: { subscriptionSnapshots: [customer.id], subscriptionThreads: { customers: [customer.id] } } });
  services.engine.watchesChanged();
  return watch;
}

export async function removeSubscriptionWatch(services: BotServices, ctx: { target: { key: string } }, customerId: string | null): Promise<void> {
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'subscriptions' && w.customerId === customerId));
}

export async function watchSubscriptionsCommand(services: BotServices, ctx: WatchContext, query: string | null, filters: WatchFilters): Promise<Reply[]> {
  if (query === null) return watchAllSubscriptions(services, ctx, filters);
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `watch subscriptions ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const { customer } = resolution;
  const subscriptions = await forCustomer(customer.companyName, () => services.client.subscriptions({ correlationId: ctx.correlationId }, customer.id));
  const watch = await saveSubscriptionWatch(services, ctx, customer, subscriptions, filters.minSeverity);
  return [
    announce(ctx, `now watches ${describeWatch(watch)} here: suspensions, expiry, terms ending without renewal, quantity changes and trials.`),
    cardReply(subscriptionsReplyCard(customer, subscriptions, 'all', 1, ctx.now, 'customer')),
  ];
}

async function watchAllSubscriptions(services: BotServices, ctx: WatchContext, filters: WatchFilters): Promise<Reply[]> {
  // How many there are today: the directory's listing while it is fresh (another instance's too, with PostgreSQL).
  const customers = await services.directory.count({ correlationId: ctx.correlationId });
  const watch = newWatch(ctx, { kind: 'subscriptions', customerId: null, customerName: null, minSeverity: filters.minSeverity, workloads: [] });
  await services.store.transaction((tx) => {
    const excluded = conversationExclusions(tx.watches, ctx.target.key, 'subscriptions');
    if (excluded.length > 0) watch.excluded = excluded;
    tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'subscriptions' && w.customerId === null);
    tx.watches.add(watch);
  });
  services.engine.watchesChanged();
  const minutes = subscriptionsOf(services).settings.pollMinutes;
  return [
    announce(ctx, `now watches ${describeWatch(watch)} here (${customers} today; new customers are picked up).`),
    textReply(
      `The first check of each customer takes note of its subscriptions as they are; you will hear about every change after it. Subscriptions are checked every ${minutes >= 1 ? `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}` : 'round'}.`,
    ),
  ];
}

export async function unwatchSubscriptionsCommand(services: BotServices, ctx: WatchContext, query: string | null): Promise<Reply[]> {
  const mine = subscriptionWatchesOf(services, ctx);
  const all = mine.find((watch) => watch.customerId === null);
  if (query === null) {
    if (!all) return [notWatched(mine.length === 0 ? 'This conversation does not watch any subscriptions.' : 'This conversation does not watch the subscriptions of all customers.')];
    await removeSubscriptionWatch(services, ctx, null);
    return [announce(ctx, 'stopped watching the subscriptions of all customers here.')];
  }
  // Match against what this conversation watches first: that is what the user is looking at.
  const own = mine.filter((watch) => watch.customerId !== null);
  await services.directory.prefetch(own.flatMap((watch) => (watch.customerId ? [watch.customerId] : [])));
  const watched: Customer[] = own.map((watch) => ({
    id: watch.customerId ?? '',
    companyName: watch.customerName ?? '',
    domain: services.directory.find(watch.customerId ?? '')?.domain ?? '',
    relationshipToPartner: 'unknown',
  }));
  const resolution = toResolution(matchCustomer(query, watched), query, (name) => `unwatch subscriptions ${name}`);
  if (!resolution.ok) {
    if (all) return [stillCoveredByAll(query)];
    return [notWatched(own.length === 0 ? 'This conversation does not watch the subscriptions of any customer.' : `This conversation does not watch the subscriptions of a customer called “${query}”.`)];
  }
  const { customer } = resolution;
  await removeSubscriptionWatch(services, ctx, customer.id);
  const stopped = announce(ctx, `stopped watching the subscriptions of ${customer.companyName} here.`);
  return all ? [stopped, stillCoveredByAll(customer.companyName)] : [stopped];
}

function notWatched(text: string): Reply {
  return cardReply(messageCard({ title: 'Not watched here', text, tryThis: 'watches', tone: 'info' }));
}

function stillCoveredByAll(name: string): Reply {
  return cardReply(
    messageCard({
      title: `${name} is still covered by “watch subscriptions all”`,
      text: `This conversation watches the subscriptions of every customer, so alerts about ${name}’s subscriptions keep coming here. “exclude ${name}” leaves ${name} out of every “all” watch here; “unwatch subscriptions all” stops them all.`,
      tryThis: `exclude ${name}`,
      tone: 'info',
    }),
  );
}

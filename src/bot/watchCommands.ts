// Commands that change what a conversation is alerted about. A new watch answers with the current state
// and stores it as the baseline in the same write, so the next cycle reports only what changes after.
import { buttons as b, messageCard, watchesCard } from '../cards.js';
import type { WatchFilters } from '../domain/commands.js';
import { matchCustomer } from '../domain/customerMatch.js';
import { isOrderFinal } from '../sources/provisioning/diff.js';
import type { Customer } from '../domain/types.js';
import { describeWatch, watchesEveryCustomer, type Watch } from '../domain/watch.js';
import { resolveCustomer, toResolution } from './customerResolution.js';
import { forCustomer } from './failureText.js';
import { customerOfOrder, readOrder } from './lookupCommands.js';
import { cardReply, textReply, type Reply } from './reply.js';
import { provisioningReplyCard, statusReplyCard } from './replyCards.js';
import type { BotServices } from './services.js';
import { conversationExclusions, excludeFromWatchAll, newWatch, removeCustomerWatch, saveCustomerWatch, saveOrderWatch, watchesOf, type WatchContext } from './watchBook.js';

export type { WatchContext } from './watchBook.js';

export async function watchCustomerCommand(services: BotServices, ctx: WatchContext, query: string, filters: WatchFilters): Promise<Reply[]> {
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `watch ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const { customer } = resolution;
  const incidents = await forCustomer(customer.companyName, () => services.client.incidents({ correlationId: ctx.correlationId }, customer.id));
  const watch = await saveCustomerWatch(services, ctx, customer, incidents, filters);
  return [announce(ctx, `now watches ${describeWatch(watch)} here.`), cardReply(statusReplyCard(customer, incidents, ctx.now))];
}

export async function watchAllCommand(services: BotServices, ctx: WatchContext, filters: WatchFilters): Promise<Reply[]> {
  // How many there are today: the directory's listing while it is fresh (another instance's too, with PostgreSQL).
  const customers = await services.directory.count({ correlationId: ctx.correlationId });
  const watch = newWatch(ctx, { kind: 'all', customerId: null, customerName: null, ...filters });
  await services.store.transaction((tx) => {
    const excluded = conversationExclusions(tx.watches, ctx.target.key, 'all');
    if (excluded.length > 0) watch.excluded = excluded;
    tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'all');
    tx.watches.add(watch);
  });
  services.engine.watchesChanged();
  return [
    announce(ctx, `now watches ${describeWatch(watch)} here (${customers} today; new customers are picked up).`),
    textReply('The first check takes note of what is already going on; you will hear about every change after it.'),
  ];
}

export async function watchOrderCommand(services: BotServices, ctx: WatchContext, orderId: string, query: string): Promise<Reply[]> {
  const customer = await customerOfOrder(services, ctx.correlationId, orderId, query, (name) => `watch order ${orderId} for ${name}`);
  if (!('id' in customer)) return [customer];
  const { provisioning, products } = await readOrder(services, ctx.correlationId, customer, orderId);
  if (isOrderFinal(provisioning)) {
    return [
      cardReply(provisioningReplyCard(customer, provisioning, null, ctx.now, products)),
      textReply(`Order ${orderId} of ${customer.companyName} is already complete, so there is nothing to watch.`),
    ];
  }
  const watch = await saveOrderWatch(services, ctx, customer, provisioning);
  const card = cardReply(provisioningReplyCard(customer, provisioning, { by: watch.createdBy, since: watch.createdAt }, ctx.now, products));
  return [announce(ctx, `now watches ${describeWatch(watch)} here, until every line item is final.`), card];
}

export async function unwatchCustomerCommand(services: BotServices, ctx: WatchContext, query: string): Promise<Reply[]> {
  const watchAll = watchesOf(services, ctx).find((watch) => watch.kind === 'all');
  if (watchAll) return unwatchUnderWatchAll(services, ctx, query);
  const mine = watchesOf(services, ctx).filter((watch) => watch.kind === 'customer');
  // Match against what this conversation watches first: that is what the user is looking at.
  await services.directory.prefetch(mine.flatMap((watch) => (watch.customerId ? [watch.customerId] : [])));
  const watched: Customer[] = mine.map((watch) => ({
    id: watch.customerId ?? '',
    companyName: watch.customerName ?? '',
    domain: services.directory.find(watch.customerId ?? '')?.domain ?? '',
    relationshipToPartner: 'unknown',
  }));
  const resolution = toResolution(matchCustomer(query, watched), query, (name) => `unwatch ${name}`);
  if (!resolution.ok) {
    return [
      cardReply(
        messageCard({
          title: 'Not watched here',
          text: mine.length === 0 ? 'This conversation does not watch any customer.' : `This conversation does not watch a customer called “${query}”.`,
          tryThis: 'watches',
          tone: 'info',
        }),
      ),
    ];
  }
  const { customer } = resolution;
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'customer' && w.customerId === customer.id));
  return [announce(ctx, `stopped watching ${customer.companyName} here.`)];
}

/**
 * "unwatch contoso" while "watch all" is on: removing Contoso's own watch (if any) would not stop its
 * alerts, so say so and offer what would: leaving Contoso out of "watch all", or stopping "watch all".
 */
async function unwatchUnderWatchAll(services: BotServices, ctx: WatchContext, query: string): Promise<Reply[]> {
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `unwatch ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const { customer } = resolution;
  const own = watchesOf(services, ctx).some((watch) => watch.kind === 'customer' && watch.customerId === customer.id);
  if (own) await removeCustomerWatch(services, ctx, customer.id);
  const watchAll = watchesOf(services, ctx).find((watch) => watch.kind === 'all');
  if (watchAll?.excluded?.some((excluded) => excluded.customerId === customer.id)) {
    return [announce(ctx, `${own ? `stopped watching ${customer.companyName} here; it` : `${customer.companyName}`} is already left out of “watch all”, so no more alerts for it come here.`)];
  }
  return [
    ...(own ? [announce(ctx, `stopped watching ${customer.companyName} on its own here.`)] : []),
    cardReply(
      messageCard({
        title: `${customer.companyName} is still covered by “watch all”`,
        text: `This conversation watches all customers, so alerts for ${customer.companyName} keep coming here. To stop them, leave ${customer.companyName} out of “watch all” with “exclude ${customer.companyName}”, or stop watching every customer with “unwatch all”.`,
        tryThis: `exclude ${customer.companyName}`,
        tone: 'info',
        buttons: [b.exclude(customer.id, `Leave ${customer.companyName} out`), b.unwatch({ kind: 'all' }, 'Stop watching all customers'), b.watches()],
      }),
    ),
  ];
}

/** "exclude contoso": keep every "all" watch here (incidents, subscriptions), but without Contoso. */
export async function excludeCustomerCommand(services: BotServices, ctx: WatchContext, query: string): Promise<Reply[]> {
  if (!watchesOf(services, ctx).some(watchesEveryCustomer)) {
    return [
      cardReply(
        messageCard({
          title: 'No “watch all” here',
          text: 'Only a “watch all” or a “watch subscriptions all” can leave customers out. To stop alerts for one customer, unwatch it.',
          tryThis: `unwatch ${query}`,
          tone: 'info',
        }),
      ),
    ];
  }
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `exclude ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const { customer } = resolution;
  const applied = await excludeFromWatchAll(services, ctx, customer);
  return [announce(ctx, exclusionSentence(customer.companyName, applied))];
}

/** What "exclude" did, naming each "all" watch it applies to and how to bring each source back. */
function exclusionSentence(name: string, applied: readonly Watch[]): string {
  const access = applied.some((watch) => watch.kind === 'access');
  const others = applied.filter((watch) => watch.kind !== 'access');
  if (others.length === 0) return `left ${name} out of “watch access all” here; “watch access ${name}” brings its GDAP access back.`;
  const sentence = incidentsOrSubscriptionsSentence(name, others);
  return access ? `${sentence} Its GDAP access is left out of “watch access all” too; “watch access ${name}” brings it back.` : sentence;
}

function incidentsOrSubscriptionsSentence(name: string, applied: readonly Watch[]): string {
  const incidents = applied.some((watch) => watch.kind === 'all');
  const subscriptions = applied.some((watch) => watch.kind === 'subscriptions');
  if (!subscriptions) return `left ${name} out of “watch all” here; “watch ${name}” brings it back.`;
  if (!incidents) return `left ${name} out of “watch subscriptions all” here; “watch subscriptions ${name}” brings its subscriptions back.`;
  return `left ${name} out of “watch all” and “watch subscriptions all” here: neither its incidents nor its subscriptions are alerted here now. “watch ${name}” brings its incidents back, “watch subscriptions ${name}” its subscriptions.`;
}

export async function unwatchAllCommand(services: BotServices, ctx: WatchContext): Promise<Reply[]> {
  const count = watchesOf(services, ctx).length;
  if (count === 0) return [textReply('This conversation has no watches.')];
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key));
  return [announce(ctx, `removed all ${count} watch${count === 1 ? '' : 'es'} of this conversation.`)];
}

export async function unwatchOrderCommand(services: BotServices, ctx: WatchContext, orderId: string): Promise<Reply[]> {
  const watch = watchesOf(services, ctx).find((w) => w.kind === 'order' && w.orderId === orderId);
  if (!watch) return [textReply(`This conversation does not watch order ${orderId}. Say “watches” to see what it watches.`)];
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.id === watch.id));
  return [announce(ctx, `stopped watching order ${orderId} here.`)];
}

export function watchesCommand(services: BotServices, ctx: WatchContext): Reply[] {
  return [cardReply(watchesCard({ watches: watchesOf(services, ctx), now: ctx.now }))];
}

/** In a channel everyone sees who changed the alerts ("@Ana now watches Contoso here"). */
export function announce(ctx: WatchContext, sentence: string): Reply {
  return ctx.target.kind === 'personal' ? textReply(`This chat ${sentence}`) : byUser(ctx, sentence);
}

/** "@Ana <sentence>", with the mention Teams needs to show it as one. */
export function byUser(ctx: WatchContext, sentence: string): Reply {
  return textReply(`<at>${ctx.user.name}</at> ${sentence}`, [{ id: ctx.user.id, name: ctx.user.name }]);
}

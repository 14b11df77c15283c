// GDAP access commands: "access for <customer>", "access expiring [days]", "watch access all|<customer>" and
// "unwatch access all|<customer>". The customer is found as every command finds it, from Partner Center's
// customers; the relationships come from Microsoft Graph. A watch needs no baseline of its own: the first
// listing of the partner's relationships is the baseline, and it posts nothing.
import { messageCard, type AdaptiveCardJson } from '../cards.js';
import { matchCustomer } from '../domain/customerMatch.js';
import type { Customer } from '../domain/types.js';
import { describeWatch, type Watch } from '../domain/watch.js';
import { accessCard, accessExpiringCard } from '../sources/access/views.js';
import { accessEndingWithin, customerAccess } from '../sources/access/lookup.js';
import { endingWithin } from '../sources/access/digestSection.js';
import type { AccessSource } from '../sources/access/index.js';
import { resolveCustomer, toResolution } from './customerResolution.js';
import { forCustomer } from './failureText.js';
import { cardReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';
import { conversationExclusions, newWatch, watchesOf, type WatchContext } from './watchBook.js';
import { announce } from './watchCommands.js';
import { endsByDay } from '../domain/digestFacts.js';

/** The access source, or the reply that says GDAP is not set up in this app. */
function accessOf(services: BotServices): AccessSource | Reply {
  return services.access ?? cardReply(messageCard({ title: 'GDAP access is not set up', text: 'This bot has no Microsoft Graph settings, so it cannot read GDAP relationships.', tone: 'info' }));
}

export async function accessForCommand(services: BotServices, correlationId: string, query: string, now: Date): Promise<Reply[]> {
  const access = accessOf(services);
  if (!('graph' in access)) return [access];
  const resolution = await resolveCustomer(services, correlationId, query, (name) => `access for ${name}`);
  if (!resolution.ok) return [resolution.reply];
  return [cardReply(await customerAccessCard(access, resolution.customer, now))];
}

/** "access for": the customer's relationships as Graph lists them now. */
export async function customerAccessCard(access: AccessSource, customer: Customer, now: Date): Promise<AdaptiveCardJson> {
  const relationships = await forCustomer(customer.companyName, () => customerAccess(access.graph, customer.id, now));
  return accessCard({ customer, relationships, now });
}

/**
 * "access expiring": one page of the customers whose access ends within `days`. While access is watched the
 * last listing is at most GDAP_POLL_MINUTES old: it answers (as of then), and a partner with 50,000
 * relationships is not listed again for every page. Otherwise Graph is asked.
 */
export async function expiringCard(services: BotServices, access: AccessSource, days: number, page: number, now: Date): Promise<AdaptiveCardJson> {
  const { accessListing, watches } = services.store.ports;
  const listedAt = (await accessListing.get()).fetchedAt;
  const fresh = listedAt && watches.all().some((watch) => watch.kind === 'access') && now.getTime() - Date.parse(listedAt) <= access.settings.pollMinutes * 60_000;
  if (fresh) {
    // Only the customers whose facts say their access ends by then (or is lost): a query, not every snapshot.
    const facts = await services.store.facts('accessSnapshots', { keys: [], endsBy: endsByDay(now, days) });
    const { accessSnapshots } = await services.store.view({ accessSnapshots: [...facts.keys()] });
    const endings = endingWithin(Object.values(accessSnapshots), now, days).filter((ending) => (ending.daysLeft ?? -1) >= 0);
    return accessExpiringCard({ endings, days, page, now, asOf: new Date(listedAt) });
  }
  return accessExpiringCard({ endings: await accessEndingWithin(access.graph, days, now), days, page, now });
}

export async function accessExpiringCommand(services: BotServices, days: number, now: Date): Promise<Reply[]> {
  const access = accessOf(services);
  if (!('graph' in access)) return [access];
  return [cardReply(await expiringCard(services, access, days, 1, now))];
}

function accessWatchesOf(services: BotServices, ctx: { target: { key: string } }): Watch[] {
  return watchesOf(services, ctx).filter((watch) => watch.kind === 'access');
}

export async function watchAccessCommand(services: BotServices, ctx: WatchContext, query: string | null): Promise<Reply[]> {
  const access = accessOf(services);
  if (!('graph' in access)) return [access];
  let customer: Customer | null = null;
  if (query !== null) {
    const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `watch access ${name}`);
    if (!resolution.ok) return [resolution.reply];
    customer = resolution.customer;
  }
  const watch = newWatch(ctx, { kind: 'access', customerId: customer?.id ?? null, customerName: customer?.companyName ?? null, minSeverity: null, workloads: [] });
  await services.store.transaction((tx) => {
    if (customer === null) {
      const excluded = conversationExclusions(tx.watches, ctx.target.key, 'access');
      if (excluded.length > 0) watch.excluded = excluded;
    } else {
      // Watching its access on its own brings the customer back into "watch access all" too.
      for (const all of tx.watches.forConversation(ctx.target.key)) {
        if (all.kind === 'access' && all.customerId === null && all.excluded) {
          all.excluded = all.excluded.filter((entry) => entry.customerId !== customer?.id);
        }
      }
    }
    tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'access' && w.customerId === watch.customerId);
    tx.watches.add(watch);
  });
  services.engine.watchesChanged();
  const minutes = access.settings.pollMinutes;
  const every = minutes >= 1 ? `every ${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}` : 'every round';
  const replies = [
    announce(ctx, `now watches ${describeWatch(watch)} here: access ending in ${access.settings.warnDays}, 7 and 1 days, access lost and back, approvals stuck for a week, and relationships nobody can use.`),
    cardReply(
      messageCard({
        title: 'How access is checked',
        text: `The partner’s GDAP relationships are listed from Microsoft Graph ${every}. The first listing takes note of how things are and posts nothing; every change after it is alerted here. “access expiring” shows who is about to drop now.`,
        tryThis: customer ? `access for ${customer.companyName}` : 'access expiring',
        tone: 'info',
      }),
    ),
  ];
  if (customer) replies.push(cardReply(await customerAccessCard(access, customer, ctx.now)));
  return replies;
}

export async function unwatchAccessCommand(services: BotServices, ctx: WatchContext, query: string | null): Promise<Reply[]> {
  const mine = accessWatchesOf(services, ctx);
  const all = mine.find((watch) => watch.customerId === null);
  const remove = (customerId: string | null) =>
    services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'access' && w.customerId === customerId));
  if (query === null) {
    if (!all) return [notWatched(mine.length === 0 ? 'This conversation does not watch any GDAP access.' : 'This conversation does not watch the GDAP access of all customers.')];
    await remove(null);
    return [announce(ctx, 'stopped watching the GDAP access of all customers here.')];
  }
  const own = mine.filter((watch) => watch.customerId !== null);
  const watched: Customer[] = own.map((watch) => ({ id: watch.customerId ?? '', companyName: watch.customerName ?? '', domain: '', relationshipToPartner: 'unknown' }));
  const resolution = toResolution(matchCustomer(query, watched), query, (name) => `unwatch access ${name}`);
  if (!resolution.ok) {
    const text = all
      ? `This conversation watches the GDAP access of every customer, so alerts about “${query}” keep coming here. “unwatch access all” stops them all.`
      : own.length === 0
        ? 'This conversation does not watch the GDAP access of any customer.'
        : `This conversation does not watch the GDAP access of a customer called “${query}”.`;
    return [notWatched(text)];
  }
  await remove(resolution.customer.id);
  return [announce(ctx, `stopped watching the GDAP access of ${resolution.customer.companyName} here.`)];
}

function notWatched(text: string): Reply {
  return cardReply(messageCard({ title: 'Not watched here', text, tryThis: 'watches', tone: 'info' }));
}

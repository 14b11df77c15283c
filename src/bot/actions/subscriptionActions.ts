// Buttons of subscription alerts — Acknowledge, Mute 7 days, Unmute (they change the episode's thread in
// this conversation and so the card everyone sees) and Refresh (live data, for the clicker) — and "Watch
// subscriptions here" / "Stop watching subscriptions" on the customer overview and subscriptions cards.
import { buttons as b, VERBS } from '../../cards.js';
import type { Customer } from '../../domain/types.js';
import { subscriptionEpisodeKey } from '../../sources/subscriptions/alertEvents.js';
import { subscriptionAlertCard } from '../../sources/subscriptions/card.js';
import { subscriptionWatchOf } from '../../sources/subscriptions/index.js';
import { subscriptionThreadKey, type SubscriptionThread } from '../../sources/subscriptions/model.js';
import type { ActionData } from '../actionSchemas.js';
import { forCustomer } from '../failureText.js';
import { overviewReplyCard, subscriptionsReplyCard } from '../replyCards.js';
import type { BotServices } from '../services.js';
import { removeSubscriptionWatch, saveSubscriptionWatch } from '../subscriptionWatches.js';
import { withEpisodeTicket } from '../../tickets/cardTickets.js';
import { customerWatchOf } from '../watchBook.js';
import {
  changeThread,
  forgottenAlert,
  personal,
  requireCustomer,
  shared,
  storedThread,
  userName,
  type ActionContext,
  type ActionRoutes,
  type AlertThreadRef,
} from './kit.js';

const DAY_MS = 86_400_000;

type SubscriptionVerbs =
  | typeof VERBS.watchSubscriptions
  | typeof VERBS.unwatchSubscriptions
  | typeof VERBS.subscriptionAcknowledge
  | typeof VERBS.subscriptionMute
  | typeof VERBS.subscriptionUnmute
  | typeof VERBS.subscriptionRefresh;

type AlertData = ActionData<typeof VERBS.subscriptionAcknowledge>;
type WatchData = ActionData<typeof VERBS.watchSubscriptions>;

export const subscriptionActions: ActionRoutes<SubscriptionVerbs> = {
  [VERBS.watchSubscriptions]: {
    doing: () => 'watching the subscriptions of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      // Read first: the subscriptions are the new watch's baseline, and a failed read changes nothing.
      const live = await readLive(services, customer, ctx, data.view);
      await saveSubscriptionWatch(services, ctx, customer, live.subscriptions, null);
      return shared(watchCard(services, customer, live, ctx, data));
    },
  },

  [VERBS.unwatchSubscriptions]: {
    doing: () => 'no longer watching the subscriptions of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const live = await readLive(services, customer, ctx, data.view);
      await removeSubscriptionWatch(services, ctx, customer.id);
      return shared(watchCard(services, customer, live, ctx, data));
    },
  },

  [VERBS.subscriptionAcknowledge]: {
    doing: () => 'acknowledging the subscription alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        // The first acknowledgement counts: a second click (e.g. from a stale copy) does not take it over.
        if (thread.acknowledgedBy) return;
        thread.acknowledgedBy = userName(ctx);
        thread.acknowledgedAt = ctx.now.toISOString();
      }),
  },

  [VERBS.subscriptionMute]: {
    doing: () => 'muting the subscription alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        thread.mutedUntil = new Date(ctx.now.getTime() + data.days * DAY_MS).toISOString();
        thread.mutedBy = userName(ctx);
      }),
  },

  [VERBS.subscriptionUnmute]: {
    doing: () => 'unmuting the subscription alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        thread.mutedUntil = null;
        thread.mutedBy = null;
      }),
  },

  [VERBS.subscriptionRefresh]: {
    doing: () => 'reading the subscriptions of this customer',
    async run(services, data, ctx) {
      const thread = await storedThread(services, alertThread(services, ctx, data));
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const subscriptions = await forCustomer(customer.companyName, () => services.client.subscriptions({ correlationId: ctx.correlationId }, customer.id));
      // The card as it is stored, with the subscription as Partner Center shows it now (for the clicker only).
      const live = subscriptions.find((subscription) => subscription.id === data.subscriptionId);
      return personal(subscriptionAlertCard({ ...withTicket(services, thread), subscription: live ?? thread.subscription, gone: live ? thread.gone : true }, ctx.now));
    },
  },
};

/** What the watch buttons show again: the overview (incidents too) or the subscriptions card. */
async function readLive(services: BotServices, customer: Customer, ctx: ActionContext, view: WatchData['view']) {
  const request = { correlationId: ctx.correlationId };
  if (view === 'subscriptions') {
    const subscriptions = await forCustomer(customer.companyName, () => services.client.subscriptions(request, customer.id));
    return { subscriptions, incidents: [] };
  }
  const [incidents, subscriptions] = await forCustomer(customer.companyName, () =>
    Promise.all([services.client.incidents(request, customer.id), services.client.subscriptions(request, customer.id)]),
  );
  return { subscriptions, incidents };
}

function watchCard(
  services: BotServices,
  customer: Customer,
  live: Awaited<ReturnType<typeof readLive>>,
  ctx: ActionContext,
  data: WatchData,
) {
  const subscriptionsWatch = subscriptionWatchOf(services.store.ports, ctx.target.key, customer.id);
  if (data.view === 'subscriptions') return subscriptionsReplyCard(customer, live.subscriptions, 'all', 1, ctx.now, subscriptionsWatch);
  return overviewReplyCard({ customer, ...live, watch: customerWatchOf(services.store.ports.watches, ctx.target.key, customer.id), now: ctx.now, subscriptionsWatch });
}

/** The subscription episode's thread in the clicked card's conversation. */
function alertThread(services: BotServices, ctx: ActionContext, data: AlertData): AlertThreadRef<SubscriptionThread> {
  return {
    threads: (state) => state.subscriptionThreads,
    field: 'subscriptionThreads',
    key: subscriptionThreadKey(ctx.target.key, data.customerId, data.subscriptionId, data.episode),
    card: (thread, now) => subscriptionAlertCard(withTicket(services, thread), now),
    forgotten: () => forgottenAlert('this subscription alert', 'they end', [b.subscriptions(data.customerId, 'all', 1), b.help()]),
  };
}

/** The thread with its episode's PSA ticket, as the card posted by delivery shows it. */
function withTicket(services: BotServices, thread: SubscriptionThread) {
  return withEpisodeTicket(services.store.ports.tickets, thread, subscriptionEpisodeKey(thread.subscriptionId, thread.customerId, thread.episode));
}

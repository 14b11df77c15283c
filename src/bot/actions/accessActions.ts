// Buttons of GDAP access cards: Access (the customer's relationships, live), the pages of "access
// expiring", and on an access alert Acknowledge, Mute 7 days and Unmute (they change the episode's thread
// in this conversation and so the card everyone sees).
import { buttons as b, VERBS } from '../../cards.js';
import { accessAlertCard } from '../../sources/access/card.js';
import { accessEpisodeKey, accessThreadKey, type AccessThread } from '../../sources/access/model.js';
import { withEpisodeTicket } from '../../tickets/cardTickets.js';
import type { ActionData } from '../actionSchemas.js';
import { customerAccessCard, expiringCard } from '../accessCommands.js';
import { ActionProblem, changeThread, forgottenAlert, personal, requireCustomer, userName, type ActionContext, type ActionRoutes, type AlertThreadRef } from './kit.js';
import type { BotServices } from '../services.js';

const DAY_MS = 86_400_000;

type AccessVerbs = typeof VERBS.access | typeof VERBS.accessExpiring | typeof VERBS.accessAcknowledge | typeof VERBS.accessMute | typeof VERBS.accessUnmute;

type AlertData = ActionData<typeof VERBS.accessAcknowledge>;

function accessSource(services: BotServices) {
  if (!services.access) throw new ActionProblem('GDAP access is not set up', 'This bot has no Microsoft Graph settings, so it cannot read GDAP relationships.', [b.help()]);
  return services.access;
}

export const accessActions: ActionRoutes<AccessVerbs> = {
  [VERBS.access]: {
    doing: () => 'reading the GDAP relationships of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      return personal(await customerAccessCard(accessSource(services), customer, ctx.now));
    },
  },

  [VERBS.accessExpiring]: {
    doing: () => 'listing the GDAP relationships',
    async run(services, data, ctx) {
      return personal(await expiringCard(services, accessSource(services), data.days, data.page, ctx.now));
    },
  },

  [VERBS.accessAcknowledge]: {
    doing: () => 'acknowledging the access alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        if (thread.acknowledgedBy) return;
        thread.acknowledgedBy = userName(ctx);
        thread.acknowledgedAt = ctx.now.toISOString();
      }),
  },

  [VERBS.accessMute]: {
    doing: () => 'muting the access alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        thread.mutedUntil = new Date(ctx.now.getTime() + data.days * DAY_MS).toISOString();
        thread.mutedBy = userName(ctx);
      }),
  },

  [VERBS.accessUnmute]: {
    doing: () => 'unmuting the access alert',
    run: (services, data, ctx) =>
      changeThread(services, ctx, alertThread(services, ctx, data), (thread) => {
        thread.mutedUntil = null;
        thread.mutedBy = null;
      }),
  },
};

/** The access episode's thread in the clicked card's conversation. */
function alertThread(services: BotServices, ctx: ActionContext, data: AlertData): AlertThreadRef<AccessThread> {
  return {
    threads: (state) => state.accessThreads,
    field: 'accessThreads',
    key: accessThreadKey(ctx.target.key, data.customerId, data.episode),
    // With the episode's PSA ticket, as the card posted by delivery shows it.
    card: (thread, now) => accessAlertCard(withEpisodeTicket(services.store.ports.tickets, thread, accessEpisodeKey(thread.customerId, thread.openedAt)), now),
    forgotten: () => forgottenAlert('this access alert', 'they end', [b.help()]),
  };
}

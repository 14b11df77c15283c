// Buttons of an incident: its full history (a drill-down), and acknowledge, mute and unmute, which change
// the incident's thread in this conversation and so the alert card everyone sees.
import { buttons as b, VERBS } from '../../cards.js';
import { alertCustomersCard, threadAlertCard } from '../../sources/incidents/threadCard.js';
import { threadKey, type IncidentThread } from '../../store/state.js';
import { withTickets } from '../../tickets/cardTickets.js';
import type { BotServices } from '../services.js';
import { forCustomer } from '../failureText.js';
import { historyReplyCard } from '../replyCards.js';
import {
  ActionProblem,
  changeThread,
  forgottenAlert,
  personal,
  requireCustomer,
  storedThread,
  userName,
  type ActionContext,
  type ActionRoutes,
  type AlertThreadRef,
} from './kit.js';

const HOUR_MS = 3_600_000;

type IncidentVerbs = typeof VERBS.history | typeof VERBS.mute | typeof VERBS.unmute | typeof VERBS.acknowledge | typeof VERBS.alert | typeof VERBS.alertCustomers;

export const incidentActions: ActionRoutes<IncidentVerbs> = {
  [VERBS.history]: {
    doing: (data) => `reading the history of incident ${data.incidentId}`,
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const incidents = await forCustomer(customer.companyName, () => services.client.incidents({ correlationId: ctx.correlationId }, customer.id));
      const incident = incidents.find((candidate) => candidate.id === data.incidentId);
      if (!incident) {
        throw new ActionProblem(
          'Incident not found',
          `Partner Center no longer lists incident ${data.incidentId} for ${customer.companyName}. It may have been withdrawn; the customer's current incidents are one click away.`,
          [...(data.fromAlert ? [b.backToAlert(data.fromAlert)] : []), b.status(customer.id), b.overview(customer.id)],
        );
      }
      return personal(historyReplyCard(customer, incident, ctx.now, { fromAlert: data.fromAlert }));
    },
  },

  [VERBS.alert]: {
    doing: (data) => `showing the alert of incident ${data.incidentId}`,
    async run(services, data, ctx) {
      // The alert as the conversation shares it now, for the person who drilled down from it.
      return personal(threadAlertCard(withTickets(services.store.ports.tickets, await storedThread(services, incidentThread(services, ctx, data.incidentId))), ctx.now));
    },
  },

  [VERBS.alertCustomers]: {
    doing: (data) => `listing the customers of incident ${data.incidentId}`,
    async run(services, data, ctx) {
      // The customers as the conversation's alert lists them now.
      const thread = await storedThread(services, incidentThread(services, ctx, data.incidentId));
      await services.directory.prefetch(Object.keys(thread.customers));
      return personal(alertCustomersCard(thread, ctx.now, (id) => services.directory.find(id)?.domain));
    },
  },

  [VERBS.mute]: {
    doing: (data) => `muting incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, incidentThread(services, ctx, data.incidentId), (thread) => {
        thread.mutedUntil = new Date(ctx.now.getTime() + data.hours * HOUR_MS).toISOString();
        thread.mutedBy = userName(ctx);
      }),
  },

  [VERBS.unmute]: {
    doing: (data) => `unmuting incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, incidentThread(services, ctx, data.incidentId), (thread) => {
        thread.mutedUntil = null;
        thread.mutedBy = null;
      }),
  },

  [VERBS.acknowledge]: {
    doing: (data) => `acknowledging incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, incidentThread(services, ctx, data.incidentId), (thread) => {
        // The first acknowledgement counts: a second click (e.g. from a stale copy) does not take it over.
        if (thread.acknowledgedBy) return;
        thread.acknowledgedBy = userName(ctx);
        thread.acknowledgedAt = ctx.now.toISOString();
      }),
  },
};

/** The incident's thread in the clicked card's conversation. */
function incidentThread(services: BotServices, ctx: ActionContext, incidentId: string): AlertThreadRef<IncidentThread> {
  return {
    threads: (state) => state.threads,
    field: 'threads',
    key: threadKey(ctx.target.key, incidentId),
    // With the customers' PSA tickets, as the card posted by delivery shows them.
    card: (thread, now) => threadAlertCard(withTickets(services.store.ports.tickets, thread), now),
    forgotten: () => forgottenAlert(`the alert for incident ${incidentId}`, 'they are resolved', [b.watches(), b.help()]),
  };
}

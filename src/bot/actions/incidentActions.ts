// Buttons of an incident: its full history (a drill-down), and acknowledge, mute and unmute, which change
// the incident's thread in this conversation and so the alert card everyone sees.
import { buttons as b, threadAlertCard, VERBS } from '../../cards.js';
import { threadKey, type IncidentThread } from '../../store/state.js';
import { forCustomer } from '../failureText.js';
import { historyReplyCard } from '../replyCards.js';
import type { BotServices } from '../services.js';
import { ActionProblem, personal, requireCustomer, shared, type ActionContext, type ActionResult, type ActionRoutes } from './kit.js';

const HOUR_MS = 3_600_000;
/** A display name from Teams is stored on the thread and shown on the card; no reason to keep a novel. */
const MAX_USER_NAME = 120;

type IncidentVerbs = typeof VERBS.history | typeof VERBS.mute | typeof VERBS.unmute | typeof VERBS.acknowledge | typeof VERBS.alert;

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
      const thread = services.store.read().threads[threadKey(ctx.target.key, data.incidentId)];
      if (!thread) throw forgotten(data.incidentId);
      return personal(threadAlertCard(thread, ctx.now));
    },
  },

  [VERBS.mute]: {
    doing: (data) => `muting incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, data.incidentId, (thread) => {
        thread.mutedUntil = new Date(ctx.now.getTime() + data.hours * HOUR_MS).toISOString();
        thread.mutedBy = userName(ctx);
      }),
  },

  [VERBS.unmute]: {
    doing: (data) => `unmuting incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, data.incidentId, (thread) => {
        thread.mutedUntil = null;
        thread.mutedBy = null;
      }),
  },

  [VERBS.acknowledge]: {
    doing: (data) => `acknowledging incident ${data.incidentId}`,
    run: (services, data, ctx) =>
      changeThread(services, ctx, data.incidentId, (thread) => {
        // The first acknowledgement counts: a second click (e.g. from a stale copy) does not take it over.
        if (thread.acknowledgedBy) return;
        thread.acknowledgedBy = userName(ctx);
        thread.acknowledgedAt = ctx.now.toISOString();
      }),
  },
};

function userName(ctx: ActionContext): string {
  return ctx.user.name.slice(0, MAX_USER_NAME);
}

/**
 * Change the incident's thread of the clicked card's conversation and render its alert card again. The
 * thread is keyed by conversation, so a click can only ever change the alert of its own conversation.
 */
async function changeThread(
  services: BotServices,
  ctx: ActionContext,
  incidentId: string,
  change: (thread: IncidentThread) => void,
): Promise<ActionResult> {
  const key = threadKey(ctx.target.key, incidentId);
  if (!services.store.read().threads[key]) throw forgotten(incidentId);
  await services.store.update((state) => {
    const thread = state.threads[key];
    if (thread) change(thread);
  });
  const thread = services.store.read().threads[key];
  if (!thread) throw forgotten(incidentId);
  return shared(threadAlertCard(thread, ctx.now));
}

function forgotten(incidentId: string): ActionProblem {
  return new ActionProblem(
    'Alert no longer tracked',
    `I no longer keep the alert for incident ${incidentId} in this conversation (alerts are forgotten a while after they are resolved), so there is nothing to show or change.`,
    [b.watches(), b.help()],
  );
}

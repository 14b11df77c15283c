// Buttons of a customer: its overview and incidents (drill-downs), and watching or no longer watching it
// here, which changes what the conversation is alerted about and so the card everyone sees.
import { VERBS } from '../../cards.js';
import type { Customer } from '../../domain/types.js';
import { forCustomer } from '../failureText.js';
import { overviewReplyCard, statusReplyCard } from '../replyCards.js';
import type { BotServices } from '../services.js';
import { customerWatchOf, removeCustomerWatch, saveCustomerWatch } from '../watchBook.js';
import { personal, requireCustomer, shared, type ActionContext, type ActionResult, type ActionRoutes } from './kit.js';

type CustomerVerbs = typeof VERBS.overview | typeof VERBS.status | typeof VERBS.watchCustomer | typeof VERBS.unwatchCustomer;

export const customerActions: ActionRoutes<CustomerVerbs> = {
  [VERBS.overview]: {
    doing: () => 'reading the incidents and subscriptions of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const live = await readLive(services, customer, ctx);
      const from = { fromAlert: data.fromAlert };
      return personal(overviewReplyCard({ ...live, watch: customerWatchOf(services.store.ports.watches, ctx.target.key, customer.id) }, from));
    },
  },

  [VERBS.status]: {
    doing: () => 'reading the incidents of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const incidents = await forCustomer(customer.companyName, () => services.client.incidents({ correlationId: ctx.correlationId }, customer.id));
      return personal(statusReplyCard(customer, incidents, ctx.now));
    },
  },

  [VERBS.watchCustomer]: {
    doing: () => 'watching this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      // Read first: the incidents are the new watch's baseline, and a failed read changes nothing.
      const live = await readLive(services, customer, ctx);
      await saveCustomerWatch(services, ctx, customer, live.incidents, { minSeverity: null, workloads: [] });
      return afterWatchChange(services, ctx, live, data.fromAlert);
    },
  },

  [VERBS.unwatchCustomer]: {
    doing: () => 'no longer watching this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const live = await readLive(services, customer, ctx);
      await removeCustomerWatch(services, ctx, customer.id);
      return afterWatchChange(services, ctx, live, data.fromAlert);
    },
  },
};

/**
 * The overview after a watch change. The clicked card is usually the shared overview and is replaced for
 * everyone; but an overview opened from an alert sits on the alert's message, and replacing that would take
 * the alert away from everyone, so then only the clicker's card changes (with its way back to the alert).
 */
function afterWatchChange(services: BotServices, ctx: ActionContext, live: Awaited<ReturnType<typeof readLive>>, fromAlert: string | undefined): ActionResult {
  const card = overviewReplyCard({ ...live, watch: customerWatchOf(services.store.ports.watches, ctx.target.key, live.customer.id) }, { fromAlert });
  return fromAlert ? personal(card) : shared(card);
}

/** The overview's live part: incidents and subscriptions, read in parallel. */
async function readLive(services: BotServices, customer: Customer, ctx: ActionContext) {
  const request = { correlationId: ctx.correlationId };
  const [incidents, subscriptions] = await forCustomer(customer.companyName, () =>
    Promise.all([services.client.incidents(request, customer.id), services.client.subscriptions(request, customer.id)]),
  );
  return { customer, incidents, subscriptions, now: ctx.now };
}

// Buttons that page through lists: the partner's customers, a customer's subscriptions and orders; and Help, the
// way out offered by every error card.
import { buttons as b, helpCard, VERBS } from '../../cards.js';
import { forCustomer } from '../failureText.js';
import { ordersCard } from '../lookupCommands.js';
import { customersReplyCard, subscriptionsReplyCard } from '../replyCards.js';
import { personal, requireCustomer, type ActionRoutes } from './kit.js';

type ListVerbs = typeof VERBS.help | typeof VERBS.customers | typeof VERBS.subscriptions | typeof VERBS.orders;

export const listActions: ActionRoutes<ListVerbs> = {
  [VERBS.help]: {
    doing: () => 'showing help',
    run: async () => personal(helpCard({ buttons: [b.customers('', 1)] })),
  },

  [VERBS.customers]: {
    doing: () => 'listing customers',
    async run(services, data, ctx) {
      const request = { correlationId: ctx.correlationId };
      const prefix = data.prefix.trim();
      // The same lists as the "customers" command: Partner Center's own prefix filter, or the directory.
      const customers = prefix ? await services.directory.search(request, prefix) : await services.directory.all(request);
      return personal(customersReplyCard(prefix, customers, data.page, ctx.now));
    },
  },

  [VERBS.subscriptions]: {
    doing: () => 'reading the subscriptions of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      const subscriptions = await forCustomer(customer.companyName, () =>
        services.client.subscriptions({ correlationId: ctx.correlationId }, customer.id),
      );
      return personal(subscriptionsReplyCard(customer, subscriptions, data.filter, data.page, ctx.now));
    },
  },

  [VERBS.orders]: {
    doing: () => 'reading the orders of this customer',
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      return personal(await ordersCard(services, ctx.correlationId, customer, data.page, ctx.now, ctx.target.key));
    },
  },
};

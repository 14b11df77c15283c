// Buttons of an order: its provisioning now (a drill-down), and watching it here until every line item is
// final, or no longer, which changes the card everyone sees.
import { VERBS } from '../../cards.js';
import type { Customer, OrderLines, OrderProvisioning } from '../../domain/types.js';
import { isOrderFinal } from '../../sources/provisioning/diff.js';
import { readOrder } from '../lookupCommands.js';
import { provisioningReplyCard } from '../replyCards.js';
import type { BotServices } from '../services.js';
import { orderWatchOf, removeOrderWatch, saveOrderWatch } from '../watchBook.js';
import { personal, requireCustomer, shared, type ActionContext, type ActionResult, type ActionRoutes } from './kit.js';

type OrderVerbs = typeof VERBS.provisioning | typeof VERBS.watchOrder | typeof VERBS.unwatchOrder;

export const orderActions: ActionRoutes<OrderVerbs> = {
  [VERBS.provisioning]: {
    doing: (data) => `reading the provisioning of order ${data.orderId}`,
    async run(services, data, ctx) {
      const order = await readCustomerOrder(services, data, ctx);
      return personal(card(services, ctx, order));
    },
  },

  [VERBS.watchOrder]: {
    doing: (data) => `watching order ${data.orderId}`,
    async run(services, data, ctx) {
      const order = await readCustomerOrder(services, data, ctx);
      // A finished order changes no more: nothing to watch, and nothing changed for anyone else.
      if (isOrderFinal(order.provisioning)) return personal(card(services, ctx, order));
      await saveOrderWatch(services, ctx, order.customer, order.provisioning);
      return shared(card(services, ctx, order));
    },
  },

  [VERBS.unwatchOrder]: {
    doing: (data) => `no longer watching order ${data.orderId}`,
    async run(services, data, ctx): Promise<ActionResult> {
      const order = await readCustomerOrder(services, data, ctx);
      await removeOrderWatch(services, ctx, data.orderId);
      return shared(card(services, ctx, order));
    },
  },
};

interface CustomerOrder {
  customer: Customer;
  provisioning: OrderProvisioning;
  products: OrderLines;
}

async function readCustomerOrder(services: BotServices, data: { customerId: string; orderId: string }, ctx: ActionContext): Promise<CustomerOrder> {
  const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
  return { customer, ...(await readOrder(services, ctx.correlationId, customer, data.orderId)) };
}

function card(services: BotServices, ctx: ActionContext, { customer, provisioning, products }: CustomerOrder) {
  const watch = orderWatchOf(services.store.ports.watches, ctx.target.key, provisioning.orderId);
  return provisioningReplyCard(customer, provisioning, watch, ctx.now, products);
}

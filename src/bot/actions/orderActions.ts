// Buttons of an order: its provisioning now (a drill-down), and watching it here until every line item is
// final, or no longer, which changes the card everyone sees.
import { VERBS } from '../../cards.js';
import type { Customer, OrderProvisioning } from '../../domain/types.js';
import { isOrderFinal } from '../../domain/provisioningDiff.js';
import { forCustomer } from '../failureText.js';
import { provisioningReplyCard } from '../replyCards.js';
import type { BotServices } from '../services.js';
import { orderWatchOf, removeOrderWatch, saveOrderWatch } from '../watchBook.js';
import { personal, requireCustomer, shared, type ActionContext, type ActionResult, type ActionRoutes } from './kit.js';

type OrderVerbs = typeof VERBS.provisioning | typeof VERBS.watchOrder | typeof VERBS.unwatchOrder;

export const orderActions: ActionRoutes<OrderVerbs> = {
  [VERBS.provisioning]: {
    doing: (data) => `reading the provisioning of order ${data.orderId}`,
    async run(services, data, ctx) {
      const { customer, provisioning } = await readOrder(services, data, ctx);
      return personal(card(services, ctx, customer, provisioning));
    },
  },

  [VERBS.watchOrder]: {
    doing: (data) => `watching order ${data.orderId}`,
    async run(services, data, ctx) {
      const { customer, provisioning } = await readOrder(services, data, ctx);
      // A finished order changes no more: nothing to watch, and nothing changed for anyone else.
      if (isOrderFinal(provisioning)) return personal(card(services, ctx, customer, provisioning));
      await saveOrderWatch(services, ctx, customer, provisioning);
      return shared(card(services, ctx, customer, provisioning));
    },
  },

  [VERBS.unwatchOrder]: {
    doing: (data) => `no longer watching order ${data.orderId}`,
    async run(services, data, ctx): Promise<ActionResult> {
      const { customer, provisioning } = await readOrder(services, data, ctx);
      await removeOrderWatch(services, ctx, data.orderId);
      return shared(card(services, ctx, customer, provisioning));
    },
  },
};

async function readOrder(
  services: BotServices,
  data: { customerId: string; orderId: string },
  ctx: ActionContext,
): Promise<{ customer: Customer; provisioning: OrderProvisioning }> {
  const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
  const provisioning = await forCustomer(customer.companyName, () =>
    services.client.provisioning({ correlationId: ctx.correlationId }, customer.id, data.orderId),
  );
  return { customer, provisioning };
}

function card(services: BotServices, ctx: ActionContext, customer: Customer, provisioning: OrderProvisioning) {
  return provisioningReplyCard(customer, provisioning, orderWatchOf(services.store.read(), ctx.target.key, provisioning.orderId), ctx.now);
}

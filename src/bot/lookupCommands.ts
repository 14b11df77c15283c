// Read-only commands: customers, status, subscriptions, provisioning. Each is one or two Partner Center
// requests once the customer directory is warm.
import { messageCard } from '../cards.js';
import type { Customer, OrderLines, OrderProvisioning } from '../domain/types.js';
import { resolveCustomer } from './customerResolution.js';
import { forCustomer } from './failureText.js';
import { cardReply, type Reply } from './reply.js';
import { customersReplyCard, ordersReplyCard, provisioningReplyCard, statusReplyCard, subscriptionsReplyCard } from './replyCards.js';
import type { BotServices } from './services.js';
import { orderWatchOf } from './watchBook.js';

export async function customersCommand(services: BotServices, correlationId: string, prefix: string | null, now: Date): Promise<Reply[]> {
  const ctx = { correlationId };
  // Partner Center's own starts_with filter on company name and on domain, as the partner portal does.
  const customers = prefix ? await services.directory.search(ctx, prefix) : await services.directory.all(ctx);
  return [cardReply(customersReplyCard(prefix ?? '', customers, 1, now))];
}

export async function statusCommand(services: BotServices, correlationId: string, query: string, now: Date): Promise<Reply[]> {
  const resolution = await resolveCustomer(services, correlationId, query, (name) => `status for ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const incidents = await forCustomer(resolution.customer.companyName, () => services.client.incidents({ correlationId }, resolution.customer.id));
  return [cardReply(statusReplyCard(resolution.customer, incidents, now))];
}

export async function subscriptionsCommand(services: BotServices, correlationId: string, query: string, now: Date): Promise<Reply[]> {
  const resolution = await resolveCustomer(services, correlationId, query, (name) => `subscriptions for ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const subscriptions = await forCustomer(resolution.customer.companyName, () =>
    services.client.subscriptions({ correlationId }, resolution.customer.id),
  );
  // Remember which customer each order belongs to, so "provisioning order X" works without "for".
  await rememberOrders(
    services,
    resolution.customer,
    subscriptions.flatMap((subscription) => (subscription.orderId ? [subscription.orderId] : [])),
  );
  return [cardReply(subscriptionsReplyCard(resolution.customer, subscriptions, 'all', 1, now))];
}

export async function ordersCommand(services: BotServices, correlationId: string, query: string, now: Date, targetKey: string): Promise<Reply[]> {
  const resolution = await resolveCustomer(services, correlationId, query, (name) => `orders for ${name}`);
  if (!resolution.ok) return [resolution.reply];
  return [cardReply(await ordersCard(services, correlationId, resolution.customer, 1, now, targetKey))];
}

/** The orders card of a customer at a page, for the command and for its paging buttons. */
export async function ordersCard(services: BotServices, correlationId: string, customer: Customer, page: number, now: Date, targetKey: string) {
  const orders = await forCustomer(customer.companyName, () => services.client.orders({ correlationId }, customer.id));
  // Remember which customer each order belongs to, so "provisioning order X" works without "for".
  await rememberOrders(services, customer, orders.map((order) => order.id));
  const watched = new Set(services.store.ports.watches.forConversation(targetKey).filter((watch) => watch.kind === 'order' && watch.orderId).map((watch) => watch.orderId as string));
  return ordersReplyCard(customer, orders, page, now, watched);
}

export async function provisioningCommand(
  services: BotServices,
  correlationId: string,
  orderId: string,
  query: string | null,
  now: Date,
  /** The asking conversation, so the card can say whether it watches the order. */
  targetKey?: string,
): Promise<Reply[]> {
  const customer = await customerOfOrder(services, correlationId, orderId, query, (name) => `provisioning order ${orderId} for ${name}`);
  if (!('id' in customer)) return [customer];
  const { provisioning, products } = await readOrder(services, correlationId, customer, orderId);
  await rememberOrders(services, customer, [orderId]);
  const watch = targetKey ? orderWatchOf(services.store.ports.watches, targetKey, orderId) : null;
  return [cardReply(provisioningReplyCard(customer, provisioning, watch, now, products))];
}

/**
 * An order's provisioning (read every time: it changes) and its line items, which name each line's product
 * (read once per order: they never change). Products that cannot be read leave the card its line numbers.
 */
export async function readOrder(
  services: BotServices,
  correlationId: string,
  customer: Customer,
  orderId: string,
): Promise<{ provisioning: OrderProvisioning; products: OrderLines }> {
  const request = { correlationId };
  const [provisioning, products] = await Promise.all([
    forCustomer(customer.companyName, () => services.client.provisioning(request, customer.id, orderId)),
    services.orders.lines(request, customer.id, orderId),
  ]);
  return { provisioning, products };
}

/**
 * The customer an order belongs to: the one named, or the one the bot learnt earlier. Without either,
 * a reply that shows the exact command to type.
 */
export async function customerOfOrder(
  services: BotServices,
  correlationId: string,
  orderId: string,
  query: string | null,
  commandFor: (customerName: string) => string,
): Promise<Customer | Reply> {
  if (query) {
    const resolution = await resolveCustomer(services, correlationId, query, commandFor);
    return resolution.ok ? resolution.customer : resolution.reply;
  }
  const knownId = await services.store.ports.orderCustomers.customerOf(orderId);
  const known = knownId ? await services.directory.lookup({ correlationId }, knownId) : undefined;
  if (known) return known;
  return cardReply(
    messageCard({
      title: 'Which customer?',
      text: `I don't know yet which customer order ${orderId} belongs to. Add the customer's name:`,
      tryThis: commandFor('<customer>'),
      tone: 'info',
    }),
  );
}

async function rememberOrders(services: BotServices, customer: Customer, orderIds: string[]): Promise<void> {
  const known = services.store.ports.orderCustomers;
  const owners = await Promise.all(orderIds.map((orderId) => known.customerOf(orderId)));
  const fresh = orderIds.filter((_, i) => owners[i] !== customer.id);
  if (fresh.length === 0) return;
  await services.store.transaction((tx) => {
    for (const orderId of fresh) tx.orderCustomers.remember(orderId, customer.id);
  });
}

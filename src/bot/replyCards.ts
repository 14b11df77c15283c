// The cards the bot answers with, each with its buttons. A chat command and the button that shows the same
// thing answer with the same card, so "status for contoso" and a click on Incidents look alike.
import {
  buttons as b,
  customerOverviewCard,
  customersCard,
  customersPage,
  incidentHistoryCard,
  ordersCard,
  ordersPage,
  type OrderListItem,
  statusCard,
  SUBSCRIPTION_FILTERS,
  subscriptionsCard,
  subscriptionsPage,
  type AdaptiveCardJson,
  type CardButton,
  type FromAlert,
  type OverviewWatch,
  type SubscriptionFilter,
} from '../cards.js';
import { provisioningCard } from '../sources/provisioning/card.js';
import { isOrderFinal } from '../sources/provisioning/diff.js';
import type { Customer, Incident, OrderLines, OrderProvisioning, Subscription } from '../domain/types.js';
import { subscriptionButtons, type SubscriptionWatchView } from '../sources/subscriptions/buttons.js';

/** How this conversation hears about a customer's subscriptions; undefined: not known to the caller. */
export type SubscriptionsWatch = 'customer' | 'all' | null | undefined;

/** "Watch subscriptions here", or "Stop watching subscriptions"; none under "watch subscriptions all". */
function subscriptionWatchButtons(customerId: string, watch: SubscriptionsWatch, view: SubscriptionWatchView): CardButton[] {
  if (watch === 'all') return [];
  return [watch === 'customer' ? subscriptionButtons.unwatch(customerId, view) : subscriptionButtons.watch(customerId, view)];
}

export function statusReplyCard(customer: Customer, incidents: readonly Incident[], now: Date): AdaptiveCardJson {
  // Each incident row carries History and Customer; the card itself the way to the customer and a refresh.
  return statusCard({ customer, incidents, now, buttons: [b.overview(customer.id), b.refresh(b.status(customer.id))] });
}

/** "Back to alert" first when the drill-down started on an alert: the way back to its Acknowledge and Mute. */
function back(from: FromAlert): CardButton[] {
  return from.fromAlert ? [b.backToAlert(from.fromAlert)] : [];
}

export function historyReplyCard(customer: Customer, incident: Incident, now: Date, from: FromAlert = {}): AdaptiveCardJson {
  return incidentHistoryCard({
    customer,
    incident,
    now,
    buttons: [...back(from), b.overview(customer.id, 'Customer', from), b.status(customer.id), b.refresh(b.history(customer.id, incident.id, 'History', from))],
  });
}

export interface OverviewData {
  customer: Customer;
  incidents: readonly Incident[];
  subscriptions: readonly Subscription[];
  watch: OverviewWatch;
  now: Date;
  /** This conversation's subscription watch of the customer, when the caller knows it. */
  subscriptionsWatch?: SubscriptionsWatch;
}

export function overviewReplyCard(data: OverviewData, from: FromAlert = {}): AdaptiveCardJson {
  const { customer, watch } = data;
  // Under "watch all" the customer is covered already: neither watching nor stopping it here would mean anything.
  const watchButton = watch?.kind === 'all' ? [] : watch ? [b.unwatchCustomer(customer.id, from)] : [b.watchCustomer(customer.id, from)];
  const { subscriptionsWatch, ...card } = data;
  // Six buttons at most: the subscription watch gives way to "Back to alert".
  const backButtons = back(from);
  return customerOverviewCard({
    ...card,
    buttons: [
      ...backButtons,
      b.status(customer.id),
      b.subscriptions(customer.id, 'all', 1),
      ...watchButton,
      ...(backButtons.length === 0 ? subscriptionWatchButtons(customer.id, subscriptionsWatch, 'overview') : []),
      b.refresh(b.overview(customer.id, 'Customer', from)),
    ],
  });
}

export function subscriptionsReplyCard(
  customer: Customer,
  subscriptions: readonly Subscription[],
  filter: SubscriptionFilter,
  requestedPage: number,
  now: Date,
  /** This conversation's subscription watch of the customer, when the caller knows it. */
  subscriptionsWatch?: SubscriptionsWatch,
): AdaptiveCardJson {
  const { page, pages } = subscriptionsPage({ subscriptions, filter, page: requestedPage, now });
  // Six buttons at most (Teams shows about six): two other filters, Previous, Next, Customer, Refresh; the
  // subscription watch button when there is room for it (not between Previous and Next).
  const paging = [
    ...(page > 1 ? [b.subscriptions(customer.id, filter, page - 1, 'Previous page')] : []),
    ...(page < pages ? [b.subscriptions(customer.id, filter, page + 1, 'Next page')] : []),
  ];
  const buttons: CardButton[] = [
    ...SUBSCRIPTION_FILTERS.filter((other) => other !== filter).map((other) => b.subscriptionFilter(customer.id, other)),
    ...paging,
    b.overview(customer.id),
    ...(paging.length < 2 ? subscriptionWatchButtons(customer.id, subscriptionsWatch, 'subscriptions') : []),
    b.refresh(b.subscriptions(customer.id, filter, page)),
  ];
  return subscriptionsCard({ customer, subscriptions, now, filter, page, buttons });
}

export function customersReplyCard(prefix: string, customers: readonly Customer[], requestedPage: number, now: Date): AdaptiveCardJson {
  const { page, pages } = customersPage({ customers, page: requestedPage });
  const buttons: CardButton[] = [
    ...(page > 1 ? [b.customers(prefix, page - 1, 'Previous page')] : []),
    ...(page < pages ? [b.customers(prefix, page + 1, 'Next page')] : []),
    b.refresh(b.customers(prefix, page)),
  ];
  return customersCard({ prefix, customers, page, total: customers.length, now, buttons });
}

export function provisioningReplyCard(
  customer: Customer,
  provisioning: OrderProvisioning,
  watch: { by: string; since: string } | null,
  now: Date,
  /** The order's line items, to name each line by its product. */
  products?: OrderLines,
): AdaptiveCardJson {
  const { orderId } = provisioning;
  // A finished order has nothing left to watch; a watch still listed for it can be stopped.
  const watchButton = watch ? [b.unwatchOrder(customer.id, orderId)] : isOrderFinal(provisioning) ? [] : [b.watchOrder(customer.id, orderId)];
  return provisioningCard({
    customer,
    provisioning,
    now,
    watch,
    products,
    buttons: [b.provisioning(customer.id, orderId), ...watchButton, b.overview(customer.id)],
  });
}

/** A customer's orders, a page of them; Previous and Next page through the rest. */
export function ordersReplyCard(customer: Customer, orders: readonly OrderListItem[], requestedPage: number, now: Date, watched: ReadonlySet<string>): AdaptiveCardJson {
  const { page, pages } = ordersPage({ orders, page: requestedPage });
  const buttons: CardButton[] = [
    ...(page > 1 ? [b.orders(customer.id, page - 1, 'Previous page')] : []),
    ...(page < pages ? [b.orders(customer.id, page + 1, 'Next page')] : []),
    b.overview(customer.id),
    b.refresh(b.orders(customer.id, page)),
  ];
  return ordersCard({ customer, orders, page, watched, now, buttons });
}

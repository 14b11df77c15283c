// The buttons cards carry, and what each sends back. Cards made by the bot and cards made by the alert
// pipeline must send the same data for the same button, so both take them from here; the bot checks
// every click against the matching schema in src/bot/actionSchemas.ts.
import type { CardButton } from './format.js';

export const VERBS = {
  help: 'help',
  customers: 'customers.list',
  overview: 'customer.overview',
  status: 'customer.status',
  subscriptions: 'customer.subscriptions',
  watchCustomer: 'customer.watch',
  unwatchCustomer: 'customer.unwatch',
  history: 'incident.history',
  mute: 'incident.mute',
  unmute: 'incident.unmute',
  acknowledge: 'incident.acknowledge',
  provisioning: 'order.provisioning',
  watchOrder: 'order.watch',
  unwatchOrder: 'order.unwatch',
  // Subscription alerts (their buttons are built in src/sources/subscriptions/buttons.ts).
  watchSubscriptions: 'subscriptions.watch',
  unwatchSubscriptions: 'subscriptions.unwatch',
  subscriptionAcknowledge: 'subscription.acknowledge',
  subscriptionMute: 'subscription.mute',
  subscriptionUnmute: 'subscription.unmute',
  subscriptionRefresh: 'subscription.refresh',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

export const SUBSCRIPTION_FILTERS = ['active', 'suspended', 'all'] as const;
export type SubscriptionFilter = (typeof SUBSCRIPTION_FILTERS)[number];

/** The mute lengths the alert card offers, in hours. */
export const MUTE_HOURS = [4, 24] as const;
export type MuteHours = (typeof MUTE_HOURS)[number];

const FILTER_TITLES: Readonly<Record<SubscriptionFilter, string>> = { active: 'Active', suspended: 'Suspended', all: 'All' };

export const buttons = {
  help: (): CardButton => ({ title: 'Help', verb: VERBS.help, data: {} }),
  customers: (prefix: string, page: number, title = 'Customers'): CardButton => ({ title, verb: VERBS.customers, data: { prefix, page } }),
  overview: (customerId: string, title = 'Customer'): CardButton => ({ title, verb: VERBS.overview, data: { customerId } }),
  status: (customerId: string, title = 'Incidents'): CardButton => ({ title, verb: VERBS.status, data: { customerId } }),
  subscriptions: (customerId: string, filter: SubscriptionFilter, page: number, title = 'Subscriptions'): CardButton => ({
    title,
    verb: VERBS.subscriptions,
    data: { customerId, filter, page },
  }),
  subscriptionFilter: (customerId: string, filter: SubscriptionFilter): CardButton =>
    buttons.subscriptions(customerId, filter, 1, FILTER_TITLES[filter]),
  watchCustomer: (customerId: string): CardButton => ({ title: 'Watch here', verb: VERBS.watchCustomer, data: { customerId } }),
  unwatchCustomer: (customerId: string): CardButton => ({ title: 'Stop watching', verb: VERBS.unwatchCustomer, data: { customerId } }),
  history: (customerId: string, incidentId: string, title = 'History'): CardButton => ({
    title,
    verb: VERBS.history,
    data: { customerId, incidentId },
  }),
  mute: (incidentId: string, hours: MuteHours): CardButton => ({ title: `Mute ${hours} h`, verb: VERBS.mute, data: { incidentId, hours } }),
  unmute: (incidentId: string): CardButton => ({ title: 'Unmute', verb: VERBS.unmute, data: { incidentId } }),
  acknowledge: (incidentId: string): CardButton => ({ title: 'Acknowledge', verb: VERBS.acknowledge, data: { incidentId } }),
  provisioning: (customerId: string, orderId: string, title = 'Refresh'): CardButton => ({
    title,
    verb: VERBS.provisioning,
    data: { customerId, orderId },
  }),
  watchOrder: (customerId: string, orderId: string): CardButton => ({ title: 'Watch this order', verb: VERBS.watchOrder, data: { customerId, orderId } }),
  unwatchOrder: (customerId: string, orderId: string): CardButton => ({
    title: 'Stop watching order',
    verb: VERBS.unwatchOrder,
    data: { customerId, orderId },
  }),
  /** The same button again, titled Refresh: a card's way to show itself with current data. */
  refresh: (button: CardButton): CardButton => ({ ...button, title: 'Refresh' }),
};

// The buttons cards carry, and what each sends back. Cards made by the bot and cards made by the alert
// pipeline must send the same data for the same button, so both take them from here; the bot checks
// every click against the matching schema in src/bot/actionSchemas.ts.
import { isIncidentId } from '../domain/ids.js';
import type { CardButton } from './format.js';

export const VERBS = {
  help: 'help',
  customers: 'customers.list',
  overview: 'customer.overview',
  status: 'customer.status',
  subscriptions: 'customer.subscriptions',
  orders: 'customer.orders',
  watchCustomer: 'customer.watch',
  unwatchCustomer: 'customer.unwatch',
  history: 'incident.history',
  mute: 'incident.mute',
  unmute: 'incident.unmute',
  acknowledge: 'incident.acknowledge',
  provisioning: 'order.provisioning',
  watchOrder: 'order.watch',
  unwatchOrder: 'order.unwatch',
  alert: 'incident.alert',
  /** "Customer" on an alert that lists several customers: which one? */
  alertCustomers: 'incident.customers',
  watches: 'watches.list',
  unwatch: 'watch.remove',
  exclude: 'watch.exclude',
  // Subscription alerts (their buttons are built in src/sources/subscriptions/buttons.ts).
  watchSubscriptions: 'subscriptions.watch',
  unwatchSubscriptions: 'subscriptions.unwatch',
  subscriptionAcknowledge: 'subscription.acknowledge',
  subscriptionMute: 'subscription.mute',
  subscriptionUnmute: 'subscription.unmute',
  subscriptionRefresh: 'subscription.refresh',
  // PSA tickets (src/bot/ticketCommands.ts): map a customer to a likely PSA company; list the unmapped.
  ticketMap: 'ticket.map',
  ticketsUnmapped: 'tickets.unmapped',
  // GDAP access (their buttons are built in src/sources/access/buttons.ts).
  access: 'customer.access',
  accessExpiring: 'access.expiring',
  accessAcknowledge: 'access.acknowledge',
  accessMute: 'access.mute',
  accessUnmute: 'access.unmute',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** 'attention' lists exactly what the card's "N need attention" counts (suspended, expired, past their date). */
export const SUBSCRIPTION_FILTERS = ['active', 'attention', 'all'] as const;
export type SubscriptionFilter = (typeof SUBSCRIPTION_FILTERS)[number];

/**
 * Where a drill-down started when it started on an incident alert (the incident's id): its card then offers
 * "Back to alert", and a watch change made from it leaves the alert everyone sees in place.
 */
export interface FromAlert {
  fromAlert?: string;
}

/** What "Stop watching" on a row of the watches card removes. */
export type WatchRef = { kind: 'customer'; customerId: string } | { kind: 'all' } | { kind: 'order'; orderId: string };

/** The mute lengths the alert card offers, in hours. */
export const MUTE_HOURS = [4, 24] as const;
export type MuteHours = (typeof MUTE_HOURS)[number];

const FILTER_TITLES: Readonly<Record<SubscriptionFilter, string>> = { active: 'Active', attention: 'Needs attention', all: 'All' };

// Only an id a click can send back: anything else would be refused as tampered data.
const alertMark = (from: FromAlert): Record<string, unknown> => (from.fromAlert && isIncidentId(from.fromAlert) ? { fromAlert: from.fromAlert } : {});

export const buttons = {
  help: (): CardButton => ({ title: 'Help', verb: VERBS.help, data: {} }),
  customers: (prefix: string, page: number, title = 'Customers'): CardButton => ({ title, verb: VERBS.customers, data: { prefix, page } }),
  overview: (customerId: string, title = 'Customer', from: FromAlert = {}): CardButton => ({
    title,
    verb: VERBS.overview,
    data: { customerId, ...alertMark(from) },
  }),
  status: (customerId: string, title = 'Incidents'): CardButton => ({ title, verb: VERBS.status, data: { customerId } }),
  subscriptions: (customerId: string, filter: SubscriptionFilter, page: number, title = 'Subscriptions'): CardButton => ({
    title,
    verb: VERBS.subscriptions,
    data: { customerId, filter, page },
  }),
  orders: (customerId: string, page: number, title = 'Orders'): CardButton => ({ title, verb: VERBS.orders, data: { customerId, page } }),
  subscriptionFilter: (customerId: string, filter: SubscriptionFilter): CardButton =>
    buttons.subscriptions(customerId, filter, 1, FILTER_TITLES[filter]),
  watchCustomer: (customerId: string, from: FromAlert = {}, title = 'Watch here'): CardButton => ({
    title,
    verb: VERBS.watchCustomer,
    data: { customerId, ...alertMark(from) },
  }),
  unwatchCustomer: (customerId: string, from: FromAlert = {}, title = 'Stop watching'): CardButton => ({
    title,
    verb: VERBS.unwatchCustomer,
    data: { customerId, ...alertMark(from) },
  }),
  history: (customerId: string, incidentId: string, title = 'History', from: FromAlert = {}): CardButton => ({
    title,
    verb: VERBS.history,
    data: { customerId, incidentId, ...alertMark(from) },
  }),
  /** The alert card again, as the conversation's thread has it now. */
  backToAlert: (incidentId: string): CardButton => ({ title: 'Back to alert', verb: VERBS.alert, data: { incidentId } }),
  /** The alert's customers to choose from, each opening its overview. */
  alertCustomers: (incidentId: string, title = 'Customer'): CardButton => ({ title, verb: VERBS.alertCustomers, data: { incidentId } }),
  watches: (title = 'Watches'): CardButton => ({ title, verb: VERBS.watches, data: {} }),
  unwatch: (watch: WatchRef, title = 'Stop watching'): CardButton => ({ title, verb: VERBS.unwatch, data: { ...watch } }),
  /** Leave a customer out of this conversation's "watch all". */
  exclude: (customerId: string, title = 'Leave out of “watch all”'): CardButton => ({ title, verb: VERBS.exclude, data: { customerId } }),
  mute: (incidentId: string, hours: MuteHours): CardButton => ({ title: `Mute ${hours} h`, verb: VERBS.mute, data: { incidentId, hours } }),
  unmute: (incidentId: string): CardButton => ({ title: 'Unmute', verb: VERBS.unmute, data: { incidentId } }),
  acknowledge: (incidentId: string): CardButton => ({ title: 'Acknowledge', verb: VERBS.acknowledge, data: { incidentId } }),
  provisioning: (customerId: string, orderId: string, title = 'Refresh'): CardButton => ({
    title,
    verb: VERBS.provisioning,
    data: { customerId, orderId },
  }),
  watchOrder: (customerId: string, orderId: string, title = 'Watch this order'): CardButton => ({
    title,
    verb: VERBS.watchOrder,
    data: { customerId, orderId },
  }),
  unwatchOrder: (customerId: string, orderId: string): CardButton => ({
    title: 'Stop watching order',
    verb: VERBS.unwatchOrder,
    data: { customerId, orderId },
  }),
  /** The same button again, titled Refresh: a card's way to show itself with current data. */
  refresh: (button: CardButton): CardButton => ({ ...button, title: 'Refresh' }),
};

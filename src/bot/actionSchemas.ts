// What each button may send back. Card data round-trips through Teams and can be edited by anyone who can
// post an invoke, so every click is checked here before any Partner Center request or state change:
// ids of the expected shape, bounded strings and numbers, nothing missing.
import { z } from 'zod';
import { MUTE_HOURS, SUBSCRIPTION_FILTERS, VERBS, type Verb } from '../cards.js';
import { CUSTOMER_ID, INCIDENT_ID, ORDER_ID, SUBSCRIPTION_ID } from '../domain/ids.js';
import { SUBSCRIPTION_MUTE_DAYS, SUBSCRIPTION_WATCH_VIEWS } from '../sources/subscriptions/buttons.js';
import { ACCESS_MUTE_DAYS } from '../sources/access/buttons.js';
import { ACCESS_DAYS } from '../domain/commands.js';

/** Highest page a paging button may ask for: 1000 pages of 25 is far beyond any partner's customer list. */
export const MAX_PAGE = 1000;
/** Same bound as a customer name typed in chat. */
export const MAX_PREFIX_CHARS = 120;

// Customer ids are GUIDs; Partner Center and the directory compare them lower-cased.
const customerId = z
  .string()
  .regex(CUSTOMER_ID)
  .transform((id) => id.toLowerCase());
const incidentId = z.string().regex(INCIDENT_ID);
const orderId = z.string().regex(ORDER_ID);
const page = z.number().int().min(1).max(MAX_PAGE);

const customerOnly = z.object({ customerId });
const incidentOnly = z.object({ incidentId });
const order = z.object({ customerId, orderId });
/** A drill-down that started on an incident alert carries the incident's id, for its "Back to alert". */
const fromAlert = incidentId.optional();
const customerFromAlert = z.object({ customerId, fromAlert });
// Cards sent before the "Needs attention" filter replaced "Suspended" still carry 'suspended'.
const subscriptionFilter = z.enum([...SUBSCRIPTION_FILTERS, 'suspended']).transform((filter) => (filter === 'suspended' ? 'attention' : filter));
const watchRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('customer'), customerId }),
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('order'), orderId }),
]);
// One subscription alert (a subscription's problem episode) of the clicked card's conversation.
const subscriptionAlert = z.object({ customerId, subscriptionId: z.string().regex(SUBSCRIPTION_ID), episode: z.number().int().min(1).max(1_000_000) });
const subscriptionWatch = z.object({ customerId, view: z.enum(SUBSCRIPTION_WATCH_VIEWS) });
// One customer's GDAP access episode of the clicked card's conversation.
const accessAlert = z.object({ customerId, episode: z.number().int().min(1).max(1_000_000) });

export const ACTION_SCHEMAS = {
  [VERBS.help]: z.object({}),
  [VERBS.customers]: z.object({ prefix: z.string().max(MAX_PREFIX_CHARS), page }),
  [VERBS.overview]: customerFromAlert,
  [VERBS.status]: customerOnly,
  [VERBS.subscriptions]: z.object({ customerId, filter: subscriptionFilter, page }),
  [VERBS.orders]: z.object({ customerId, page }),
  [VERBS.watchCustomer]: customerFromAlert,
  [VERBS.unwatchCustomer]: customerFromAlert,
  [VERBS.history]: z.object({ customerId, incidentId, fromAlert }),
  [VERBS.mute]: z.object({ incidentId, hours: z.literal([...MUTE_HOURS]) }),
  [VERBS.unmute]: incidentOnly,
  [VERBS.acknowledge]: incidentOnly,
  [VERBS.provisioning]: order,
  [VERBS.watchOrder]: order,
  [VERBS.unwatchOrder]: order,
  [VERBS.alert]: incidentOnly,
  [VERBS.alertCustomers]: incidentOnly,
  [VERBS.watches]: z.object({}),
  [VERBS.unwatch]: watchRef,
  [VERBS.exclude]: customerOnly,
  [VERBS.watchSubscriptions]: subscriptionWatch,
  [VERBS.unwatchSubscriptions]: subscriptionWatch,
  [VERBS.subscriptionAcknowledge]: subscriptionAlert,
  [VERBS.subscriptionMute]: subscriptionAlert.extend({ days: z.literal(SUBSCRIPTION_MUTE_DAYS) }),
  [VERBS.subscriptionUnmute]: subscriptionAlert,
  [VERBS.subscriptionRefresh]: subscriptionAlert,
  [VERBS.ticketMap]: z.object({ customerId, companyId: z.number().int().min(0).max(999_999_999_999) }),
  [VERBS.ticketsUnmapped]: z.object({}),
  [VERBS.access]: customerOnly,
  [VERBS.accessExpiring]: z.object({ days: z.number().int().min(ACCESS_DAYS.min).max(ACCESS_DAYS.max), page }),
  [VERBS.accessAcknowledge]: accessAlert,
  [VERBS.accessMute]: accessAlert.extend({ days: z.literal(ACCESS_MUTE_DAYS) }),
  [VERBS.accessUnmute]: accessAlert,
} as const satisfies Record<Verb, z.ZodType>;

export type ActionData<V extends Verb> = z.output<(typeof ACTION_SCHEMAS)[V]>;

export function isVerb(verb: string): verb is Verb {
  return Object.hasOwn(ACTION_SCHEMAS, verb);
}

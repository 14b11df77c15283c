// View data of the proactive incident alert: one card per incident per conversation, listing every watched
// customer it touches, with who acknowledged or muted it here, and the buttons to do so.
import type { Customer, Incident } from '../../domain/types.js';
import { isCustomerId, isIncidentId } from '../../domain/ids.js';
import { buttons as button, MUTE_HOURS, VERBS } from '../../cardData/buttons.js';
import type { CustomerChoiceInput } from '../../cardData/customers.js';
import { count, formatUtc, formatUtcClock, name, renderAction, severityLabel, severityStyle, type CardButton } from '../../cardData/format.js';
import type { CardTicket } from '../../cardData/alertThread.js';
import { ticketFact, ticketLink } from '../../cardData/ticketLink.js';
import { incidentButtons, incidentRow, latestMessage, MORE_MESSAGE_CHARS, updateCount } from '../../cardData/incidents.js';

/** Limits a caller can tighten to send a smaller alert card, e.g. after Teams answered 413. */
export interface IncidentAlertShrink {
  maxCustomers: number;
  maxMessageChars: number;
}

export const DEFAULT_INCIDENT_ALERT_LIMITS: IncidentAlertShrink = { maxCustomers: 25, maxMessageChars: 600 };
/** A conservative size for a retry after 413. */
export const SHRUNK_INCIDENT_ALERT_LIMITS: IncidentAlertShrink = { maxCustomers: 5, maxMessageChars: 200 };

export interface AlertCustomer {
  customer: Customer;
  /** The incident is resolved for this customer. */
  resolved: boolean;
  /** Partner Center stopped listing the incident for this customer without resolving it. */
  vanished?: boolean;
}

export interface IncidentAlertInput {
  /** A representative copy of the incident (all customers share id, workload, title and messages). */
  incident: Incident;
  customers: readonly AlertCustomer[];
  updatedAt: Date;
  /** What changed, in words, e.g. `Severity raised to critical`. */
  latestChange: string;
  shrink?: Partial<IncidentAlertShrink>;
  /** Who acknowledged the incident in this conversation, and when. */
  acknowledged?: { by: string; at: Date } | null;
  /** Who muted the incident in this conversation, and until when (shown only while it lasts). */
  muted?: { by: string; until: Date } | null;
  /**
   * The card as posted to a conversation: History, Customer, Acknowledge and Mute/Unmute buttons, and
   * customer rows that open the customer's overview. Off, the card is a plain notice.
   */
  interactive?: boolean;
  /** Decides whether a mute still lasts and how its end is written; default `updatedAt`. */
  now?: Date;
  /** Extra buttons after the built-in ones. */
  buttons?: readonly CardButton[];
  /** The customers' PSA tickets of this incident: a fact with each number as a link. */
  tickets?: readonly CardTicket[];
}

function customerState(entry: AlertCustomer, incidentResolved: boolean): { rank: number; text: string; weight: 'Bolder' | 'Default' } {
  // Vanished customers are stored as resolved too; say what we know: Partner Center stopped listing it.
  if (entry.vanished) return { rank: 2, text: 'No longer listed', weight: 'Default' };
  if (entry.resolved || incidentResolved) return { rank: 1, text: 'Recovered', weight: 'Default' };
  return { rank: 0, text: 'Affected', weight: 'Bolder' };
}

interface OrderedCustomer {
  entry: AlertCustomer;
  state: ReturnType<typeof customerState>;
  /** The name as the card shows it (escaped on first use: a card lists 25 of possibly 50,000). */
  readonly label: string;
}

const byName = new Intl.Collator();

/** The customers a card shows, in order, and how many there are of each state. */
interface CustomerListing {
  /** The first ones in order (affected, then recovered, then no longer listed; by name within each). */
  first: OrderedCustomer[];
  /** Customers per state rank: affected, recovered, no longer listed. */
  byRank: [number, number, number];
  total: number;
}

const listingCache = new WeakMap<IncidentAlertInput, { limit: number; listing: CustomerListing }>();

/**
 * The first `limit` customers in the card's order, and the counts. A card shows 25 of possibly 50,000, and it
 * is edited every few seconds while a Microsoft-wide incident spreads: sorting all of them by name on every
 * edit held the event loop for a quarter of a second. So only the shown ones are kept in order (a bounded
 * insertion, about one name comparison per customer), and only their names are escaped. Worked out once per
 * card for the largest limit asked (the view and the buttons both ask).
 */
function customerListing(input: IncidentAlertInput, limit: number): CustomerListing {
  const cached = listingCache.get(input);
  if (cached && cached.limit >= limit) return { ...cached.listing, first: cached.listing.first.slice(0, limit) };
  const byRank: [number, number, number] = [0, 0, 0];
  const first: { entry: AlertCustomer; state: ReturnType<typeof customerState>; raw: string }[] = [];
  const before = (a: (typeof first)[number], b: (typeof first)[number]) => a.state.rank - b.state.rank || byName.compare(a.raw, b.raw);
  const everyone = limit >= input.customers.length;
  for (const entry of input.customers) {
    const candidate = { entry, state: customerState(entry, input.incident.resolved), raw: entry.customer.companyName ?? '' };
    byRank[candidate.state.rank as 0 | 1 | 2]++;
    if (everyone) {
      first.push(candidate);
      continue;
    }
    const last = first[first.length - 1];
    if (first.length >= limit && last && before(candidate, last) >= 0) continue;
    let at = first.length;
    while (at > 0 && before(candidate, first[at - 1]!) < 0) at--;
    first.splice(at, 0, candidate);
    if (first.length > limit) first.pop();
  }
  if (everyone) first.sort(before);
  const listing: CustomerListing = {
    first: first.map(({ entry, state }): OrderedCustomer => {
      let label: string | null = null;
      return {
        entry,
        state,
        get label() {
          label ??= name(entry.customer.companyName) || 'Unnamed customer';
          return label;
        },
      };
    }),
    byRank,
    total: input.customers.length,
  };
  listingCache.set(input, { limit, listing });
  return listing;
}

/** Over for every customer on the card: resolved, or no customer affected any more. */
function isClosed(input: IncidentAlertInput): boolean {
  if (input.incident.resolved) return true;
  const { byRank, total } = customerListing(input, DEFAULT_INCIDENT_ALERT_LIMITS.maxCustomers);
  return total > 0 && byRank[0] === 0;
}

function activeMute(input: IncidentAlertInput): { by: string; until: Date } | null {
  const now = input.now ?? input.updatedAt;
  return input.muted && input.muted.until.getTime() > now.getTime() ? input.muted : null;
}

/**
 * History opens the incident of the first customer listed (the incident is the same for all), and offers a
 * way back to the alert. Customer opens the one customer's overview, or, when the card lists several, asks
 * which one rather than silently opening the first (every row opens its own too). Acknowledge until someone
 * did; Mute 4 h / 24 h, or Unmute while muted. An incident that is over has nothing to acknowledge or mute.
 * Five at most: Teams shows about six actions.
 */
export function incidentAlertButtons(input: IncidentAlertInput): CardButton[] {
  if (!input.interactive) return [...(input.buttons ?? [])];
  const { id } = input.incident;
  const { first: [first], total } = customerListing(input, DEFAULT_INCIDENT_ALERT_LIMITS.maxCustomers);
  const closed = isClosed(input);
  const drillDowns = first ? incidentButtons(first.entry.customer.id, id, { fromAlert: id }) : [];
  const several = total > 1 && isIncidentId(id);
  return [
    ...(several ? drillDowns.map((b) => (b.verb === VERBS.overview ? button.alertCustomers(id) : b)) : drillDowns),
    ...(closed || input.acknowledged ? [] : [button.acknowledge(id)]),
    ...(closed ? [] : activeMute(input) ? [button.unmute(id)] : MUTE_HOURS.map((hours) => button.mute(id, hours))),
    ...(input.buttons ?? []),
  ];
}

export function incidentAlertView(input: IncidentAlertInput) {
  const shrunk = input.shrink !== undefined;
  const limits = {
    maxCustomers: Math.max(1, Math.floor(input.shrink?.maxCustomers ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxCustomers)),
    maxMessageChars: Math.max(40, Math.floor(input.shrink?.maxMessageChars ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxMessageChars)),
  };
  const { incident } = input;
  const now = input.now ?? input.updatedAt;
  // After a 413 the card must shrink: no hidden "Show more" text then.
  const row = incidentRow(incident, limits.maxMessageChars, shrunk ? 0 : MORE_MESSAGE_CHARS);
  const latest = latestMessage(incident);
  const { first: shown, byRank, total } = customerListing(input, limits.maxCustomers);
  const [affected, recovered, vanished] = byRank;
  const closed = isClosed(input);
  const breakdown = [
    affected > 0 ? `${affected} affected` : '',
    recovered > 0 ? `${recovered} recovered` : '',
    vanished > 0 ? `${vanished} no longer listed` : '',
  ].filter((part) => part !== '');
  const mute = activeMute(input);
  const interactive = input.interactive === true;
  // Who and what first: a notification preview and a glance at the channel both show this line.
  const who = total === 1 ? (shown[0]?.label ?? '') : total > 1 ? count(total, 'customer') : '';
  const severity = severityLabel(incident.severity);
  const kind = closed ? `was ${severity.toLowerCase()}` : `${severity} incident`;
  const workload = name(incident.workload, 80) || 'Unknown workload';

  return {
    headerStyle: closed ? 'good' : severityStyle(incident.severity),
    title: who ? `${who}: ${row.title}` : row.title,
    headline: `${name(input.latestChange, 200) || 'Updated'} · ${kind} · ${workload}`,
    change: formatUtc(input.updatedAt),
    hasAck: Boolean(input.acknowledged),
    ackText: input.acknowledged
      ? `Acknowledged by ${name(input.acknowledged.by, 80) || 'someone'} at ${formatUtcClock(input.acknowledged.at, now)}`
      : '',
    hasMute: mute !== null,
    muteText: mute ? `Muted by ${name(mute.by, 80) || 'someone'} until ${formatUtcClock(mute.until, now)}` : '',
    facts: [
      { title: 'Incident', value: row.id },
      { title: 'Started', value: formatUtc(incident.startTime) },
      ...(incident.resolved && incident.endTime ? [{ title: 'Ended', value: formatUtc(incident.endTime) }] : []),
      ...(row.hasStatus && !incident.resolved ? [{ title: 'Status', value: row.status.replace(/^Status now /, '') }] : []),
      { title: 'Updates', value: count(updateCount(incident), 'update') },
      ...ticketFacts(input.tickets ?? [], total),
    ],
    hasMessage: row.hasMessage,
    messageHeader: latest ? `Latest update · ${formatUtc(latest.publishedTime)}` : '',
    message: row.message,
    hasRest: row.hasRest,
    rest: row.rest,
    customersHeader: `Watched customers (${total})${breakdown.length > 0 ? `: ${breakdown.join(', ')}` : ''}`,
    hasCustomers: total > 0,
    // A clickable row needs an action; a plain notice gets rows without one (the template has both).
    customers: interactive ? [] : shown.map(({ state, label }) => ({ name: label, state: state.text, stateWeight: state.weight })),
    clickableCustomers: interactive
      ? shown.map(({ entry, state, label }) => ({
          name: label,
          state: state.text,
          stateWeight: state.weight,
          select: renderAction(button.overview(entry.customer.id, `Open ${label}`, { fromAlert: incident.id })),
        }))
      : [],
    hasMore: total > shown.length,
    moreText: `and ${count(total - shown.length, 'more customer')}`,
  };
}

/** Tickets a card names; more are counted. */
const MAX_TICKETS_SHOWN = 3;

/** "Ticket: T20261207.0012" (a link to the PSA), or on a card of several customers "Contoso #4711, …". */
function ticketFacts(tickets: readonly CardTicket[], customers: number): { title: string; value: string }[] {
  if (tickets.length === 0) return [];
  if (customers <= 1 && tickets.length === 1) return ticketFact(tickets[0]);
  const shown = tickets.slice(0, MAX_TICKETS_SHOWN).map((ticket) => `${name(ticket.customerName, 60)} ${ticketLink(ticket)}`);
  const more = tickets.length > MAX_TICKETS_SHOWN ? ` and ${count(tickets.length - MAX_TICKETS_SHOWN, 'more', 'more')}` : '';
  return [{ title: 'Tickets', value: `${shown.join(', ')}${more}` }];
}

/** Customers the "which customer?" card of an alert offers a button for; the alert's rows list them all. */
export const ALERT_CUSTOMER_BUTTONS = 5;

/**
 * "Customer" on an alert of several customers: a button per customer (affected first, as on the card), up
 * to five, each opening that customer's overview with its way back to the alert; then All customers.
 */
export function alertCustomersChoice(input: IncidentAlertInput): CustomerChoiceInput {
  const { id } = input.incident;
  // A click on one card, not an edit in a sweep: every customer, in the card's order.
  const entries = customerListing(input, Number.POSITIVE_INFINITY).first;
  return {
    query: '',
    title: `Which customer of incident ${name(id, 40)}?`,
    subtitle: `The alert lists ${count(entries.length, 'watched customer')}. Each button opens that customer’s overview.`,
    shown: ALERT_CUSTOMER_BUTTONS,
    candidates: entries.map(({ entry, state }) => ({
      customer: entry.customer,
      detail: [state.text, name(entry.customer.domain, 80)].filter((part) => part !== '').join(' · '),
      command: `status for ${entry.customer.companyName}`,
      button: isCustomerId(entry.customer.id) ? button.overview(entry.customer.id, entry.customer.companyName || 'Unnamed customer', { fromAlert: id }) : null,
    })),
    moreText: (more) => `and ${count(more, 'more customer')}: the alert’s rows open every one of them, and All customers finds any customer`,
    buttons: [button.customers('', 1, 'All customers'), ...(isIncidentId(id) ? [button.backToAlert(id)] : [])],
  };
}

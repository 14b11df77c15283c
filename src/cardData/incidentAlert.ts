// View data of the proactive incident alert: one card per incident per conversation, listing every watched
// customer it touches, with who acknowledged or muted it here, and the buttons to do so.
import type { Customer, Incident } from '../domain/types.js';
import { buttons as button, MUTE_HOURS } from './buttons.js';
import {
  count,
  formatUtc,
  formatUtcClock,
  name,
  renderAction,
  severityLabel,
  severityStyle,
  type CardButton,
  type ContainerStyle,
  type TextColor,
} from './format.js';
import { incidentButtons, incidentRow, latestMessage } from './incidents.js';

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
}

function customerState(entry: AlertCustomer, incidentResolved: boolean): { rank: number; text: string; color: TextColor } {
  // Vanished customers are stored as resolved too; say what we know: Partner Center stopped listing it.
  if (entry.vanished) return { rank: 2, text: 'No longer listed', color: 'Default' };
  if (entry.resolved || incidentResolved) return { rank: 1, text: 'Recovered', color: 'Good' };
  return { rank: 0, text: 'Affected', color: 'Attention' };
}

function headline(incident: Incident): { text: string; style: ContainerStyle } {
  if (incident.resolved) return { text: `Resolved · was ${severityLabel(incident.severity).toLowerCase()}`, style: 'good' };
  return { text: `${severityLabel(incident.severity)} incident`, style: severityStyle(incident.severity) };
}

/** Affected customers first, then recovered, then no longer listed; by name within each group. */
function orderedCustomers(input: IncidentAlertInput) {
  return input.customers
    .map((entry) => ({ entry, state: customerState(entry, input.incident.resolved), label: name(entry.customer.companyName) || 'Unnamed customer' }))
    .sort((a, b) => a.state.rank - b.state.rank || a.label.localeCompare(b.label));
}

function activeMute(input: IncidentAlertInput): { by: string; until: Date } | null {
  const now = input.now ?? input.updatedAt;
  return input.muted && input.muted.until.getTime() > now.getTime() ? input.muted : null;
}

/**
 * History and Customer open the first customer listed (every row opens its own); Acknowledge until someone
 * did; Mute 4 h / 24 h, or Unmute while muted. Five at most: Teams shows about six actions.
 */
export function incidentAlertButtons(input: IncidentAlertInput): CardButton[] {
  if (!input.interactive) return [...(input.buttons ?? [])];
  const { id } = input.incident;
  const first = orderedCustomers(input)[0];
  return [
    ...(first ? incidentButtons(first.entry.customer.id, id) : []),
    ...(input.acknowledged ? [] : [button.acknowledge(id)]),
    ...(activeMute(input) ? [button.unmute(id)] : MUTE_HOURS.map((hours) => button.mute(id, hours))),
    ...(input.buttons ?? []),
  ];
}

export function incidentAlertView(input: IncidentAlertInput) {
  const limits = {
    maxCustomers: Math.max(1, Math.floor(input.shrink?.maxCustomers ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxCustomers)),
    maxMessageChars: Math.max(40, Math.floor(input.shrink?.maxMessageChars ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxMessageChars)),
  };
  const { incident } = input;
  const now = input.now ?? input.updatedAt;
  const row = incidentRow(incident, limits.maxMessageChars);
  const latest = latestMessage(incident);
  const entries = orderedCustomers(input);
  const shown = entries.slice(0, limits.maxCustomers);
  const affected = entries.filter((e) => e.state.rank === 0).length;
  const recovered = entries.filter((e) => e.state.rank === 1).length;
  const vanished = entries.filter((e) => e.state.rank === 2).length;
  const head = headline(incident);
  const breakdown = [
    affected > 0 ? `${affected} affected` : '',
    recovered > 0 ? `${recovered} recovered` : '',
    vanished > 0 ? `${vanished} no longer listed` : '',
  ].filter((part) => part !== '');
  const mute = activeMute(input);
  const interactive = input.interactive === true;

  return {
    headerStyle: head.style,
    headline: head.text,
    title: `${name(incident.workload, 80) || 'Unknown workload'}: ${row.title}`,
    change: `${name(input.latestChange, 200) || 'Updated'} · ${formatUtc(input.updatedAt)}`,
    hasAck: Boolean(input.acknowledged),
    ackText: input.acknowledged
      ? `Acknowledged by ${name(input.acknowledged.by, 80) || 'someone'} at ${formatUtcClock(input.acknowledged.at, now)}`
      : '',
    hasMute: mute !== null,
    muteText: mute ? `Muted by ${name(mute.by, 80) || 'someone'} until ${formatUtcClock(mute.until, now)}` : '',
    severity: row.severity,
    severityColor: row.severityColor,
    status: incident.resolved ? 'Resolved' : severityLabel(incident.status),
    statusColor: row.statusColor,
    started: formatUtc(incident.startTime),
    facts: [
      { title: 'Incident', value: row.id },
      ...(incident.resolved && incident.endTime ? [{ title: 'Ended', value: formatUtc(incident.endTime) }] : []),
      { title: 'Messages', value: count(incident.messages.length, 'update') },
    ],
    hasMessage: row.hasMessage,
    messageHeader: latest ? `Latest update · ${formatUtc(latest.publishedTime)}` : '',
    message: row.message,
    customersHeader: `Watched customers (${entries.length})${breakdown.length > 0 ? `: ${breakdown.join(', ')}` : ''}`,
    hasCustomers: entries.length > 0,
    // A clickable row needs an action; a plain notice gets rows without one (the template has both).
    customers: interactive ? [] : shown.map(({ state, label }) => ({ name: label, state: state.text, stateColor: state.color })),
    clickableCustomers: interactive
      ? shown.map(({ entry, state, label }) => ({
          name: label,
          state: state.text,
          stateColor: state.color,
          select: renderAction(button.overview(entry.customer.id, `Open ${label}`)),
        }))
      : [],
    hasMore: entries.length > shown.length,
    moreText: `and ${count(entries.length - shown.length, 'more customer')}`,
  };
}

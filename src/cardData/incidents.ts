// View data of the two incident cards: a customer's status (asked in chat) and the proactive alert.
import { compareSeverity } from '../domain/severity.js';
import type { Customer, Incident } from '../domain/types.js';
import {
  asOf,
  count,
  formatUtc,
  name,
  prose,
  severityColor,
  severityLabel,
  severityStyle,
  type CardButton,
  type ContainerStyle,
  type TextColor,
} from './format.js';

/** Most incidents one status card lists; the rest are counted. */
export const MAX_INCIDENTS = 30;
/** Longest latest-message text on the status card. */
export const STATUS_MESSAGE_CHARS = 300;

function startMillis(incident: Incident): number {
  const t = Date.parse(incident.startTime);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** Active before resolved, then most severe first, then newest start first, then by id for a stable order. */
export function compareIncidents(a: Incident, b: Incident): number {
  return (
    Number(a.resolved) - Number(b.resolved) ||
    compareSeverity(b.severity, a.severity) ||
    startMillis(b) - startMillis(a) ||
    a.id.localeCompare(b.id)
  );
}

function latestMessage(incident: Incident) {
  // Messages are kept oldest first; tolerate an unordered list by picking the newest publishedTime.
  let latest = incident.messages[incident.messages.length - 1];
  for (const message of incident.messages) {
    if (latest && Date.parse(message.publishedTime) > Date.parse(latest.publishedTime)) latest = message;
  }
  return latest;
}

function statusOf(incident: Incident): { text: string; color: TextColor } {
  if (incident.resolved) return { text: 'Resolved', color: 'Good' };
  return { text: `Status: ${severityLabel(incident.status)}`, color: severityColor(incident.status) };
}

function incidentRow(incident: Incident, messageChars: number) {
  const latest = latestMessage(incident);
  const status = statusOf(incident);
  const when = incident.resolved && incident.endTime ? ` · ended ${formatUtc(incident.endTime)}` : '';
  return {
    id: name(incident.id, 40),
    title: name(incident.title, 200) || 'Untitled incident',
    meta: `${name(incident.id, 40)} · ${name(incident.workload, 80) || 'unknown workload'}`,
    severity: severityLabel(incident.severity),
    severityColor: severityColor(incident.severity),
    status: status.text,
    statusColor: status.color,
    started: `Started ${formatUtc(incident.startTime)}${when} · ${count(incident.messages.length, 'update')}`,
    hasMessage: latest !== undefined && latest.text.trim() !== '',
    message: latest ? prose(latest.text, messageChars) : '',
  };
}

export interface StatusInput {
  customer: Customer;
  incidents: readonly Incident[];
  now: Date;
  /** Also list resolved incidents (after the active ones); by default they are only counted. */
  showResolved?: boolean;
  buttons?: readonly CardButton[];
}

export function statusView(input: StatusInput) {
  const customer = name(input.customer.companyName) || 'this customer';
  const ordered = [...input.incidents].sort(compareIncidents);
  const active = ordered.filter((i) => !i.resolved);
  const resolved = ordered.filter((i) => i.resolved);
  const listed = input.showResolved ? ordered : active;
  const rows = listed.slice(0, MAX_INCIDENTS);
  const moreActive = active.length - rows.filter((i) => !i.resolved).length;
  const moreResolved = input.showResolved ? resolved.length - rows.filter((i) => i.resolved).length : 0;
  const notShownResolved = input.showResolved ? 0 : resolved.length;

  const bySeverity = (['critical', 'warning', 'information', 'normal'] as const)
    .map((severity) => ({ severity, n: active.filter((i) => i.severity === severity).length }))
    .filter(({ n }) => n > 0)
    .map(({ severity, n }) => `${n} ${severity}`);
  const more = [
    moreActive > 0 ? count(moreActive, 'more active incident') : '',
    moreResolved > 0 ? count(moreResolved, 'more resolved incident') : '',
  ].filter((part) => part !== '');

  return {
    title: `Incidents for ${customer}`,
    subtitle: asOf(input.now),
    hasActive: active.length > 0,
    summary: `${count(active.length, 'active incident')}: ${bySeverity.join(', ')}`,
    noActive: `No active incidents for ${customer}.`,
    incidents: rows.map((incident) => incidentRow(incident, STATUS_MESSAGE_CHARS)),
    hasMore: more.length > 0,
    moreText: `and ${more.join(' and ')} not listed`,
    hasResolvedNote: notShownResolved > 0,
    resolvedNote: `${count(notShownResolved, 'resolved incident')} not shown`,
  };
}

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
  buttons?: readonly CardButton[];
}

function customerState(entry: AlertCustomer, incidentResolved: boolean): { rank: number; text: string; color: TextColor } {
  if (entry.resolved || incidentResolved) return { rank: 1, text: 'Recovered', color: 'Good' };
  if (entry.vanished) return { rank: 2, text: 'No longer listed', color: 'Default' };
  return { rank: 0, text: 'Affected', color: 'Attention' };
}

function headline(incident: Incident): { text: string; style: ContainerStyle } {
  if (incident.resolved) return { text: `Resolved · was ${severityLabel(incident.severity).toLowerCase()}`, style: 'good' };
  return { text: `${severityLabel(incident.severity)} incident`, style: severityStyle(incident.severity) };
}

export function incidentAlertView(input: IncidentAlertInput) {
  const limits = {
    maxCustomers: Math.max(1, Math.floor(input.shrink?.maxCustomers ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxCustomers)),
    maxMessageChars: Math.max(40, Math.floor(input.shrink?.maxMessageChars ?? DEFAULT_INCIDENT_ALERT_LIMITS.maxMessageChars)),
  };
  const { incident } = input;
  const row = incidentRow(incident, limits.maxMessageChars);
  const latest = latestMessage(incident);
  const entries = input.customers
    .map((entry) => ({ entry, state: customerState(entry, incident.resolved), label: name(entry.customer.companyName) || 'Unnamed customer' }))
    .sort((a, b) => a.state.rank - b.state.rank || a.label.localeCompare(b.label));
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

  return {
    headerStyle: head.style,
    headline: head.text,
    title: `${name(incident.workload, 80) || 'Unknown workload'}: ${row.title}`,
    change: `${name(input.latestChange, 200) || 'Updated'} · ${formatUtc(input.updatedAt)}`,
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
    customers: shown.map(({ state, label }) => ({ name: label, state: state.text, stateColor: state.color })),
    hasMore: entries.length > shown.length,
    moreText: `and ${count(entries.length - shown.length, 'more customer')}`,
  };
}

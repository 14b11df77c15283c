// View data of a customer's status (asked in chat), and the incident rows the alert card shares with it.
import { isCustomerId, isIncidentId } from '../domain/ids.js';
import { isAlertable } from '../domain/incidentDiff.js';
import { compareSeverity } from '../domain/severity.js';
import type { Customer, Incident } from '../domain/types.js';
import { buttons as button } from './buttons.js';
import {
  asOf,
  count,
  formatUtc,
  name,
  prose,
  renderActions,
  severityColor,
  severityLabel,
  type CardButton,
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

/**
 * The drill-down buttons of one incident of one customer. Only ids of the expected shape get a button:
 * a click sends them back, and anything else would be refused as tampered data.
 */
export function incidentButtons(customerId: string, incidentId: string): CardButton[] {
  if (!isCustomerId(customerId)) return [];
  return [...(isIncidentId(incidentId) ? [button.history(customerId, incidentId)] : []), button.overview(customerId)];
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

export function latestMessage(incident: Incident) {
  // Messages are kept oldest first; tolerate an unordered list by picking the newest publishedTime.
  let latest = incident.messages[incident.messages.length - 1];
  for (const message of incident.messages) {
    if (latest && Date.parse(message.publishedTime) > Date.parse(latest.publishedTime)) latest = message;
  }
  return latest;
}

export function statusOf(incident: Incident): { text: string; color: TextColor } {
  if (incident.resolved) return { text: 'Resolved', color: 'Good' };
  return { text: `Status: ${severityLabel(incident.status)}`, color: severityColor(incident.status) };
}

export function incidentRow(incident: Incident, messageChars: number) {
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
  // Message-center posts are announcements, not incidents: counted, never listed among incidents.
  const announcements = input.incidents.filter((i) => !isAlertable(i)).length;
  const ordered = input.incidents.filter(isAlertable).sort(compareIncidents);
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
    incidents: rows.map((incident) => {
      const actions = renderActions(incidentButtons(input.customer.id, incident.id));
      return { ...incidentRow(incident, STATUS_MESSAGE_CHARS), hasActions: actions.length > 0, actions };
    }),
    hasMore: more.length > 0,
    moreText: `and ${more.join(' and ')} not listed`,
    hasResolvedNote: notShownResolved > 0 || announcements > 0,
    resolvedNote: [
      notShownResolved > 0 ? `${count(notShownResolved, 'resolved incident')} not shown` : '',
      announcements > 0 ? `${count(announcements, 'message-center post')} not shown` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  };
}

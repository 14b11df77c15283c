// View data of a customer's status (asked in chat), and the incident rows the alert card shares with it.
import { isCustomerId, isIncidentId } from '../domain/ids.js';
import { isAlertable } from '../domain/incidentRecords.js';
import { compareSeverity } from '../domain/severity.js';
import type { Customer, Incident } from '../domain/types.js';
import { buttons as button, type FromAlert } from './buttons.js';
import { toPlainText } from '../domain/plainText.js';
import { asOf, clip, count, formatUtc, name, paragraphs, renderActions, severityLabel, type CardButton, type Clipped } from './format.js';

/** Most incidents one status card lists; the rest are counted. */
export const MAX_INCIDENTS = 30;
/** Latest-message text shown at once on the status card; the rest sits behind "Show more". */
export const STATUS_MESSAGE_CHARS = 400;
/** Most text behind one "Show more"; History has every update in full. */
export const MORE_MESSAGE_CHARS = 1_200;
/** Most UTF-8 bytes of "Show more" text on one status card, so 30 long updates still fit under MAX_CARD_BYTES. */
const STATUS_MORE_BYTES = 6_000;

function startMillis(incident: Incident): number {
  const t = Date.parse(incident.startTime);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/**
 * The drill-down buttons of one incident of one customer. Only ids of the expected shape get a button:
 * a click sends them back, and anything else would be refused as tampered data.
 */
export function incidentButtons(customerId: string, incidentId: string, from: FromAlert = {}): CardButton[] {
  if (!isCustomerId(customerId)) return [];
  return [...(isIncidentId(incidentId) ? [button.history(customerId, incidentId, 'History', from)] : []), button.overview(customerId, 'Customer', from)];
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

/** "Resolved", or the status when it says more than the severity beside it ("Critical" twice is noise). */
export function statusOf(incident: Incident): string {
  if (incident.resolved) return 'Resolved';
  return incident.status === incident.severity ? '' : `Status now ${severityLabel(incident.status).toLowerCase()}`;
}

/** How many updates Partner Center lists: an alert thread keeps only the last few messages but counts them all. */
export function updateCount(incident: Incident): number {
  return Math.max(incident.messageCount ?? 0, incident.messages.length);
}

/**
 * An update as plain text, without the "Title: …" line Microsoft starts it with when that only repeats the
 * incident's title, which the card shows as its heading already.
 */
export function updateText(text: string, incidentTitle: string): string {
  const plain = toPlainText(text);
  const [first, ...others] = plain.split('\n');
  const title = /^title:\s*(.*)$/i.exec(first ?? '')?.[1];
  const same = (a: string) => a.replace(/\s+/g, ' ').trim().toLowerCase();
  return title !== undefined && same(title) === same(toPlainText(incidentTitle)) ? others.join('\n').trim() : plain;
}

/** A latest update cut for a card: paragraphs at once, the rest (if any) for its "Show more". */
export function clippedUpdate(incident: Incident, headChars: number, restChars: number): Clipped {
  const latest = latestMessage(incident);
  if (!latest) return { head: '', rest: '' };
  const { head, rest } = clip(updateText(latest.text, incident.title), headChars, restChars);
  return { head: paragraphs(head), rest: paragraphs(rest) };
}

/** The toggle that shows (and hides again) the rest of a cut text. */
export function showMore(targetId: string): Record<string, unknown> {
  return { type: 'Action.ToggleVisibility', title: 'Show more', targetElements: [targetId] };
}

export function incidentRow(incident: Incident, messageChars: number, restChars = 0) {
  const status = statusOf(incident);
  const when = incident.resolved && incident.endTime ? ` · ended ${formatUtc(incident.endTime)}` : '';
  const update = clippedUpdate(incident, messageChars, restChars);
  return {
    id: name(incident.id, 40),
    title: name(incident.title, 200) || 'Untitled incident',
    meta: `${name(incident.id, 40)} · ${name(incident.workload, 80) || 'unknown workload'}`,
    severity: incident.resolved ? `Was ${severityLabel(incident.severity).toLowerCase()}` : severityLabel(incident.severity),
    hasStatus: status !== '',
    status,
    started: `Started ${formatUtc(incident.startTime)}${when} · ${count(updateCount(incident), 'update')}`,
    hasMessage: update.head !== '',
    message: update.head,
    hasRest: update.rest !== '',
    rest: update.rest,
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

  let moreBytes = STATUS_MORE_BYTES;
  return {
    title: `Incidents for ${customer}`,
    subtitle: asOf(input.now),
    hasActive: active.length > 0,
    summary: `${count(active.length, 'active incident')}: ${bySeverity.join(', ')}`,
    noActive: `No active incidents for ${customer}.`,
    incidents: rows.map((incident, index) => {
      const row = incidentRow(incident, STATUS_MESSAGE_CHARS, moreBytes > 0 ? MORE_MESSAGE_CHARS : 0);
      moreBytes -= Buffer.byteLength(JSON.stringify(row.rest), 'utf8');
      // Toggle targets are element ids, unique within the card.
      const restId = `update-rest-${index}`;
      const actions = [
        ...(row.hasRest ? [showMore(restId)] : []),
        ...renderActions(incidentButtons(input.customer.id, incident.id)),
      ];
      return { ...row, restId, hasActions: actions.length > 0, actions };
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

// View data of an incident's full history: every published update, newest first. The first few are shown;
// the rest sit behind a "Show all" toggle, and a history too long for one card is cut with a note.
import type { Customer, Incident, IncidentMessage } from '../domain/types.js';
import { truncate } from '../domain/plainText.js';
import { asOf, count, formatUtc, name, paragraphs, severityLabel, severityStyle, type CardButton, type ContainerStyle } from './format.js';
import { statusOf, updateText } from './incidents.js';

/** Updates shown before the toggle. */
export const HISTORY_FIRST = 5;
/** Longest single update; Microsoft's updates are rarely longer than a few hundred characters. */
export const HISTORY_MESSAGE_CHARS = 2_000;
/** Most UTF-8 bytes of update text on one card, leaving room for the rest under MAX_CARD_BYTES. */
export const HISTORY_TEXT_BYTES = 45_000;

export interface IncidentHistoryInput {
  customer: Customer;
  incident: Incident;
  now: Date;
  buttons?: readonly CardButton[];
}

function publishedMillis(message: IncidentMessage): number {
  const t = Date.parse(message.publishedTime);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** Newest first; an unreadable time sorts last; equal times keep Partner Center's order, later first. */
function newestFirst(messages: readonly IncidentMessage[]): IncidentMessage[] {
  return messages
    .map((message, index) => ({ message, index }))
    .sort((a, b) => publishedMillis(b.message) - publishedMillis(a.message) || b.index - a.index)
    .map(({ message }) => message);
}

function header(incident: Incident): { text: string; style: ContainerStyle } {
  if (incident.resolved) return { text: `Incident history · resolved · was ${severityLabel(incident.severity).toLowerCase()}`, style: 'good' };
  return { text: `Incident history · ${severityLabel(incident.severity)}`, style: severityStyle(incident.severity) };
}

export function incidentHistoryView(input: IncidentHistoryInput) {
  const { incident } = input;
  const entries: { when: string; text: string }[] = [];
  let bytes = 0;
  const ordered = newestFirst(incident.messages);
  for (const message of ordered) {
    const text = paragraphs(truncate(updateText(message.text, incident.title), HISTORY_MESSAGE_CHARS)) || 'This update has no text.';
    bytes += Buffer.byteLength(JSON.stringify(text), 'utf8');
    // The newest update is always shown, whatever its size (it is capped at HISTORY_MESSAGE_CHARS).
    if (entries.length > 0 && bytes > HISTORY_TEXT_BYTES) break;
    entries.push({ when: formatUtc(message.publishedTime), text });
  }
  const cut = ordered.length - entries.length;
  const status = statusOf(incident);
  const head = header(incident);
  const title = name(incident.title, 200) || 'Untitled incident';

  return {
    headerStyle: head.style,
    headline: head.text,
    title: `${name(incident.workload, 80) || 'Unknown workload'}: ${title}`,
    subtitle: `${name(input.customer.companyName) || 'Unknown customer'} · ${asOf(input.now)}`,
    facts: [
      { title: 'Incident', value: name(incident.id, 40) },
      { title: 'Severity', value: severityLabel(incident.severity) },
      ...(status ? [{ title: 'Status', value: status.replace(/^Status now /, '') }] : []),
      { title: 'Started', value: formatUtc(incident.startTime) },
      ...(incident.endTime ? [{ title: 'Ended', value: formatUtc(incident.endTime) }] : []),
    ],
    countText: ordered.length === 0 ? 'No updates have been published yet.' : `${count(ordered.length, 'update')}, newest first`,
    first: entries.slice(0, HISTORY_FIRST),
    rest: entries.slice(HISTORY_FIRST),
    hasRest: entries.length > HISTORY_FIRST,
    toggleTitle: `Show all ${entries.length} updates`,
    hasCut: cut > 0,
    cutText: `${count(cut, 'older update is', 'older updates are')} not shown: the card would be too big for Teams. The Microsoft 365 admin center has the full history.`,
  };
}

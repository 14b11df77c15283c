// The incident diff: what changed for one customer between the stored snapshot and a *successful* fetch.
// Pure: a failed fetch never reaches this function, so absence here really means "no longer reported".
import type { Incident } from '../../domain/types.js';
import { isAlertable, type CustomerIncidentSnapshot, type IncidentFingerprint } from '../../domain/incidentRecords.js';
import { incidentAttention } from '../../domain/digestFacts.js';

/** How long a tombstone of an incident that is no longer listed is kept. */
export const TOMBSTONE_MS = 30 * 24 * 3_600_000;

export type IncidentEventKind = 'opened' | 'updated' | 'resolved';

export interface IncidentEvent {
  /** Stable for the same change, so a re-run of a cycle produces the same id. */
  id: string;
  kind: IncidentEventKind;
  customerId: string;
  incident: Incident;
  /** Human-readable changes, e.g. "severity critical → warning", "new update". */
  changes: string[];
  /** Resolved because it vanished from a successful fetch ("no longer reported"). */
  vanished: boolean;
}

export interface IncidentDiff {
  events: IncidentEvent[];
  snapshot: CustomerIncidentSnapshot;
}

/** Does the customer have an incident that is still open (the fast lane refreshes such customers)? */
export function hasActiveIncident(snapshot: CustomerIncidentSnapshot | undefined): boolean {
  return snapshot !== undefined && incidentAttention(snapshot.incidents).active;
}

export function fingerprint(incident: Incident): IncidentFingerprint {
  const distinct = distinctMessages(incident);
  return {
    severity: incident.severity,
    status: incident.status,
    resolved: incident.resolved,
    messageCount: distinct.length,
    lastMessageAt: distinct.at(-1)?.publishedTime ?? '',
  };
}

/**
 * `previous` undefined means this customer was never fetched: the fetch is the baseline and raises no
 * events, so starting to watch a customer does not flood the channel with its old incidents.
 */
export function diffIncidents(
  customerId: string,
  previous: CustomerIncidentSnapshot | undefined,
  current: readonly Incident[],
  fetchedAt: string,
): IncidentDiff {
  const alertable = current.filter(isAlertable);
  const snapshot: CustomerIncidentSnapshot = {
    fetchedAt,
    incidents: Object.fromEntries(alertable.map((incident) => [incident.id, fingerprint(incident)])),
  };
  if (!previous) return { events: [], snapshot };
  if (previous.changedAt) snapshot.changedAt = previous.changedAt;

  const events: IncidentEvent[] = [];
  const event = (kind: IncidentEventKind, incident: Incident, changes: string[], vanished = false) => {
    const print = snapshot.incidents[incident.id] ?? fingerprint(incident);
    // The episode keeps a returning incident's ids apart from its first life, which the log already holds.
    const episode = print.episode ? `e${print.episode}` : '';
    const id = [customerId, incident.id, kind, print.severity, print.status, print.messageCount, print.lastMessageAt, vanished ? 'gone' : '', episode].join('|').replace(/\|$/, '');
    events.push({ id, kind, customerId, incident, changes, vanished });
  };

  for (const incident of alertable) {
    const before = previous.incidents[incident.id];
    const now = snapshot.incidents[incident.id];
    if (!now) continue;
    if (before?.episode) now.episode = before.episode;
    if (!before) {
      if (!incident.resolved) event('opened', incident, []);
      continue;
    }
    if (before.goneAt !== undefined) {
      // Listed again after it was gone: a new episode, announced like a new incident.
      if (!incident.resolved) {
        now.episode = (before.episode ?? 0) + 1;
        event('opened', incident, ['active again']);
      }
      continue;
    }
    if (!before.resolved && now.resolved) {
      event('resolved', incident, []);
      continue;
    }
    const changes: string[] = [];
    if (before.resolved && !now.resolved) {
      now.episode = (before.episode ?? 0) + 1;
      changes.push('reopened');
    }
    if (before.severity !== now.severity) changes.push(`severity ${before.severity} → ${now.severity}`);
    if (before.status !== now.status) changes.push(`status ${before.status} → ${now.status}`);
    if (now.messageCount > before.messageCount || now.lastMessageAt > before.lastMessageAt) changes.push('new update');
    if (changes.length > 0) event('updated', incident, changes);
  }

  const fetchedMs = Date.parse(fetchedAt);
  const tombstoneCutoff = Number.isFinite(fetchedMs) ? new Date(fetchedMs - TOMBSTONE_MS).toISOString() : '';
  for (const [id, before] of Object.entries(previous.incidents)) {
    if (snapshot.incidents[id]) continue;
    const goneAt = before.goneAt ?? fetchedAt;
    const keepTombstone = () => {
      if (goneAt >= tombstoneCutoff) snapshot.incidents[id] = { ...before, resolved: true, goneAt };
    };
    if (before.resolved) {
      keepTombstone();
      continue;
    }
    const gone: Incident = {
      id,
      customerId,
      kind: 'incident',
      workload: '',
      title: id,
      severity: before.severity,
      status: before.status,
      startTime: '',
      endTime: null,
      resolved: true,
      messages: [],
    };
    event('resolved', gone, ['no longer reported'], true);
    keepTombstone();
  }
  if (events.length > 0) snapshot.changedAt = fetchedAt;
  return { events, snapshot };
}

/**
 * Messages without exact repeats, oldest first. Runs for every incident of every cycle, so it compares
 * texts only between messages published at the same moment, and ISO times with a plain comparison.
 */
export function distinctMessages(incident: Incident): Incident['messages'] {
  const sorted = [...incident.messages].sort((a, b) => (a.publishedTime < b.publishedTime ? -1 : a.publishedTime > b.publishedTime ? 1 : 0));
  const distinct: Incident['messages'] = [];
  let sameTimeStart = 0;
  for (const message of sorted) {
    if (distinct.length > 0 && distinct[distinct.length - 1]?.publishedTime !== message.publishedTime) sameTimeStart = distinct.length;
    let repeated = false;
    for (let i = sameTimeStart; i < distinct.length; i++) {
      if (distinct[i]?.text === message.text) {
        repeated = true;
        break;
      }
    }
    if (!repeated) distinct.push(message);
  }
  return distinct;
}

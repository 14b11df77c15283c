// Incident changes as alert events (src/domain/alertEvent.ts), for the outbound destinations. Pure: the
// same change found twice makes the same event id, so it is never queued twice.
import type { AlertEvent, AlertEventCustomer, AlertSeverity, EpisodeChange } from '../../domain/alertEvent.js';
import { alertEventId } from '../../domain/alertEventId.js';
import type { IncidentEvent } from './diff.js';
import type { Severity } from '../../domain/types.js';

/** Partner Center's "normal" is no outage at all: outside, it reads as information. */
export function alertSeverity(severity: Severity): AlertSeverity {
  return severity === 'normal' ? 'information' : severity;
}

/** One episode of one incident at one customer: a returning incident is the next episode. */
export const incidentEpisodeKey = (incidentId: string, tenantId: string, episode: number): string => `incident|${incidentId}|${tenantId}|${episode}`;

export function incidentAlertEvent(event: IncidentEvent, episode: number, customer: AlertEventCustomer, occurredAt: string): AlertEvent {
  const { incident } = event;
  // A resolved incident that is reported again is the start of a new episode, not an update of the old one.
  const change: EpisodeChange = event.kind === 'updated' && event.changes.includes('reopened') ? 'opened' : event.kind;
  const latest = incident.messages.at(-1)?.text ?? null;
  const what =
    change === 'resolved'
      ? event.vanished
        ? 'Microsoft no longer reports this incident.'
        : 'Microsoft reports this incident resolved.'
      : [event.changes.length > 0 ? `Changed: ${event.changes.join(', ')}.` : 'New incident.', latest].filter(Boolean).join('\n');
  const workload = incident.workload ? ` (${incident.workload})` : '';
  const title = incident.title && incident.title !== incident.id ? `${incident.id} · ${incident.title}${workload}` : `${incident.id}${workload}`;
  return {
    id: alertEventId(`incident|${event.id}`),
    source: 'incidents',
    type: `incident.${change}`,
    severity: alertSeverity(incident.severity),
    customer,
    episode: {
      key: incidentEpisodeKey(incident.id, customer.tenantId, episode),
      change,
      previousKey: episode > 0 ? incidentEpisodeKey(incident.id, customer.tenantId, episode - 1) : null,
    },
    title,
    text: what,
    occurredAt,
    links: [],
    data: {
      incidentId: incident.id,
      workload: incident.workload,
      status: incident.status,
      startTime: incident.startTime || null,
      endTime: incident.endTime,
      resolved: incident.resolved,
      vanished: event.vanished,
      changes: event.changes,
      latestUpdate: latest,
    },
  };
}

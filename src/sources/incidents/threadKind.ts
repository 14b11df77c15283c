// The incident card as a thread kind, registered at the composition root beside the other sources' kinds
// (see sources/source.ts): delivery treats all of them alike.
import type { HeldAlertWords, ThreadDeliveryKind } from '../source.js';
import type { IncidentDelivery, IncidentThread } from '../../store/state.js';
import { renderNote } from './threadNote.js';

export type IncidentCardRenderer = (thread: IncidentThread, now: Date, options: { shrink: boolean }) => object;

export function incidentThreadKind(card: IncidentCardRenderer): ThreadDeliveryKind<IncidentThread, IncidentDelivery> {
  return {
    kind: 'incident',
    field: 'threads',
    threads: (state) => state.threads,
    card,
    hasReply: (delivery) => Boolean(delivery.noteParts ?? delivery.note),
    reply: (delivery) => (delivery.noteParts ? renderNote(delivery.noteParts) : (delivery.note ?? null)),
    breaksThrough: (thread) => thread.incident.severity === 'critical',
    held: heldIncident,
  };
}

function heldIncident(delivery: IncidentDelivery, thread: IncidentThread | undefined): HeldAlertWords {
  const note = delivery.noteParts ? renderNote(delivery.noteParts) : (delivery.note ?? '');
  const affected = thread ? Object.values(thread.customers).filter((customer) => !customer.resolved).map((customer) => customer.name) : [];
  const opened = affected.length > 0 ? `Opened for ${affected.slice(0, 5).join(', ')}${affected.length > 5 ? ` and ${affected.length - 5} more` : ''}.` : 'Opened.';
  return { kind: 'incident', text: note || opened, threadKey: delivery.threadKey, incidentId: thread?.incidentId ?? delivery.threadKey.split('|').at(-1) ?? '' };
}

// The records the incidents source (src/sources/incidents/) keeps in the store, as plain types: the store
// holds them and knows no source. Which incidents alert at all is asked by the status cards too.
import type { Incident } from './types.js';

/** What we remember of an incident between cycles: just enough to notice every change users care about. */
export interface IncidentFingerprint {
  severity: Incident['severity'];
  status: Incident['status'];
  resolved: boolean;
  /** Distinct messages seen (Partner Center sometimes repeats one). */
  messageCount: number;
  lastMessageAt: string;
  /** How many times it came back after being resolved or no longer listed (0 for the first episode). */
  episode?: number;
  /** No longer listed since this time: kept as a tombstone so a return is recognised as a new episode. */
  goneAt?: string;
}

export interface CustomerIncidentSnapshot {
  fetchedAt: string;
  /** The last fetch that produced an event (the fast lane watches recently changed customers). */
  changedAt?: string;
  incidents: Record<string, IncidentFingerprint>;
}

/** Message-center posts are announcements, not incidents: they never raise alerts. */
export function isAlertable(incident: Incident): boolean {
  return incident.kind !== 'message_center';
}

// The incidents source's parts of a conversation's digest and of its end-of-quiet-hours summary, read from
// the state alone: active incidents of the watched customers (snapshots say who has one open, threads say
// what it is), the cards that changed since, and the watched customers whose incidents could not be read.
import {
  SUMMARY_LIMITS,
  summaryList,
  type SummaryChange,
  type SummaryCustomer,
  type SummaryIncident,
  type SummaryUnchecked,
} from '../../domain/digest.js';
import { compareSeverity } from '../../domain/severity.js';
import type { Incident, Severity } from '../../domain/types.js';
import type { HeldAlert, State } from '../../store/state.js';
import { customerNames } from '../customerNames.js';
import type { DigestPartsContext, DigestSectionContext, SummaryParts } from '../source.js';
import { describe, IncidentScope } from './digestScope.js';

/** The digest's active incidents, changes since and unchecked customers of one conversation. */
export function incidentDigest(state: Readonly<State>, targetKey: string, ctx: DigestPartsContext): SummaryParts {
  const scope = new IncidentScope(state, targetKey, customerNames(state, targetKey, ctx.customerName));
  return {
    incidents: summaryList(activeIncidents(scope), SUMMARY_LIMITS.incidents),
    changes: summaryList(changesSince(scope, ctx.since), SUMMARY_LIMITS.changes),
    unchecked: summaryList(uncheckedCustomers(scope), SUMMARY_LIMITS.unchecked),
  };
}

/** The incidents quiet hours held back, as their cards stand now, with the latest of what was held. */
export function incidentQuietSummary(state: Readonly<State>, targetKey: string, held: readonly HeldAlert[], ctx: DigestSectionContext): SummaryParts {
  const scope = new IncidentScope(state, targetKey, customerNames(state, targetKey, ctx.customerName));
  const incidents = new Map<string, SummaryIncident>();
  for (const alert of held) {
    if (alert.kind !== 'incident') continue;
    const incidentId = alert.incidentId ?? '';
    let entry = incidents.get(incidentId);
    if (!entry) {
      const thread = alert.threadKey ? state.threads[alert.threadKey] : undefined;
      entry = thread ? scope.incidentOfThread(thread) : { ...unknownIncident(incidentId, 'normal'), customers: [], customerCount: 0 };
      incidents.set(incidentId, entry);
    }
    if (alert.text && !entry.notes.includes(alert.text)) entry.notes.push(alert.text);
  }
  for (const entry of incidents.values()) {
    // The latest notes say most: keep those.
    entry.notes = entry.notes.slice(-SUMMARY_LIMITS.notesPerIncident);
  }
  return { incidents: summaryList(sortIncidents([...incidents.values()]), SUMMARY_LIMITS.incidents) };
}

function unknownIncident(incidentId: string, severity: Severity): Omit<SummaryIncident, 'customers' | 'customerCount'> {
  return { incidentId, workload: null, title: null, severity, resolved: false, startTime: null, notes: [] };
}

/**
 * Active incidents of the watched customers, one entry per incident with the customers it affects. The
 * snapshots say which customers have it open now; the threads say what it is (title, workload, latest copy).
 */
function activeIncidents(scope: IncidentScope): SummaryIncident[] {
  const grouped = new Map<string, { incident: Omit<SummaryIncident, 'customers' | 'customerCount'>; customers: Map<string, SummaryCustomer> }>();
  const add = (incidentId: string, severity: Severity, known: Incident | undefined, customerId: string) => {
    let group = grouped.get(incidentId);
    if (!group) {
      group = { incident: known ? { ...describe(known), severity, resolved: false } : unknownIncident(incidentId, severity), customers: new Map() };
      grouped.set(incidentId, group);
    } else if (compareSeverity(severity, group.incident.severity) > 0) {
      group.incident.severity = severity;
    }
    group.customers.set(customerId, { id: customerId, name: scope.name(customerId) });
  };
  for (const customerId of scope.customers()) {
    const snapshot = scope.state.incidentSnapshots[customerId];
    for (const [incidentId, print] of Object.entries(snapshot?.incidents ?? {})) {
      if (print.resolved || print.goneAt) continue;
      const known = scope.incident(incidentId);
      // Without a copy of the incident its workload is unknown: a watch limited to workloads cannot be said to cover it.
      const probe: Incident = known ? { ...known, severity: print.severity } : { ...placeholder(incidentId, customerId), severity: print.severity };
      if (scope.covers(customerId, probe)) add(incidentId, print.severity, known, customerId);
    }
  }
  // Customers on a card of this conversation that have no snapshot (yet): the card is what is known.
  for (const thread of scope.threads) {
    // Only these are loaded for a digest (digestReads.ts): ask of no other customer's snapshot.
    for (const customerId of scope.openCardCustomers(thread)) {
      if (scope.state.incidentSnapshots[customerId]) continue;
      add(thread.incidentId, thread.incident.severity, thread.incident, customerId);
    }
  }
  return sortIncidents(
    [...grouped.values()].map(({ incident, customers }) => {
      const list = [...customers.values()].sort((a, b) => a.name.localeCompare(b.name));
      return { ...incident, customers: list.slice(0, SUMMARY_LIMITS.customersPerIncident), customerCount: list.length };
    }),
  );
}

/** Most severe first, then the widest, then by id. */
function sortIncidents(incidents: SummaryIncident[]): SummaryIncident[] {
  return incidents.sort(
    (a, b) => Number(a.resolved) - Number(b.resolved) || compareSeverity(b.severity, a.severity) || b.customerCount - a.customerCount || a.incidentId.localeCompare(b.incidentId),
  );
}

function placeholder(incidentId: string, customerId: string): Incident {
  return { id: incidentId, customerId, kind: 'incident', workload: '', title: '', severity: 'normal', status: 'normal', startTime: '', endTime: null, resolved: false, messages: [] };
}

/** This conversation's incident cards that changed since `since`, newest first (cards never posted are not news). */
function changesSince(scope: IncidentScope, since: string): SummaryChange[] {
  const held = new Set((scope.state.targets[scope.targetKey]?.schedule?.held ?? []).map((alert) => alert.threadKey));
  return scope.threads
    .filter((thread) => thread.updatedAt > since && (thread.activityId !== null || Boolean(thread.lastSentAt) || held.has(thread.key)))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .map((thread): SummaryChange => {
      const entries = Object.entries(thread.customers);
      const first = entries.find(([, customer]) => !customer.resolved) ?? entries[0];
      const kind = thread.resolvedAt && thread.resolvedAt > since ? 'resolved' : thread.openedAt > since ? 'opened' : 'updated';
      return {
        incidentId: thread.incidentId,
        workload: thread.incident.workload,
        title: thread.incident.title,
        severity: thread.incident.severity,
        kind,
        customerId: first?.[0] ?? null,
        customerCount: entries.length,
        at: thread.updatedAt,
      };
    });
}

/** Watched customers the last round could not read, and those refusing access. */
function uncheckedCustomers(scope: IncidentScope): SummaryUnchecked[] {
  const out = new Map<string, SummaryUnchecked>();
  for (const [customerId, since] of Object.entries(scope.state.accessDenied)) {
    if (scope.isWatched(customerId)) out.set(customerId, { customerId, name: scope.name(customerId), reason: 'refused', since });
  }
  const cycle = scope.state.lastCycle;
  for (const failure of cycle?.customersFailed ?? []) {
    if (out.has(failure.customerId) || !scope.isWatched(failure.customerId)) continue;
    out.set(failure.customerId, { customerId: failure.customerId, name: failure.name || scope.name(failure.customerId), reason: 'failed', since: cycle?.endedAt ?? null });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

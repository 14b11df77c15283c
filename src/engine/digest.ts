// The contents of a conversation's digest and of its end-of-quiet-hours summary, read from the state alone:
// incident threads and snapshots, watched orders' snapshots, the last round's failures and the customers
// refusing access. A digest never asks Partner Center: at 50,000 customers it would be a sweep of its own.
import {
  summaryList,
  type SummaryChange,
  type SummaryCustomer,
  type SummaryIncident,
  type SummaryList,
  type SummaryOrder,
  type SummaryReport,
  type SummaryUnchecked,
} from '../domain/digest.js';
import { isFinalState, isFulfilled } from '../domain/provisioning.js';
import { compareSeverity } from '../domain/severity.js';
import type { Incident, Severity } from '../domain/types.js';
import { watchCoversIncident } from '../domain/watch.js';
import type { AlertSource } from '../sources/source.js';
import { orderKey, type HeldAlert, type IncidentThread, type State, type Watch } from '../store/state.js';

export const SUMMARY_LIMITS = { incidents: 15, customersPerIncident: 5, notesPerIncident: 3, orders: 10, changes: 10, unchecked: 10, notices: 5 } as const;

const DAY_MS = 24 * 3_600_000;

export interface DigestOptions {
  now: Date;
  timeZone: string;
  /** Changes are counted from here; null: the last 24 hours. */
  since: string | null;
  /** When the digest was due (null: asked for now). */
  dueAt: string | null;
  late: boolean;
  /** The directory's name of a customer, when it knows one. */
  customerName?: (customerId: string) => string | undefined;
  /** Alert sources beyond incidents and orders: each adds its own section. */
  sources?: readonly AlertSource[];
}

/** Where a digest's "changes since" start: the last digest, else a day before `now`. */
export function digestSince(since: string | null, now: Date): string {
  return since ?? new Date(now.getTime() - DAY_MS).toISOString();
}

/** The morning digest of one conversation. */
export function buildDigest(state: Readonly<State>, targetKey: string, options: DigestOptions): SummaryReport {
  const scope = new Scope(state, targetKey, options.customerName);
  const since = digestSince(options.since, options.now);
  return {
    kind: 'digest',
    timeZone: options.timeZone,
    generatedAt: options.now.toISOString(),
    dueAt: options.dueAt,
    endedAt: null,
    late: options.late,
    since,
    incidents: summaryList(activeIncidents(scope), SUMMARY_LIMITS.incidents),
    orders: summaryList(provisioningOrders(scope), SUMMARY_LIMITS.orders),
    changes: summaryList(changesSince(scope, since), SUMMARY_LIMITS.changes),
    unchecked: summaryList(uncheckedCustomers(scope), SUMMARY_LIMITS.unchecked),
    notices: summaryList([], 0),
    sections: (options.sources ?? []).flatMap((source) => source.digestSection(state, targetKey, { now: options.now, customerName: options.customerName }) ?? []),
  };
}

export interface QuietSummaryOptions {
  now: Date;
  timeZone: string;
  startedAt: string | null;
  endedAt: string;
  customerName?: (customerId: string) => string | undefined;
}

/** What quiet hours held back, as one summary: incidents (as their cards stand now), orders, notices. */
export function buildQuietSummary(state: Readonly<State>, targetKey: string, held: readonly HeldAlert[], options: QuietSummaryOptions): SummaryReport {
  const scope = new Scope(state, targetKey, options.customerName);
  const incidents = new Map<string, SummaryIncident>();
  const orders = new Map<string, SummaryOrder>();
  const notices: string[] = [];
  // Notices and subscription alerts held but dropped from the list to keep it short: "and N more" counts them.
  let noticesDropped = 0;
  for (const alert of held) {
    if (alert.kind === 'notice') {
      if (!notices.includes(alert.text)) notices.push(alert.text);
      noticesDropped += alert.alsoHeld ?? 0;
      continue;
    }
    if (alert.kind === 'provisioning') {
      const key = `${alert.customerId ?? ''}/${alert.orderId ?? ''}`;
      const order = orders.get(key) ?? scope.order(alert.customerId ?? '', alert.orderId ?? '', alert.customerName);
      order.note = alert.text; // the latest change says where it stands
      orders.set(key, order);
      continue;
    }
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
  return {
    kind: 'quiet',
    timeZone: options.timeZone,
    generatedAt: options.now.toISOString(),
    dueAt: options.startedAt,
    endedAt: options.endedAt,
    late: false,
    since: options.startedAt,
    incidents: summaryList(sortIncidents([...incidents.values()]), SUMMARY_LIMITS.incidents),
    orders: summaryList([...orders.values()], SUMMARY_LIMITS.orders),
    changes: summaryList([], 0),
    unchecked: summaryList([], 0),
    notices: withMore(summaryList(notices, SUMMARY_LIMITS.notices), noticesDropped),
  };
}

function withMore<T>(list: SummaryList<T>, more: number): SummaryList<T> {
  return { items: list.items, more: list.more + more };
}

/** What one conversation watches, and the names the state knows (digestReads.ts reads by it too). */
export class Scope {
  readonly watches: Watch[];
  readonly all: Watch | undefined;
  readonly own: Set<string>;
  private readonly threadsByIncident = new Map<string, IncidentThread[]>();
  readonly threads: IncidentThread[] = [];

  constructor(
    readonly state: Readonly<State>,
    readonly targetKey: string,
    private readonly directoryName?: (customerId: string) => string | undefined,
  ) {
    this.watches = state.watches.filter((watch) => watch.targetKey === targetKey);
    this.all = this.watches.find((watch) => watch.kind === 'all');
    this.own = new Set(this.watches.filter((watch) => watch.kind === 'customer' && watch.customerId).map((watch) => watch.customerId as string));
    for (const thread of Object.values(state.threads)) {
      const list = this.threadsByIncident.get(thread.incidentId);
      if (list) list.push(thread);
      else this.threadsByIncident.set(thread.incidentId, [thread]);
      if (thread.targetKey === targetKey) this.threads.push(thread);
    }
  }

  /** Does this conversation watch the customer (one by one, or through "watch all" without excluding it)? */
  isWatched(customerId: string): boolean {
    if (this.own.has(customerId)) return true;
    return this.all !== undefined && !this.all.excluded?.some((entry) => entry.customerId === customerId);
  }

  /** Customers whose snapshots the digest reads. */
  customers(): string[] {
    if (this.all) return Object.keys(this.state.incidentSnapshots).filter((id) => this.isWatched(id));
    return [...this.own];
  }

  /** The best copy of an incident the state holds: this conversation's card, else any other's. */
  incident(incidentId: string): Incident | undefined {
    const threads = this.threadsByIncident.get(incidentId) ?? [];
    return (threads.find((thread) => thread.targetKey === this.targetKey) ?? threads[0])?.incident;
  }

  covers(customerId: string, incident: Incident): boolean {
    return this.watches.some((watch) => watchCoversIncident(watch, customerId, incident));
  }

  name(customerId: string): string {
    const known = this.directoryName?.(customerId);
    if (known) return known;
    const watch = this.state.watches.find((w) => w.customerId === customerId && w.customerName);
    if (watch?.customerName) return watch.customerName;
    for (const thread of this.threads) {
      const customer = thread.customers[customerId];
      if (customer) return customer.name;
    }
    return customerId;
  }

  incidentOfThread(thread: IncidentThread): SummaryIncident {
    const entries = Object.entries(thread.customers);
    const affected = entries.filter(([, customer]) => !customer.resolved);
    const shown = (affected.length > 0 ? affected : entries).map(([id, customer]) => ({ id, name: customer.name }));
    return {
      ...describe(thread.incident),
      resolved: thread.resolvedAt !== null,
      customers: shown.slice(0, SUMMARY_LIMITS.customersPerIncident),
      customerCount: shown.length,
    };
  }

  order(customerId: string, orderId: string, customerName?: string): SummaryOrder {
    const snapshot = this.state.orderSnapshots[orderKey(customerId, orderId)];
    const states = Object.values(snapshot?.lines ?? {}).map((line) => line.split('|')[0] ?? '');
    return {
      customerId,
      customerName: customerName ?? this.name(customerId),
      orderId,
      linesTotal: states.length,
      linesFinal: states.filter((state) => isFinalState(state)).length,
      linesFailed: states.filter((state) => isFinalState(state) && !isFulfilled(state)).length,
      unchecked: !snapshot,
      note: null,
    };
  }
}

function describe(incident: Incident): Omit<SummaryIncident, 'customers' | 'customerCount' | 'resolved'> {
  return { incidentId: incident.id, workload: incident.workload, title: incident.title, severity: incident.severity, startTime: incident.startTime, notes: [] };
}

function unknownIncident(incidentId: string, severity: Severity): Omit<SummaryIncident, 'customers' | 'customerCount'> {
  return { incidentId, workload: null, title: null, severity, resolved: false, startTime: null, notes: [] };
}

/**
 * Active incidents of the watched customers, one entry per incident with the customers it affects. The
 * snapshots say which customers have it open now; the threads say what it is (title, workload, latest copy).
 */
function activeIncidents(scope: Scope): SummaryIncident[] {
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
    if (thread.resolvedAt) continue;
    for (const [customerId, customer] of Object.entries(thread.customers)) {
      // Watched first: only those are loaded for a digest (digestReads.ts).
      if (customer.resolved || !scope.isWatched(customerId) || scope.state.incidentSnapshots[customerId]) continue;
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

/** Watched orders (a watch ends when its order is final, so every one listed is still provisioning). */
function provisioningOrders(scope: Scope): SummaryOrder[] {
  return scope.watches
    .filter((watch) => watch.kind === 'order' && watch.customerId && watch.orderId)
    .map((watch) => scope.order(watch.customerId as string, watch.orderId as string, watch.customerName ?? undefined))
    .sort((a, b) => b.linesFailed - a.linesFailed || a.customerName.localeCompare(b.customerName) || a.orderId.localeCompare(b.orderId));
}

/** This conversation's incident cards that changed since `since`, newest first (cards never posted are not news). */
function changesSince(scope: Scope, since: string): SummaryChange[] {
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
function uncheckedCustomers(scope: Scope): SummaryUnchecked[] {
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

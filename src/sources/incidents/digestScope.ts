// What one conversation watches of incidents, and the state's incident cards it has: what the incidents
// source's digest part shows (digest.ts) and what the digest loads for it (digestReads.ts) both go by it.
import type { SummaryIncident } from '../../domain/digest.js';
import { SUMMARY_LIMITS } from '../../domain/digest.js';
import type { Incident } from '../../domain/types.js';
import { watchCoversIncident } from '../../domain/watch.js';
import type { IncidentThread, State, Watch } from '../../store/state.js';
import type { CustomerNames } from '../customerNames.js';

export class IncidentScope {
  readonly watches: Watch[];
  readonly all: Watch | undefined;
  readonly own: Set<string>;
  private readonly threadsByIncident = new Map<string, IncidentThread[]>();
  readonly threads: IncidentThread[] = [];

  constructor(
    readonly state: Readonly<State>,
    readonly targetKey: string,
    readonly name: CustomerNames = (customerId) => customerId,
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

  /** The watched customers still affected on an open card of this conversation (the digest loads their snapshots). */
  openCardCustomers(thread: IncidentThread): string[] {
    if (thread.resolvedAt) return [];
    return Object.entries(thread.customers)
      .filter(([customerId, customer]) => !customer.resolved && this.isWatched(customerId))
      .map(([customerId]) => customerId);
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
}

/** What a digest says of an incident, from a copy of it. */
export function describe(incident: Incident): Omit<SummaryIncident, 'customers' | 'customerCount' | 'resolved'> {
  return { incidentId: incident.id, workload: incident.workload, title: incident.title, severity: incident.severity, startTime: incident.startTime, notes: [] };
}

// Watches — a conversation's request for alerts — and the rule that decides whether one covers an event.
import { meetsMinimumSeverity } from './severity.js';
import type { Incident, Severity } from './types.js';

/**
 * `subscriptions`: subscription alerts of one customer (`customerId`), or of every customer (`customerId` null);
 * `access`: GDAP access alerts, likewise.
 */
export type WatchKind = 'customer' | 'all' | 'order' | 'subscriptions' | 'access';

export interface Watch {
  id: string;
  /** The conversation that asked (a Target key). */
  targetKey: string;
  kind: WatchKind;
  customerId: string | null;
  customerName: string | null;
  orderId: string | null;
  minSeverity: Severity | null;
  /** Lower-cased workload names as typed ("exchange", "teams"); empty = every workload. */
  workloads: string[];
  createdBy: string;
  createdAt: string;
  /**
   * For a watch of every customer ("watch all", "watch subscriptions all"): customers left out of it
   * ("exclude contoso"). An exclusion is about the customer, so it is kept on each such watch alike.
   */
  excluded?: { customerId: string; name: string }[];
}

/** A watch of every customer of one source: "watch all" (incidents) or "watch subscriptions all". */
export function watchesEveryCustomer(watch: Pick<Watch, 'kind' | 'customerId'>): boolean {
  return watch.kind === 'all' || ((watch.kind === 'subscriptions' || watch.kind === 'access') && watch.customerId === null);
}

function excludes(watch: Watch, customerId: string): boolean {
  return watch.excluded?.some((customer) => customer.customerId === customerId) ?? false;
}

/** Does this watch ask for alerts about this incident of this customer? */
export function watchCoversIncident(watch: Watch, customerId: string, incident: Incident): boolean {
  if (watch.kind !== 'customer' && watch.kind !== 'all') return false;
  if (watch.kind === 'customer' && watch.customerId !== customerId) return false;
  if (watch.kind === 'all' && excludes(watch, customerId)) return false;
  if (watch.minSeverity && !meetsMinimumSeverity(incident.severity, watch.minSeverity)) return false;
  if (watch.workloads.length > 0) {
    const workload = incident.workload.toLowerCase();
    if (!watch.workloads.some((wanted) => workload.includes(wanted))) return false;
  }
  return true;
}

/** Does this watch ask for a subscription change of this customer, of this severity? */
export function watchCoversSubscription(watch: Watch, customerId: string, severity: Severity): boolean {
  if (watch.kind !== 'subscriptions') return false;
  if (watch.customerId !== null && watch.customerId !== customerId) return false;
  if (watch.customerId === null && excludes(watch, customerId)) return false;
  return !watch.minSeverity || meetsMinimumSeverity(severity, watch.minSeverity);
}

/** Does this watch ask for GDAP access alerts about this customer? */
export function watchCoversAccess(watch: Watch, customerId: string, severity: Severity): boolean {
  if (watch.kind !== 'access') return false;
  if (watch.customerId !== null && watch.customerId !== customerId) return false;
  if (watch.customerId === null && excludes(watch, customerId)) return false;
  return !watch.minSeverity || meetsMinimumSeverity(severity, watch.minSeverity);
}

export function describeWatch(watch: Watch): string {
  const except = watch.excluded?.length ? ` except ${watch.excluded.map((customer) => customer.name).join(', ')}` : '';
  const what =
    watch.kind === 'all'
      ? `all customers${except}`
      : watch.kind === 'order'
        ? `order ${watch.orderId} of ${watch.customerName}`
        : watch.kind === 'subscriptions'
          ? `the subscriptions of ${watch.customerId === null ? `all customers${except}` : (watch.customerName ?? '')}`
          : watch.kind === 'access'
            ? `the GDAP access of ${watch.customerId === null ? `all customers${except}` : (watch.customerName ?? '')}`
            : (watch.customerName ?? '');
  const filters = [
    watch.minSeverity ? `severity ${watch.minSeverity} or worse` : '',
    watch.workloads.length > 0 ? `workloads ${watch.workloads.join(', ')}` : '',
  ].filter(Boolean);
  return filters.length > 0 ? `${what} (${filters.join('; ')})` : what;
}

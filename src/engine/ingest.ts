// Ingest stage: a batch of fetch results → diff against the stored snapshots → threads and outbox, in ONE
// durable write together with the sweep's cursor. A failed fetch changes nothing: it never reads as
// "resolved". A crash before the write loses only fetches (they are made again); after it, nothing.
import type { AlertEvent } from '../domain/alertEvent.js';
import type { Customer, Incident, OrderProvisioning } from '../domain/types.js';
import type { SweepState } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { Loads } from '../store/paged.js';
import { accessRefused, accessReturned } from './accessNotices.js';
import { refusalExplanation, refusalLoads, type BatchSources, type FetchedIncidents, type SourceItem, type SourceRegistry } from '../sources/source.js';
import type { SweepItem } from './sweepPlan.js';
import { outboundEmitter, type OutboundRoutes } from './outboundQueue.js';

export type FetchResult =
  | { item: SweepItem & { kind: 'customer' }; ok: true; incidents: Incident[]; rolling: boolean }
  | { item: SweepItem & { kind: 'order' }; ok: true; provisioning: OrderProvisioning; rolling: boolean }
  | { item: SourceItem; ok: true; data: unknown; rolling: boolean }
  | { item: SweepItem; ok: false; error: string; rolling: boolean; accessRefused?: boolean };

export interface BatchOutcome {
  events: number;
  deliveriesQueued: number;
}

// Enough to name what failed; a partner-wide outage need not copy every customer into the state file.
const FAILURES_KEPT = 500;

export interface IngestOptions {
  store: StateStore;
  now: Date;
  customerName: (customerId: string) => string;
  /** Deliveries being sent (here or, with PostgreSQL, by another instance): asked inside the write, where
   * the claims other instances hold were just read, and never merged into. */
  inFlight?: () => ReadonlySet<string>;
  /** Alert sources whose items this batch may hold: each ingests its own results in this same write. */
  sources?: SourceRegistry;
  /** The incidents and provisioning sources: they ingest the batch's customers' incidents and orders. */
  batchSources: BatchSources;
  /** Outbound destinations (webhooks, tickets): every change's alert event is queued for them in this write. */
  outbound?: OutboundRoutes;
  /** The directory's customer (its domain, for the alert events), when it knows one. */
  findCustomer?: (customerId: string) => Customer | undefined;
  /** Changes to the sweep's durable position, applied in the same write (null: a fast-lane-only batch). */
  sweep: ((sweep: SweepState) => void) | null;
}

export function commitBatch(results: readonly FetchResult[], options: IngestOptions): Promise<BatchOutcome> {
  const fetchedAt = options.now.toISOString();
  return options.store.update((draft) => {
    const inFlight = options.inFlight?.();
    const fetchedIncidents: FetchedIncidents[] = [];
    const fetchedOrders: OrderProvisioning[] = [];
    let notices = 0;
    let sourceEvents = 0;
    let sourceQueued = 0;
    // Alert events go to the outbound queue in this same write: exactly once with the batch.
    // (No destination configured: no events are made at all.)
    const queueOutbound = options.outbound?.destinations.length ? outboundEmitter(draft, options.outbound, options.now) : null;
    const emit = queueOutbound ? (event: AlertEvent) => void queueOutbound(event) : undefined;
    const ctx = { now: options.now, customerName: options.customerName, inFlight, emit, findCustomer: options.findCustomer };
    for (const result of results) {
      if (!result.ok) {
        // A failed fetch changes nothing, but a refusal is worth saying once.
        if (result.accessRefused && result.item.kind === 'customer') {
          const { id, companyName } = result.item.customer;
          notices += accessRefused(draft, id, companyName, options.now, refusalExplanation(options.sources, draft, id, companyName, options.now));
        }
        continue;
      }
      if ('data' in result) {
        // Another alert source: it diffs, routes and queues inside this same write.
        const source = options.sources?.get(result.item.source);
        if (!source) continue;
        const outcome = source.ingest(draft, result.item, result.data, ctx);
        sourceEvents += outcome.events;
        sourceQueued += outcome.queued;
      } else if ('incidents' in result) {
        const { id, companyName } = result.item.customer;
        notices += accessReturned(draft, id, companyName, options.now);
        fetchedIncidents.push({ customer: result.item.customer, incidents: result.incidents });
      } else {
        fetchedOrders.push(result.provisioning);
      }
    }
    // Incidents and orders diff, route and queue the batch's fetches of them together, in this same write.
    const incidents = options.batchSources.incidents.ingest(draft, fetchedIncidents, ctx);
    const orders = options.batchSources.provisioning.ingest(draft, fetchedOrders, ctx);
    const deliveriesQueued = notices + sourceQueued + incidents.queued + orders.queued;
    const events = incidents.events + orders.events + sourceEvents;
    if (options.sweep) {
      const sweep = draft.sweep;
      for (const result of results) {
        if (!result.rolling) continue;
        if (result.item.kind === 'source') {
          countSourceItem(sweep, result.item, result.ok ? null : result, options.sources);
          continue;
        }
        const isCustomer = result.item.kind === 'customer';
        if (result.ok) {
          if (isCustomer) sweep.customersFetched++;
          else sweep.ordersFetched++;
        } else if (result.item.kind === 'customer') {
          if (result.accessRefused) {
            sweep.customersRefused++; // told once through a notice, not in every round's failures
            continue;
          }
          if (sweep.failures.length < FAILURES_KEPT) sweep.failures.push({ customerId: result.item.customer.id, name: result.item.customer.companyName, error: result.error });
        } else if (result.item.kind === 'order' && sweep.ordersFailed.length < FAILURES_KEPT) {
          sweep.ordersFailed.push({ orderId: result.item.orderId, error: result.error });
        }
      }
      sweep.events += events;
      sweep.deliveriesQueued += deliveriesQueued;
      sweep.lastCommitAt = fetchedAt;
      options.sweep(sweep);
    }
    return { events, deliveriesQueued };
  }, { fenced: true, load: loadsOf(results, options.sources, options.batchSources) });
}

/** The snapshots a batch reads: those of the items it fetched, and what explains a refusal. */
function loadsOf(results: readonly FetchResult[], sources: SourceRegistry | undefined, batchSources: BatchSources): Loads[] {
  const fetchedIncidents: FetchedIncidents[] = [];
  const fetchedOrders: OrderProvisioning[] = [];
  const loads: Loads[] = [];
  for (const result of results) {
    if (!result.ok) {
      if (result.accessRefused && result.item.kind === 'customer') loads.push(...refusalLoads(sources, result.item.customer.id));
    } else if ('incidents' in result) fetchedIncidents.push({ customer: result.item.customer, incidents: result.incidents });
    else if ('provisioning' in result) fetchedOrders.push(result.provisioning);
    else if (result.item.kind === 'source') loads.push(sources?.get(result.item.source)?.loads(result.item) ?? {});
  }
  return [batchSources.incidents.loads(fetchedIncidents), batchSources.provisioning.loads(fetchedOrders), ...loads];
}

/** A source's item in the round's counts: fetched, refused (403: not a failure) or failed. */
function countSourceItem(sweep: SweepState, item: SourceItem, failure: { error: string; accessRefused?: boolean } | null, sources: SourceRegistry | undefined): void {
  sweep.sources ??= {};
  const counts = (sweep.sources[item.source] ??= { noun: sources?.get(item.source)?.noun ?? item.source, fetched: 0, refused: 0, failed: [] });
  if (!failure) counts.fetched++;
  else if (failure.accessRefused) counts.refused++;
  else if (counts.failed.length < FAILURES_KEPT) {
    // A partner-wide item (the GDAP listing) has no customer: it is named by what it covers.
    counts.failed.push({ customerId: item.customer?.id ?? item.key, name: item.customer?.companyName ?? item.subject ?? item.key, error: failure.error });
  }
}

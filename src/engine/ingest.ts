// Ingest stage: a batch of fetch results → each source diffs its own against the stored snapshots and routes
// them to threads and outbox, all in ONE durable write together with the sweep's cursor. A failed fetch changes nothing: it never reads as
// "resolved". A crash before the write loses only fetches (they are made again); after it, nothing.
import type { AlertEvent } from '../domain/alertEvent.js';
import type { Customer } from '../domain/types.js';
import type { SweepState } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { Loads } from '../store/paged.js';
import { txPorts } from '../store/ports/index.js';
import {
  batchSourceList,
  FAILURES_KEPT,
  refusalExplanation,
  refusalLoads,
  type BatchIngest,
  type BatchSource,
  type BatchSources,
  type FetchFailure,
  type SourceItem,
  type SourceRegistry,
} from '../sources/source.js';
import { outboundEmitter, type OutboundRoutes } from './outboundQueue.js';

export type FetchResult = { item: SourceItem; ok: true; data: unknown; rolling: boolean } | { item: SourceItem; ok: false; error: string; rolling: boolean; accessRefused?: boolean };

export interface BatchOutcome {
  events: number;
  deliveriesQueued: number;
}

export interface IngestOptions {
  store: StateStore;
  now: Date;
  customerName: (customerId: string) => string;
  /** Deliveries being sent (here or, with PostgreSQL, by another instance): asked inside the write, where
   * the claims other instances hold were just read, and never merged into. */
  inFlight?: () => ReadonlySet<string>;
  /** Alert sources whose items this batch may hold: each ingests its own results in this same write. */
  sources?: SourceRegistry;
  /** The incidents and provisioning sources: each takes the batch's results of its items together. */
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
  const batchSources = batchSourceList(options.batchSources);
  const batchSource = (item: SourceItem) => batchSources.find((source) => source.name === item.source);
  return options.store.update((draft) => {
    // The records that have ports (outbound, the delivery log, the sweep) are written through them.
    const tx = txPorts(draft);
    const inFlight = options.inFlight?.();
    let notices = 0;
    let sourceEvents = 0;
    let sourceQueued = 0;
    // Alert events go to the outbound queue in this same write: exactly once with the batch.
    // (No destination configured: no events are made at all.)
    const queueOutbound = options.outbound?.destinations.length ? outboundEmitter(tx, options.outbound, options.now) : null;
    const emit = queueOutbound ? (event: AlertEvent) => void queueOutbound(event) : undefined;
    const ctx = { now: options.now, customerName: options.customerName, inFlight, emit, findCustomer: options.findCustomer };
    const explainRefusal = (customerId: string, customerName: string) => refusalExplanation(options.sources, draft, customerId, customerName, options.now);
    const batches = new Map<BatchSource, BatchIngest<unknown, SourceItem>>(batchSources.map((source) => [source, source.ingest(draft, { ...ctx, explainRefusal })]));
    for (const result of results) {
      const mine = batchSource(result.item);
      const batch = mine && batches.get(mine);
      if (!result.ok) {
        // A failed fetch changes nothing, but a refusal is worth saying once.
        if (result.accessRefused && batch) notices += batch.refused(result.item);
        continue;
      }
      if (batch) {
        notices += batch.take(result.item, result.data);
        continue;
      }
      // Another alert source: it diffs, routes and queues inside this same write.
      const source = options.sources?.get(result.item.source);
      if (!source) continue;
      const outcome = source.ingest(draft, result.item, result.data, ctx);
      sourceEvents += outcome.events;
      sourceQueued += outcome.queued;
    }
    // Incidents and orders diff, route and queue the batch's fetches of them together, in this same write.
    const finished = [...batches.values()].map((batch) => batch.finish());
    const deliveriesQueued = notices + sourceQueued + finished.reduce((sum, outcome) => sum + outcome.queued, 0);
    const events = finished.reduce((sum, outcome) => sum + outcome.events, 0) + sourceEvents;
    if (options.sweep) {
      const sweep = tx.sweep.position();
      for (const result of results) {
        if (!result.rolling) continue;
        const failure: FetchFailure = result.ok ? null : result;
        const batch = batchSource(result.item);
        if (batch) batch.count(sweep, result.item, failure);
        else countSourceItem(sweep, result.item, failure, options.sources);
      }
      sweep.events += events;
      sweep.deliveriesQueued += deliveriesQueued;
      sweep.lastCommitAt = fetchedAt;
      options.sweep(sweep);
    }
    return { events, deliveriesQueued };
  }, { fenced: true, load: loadsOf(results, options.sources, batchSources) });
}

/** The snapshots a batch reads: those of the items it fetched, and what explains a refusal. */
function loadsOf(results: readonly FetchResult[], sources: SourceRegistry | undefined, batchSources: readonly BatchSource[]): Loads[] {
  const loads: Loads[] = [];
  for (const source of batchSources) {
    const mine = results.filter((result) => result.item.source === source.name);
    const fetched = mine.flatMap((result) => (result.ok ? [{ item: result.item, data: result.data }] : []));
    const refused = mine.flatMap((result) => (!result.ok && result.accessRefused ? [result.item] : []));
    loads.push(...source.loads(fetched, refused, (customerId) => refusalLoads(sources, customerId)));
  }
  for (const result of results) {
    if (result.ok && !batchSources.some((source) => source.name === result.item.source)) loads.push(sources?.get(result.item.source)?.loads(result.item) ?? {});
  }
  return loads;
}

/** A source's item in the round's counts: fetched, refused (403: not a failure) or failed. */
function countSourceItem(sweep: SweepState, item: SourceItem, failure: FetchFailure, sources: SourceRegistry | undefined): void {
  sweep.sources ??= {};
  const counts = (sweep.sources[item.source] ??= { noun: sources?.get(item.source)?.noun ?? item.source, fetched: 0, refused: 0, failed: [] });
  if (!failure) counts.fetched++;
  else if (failure.accessRefused) counts.refused++;
  else if (counts.failed.length < FAILURES_KEPT) {
    // A partner-wide item (the GDAP listing) has no customer: it is named by what it covers.
    counts.failed.push({ customerId: item.customer?.id ?? item.key, name: item.customer?.companyName ?? item.subject ?? item.key, error: failure.error });
  }
}

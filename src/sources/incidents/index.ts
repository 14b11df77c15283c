// Incident alerts as a source: a customer's service incidents, planned (`c|<customerId>`, and the fast lane
// for customers with something going on: plan.ts) and fetched through the sweep, diffed here against the
// stored snapshot (diff.ts), a refusal told once (access.ts), routed into one card thread per incident and
// conversation (routing.ts, notes in threadNote.ts), and told to the outbound destinations (alertEvents.ts). Cards: card.ts; how they are delivered: threadKind.ts.
import { eventCustomer } from '../../domain/alertEvent.js';
import { RETENTION_MS } from '../../domain/retention.js';
import type { Customer, Incident } from '../../domain/types.js';
import type { State, SweepState } from '../../store/state.js';
import { txPorts } from '../../store/ports/index.js';
import { batchRegisterable, FAILURES_KEPT, type BatchSource, type FetchFailure, type SourceIngestContext } from '../source.js';
import { accessRefused, accessReturned, leftOutOfWatchAll } from './access.js';
import { incidentAlertEvent } from './alertEvents.js';
import { incidentDigest, incidentQuietSummary } from './digest.js';
import { incidentDigestReads } from './digestReads.js';
import { diffIncidents, type IncidentEvent } from './diff.js';
import { incidentFastLane, incidentItems, INCIDENTS_SOURCE, watchesAllIncidents, type IncidentItem } from './plan.js';
import { routeIncidentEvents, routingLoad } from './routing.js';

export { INCIDENTS_SOURCE };

export function incidentSource(): BatchSource {
  return batchRegisterable<Incident[], IncidentItem>({
    name: INCIDENTS_SOURCE,
    records: ['incidentSnapshots'],
    byCustomer: true,
    counted: 'customers',
    wantsListing: watchesAllIncidents,
    roundItems: incidentItems,
    fastLane: incidentFastLane,
    fetch: (client, ctx, item) => client.incidents(ctx, item.customer.id),
    loads: (fetched, refused, refusalLoads) => [
      { incidentSnapshots: fetched.map(({ item }) => item.customer.id), threads: routingLoad(fetched.map(({ item, data }) => ({ customerId: item.customer.id, incidents: data }))) },
      // What explains a refusal (the GDAP listing's relationships of the customer) is read in the same write.
      ...refused.flatMap((item) => refusalLoads(item.customer.id)),
    ],
    ingest(state, ctx) {
      const fetched: { customer: Customer; incidents: Incident[] }[] = [];
      // Refusals through their ports, over the batch's draft (the batch is not a transaction yet).
      const tx = txPorts(state);
      return {
        take(item, incidents) {
          fetched.push({ customer: item.customer, incidents });
          return accessReturned(tx, item.customer.id, item.customer.companyName, ctx.now);
        },
        refused: ({ customer }) => accessRefused(tx, customer.id, customer.companyName, ctx.now, ctx.explainRefusal(customer.id, customer.companyName)),
        finish: () => ingestIncidents(state, fetched, ctx),
      };
    },
    count: countIncidentItem,
    roundEnd: (state, now) => leftOutOfWatchAll(txPorts(state), now),
    prune: pruneIncidents,
    digestSection: incidentDigest,
    digestReads: incidentDigestReads,
    quietSection: incidentQuietSummary,
    // The held incidents are told as their cards stand now: the conversation's cards, which every summary reads (digestReads.ts).
    quietReads: () => ({}),
  });
}

/** A batch's fetched incidents, diffed customer by customer and routed once for the whole batch. */
function ingestIncidents(state: State, fetched: readonly { customer: Customer; incidents: Incident[] }[], ctx: SourceIngestContext): { events: number; queued: number } {
  const fetchedAt = ctx.now.toISOString();
  const events: IncidentEvent[] = [];
  for (const { customer, incidents } of fetched) {
    const id = customer.id;
    const diff = diffIncidents(id, state.incidentSnapshots[id], incidents, fetchedAt);
    events.push(...diff.events);
    if (ctx.emit && diff.events.length > 0) {
      // The directory's customer has the domain the fetched one may lack (a customer known from its watch).
      const known = customer.domain ? customer : (ctx.findCustomer?.(id) ?? customer);
      const subject = eventCustomer(id, known, ctx.customerName(id));
      for (const event of diff.events) {
        const episode = diff.snapshot.incidents[event.incident.id]?.episode ?? state.incidentSnapshots[id]?.incidents[event.incident.id]?.episode ?? 0;
        ctx.emit(incidentAlertEvent(event, episode, subject, fetchedAt));
      }
    }
    state.incidentSnapshots[id] = diff.snapshot;
  }
  // Routed once for the whole batch: one incident over many of its customers is one delivery per thread.
  return { events: events.length, queued: routeIncidentEvents(state, events, { customerName: ctx.customerName, now: ctx.now, inFlight: ctx.inFlight }) };
}

/** A customer in the round's counts: fetched, refused (told once through a notice, not in every round's failures) or failed. */
function countIncidentItem(sweep: SweepState, item: IncidentItem, failure: FetchFailure): void {
  if (!failure) sweep.customersFetched++;
  else if (failure.accessRefused) sweep.customersRefused++;
  else if (sweep.failures.length < FAILURES_KEPT) sweep.failures.push({ customerId: item.customer.id, name: item.customer.companyName, error: failure.error });
}

/**
 * Cards of incidents resolved more than 30 days ago are forgotten. Open incidents are kept however old they
 * are, as long as someone can still see them: a card in a conversation the bot left, or that no longer
 * watches its customers, goes 30 days after its last change. So do the snapshots of customers nobody watches.
 */
export function pruneIncidents(state: State, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  for (const [key, thread] of Object.entries(state.threads)) {
    if (thread.resolvedAt && thread.resolvedAt < cutoff) delete state.threads[key];
    else if (thread.updatedAt < cutoff && !stillSeen(state, thread)) delete state.threads[key];
  }
  // Snapshots of customers nobody watches any more would otherwise live forever.
  const watchesAll = state.watches.some((watch) => watch.kind === 'all');
  if (!watchesAll) {
    // (A subscriptions watch fetches no incidents: it keeps none of them.)
    const watched = new Set(state.watches.filter((watch) => watch.kind !== 'subscriptions' && watch.kind !== 'access').map((watch) => watch.customerId));
    for (const customerId of Object.keys(state.incidentSnapshots)) {
      if (!watched.has(customerId)) delete state.incidentSnapshots[customerId];
    }
  }
}

/** Is the conversation of this card still there, and does it still watch one of the card's customers? */
function stillSeen(state: State, thread: State['threads'][string]): boolean {
  if (!state.targets[thread.targetKey]?.active) return false;
  return state.watches.some(
    (watch) =>
      watch.targetKey === thread.targetKey &&
      (watch.kind === 'all' || (watch.kind === 'customer' && watch.customerId !== null && thread.customers[watch.customerId] !== undefined)),
  );
}

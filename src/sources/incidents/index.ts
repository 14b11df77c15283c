// Incident alerts as a source: a customer's service incidents, fetched by the engine's sweep (`c|<customerId>`,
// the fast lane for customers with something going on), diffed here against the stored snapshot (diff.ts),
// routed into one card thread per incident and conversation (routing.ts, notes in threadNote.ts), and told
// to the outbound destinations (alertEvents.ts). Cards: card.ts; how they are delivered: threadKind.ts.
import { eventCustomer } from '../../domain/alertEvent.js';
import type { BatchSource, FetchedIncidents } from '../source.js';
import { incidentAlertEvent } from './alertEvents.js';
import { diffIncidents, type IncidentEvent } from './diff.js';
import { routeIncidentEvents } from './routing.js';

export const INCIDENTS_SOURCE = 'incidents';

export function incidentSource(): BatchSource<FetchedIncidents> {
  return {
    name: INCIDENTS_SOURCE,
    loads: (fetched) => ({ incidentSnapshots: fetched.map(({ customer }) => customer.id) }),
    ingest(state, fetched, ctx) {
      const fetchedAt = ctx.now.toISOString();
      const events: IncidentEvent[] = [];
      for (const { customer, incidents } of fetched) {
        const id = customer.id;
        const diff = diffIncidents(id, state.incidentSnapshots[id], incidents, fetchedAt);
        events.push(...diff.events);
        if (ctx.emit && diff.events.length > 0) {
          // The directory's customer has the domain the fetched one may lack (a customer known from its watch).
          const known = customer.domain ? customer : (ctx.findCustomer?.(id) ?? customer);
          const eventCustomerOf = eventCustomer(id, known, ctx.customerName(id));
          for (const event of diff.events) {
            const episode = diff.snapshot.incidents[event.incident.id]?.episode ?? state.incidentSnapshots[id]?.incidents[event.incident.id]?.episode ?? 0;
            ctx.emit(incidentAlertEvent(event, episode, eventCustomerOf, fetchedAt));
          }
        }
        state.incidentSnapshots[id] = diff.snapshot;
      }
      // Routed once for the whole batch: one incident over many of its customers is one delivery per thread.
      return { events: events.length, queued: routeIncidentEvents(state, events, { customerName: ctx.customerName, now: ctx.now, inFlight: ctx.inFlight }) };
    },
  };
}

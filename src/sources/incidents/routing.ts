// Route stage of incidents: a batch's incident events → the conversations that should hear of them →
// incident threads and queued deliveries. Runs inside the batch's single durable write, so snapshots and outbox change together.
// Linear in events, threads and watches: one incident hitting 50,000 customers is 50,000 map updates.
import { isAlertable } from '../../domain/incidentRecords.js';
import type { IncidentEvent } from './diff.js';
import { shortDigest } from '../../domain/shortId.js';
import type { Incident } from '../../domain/types.js';
import { watchCoversIncident, type Watch } from '../../domain/watch.js';
import { ThreadOutbox } from '../threadOutbox.js';
import { threadKey, type IncidentDelivery, type IncidentThread, type State } from '../../store/state.js';
import { openCustomers, setThreadCustomer, type ThreadSelection } from '../../store/pagedThreads.js';
import { addToNote, emptyNote } from './threadNote.js';

export interface RouteOptions {
  customerName: (customerId: string) => string;
  now: Date;
  /** Deliveries being sent right now: changes must not be merged into them (they would be lost). */
  inFlight?: ReadonlySet<string>;
}

/**
 * What routing a batch reads of the incident cards (paged): the cards of the incidents its customers report,
 * and those that list its customers (a resolution, an incident gone), in every conversation; of each card
 * only these customers, never all 50,000 of a Microsoft-wide incident. The cards' `open` counts tell the rest.
 */
export function routingLoad(fetched: readonly { customerId: string; incidents: readonly Incident[] }[]): ThreadSelection {
  const customers = fetched.map(({ customerId }) => customerId);
  return { customers, incidents: new Set(fetched.flatMap(({ incidents }) => incidents.map((incident) => incident.id))), only: customers };
}

/** Apply a batch's incident events to the state: update incident threads, queue deliveries. Returns how many were queued. */
export function routeIncidentEvents(state: State, incidentEvents: readonly IncidentEvent[], { customerName, now, inFlight }: RouteOptions): number {
  const at = now.toISOString();
  // The dedup stage's first line: a delivery already queued or already sent is not queued again.
  const outbox = new ThreadOutbox<IncidentDelivery>(state, 'incident', { now, inFlight });

  let queued = 0;
  for (const [key, { targetKey, events }] of groupByThread(state, incidentEvents)) {
    const first = events[0];
    if (!first) continue;
    const existing = state.threads[key];
    const thread: IncidentThread = existing ?? newThread(key, targetKey, first, at);
    let reopened = false;
    for (const event of events) {
      const before = thread.customers[event.customerId];
      if (event.kind !== 'resolved' && before?.resolved) reopened = true;
      setThreadCustomer(thread, event.customerId, { name: customerName(event.customerId), resolved: event.kind === 'resolved', vanished: event.vanished });
    }
    // By the card's count of affected customers: a commit reads only the batch's customers of a card.
    const allResolved = openCustomers(thread) === 0;
    // The card shows one copy of the incident: a copy resolved for one customer must not make the whole
    // card read "Resolved" (and every customer "Recovered") while others are still affected.
    const latest = events.filter((event) => !event.vanished && (event.kind !== 'resolved' || allResolved)).at(-1);
    if (latest) thread.incident = trimIncident(latest.incident);
    if (reopened && thread.resolvedAt) {
      // A new episode: yesterday's acknowledgement does not cover it.
      thread.acknowledgedBy = null;
      thread.acknowledgedAt = null;
    }
    thread.resolvedAt = allResolved ? (thread.resolvedAt ?? at) : null;
    thread.updatedAt = at;
    state.threads[key] = thread;

    const pending = outbox.queued(key);
    if (pending) {
      // Not sent yet: it will render the thread as it is then; add these changes to its reply.
      if (pending.noteParts) addToNote(pending.noteParts, events, customerName, allResolved);
      continue;
    }
    // A thread that has (or is about to have) a card gets an edit plus a reply; a new one just its card.
    const delivery: IncidentDelivery = {
      kind: 'incident',
      id: `incident|${key}|${shortDigest(events.map((event) => event.id).join(','))}`,
      targetKey,
      threadKey: key,
      noteParts: existing ? addToNote(emptyNote(), events, customerName, allResolved) : null,
      createdAt: at,
      attempts: 0,
      notBefore: at,
      lastError: null,
    };
    queued += outbox.enqueue(delivery);
  }

  return queued;
}

/**
 * Conversations that hear of each event, grouped by thread (one delivery per conversation and incident,
 * however many customers the incident hit): those that already have a card for the incident (so updates
 * and resolution always follow a card), plus active watches that cover it. A resolution nobody saw open
 * is not news, so it goes only to existing cards.
 */
function groupByThread(state: State, events: readonly IncidentEvent[]): Map<string, { targetKey: string; events: IncidentEvent[] }> {
  const incidentIds = new Set(events.map((event) => event.incident.id));
  const threadsByIncident = new Map<string, IncidentThread[]>();
  for (const thread of Object.values(state.threads)) {
    if (!incidentIds.has(thread.incidentId)) continue;
    const list = threadsByIncident.get(thread.incidentId);
    if (list) list.push(thread);
    else threadsByIncident.set(thread.incidentId, [thread]);
  }
  const watches = state.watches.filter((watch) => watch.kind !== 'order' && state.targets[watch.targetKey]?.active);
  const grouped = new Map<string, { targetKey: string; events: IncidentEvent[] }>();
  const add = (targetKey: string, event: IncidentEvent) => {
    if (!state.targets[targetKey]?.active) return;
    const key = threadKey(targetKey, event.incident.id);
    const group = grouped.get(key);
    if (!group) grouped.set(key, { targetKey, events: [event] });
    else if (group.events.at(-1) !== event) group.events.push(event);
  };
  for (const event of events) {
    for (const thread of threadsByIncident.get(event.incident.id) ?? []) {
      if (thread.customers[event.customerId]) add(thread.targetKey, event);
    }
    if (event.kind === 'resolved') continue;
    for (const watch of watches) if (watchCoversIncident(watch, event.customerId, event.incident)) add(watch.targetKey, event);
  }
  return grouped;
}

/**
 * The incidents a conversation was shown when it started watching a customer count as seen there: a
 * thread without a card yet, so that their later updates and their resolution are alerted (a resolution
 * of an incident the conversation never saw stays quiet).
 */
export function markSeen(state: State, watch: Watch, customerName: string, incidents: readonly Incident[], now: Date): void {
  if (!watch.customerId) return;
  const at = now.toISOString();
  for (const incident of incidents) {
    if (!isAlertable(incident) || incident.resolved || !watchCoversIncident(watch, watch.customerId, incident)) continue;
    const key = threadKey(watch.targetKey, incident.id);
    const thread = state.threads[key] ?? newThread(key, watch.targetKey, { incident }, at);
    if (!thread.customers[watch.customerId]) setThreadCustomer(thread, watch.customerId, { name: customerName, resolved: false, vanished: false });
    state.threads[key] = thread;
  }
}


/** A new incident card of one conversation, before its first delivery. */
export function newThread(key: string, targetKey: string, event: Pick<IncidentEvent, 'incident'>, at: string): IncidentThread {
  return {
    key,
    targetKey,
    incidentId: event.incident.id,
    activityId: null,
    incident: trimIncident(event.incident),
    customers: {},
    open: 0,
    openedAt: at,
    updatedAt: at,
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
  };
}

/** Threads keep the last few messages only: the card shows the latest, History fetches the rest live. */
function trimIncident(incident: IncidentEvent['incident']): IncidentEvent['incident'] {
  return { ...incident, messages: incident.messages.slice(-5), messageCount: incident.messages.length };
}

// Route stage: events → the conversations that should hear of them → incident threads and queued
// deliveries. Runs inside the cycle's single durable write, so snapshots and outbox change together.
import { createHash } from 'node:crypto';
import type { IncidentEvent } from '../domain/incidentDiff.js';
import { toPlainText, truncate } from '../domain/plainText.js';
import type { ProvisioningEvent } from '../domain/provisioningDiff.js';
import { watchCoversIncident } from '../domain/watch.js';
import { threadKey, type Delivery, type IncidentThread, type State } from '../store/state.js';

const NOTE_MESSAGE_CHARS = 280;
const NAMES_IN_NOTE = 5;

/** Apply a cycle's events to the state: update incident threads, queue deliveries. Returns how many were queued. */
export function routeEvents(
  state: State,
  incidentEvents: readonly IncidentEvent[],
  provisioningEvents: readonly ProvisioningEvent[],
  customerName: (customerId: string) => string,
  now: Date,
): number {
  const at = now.toISOString();
  // One delivery per (conversation, incident) per cycle, however many customers the incident hit.
  const grouped = new Map<string, IncidentEvent[]>();
  for (const event of incidentEvents) {
    for (const targetKey of targetsFor(state, event)) {
      const key = threadKey(targetKey, event.incident.id);
      grouped.set(key, [...(grouped.get(key) ?? []), event]);
    }
  }

  let queued = 0;
  for (const [key, events] of grouped) {
    const first = events[0];
    if (!first) continue;
    const targetKey = key.slice(0, key.length - first.incident.id.length - 1);
    const existing = state.threads[key];
    const thread: IncidentThread = existing ?? newThread(key, targetKey, first, at);
    for (const event of events) {
      thread.customers[event.customerId] = {
        name: customerName(event.customerId),
        resolved: event.kind === 'resolved',
        vanished: event.vanished,
      };
    }
    const allResolved = Object.values(thread.customers).every((customer) => customer.resolved);
    // The card shows one copy of the incident: a copy resolved for one customer must not make the whole
    // card read "Resolved" (and every customer "Recovered") while others are still affected.
    const latest = events.filter((event) => !event.vanished && (event.kind !== 'resolved' || allResolved)).at(-1);
    if (latest) thread.incident = trimIncident(latest.incident);
    thread.resolvedAt = allResolved ? (thread.resolvedAt ?? at) : null;
    thread.updatedAt = at;
    state.threads[key] = thread;
    // A thread that has (or is about to have) a card gets an edit plus a reply; a new one just its card.
    const note = existing ? noteFor(events, customerName, allResolved) : null;
    queued += enqueue(state, {
      kind: 'incident',
      id: `incident|${key}|${digest(events.map((event) => event.id).join(','))}`,
      targetKey,
      threadKey: key,
      note,
      createdAt: at,
      attempts: 0,
      notBefore: at,
      lastError: null,
    });
  }

  for (const event of provisioningEvents) {
    const watches = state.watches.filter(
      (watch) => watch.kind === 'order' && watch.orderId === event.orderId && watch.customerId === event.customerId,
    );
    for (const watch of watches) {
      if (!state.targets[watch.targetKey]?.active) continue;
      queued += enqueue(state, {
        kind: 'provisioning',
        id: `provisioning|${watch.targetKey}|${event.id}`,
        targetKey: watch.targetKey,
        customerName: customerName(event.customerId),
        provisioning: event.provisioning,
        final: event.kind === 'completed',
        note: event.changes.map((change) => `Line ${change.lineItemNumber}: ${change.from ?? 'new'} → ${change.to}`).join('\n'),
        createdAt: at,
        attempts: 0,
        notBefore: at,
        lastError: null,
      });
    }
    // An order watch ends by itself once everything is final: its last card is the one just queued.
    if (event.kind === 'completed') {
      state.watches = state.watches.filter(
        (watch) => !(watch.kind === 'order' && watch.orderId === event.orderId && watch.customerId === event.customerId),
      );
    }
  }
  return queued;
}

/**
 * Conversations that hear of an event: those that already have a card for the incident (so updates and
 * resolution always follow a card), plus active watches that cover it. A resolution nobody saw open is
 * not news, so it goes only to existing cards.
 */
function targetsFor(state: State, event: IncidentEvent): string[] {
  const keys = new Set<string>();
  for (const thread of Object.values(state.threads)) {
    if (thread.incidentId === event.incident.id && thread.customers[event.customerId]) keys.add(thread.targetKey);
  }
  if (event.kind !== 'resolved') {
    for (const watch of state.watches) {
      if (watchCoversIncident(watch, event.customerId, event.incident)) keys.add(watch.targetKey);
    }
  }
  return [...keys].filter((key) => state.targets[key]?.active);
}

/** Delivery ids live in the outbox and the delivery log for 30 days: keep them short however many events. */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function enqueue(state: State, delivery: Delivery): number {
  // The dedup stage's first line: a delivery already queued or already sent is not queued again.
  if (state.deliveryLog[delivery.id] || state.outbox.some((queued) => queued.id === delivery.id)) return 0;
  state.outbox.push(delivery);
  return 1;
}

function newThread(key: string, targetKey: string, event: IncidentEvent, at: string): IncidentThread {
  return {
    key,
    targetKey,
    incidentId: event.incident.id,
    activityId: null,
    incident: trimIncident(event.incident),
    customers: {},
    openedAt: at,
    updatedAt: at,
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };
}

/** Threads keep the last few messages only: the card shows the latest, History fetches the rest live. */
function trimIncident(incident: IncidentEvent['incident']): IncidentEvent['incident'] {
  return { ...incident, messages: incident.messages.slice(-5) };
}

/** The short thread reply that notifies people of what changed (an edit alone notifies nobody). */
function noteFor(events: IncidentEvent[], customerName: (id: string) => string, allResolved: boolean): string {
  const names = (list: IncidentEvent[]) => {
    const unique = [...new Set(list.map((event) => customerName(event.customerId)))];
    return unique.length > NAMES_IN_NOTE
      ? `${unique.slice(0, NAMES_IN_NOTE).join(', ')} and ${unique.length - NAMES_IN_NOTE} more`
      : unique.join(', ');
  };
  const lines: string[] = [];
  const opened = events.filter((event) => event.kind === 'opened');
  const updated = events.filter((event) => event.kind === 'updated');
  const resolved = events.filter((event) => event.kind === 'resolved' && !event.vanished);
  const vanished = events.filter((event) => event.vanished);
  if (opened.length > 0) lines.push(`Now also affects ${names(opened)}.`);
  const latestUpdate = updated.at(-1);
  if (latestUpdate) {
    const changes = [...new Set(updated.flatMap((event) => event.changes))].filter((change) => change !== 'new update');
    const message = latestUpdate.incident.messages.at(-1)?.text;
    const detail = updated.some((event) => event.changes.includes('new update')) && message ? `: ${truncate(toPlainText(message), NOTE_MESSAGE_CHARS)}` : '';
    lines.push(`Update for ${names(updated)}${changes.length > 0 ? ` (${changes.join(', ')})` : ''}${detail}`);
  }
  if (resolved.length > 0) lines.push(`Resolved for ${names(resolved)}.`);
  if (vanished.length > 0) lines.push(`No longer reported for ${names(vanished)}.`);
  if (allResolved && (resolved.length > 0 || vanished.length > 0)) lines.push('Every watched customer has recovered.');
  return lines.join('\n');
}

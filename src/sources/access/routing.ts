// Route stage of access alerts, inside the batch's single write: each event goes to the conversations that
// have its episode's card (so "access back" always follows a card) and to the access watches that cover it
// (news only). One thread per customer episode per conversation, through the shared thread-and-outbox helper
// (../threadOutbox.ts): its first delivery posts the card, later ones edit it and reply; changes found while
// a delivery waits are merged into its reply. Each routed event is also handed to the outbound destinations
// once.
import { eventCustomer, type AlertEvent, type EpisodeChange } from '../../domain/alertEvent.js';
import type { Customer } from '../../domain/types.js';
import { alertEventId } from '../../domain/alertEventId.js';
import { compareSeverity } from '../../domain/severity.js';
import { shortDigest } from '../../domain/shortId.js';
import { watchCoversAccess } from '../../domain/watch.js';
import type { SourceIngestContext } from '../source.js';
import { routeThreadNews, threadsByEpisode, ThreadOutbox } from '../threadOutbox.js';
import type { AccessDelivery, State } from '../../store/state.js';
import { accessEpisodeKey, accessThreadKey, adminRelationshipsUrl, type AccessChangeKind, type AccessEvent, type AccessThread, type RelationshipPrint } from './model.js';
import { SOURCE_NAME } from './plan.js';

/** Lines of "what happened" a card keeps, and relationships it shows. */
const CHANGES_KEPT = 8;
export const RELATIONSHIPS_KEPT = 10;

const episodeKey = (customerId: string, episode: number) => `${customerId}|${episode}`;

export function routeAccessEvents(state: State, events: readonly AccessEvent[], { now, inFlight, emit, findCustomer }: SourceIngestContext): number {
  if (events.length === 0) return 0;
  const at = now.toISOString();
  const wanted = new Set(events.map((event) => episodeKey(event.customerId, event.episode)));
  const threadsOfEpisode = threadsByEpisode(state.accessThreads, wanted, (thread) => episodeKey(thread.customerId, thread.episode));
  const outbox = new ThreadOutbox<AccessDelivery>(state, 'access', { now, inFlight });
  const watches = state.watches.filter((watch) => watch.kind === 'access' && state.targets[watch.targetKey]?.active);

  let queued = 0;
  for (const event of events) {
    const targets = new Set<string>();
    for (const thread of threadsOfEpisode.get(episodeKey(event.customerId, event.episode)) ?? []) targets.add(thread.targetKey);
    if (event.news) for (const watch of watches) if (watchCoversAccess(watch, event.customerId, event.severity)) targets.add(watch.targetKey);
    // Outside Teams too, only what a watch asks for (the listing covers every customer of the partner).
    if (targets.size > 0) emit?.(alertEventOf(event, at, findCustomer?.(event.customerId)));
    for (const targetKey of targets) {
      if (!state.targets[targetKey]?.active) continue;
      const key = accessThreadKey(targetKey, event.customerId, event.episode);
      queued += routeThreadNews(outbox, state.accessThreads, {
        targetKey,
        threadKey: key,
        id: `access|${key}|${shortDigest(event.id)}`,
        open: () => newThread(key, targetKey, event, at),
        apply: (thread) => applyEvent(thread, event, at),
        lines: event.changes.map((change) => change.text),
      });
    }
  }
  return queued;
}

/** The relationships a card shows: covering and pending first, then the rest, the first few. */
export function shownRelationships(relationships: readonly RelationshipPrint[]): RelationshipPrint[] {
  return relationships.slice(0, RELATIONSHIPS_KEPT).map((print) => ({ ...print }));
}

function applyEvent(thread: AccessThread, event: AccessEvent, at: string): void {
  thread.customerName = event.customerName;
  thread.relationships = shownRelationships(event.relationships);
  if (event.news && compareSeverity(event.severity, thread.severity) > 0) thread.severity = event.severity;
  // Lost, then back: the card's severity follows the latest news, so "ending tomorrow" does not stay critical
  // once access is back.
  if (event.closes) thread.severity = event.news ? event.severity : 'information';
  for (const change of event.changes) thread.changes.push({ at, kind: change.kind, text: change.text, severity: change.severity, recovery: change.recovery });
  if (thread.changes.length > CHANGES_KEPT) thread.changes.splice(0, thread.changes.length - CHANGES_KEPT);
  thread.closedAt = event.closes ? (thread.closedAt ?? at) : null;
  thread.updatedAt = at;
}

function newThread(key: string, targetKey: string, event: AccessEvent, at: string): AccessThread {
  return {
    key,
    targetKey,
    customerId: event.customerId,
    customerName: event.customerName,
    episode: event.episode,
    openedAt: event.openedAt,
    activityId: null,
    relationships: [],
    severity: event.severity,
    changes: [],
    updatedAt: at,
    closedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
  };
}

const EVENT_TYPES: Record<AccessChangeKind, string> = {
  ending: 'access.ending',
  expiredCovered: 'access.ending',
  lost: 'access.lost',
  back: 'access.back',
  extended: 'access.back',
  used: 'access.back',
  stuck: 'access.stuck_approval',
  unused: 'access.unused',
};

/**
 * The event as outbound destinations read it: typed by its most severe news (or its recovery). The customer
 * is named as Partner Center's directory knows it (`known`): a PSA company is found by that domain, and Graph's
 * display name may be another spelling of the tenant's.
 */
export function alertEventOf(event: AccessEvent, at: string, known?: Customer): AlertEvent {
  const news = event.changes.filter((change) => !change.recovery);
  const headline = [...(news.length > 0 ? news : event.changes)].sort((a, b) => compareSeverity(b.severity, a.severity))[0];
  const change: EpisodeChange = event.closes ? 'resolved' : event.opens ? 'opened' : 'updated';
  const customer = eventCustomer(event.customerId, known, event.customerName);
  return {
    id: alertEventId(`access|${event.id}`),
    source: SOURCE_NAME,
    type: EVENT_TYPES[headline?.kind ?? 'ending'],
    severity: event.severity === 'normal' ? 'information' : event.severity,
    customer,
    episode: { key: accessEpisodeKey(event.customerId, event.openedAt), change, previousKey: null },
    title: `${customer.name} · GDAP access`,
    text: event.changes.map((line) => line.text).join('\n'),
    occurredAt: at,
    links: [{ title: 'Open in Partner Center', url: adminRelationshipsUrl(event.customerId) }],
    data: { episode: event.episode, changes: event.changes.map((line) => line.kind), relationships: event.relationships.map((print) => ({ id: print.id, name: print.name, status: print.status, endDay: print.endDay ?? null })) },
  };
}

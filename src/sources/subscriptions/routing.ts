// Route stage of subscription alerts, inside the batch's single write: each event goes to the conversations
// that have its episode's card (so a recovery always follows a card) and to the subscription watches that
// cover it (news only, of the watch's severity or worse). One thread per episode per conversation, through
// the shared thread-and-outbox helper (../threadOutbox.ts): its first delivery posts the card, later ones
// edit it and reply; changes found while a delivery waits are merged into its reply.
import { compareSeverity } from '../../domain/severity.js';
import { shortDigest } from '../../domain/shortId.js';
import type { Severity, Subscription } from '../../domain/types.js';
import { watchCoversSubscription, type Watch } from '../../domain/watch.js';
import type { SourceIngestContext } from '../source.js';
import { routeThreadNews, threadsByEpisode, ThreadOutbox } from '../threadOutbox.js';
import type { State, SubscriptionDelivery } from '../../store/state.js';
import { daysLeft, utcDay } from './dates.js';
import { findPrint, PROBLEM_STATUSES, subscriptionThreadKey, type SubscriptionEvent, type SubscriptionThread } from './model.js';

/** Lines of "what happened" a card keeps. */
const CHANGES_KEPT = 8;

const episodeKey = (customerId: string, subscriptionId: string, episode: number) => `${customerId}|${subscriptionId}|${episode}`;

/** Applies a batch's subscription events: threads updated, deliveries queued. Returns how many were queued. */
export function routeSubscriptionEvents(state: State, events: readonly SubscriptionEvent[], { customerName, now, inFlight }: SourceIngestContext): number {
  if (events.length === 0) return 0;
  const at = now.toISOString();
  const wanted = new Set(events.map((event) => episodeKey(event.customerId, event.subscriptionId, event.episode)));
  const threadsOfEpisode = threadsByEpisode(state.subscriptionThreads, wanted, (thread) => episodeKey(thread.customerId, thread.subscriptionId, thread.episode));
  const outbox = new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now, inFlight });
  const watches = state.watches.filter((watch) => watch.kind === 'subscriptions' && state.targets[watch.targetKey]?.active);

  let queued = 0;
  for (const event of events) {
    const targets = new Set<string>();
    for (const thread of threadsOfEpisode.get(episodeKey(event.customerId, event.subscriptionId, event.episode)) ?? []) targets.add(thread.targetKey);
    if (event.news) for (const watch of watches) if (watchCoversSubscription(watch, event.customerId, event.severity)) targets.add(watch.targetKey);
    const name = customerName(event.customerId);
    for (const targetKey of targets) {
      if (!state.targets[targetKey]?.active) continue;
      const key = subscriptionThreadKey(targetKey, event.customerId, event.subscriptionId, event.episode);
      queued += routeThreadNews(outbox, state.subscriptionThreads, {
        targetKey,
        threadKey: key,
        id: `subscription|${key}|${shortDigest(event.id)}`,
        open: () => newThread(key, targetKey, event.customerId, name, event.subscription, event.episode, event.severity, at),
        apply: (thread) => applyEvent(thread, event, name, at),
        lines: event.changes.map((change) => change.text),
      });
    }
  }
  return queued;
}

function applyEvent(thread: SubscriptionThread, event: SubscriptionEvent, customerName: string, at: string): void {
  thread.customerName = customerName;
  // A subscription no longer listed is known only by its print: keep the fuller copy the card had.
  thread.subscription = event.gone ? { ...thread.subscription, status: event.subscription.status } : event.subscription;
  thread.gone = event.gone;
  if (event.news && compareSeverity(event.severity, thread.severity) > 0) thread.severity = event.severity;
  for (const change of event.changes) thread.changes.push({ at, kind: change.kind, text: change.text, severity: change.severity, recovery: change.recovery });
  if (thread.changes.length > CHANGES_KEPT) thread.changes.splice(0, thread.changes.length - CHANGES_KEPT);
  thread.closedAt = event.closes ? (thread.closedAt ?? at) : null;
  thread.updatedAt = at;
}

function newThread(
  key: string,
  targetKey: string,
  customerId: string,
  customerName: string,
  subscription: Subscription,
  episode: number,
  severity: Severity,
  at: string,
): SubscriptionThread {
  return {
    key,
    targetKey,
    customerId,
    customerName,
    subscriptionId: subscription.id,
    episode,
    activityId: null,
    subscription,
    severity,
    changes: [],
    openedAt: at,
    updatedAt: at,
    closedAt: null,
    gone: false,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
  };
}

/** How severe a subscription's trouble is right now (null: none), by the rules of the diff. */
export function currentSeverity(subscription: Subscription, now: Date, warnDays: number): Severity | null {
  if (PROBLEM_STATUSES.has(subscription.status)) return subscription.isTrial ? 'information' : 'critical';
  if (subscription.attentionNeeded) return 'warning';
  const end = utcDay(subscription.commitmentEndDate);
  if (end && !subscription.autoRenewEnabled) {
    const days = daysLeft(end, now);
    if (days <= warnDays) return !subscription.isTrial && days <= 7 ? 'warning' : 'information';
  }
  return null;
}

/**
 * The subscriptions in trouble that a conversation was shown when it began to watch a customer's
 * subscriptions count as seen there: a thread without a card yet, so that the end of the trouble (and
 * any change before it) is alerted there — as incidents shown by "watch <customer>" are.
 */
export function markSubscriptionsSeen(state: State, watch: Watch, customerName: string, subscriptions: readonly Subscription[], now: Date, warnDays: number): void {
  if (watch.kind !== 'subscriptions' || watch.customerId === null) return;
  const snapshot = state.subscriptionSnapshots[watch.customerId];
  if (!snapshot) return;
  const at = now.toISOString();
  for (const subscription of subscriptions) {
    const print = findPrint(snapshot, subscription.id);
    if (!print?.open || !print.episode) continue;
    const severity = currentSeverity(subscription, now, warnDays);
    if (!severity || !watchCoversSubscription(watch, watch.customerId, severity)) continue;
    const key = subscriptionThreadKey(watch.targetKey, watch.customerId, subscription.id, print.episode);
    if (state.subscriptionThreads[key]) continue;
    state.subscriptionThreads[key] = newThread(key, watch.targetKey, watch.customerId, customerName, subscription, print.episode, severity, at);
  }
}

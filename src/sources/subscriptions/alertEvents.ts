// Subscription changes as alert events (src/domain/alertEvent.ts) for the outbound destinations: one event
// per change found, keyed by its problem episode, so a ticket follows an episode from its start to its end.
import type { AlertEvent, AlertEventCustomer, EpisodeChange } from '../../domain/alertEvent.js';
import { alertEventId } from '../../domain/alertEventId.js';
import { compareSeverity } from '../../domain/severity.js';
import type { Customer } from '../../domain/types.js';
import { findPrint, type SubscriptionEvent, type SubscriptionSnapshot } from './model.js';

/** One problem episode of one subscription outside Teams (its alert events, its PSA ticket). */
export const subscriptionEpisodeKey = (subscriptionId: string, tenantId: string, episode: number): string => `subscription|${subscriptionId}|${tenantId}|${episode}`;

/** `before`: the customer's snapshot before this fetch (a new episode is one it did not know yet). */
export function subscriptionAlertEvent(event: SubscriptionEvent, before: SubscriptionSnapshot | undefined, customer: Customer, name: string, occurredAt: string): AlertEvent {
  const known = findPrint(before, event.subscriptionId)?.episode ?? 0;
  const change: EpisodeChange = event.closes ? 'resolved' : event.episode > known ? 'opened' : 'updated';
  const main = [...event.changes].sort((a, b) => compareSeverity(b.severity, a.severity))[0];
  const subscriptionName = event.subscription.friendlyName || event.subscription.offerName || event.subscriptionId;
  const who: AlertEventCustomer = { tenantId: event.customerId, name: customer.companyName || name, domain: customer.domain || null };
  return {
    id: alertEventId(`subscription|${event.id}`),
    source: 'subscriptions',
    type: `subscription.${main?.kind ?? 'changed'}`,
    severity: event.severity === 'normal' ? 'information' : event.severity,
    customer: who,
    episode: {
      key: subscriptionEpisodeKey(event.subscriptionId, event.customerId, event.episode),
      change,
      previousKey: event.episode > 1 ? subscriptionEpisodeKey(event.subscriptionId, event.customerId, event.episode - 1) : null,
    },
    title: `${subscriptionName} · ${main?.text ?? 'changed'}`,
    text: event.changes.map((line) => line.text).join('\n'),
    occurredAt,
    links: [],
    data: {
      subscriptionId: event.subscriptionId,
      offerName: event.subscription.offerName,
      status: event.subscription.status,
      quantity: event.subscription.quantity,
      commitmentEndDate: event.subscription.commitmentEndDate,
      autoRenewEnabled: event.subscription.autoRenewEnabled,
      isTrial: event.subscription.isTrial,
      gone: event.gone,
      changes: event.changes.map((line) => ({ kind: line.kind, severity: line.severity === 'normal' ? 'information' : line.severity, text: line.text })),
    },
  };
}

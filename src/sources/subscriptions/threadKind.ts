// How delivery posts a subscription episode's card (the thread-kind hook of sources/source.ts): where its
// threads are kept, its card, its thread reply, what posts in quiet hours and what a held one says.
import { plainInline } from '../../domain/plainText.js';
import { subscriptionName } from '../../domain/subscriptionWords.js';
import type { ThreadDeliveryKind } from '../source.js';
import type { SubscriptionDelivery } from '../../store/state.js';
import { subscriptionAlertCard } from './card.js';
import type { SubscriptionThread } from './model.js';

/** The card of a thread; the composition root may add what other parts know (the episode's PSA ticket). */
export type SubscriptionCardRenderer = (thread: SubscriptionThread, now: Date) => object;

export function subscriptionThreadKind(card: SubscriptionCardRenderer = subscriptionAlertCard): ThreadDeliveryKind<SubscriptionThread, SubscriptionDelivery> {
  return {
    kind: 'subscription',
    field: 'subscriptionThreads',
    threads: (state) => state.subscriptionThreads,
    card: (thread, now) => card(thread, now),
    hasReply: (delivery) => delivery.note !== null,
    reply: (delivery, thread) => (delivery.note ? subscriptionReply(thread, delivery.note) : null),
    // A suspended, expired or deleted subscription is as urgent as a critical incident.
    breaksThrough: (thread) => thread.severity === 'critical',
    held(delivery, thread) {
      // Held as a sentence: the summary names the subscription and what happened to it.
      const what = thread ? `${thread.subscription.friendlyName || thread.subscription.offerName} of ${thread.customerName}` : 'A subscription';
      return { kind: 'notice', threadKey: delivery.threadKey, text: `${what}: ${delivery.note?.join(' ') || thread?.changes.at(-1)?.text || 'changed'}` };
    },
  };
}

/**
 * A subscription card's thread reply. Teams shows a reply in a notification without its card, so it names
 * the customer and the subscription before what happened.
 */
export function subscriptionReply(thread: Pick<SubscriptionThread, 'customerName' | 'subscription'>, lines: readonly string[]): string {
  const subject = `${plainInline(thread.customerName) || 'A customer'} · ${plainInline(subscriptionName(thread.subscription))}`;
  if (lines.length <= 1) return `${subject}: ${lines[0] ?? 'changed.'}`;
  return [`${subject}:`, ...lines].join('\n\n');
}

// How delivery posts a customer's GDAP access card (the thread-kind hook of sources/source.ts): where its
// threads are kept, its card, its thread reply, what posts in quiet hours and what a held one says.
import { plainInline } from '../../domain/plainText.js';
import type { ThreadDeliveryKind } from '../source.js';
import type { AccessDelivery } from '../../store/state.js';
import { accessAlertCard } from './card.js';
import type { AccessThread } from './model.js';

/** The card of a thread; the composition root may add what other parts know (the episode's PSA ticket). */
export type AccessCardRenderer = (thread: AccessThread, now: Date) => object;

export function accessThreadKind(card: AccessCardRenderer = accessAlertCard): ThreadDeliveryKind<AccessThread, AccessDelivery> {
  return {
    kind: 'access',
    field: 'accessThreads',
    threads: (state) => state.accessThreads,
    card: (thread, now) => card(thread, now),
    hasReply: (delivery) => delivery.note !== null,
    reply: (delivery, thread) => (delivery.note ? accessReply(thread, delivery.note) : null),
    // Access lost, or ending tomorrow: as urgent as a critical incident.
    breaksThrough: (thread) => thread.severity === 'critical',
    held(delivery, thread) {
      const what = `GDAP access of ${thread?.customerName ?? 'a customer'}`;
      return { kind: 'notice', threadKey: delivery.threadKey, text: `${what}: ${delivery.note?.join(' ') || thread?.changes.at(-1)?.text || 'changed'}` };
    },
  };
}

/** An access card's thread reply: the customer first, since a notification shows the reply without its card. */
export function accessReply(thread: Pick<AccessThread, 'customerName'>, lines: readonly string[]): string {
  const subject = `${plainInline(thread.customerName) || 'A customer'} · GDAP access`;
  if (lines.length <= 1) return `${subject}: ${lines[0] ?? 'changed.'}`;
  return [`${subject}:`, ...lines].join('\n\n');
}

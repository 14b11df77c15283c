// Which card thread a delivery posts or edits, by its kind's entry in the thread-kind registry: every kind
// the composition root registered (sources/source.ts), the incident card among them.
import type { CardThread, ThreadDelivery, ThreadDeliveryKind, ThreadKindRegistry } from '../sources/source.js';
import type { Delivery, State } from '../store/state.js';
import type { Loads } from '../store/paged.js';

/** A delivery of some card thread (provisioning, notices and summaries have none). */
export function isThreadDelivery(delivery: Delivery | ThreadDelivery): delivery is ThreadDelivery & Delivery {
  return 'threadKey' in delivery && typeof delivery.threadKey === 'string';
}

/** The registered kind of a thread delivery; undefined for the others, or for a kind nobody registered. */
export function threadKindOf(kinds: ThreadKindRegistry, delivery: Delivery): ThreadDeliveryKind | undefined {
  return isThreadDelivery(delivery) ? kinds.get(delivery.kind) : undefined;
}

/** The card thread a delivery posts or edits, as `state` has it (inside a write: the draft's). */
export function threadOf(kinds: ThreadKindRegistry, delivery: Delivery, state: Readonly<State>): CardThread | undefined {
  const kind = threadKindOf(kinds, delivery);
  return kind && isThreadDelivery(delivery) ? kind.threads(state)[delivery.threadKey] : undefined;
}

/**
 * What reading or changing a delivery's card thread loads (paged: named, never held): its one thread, whole
 * to render its card; else only its head (an incident card's customers unread: they may be 50,000).
 */
export function threadLoads(kinds: ThreadKindRegistry, delivery: Delivery, read: 'whole' | 'head' = 'whole'): Loads {
  const kind = threadKindOf(kinds, delivery);
  if (!kind?.field || !isThreadDelivery(delivery)) return {};
  return { [kind.field]: read === 'whole' ? [delivery.threadKey] : { keys: [delivery.threadKey], only: [] } };
}

/** What reading the card threads of several deliveries loads (a conversation's queue, the wake-up timer): their heads. */
export function threadsLoads(kinds: ThreadKindRegistry, deliveries: Iterable<Delivery>): Loads {
  const keys = new Map<string, Set<string>>();
  for (const delivery of deliveries) {
    const kind = threadKindOf(kinds, delivery);
    if (!kind?.field || !isThreadDelivery(delivery)) continue;
    const set = keys.get(kind.field) ?? new Set<string>();
    set.add(delivery.threadKey);
    keys.set(kind.field, set);
  }
  return Object.fromEntries([...keys].map(([field, set]) => [field, { keys: [...set], only: [] }]));
}

// Which card thread a delivery posts or edits, by its kind's entry in the thread-kind registry: every kind
// the composition root registered (sources/source.ts), the incident card among them.
import type { CardThread, ThreadDelivery, ThreadDeliveryKind, ThreadKindRegistry } from '../sources/source.js';
import type { Delivery, State } from '../store/state.js';

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

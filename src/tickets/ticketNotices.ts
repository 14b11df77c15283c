// A ticket notice about one customer ("Fabrikam has no PSA company: …"), queued once for each conversation
// that watches the customer, as a separate message (never inside an alert card).
import { queueNoticeTo, type NoticePorts } from '../sources/notices.js';
import type { StorePorts } from '../store/ports/index.js';
import { watchesEveryCustomer } from '../domain/watch.js';

/** Conversations with a watch that covers this customer (one customer, or every customer not excluded). */
export function targetsWatching(ports: Pick<StorePorts, 'watches' | 'conversations'>, customerId: string): string[] {
  const keys = new Set<string>();
  for (const watch of ports.watches.all()) {
    const covers = (watch.kind !== 'order' && watch.customerId === customerId)
      || (watchesEveryCustomer(watch) && !watch.excluded?.some((customer) => customer.customerId === customerId));
    if (covers && ports.conversations.get(watch.targetKey)?.active !== false) keys.add(watch.targetKey);
  }
  return [...keys];
}

/** `what` names the notice (e.g. `tickets-unmapped|<customer>`): the same one is never queued twice. */
export function queueCustomerNotice(tx: NoticePorts & Pick<StorePorts, 'watches' | 'conversations'>, customerId: string, what: string, text: string, now: Date): number {
  let queued = 0;
  for (const targetKey of targetsWatching(tx, customerId)) queued += queueNoticeTo(tx, targetKey, what, text, now);
  return queued;
}

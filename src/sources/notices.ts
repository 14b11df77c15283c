// A plain sentence queued for one conversation, once: its id says what it is about, so the same notice is
// never queued (or sent) twice.
import type { Delivery, State } from '../store/state.js';
import { wasDelivered } from '../store/deliveryLog.js';

/** Queues `text` for `targetKey` as the notice `notice|<target>|<what>`. Returns how many were queued (0 or 1). */
export function queueNotice(state: State, targetKey: string, what: string, text: string, now: Date, options: { requested?: boolean; replyTo?: string | null } = {}): number {
  const id = `notice|${targetKey}|${what}`;
  if (wasDelivered(state, id) || state.outbox.some((delivery) => delivery.id === id)) return 0;
  const at = now.toISOString();
  const notice: Delivery = { kind: 'notice', id, targetKey, text, ...(options.requested ? { requested: true } : {}), ...(options.replyTo ? { replyTo: options.replyTo } : {}), createdAt: at, attempts: 0, notBefore: at, lastError: null };
  state.outbox.push(notice);
  return 1;
}

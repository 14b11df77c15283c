// A plain sentence queued for one conversation, once: its id says what it is about, so the same notice is
// never queued (or sent) twice.
import type { Delivery, State } from '../store/state.js';
import { deliveryLogOf } from '../store/ports/deliveryLog.js';
import { outboxOf } from '../store/ports/outbox.js';
import type { TxPorts } from '../store/ports/index.js';

/** What queuing a notice reads and writes: the outbox and the delivery log. */
export type NoticePorts = Pick<TxPorts, 'outbox' | 'deliveryLog'>;

/** Queues `text` for `targetKey` as the notice `notice|<target>|<what>`. Returns how many were queued (0 or 1). */
export function queueNoticeTo(ports: NoticePorts, targetKey: string, what: string, text: string, now: Date, options: { requested?: boolean; replyTo?: string | null } = {}): number {
  const id = `notice|${targetKey}|${what}`;
  if (ports.deliveryLog.has(id) || ports.outbox.has(id)) return 0;
  const at = now.toISOString();
  const notice: Delivery = { kind: 'notice', id, targetKey, text, ...(options.requested ? { requested: true } : {}), ...(options.replyTo ? { replyTo: options.replyTo } : {}), createdAt: at, attempts: 0, notBefore: at, lastError: null };
  ports.outbox.enqueue(notice);
  return 1;
}

/** queueNoticeTo for a change still written on the whole draft (a sweep batch, a round's end). */
export function queueNotice(state: State, targetKey: string, what: string, text: string, now: Date, options: { requested?: boolean; replyTo?: string | null } = {}): number {
  return queueNoticeTo({ outbox: outboxOf(() => state), deliveryLog: deliveryLogOf(() => state) }, targetKey, what, text, now, options);
}

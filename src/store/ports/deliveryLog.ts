// The delivery log port: which deliveries (Teams cards and notices, outbound events) already went out, or
// were held for a summary, or given up — what keeps one from going out twice. Reads are synchronous for now:
// both backends serve them from memory; PostgreSQL's `delivery_log` table could answer has() by primary key.
import { forgetDeliveredBefore, recordDelivered, wasDelivered } from '../deliveryLog.js';
import type { State } from '../state.js';

export interface DeliveryLog {
  has(id: string): boolean;
}

export interface DeliveryLogWrites extends DeliveryLog {
  /** Records that it went out at `at`, in the transaction that also takes it out of its queue. */
  record(id: string, at: string): void;
  /** Forgets what went out before `cutoff` (its cards are forgotten by then too). */
  forgetBefore(cutoff: string): void;
}

export function deliveryLogOf(state: () => State): DeliveryLogWrites {
  return {
    has: (id) => wasDelivered(state(), id),
    record: (id, at) => recordDelivered(state(), id, at),
    forgetBefore: (cutoff) => forgetDeliveredBefore(state(), cutoff),
  };
}

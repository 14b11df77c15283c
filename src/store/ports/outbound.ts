// The outbound port: alert events waiting for the endpoints of outbound destinations (webhooks, PSAs),
// each endpoint's in the order they were found (`seq`). Reads are synchronous for now: both backends serve
// them from memory (PostgreSQL: the resident copy of `outbound_deliveries`, whose destination and endpoint
// columns could serve head() by query).
import type { OutboundDelivery, State } from '../state.js';

export interface OutboundQueue {
  /** Everything queued, in the order it was found. */
  queue(): readonly Readonly<OutboundDelivery>[];
  /** The next event for one endpoint of a destination. */
  head(destination: string, endpoint: string): Readonly<OutboundDelivery> | undefined;
}

export interface OutboundWrites extends OutboundQueue {
  /** The highest `seq` queued (0 for none): the next event goes after it. */
  lastSeq(): number;
  /** Queues it under its id. */
  enqueue(delivery: OutboundDelivery): void;
  /** The queued event, to change in place (its attempts, its retry time). */
  get(id: string): OutboundDelivery | undefined;
  /** Takes it out of the queue (sent, refused, given up): record it in the delivery log in the same transaction. */
  remove(id: string): void;
}

export function outboundOf(state: () => State): OutboundWrites {
  const queue = () => Object.values(state().outbound).sort((a, b) => a.seq - b.seq || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  return {
    queue,
    head: (destination, endpoint) => queue().find((item) => item.destination === destination && item.endpoint === endpoint),
    get: (id) => state().outbound[id],
    lastSeq: () => Object.values(state().outbound).reduce((max, item) => Math.max(max, item.seq), 0),
    enqueue(delivery) {
      state().outbound[delivery.id] = delivery;
    },
    remove(id) {
      delete state().outbound[id];
    },
  };
}

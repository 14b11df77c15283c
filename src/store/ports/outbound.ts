// The outbound port: alert events waiting for the endpoints of outbound destinations (webhooks, PSAs),
// each endpoint's in the order they were found (`seq`). Both backends serve them from memory (PostgreSQL:
// the resident copy of `outbound_deliveries`). head() is asked asynchronously (its worker awaits anyway), so
// PostgreSQL can answer it by query on the destination and endpoint columns; queue() stays synchronous for
// the report and the kick, which are synchronous today.
import type { OutboundDelivery, State } from '../state.js';

export interface OutboundQueue {
  /** Everything queued, in the order it was found. */
  queue(): readonly Readonly<OutboundDelivery>[];
  /** The next event for one endpoint of a destination. */
  head(destination: string, endpoint: string): Promise<Readonly<OutboundDelivery> | undefined>;
}

/** Inside a transaction: read from and written to its draft. */
export interface OutboundWrites {
  queue(): readonly OutboundDelivery[];
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

export function outboundReader(state: () => State): OutboundQueue {
  const records = outboundOf(state);
  return {
    queue: records.queue,
    head: async (destination, endpoint) => records.queue().find((item) => item.destination === destination && item.endpoint === endpoint),
  };
}

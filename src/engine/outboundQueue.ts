// Queues alert events for the outbound destinations, inside the write of the batch that found them: one
// record per event per endpoint that wants it. Its id is made of the event's deterministic id, so a change
// found again (a batch fetched again after a crash) is never queued twice, and one already delivered is
// known by the delivery log.
import type { AlertEvent } from '../domain/alertEvent.js';
import type { Destination } from '../destinations/destination.js';
import type { OutboundDelivery } from '../store/state.js';
import type { TxPorts } from '../store/ports/index.js';

export interface OutboundRoutes {
  destinations: readonly Destination[];
  /** An endpoint stopped until restart (a webhook URL that answered 410) queues nothing more. */
  stopped(destination: string, endpoint: string): boolean;
}

export const outboundId = (destination: string, endpoint: string, eventId: string): string => `${destination}|${endpoint}|${eventId}`;

/** An `emit` for one write: each call queues the event where it is wanted; returns how many were queued. */
export function outboundEmitter(tx: Pick<TxPorts, 'outbound' | 'deliveryLog'>, routes: OutboundRoutes, now: Date): (event: AlertEvent) => number {
  let seq: number | null = null;
  const at = now.toISOString();
  return (event) => {
    let queued = 0;
    for (const destination of routes.destinations) {
      if (!destination.accepts(event)) continue;
      for (const endpoint of destination.endpoints()) {
        if (routes.stopped(destination.name, endpoint)) continue;
        const id = outboundId(destination.name, endpoint, event.id);
        if (tx.deliveryLog.has(id) || tx.outbound.get(id)) continue;
        // Read once per write and only when something is queued: a long backlog is not walked per event.
        seq ??= tx.outbound.lastSeq();
        seq++;
        const delivery: OutboundDelivery = { id, destination: destination.name, endpoint, seq, event, createdAt: at, attempts: 0, notBefore: at, lastError: null };
        tx.outbound.enqueue(delivery);
        queued++;
      }
    }
    return queued;
  };
}

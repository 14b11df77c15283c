// Keeps the state file bounded: the delivery-log entries older than 30 days, and PSA tickets completed that
// long ago, are forgotten. Each source forgets its own records (its `prune`, in the same write).
import { RETENTION_MS } from '../domain/retention.js';
import type { TxPorts } from '../store/ports/index.js';
import type { Watch } from '../domain/watch.js';
import type { Loads } from '../store/paged.js';
import { quietCutoff } from '../store/pagedThreads.js';

export { RETENTION_MS };

export function pruneState(tx: Pick<TxPorts, 'deliveryLog' | 'tickets'>, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  tx.deliveryLog.forgetBefore(cutoff);
  // PSA tickets completed 30 days ago: the ticket lives on in the PSA; only open ones (and pending creates) stay.
  for (const ticket of tx.tickets.all()) {
    if (ticket.state === 'complete' && ticket.updatedAt < cutoff) tx.tickets.remove(ticket.episodeKey);
  }
}

/**
 * What the sources' prune reads of the card threads (paged): only those quiet for 30 days, found by a query,
 * never a walk of every thread; of an incident card only the customers a conversation watches one by one
 * (whether the card is still seen there).
 */
export function retentionLoads(watches: readonly Readonly<Watch>[], now: Date): Loads {
  const quietBefore = quietCutoff(now);
  const watched = new Set(watches.flatMap((watch) => (watch.customerId !== null ? [watch.customerId] : [])));
  return { threads: { quietBefore, only: watched }, subscriptionThreads: { quietBefore }, accessThreads: { quietBefore } };
}

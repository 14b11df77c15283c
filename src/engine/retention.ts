// Keeps the state file bounded: the delivery-log entries older than 30 days, and PSA tickets completed that
// long ago, are forgotten. Each source forgets its own records (its `prune`, in the same write).
import { RETENTION_MS } from '../domain/retention.js';
import type { TxPorts } from '../store/ports/index.js';

export { RETENTION_MS };

export function pruneState(tx: Pick<TxPorts, 'deliveryLog' | 'tickets'>, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  tx.deliveryLog.forgetBefore(cutoff);
  // PSA tickets completed 30 days ago: the ticket lives on in the PSA; only open ones (and pending creates) stay.
  for (const ticket of tx.tickets.all()) {
    if (ticket.state === 'complete' && ticket.updatedAt < cutoff) tx.tickets.remove(ticket.episodeKey);
  }
}

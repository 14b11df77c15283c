// Keeps the state file bounded: the delivery-log entries older than 30 days, and PSA tickets completed that
// long ago, are forgotten. Each source forgets its own records (its `prune`, in the same write).
import { RETENTION_MS } from '../domain/retention.js';
import type { State } from '../store/state.js';
import { forgetDeliveredBefore } from '../store/deliveryLog.js';

export { RETENTION_MS };

export function pruneState(state: State, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  forgetDeliveredBefore(state, cutoff);
  // PSA tickets completed 30 days ago: the ticket lives on in the PSA; only open ones (and pending creates) stay.
  for (const [key, ticket] of Object.entries(state.tickets ?? {})) {
    if (ticket.state === 'complete' && ticket.updatedAt < cutoff) delete state.tickets[key];
  }
}

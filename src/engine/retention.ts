// Keeps the state file bounded: cards of incidents resolved more than 30 days ago, and the delivery-log
// entries of that age, are forgotten. Open incidents are kept however old they are, as long as someone can
// still see them: a card in a conversation the bot left, or that no longer watches its customers, goes
// 30 days after its last change.
import { RETENTION_MS } from '../domain/retention.js';
import type { State } from '../store/state.js';
import { forgetDeliveredBefore } from '../store/deliveryLog.js';

export { RETENTION_MS };

export function pruneState(state: State, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  for (const [key, thread] of Object.entries(state.threads)) {
    if (thread.resolvedAt && thread.resolvedAt < cutoff) delete state.threads[key];
    else if (thread.updatedAt < cutoff && !stillSeen(state, thread)) delete state.threads[key];
  }
  forgetDeliveredBefore(state, cutoff);
  // Snapshots of customers nobody watches any more would otherwise live forever.
  const watchesAll = state.watches.some((watch) => watch.kind === 'all');
  if (!watchesAll) {
    // (A subscriptions watch fetches no incidents: it keeps none of them.)
    const watched = new Set(state.watches.filter((watch) => watch.kind !== 'subscriptions' && watch.kind !== 'access').map((watch) => watch.customerId));
    for (const customerId of Object.keys(state.incidentSnapshots)) {
      if (!watched.has(customerId)) delete state.incidentSnapshots[customerId];
    }
  }
  const watchedOrders = new Set(state.watches.filter((watch) => watch.kind === 'order').map((watch) => `${watch.customerId}/${watch.orderId}`));
  for (const key of Object.keys(state.orderSnapshots)) if (!watchedOrders.has(key)) delete state.orderSnapshots[key];
  // PSA tickets completed 30 days ago: the ticket lives on in the PSA; only open ones (and pending creates) stay.
  for (const [key, ticket] of Object.entries(state.tickets ?? {})) {
    if (ticket.state === 'complete' && ticket.updatedAt < cutoff) delete state.tickets[key];
  }
}

/** Is the conversation of this card still there, and does it still watch one of the card's customers? */
function stillSeen(state: State, thread: State['threads'][string]): boolean {
  if (!state.targets[thread.targetKey]?.active) return false;
  return state.watches.some(
    (watch) =>
      watch.targetKey === thread.targetKey &&
      (watch.kind === 'all' || (watch.kind === 'customer' && watch.customerId !== null && thread.customers[watch.customerId] !== undefined)),
  );
}

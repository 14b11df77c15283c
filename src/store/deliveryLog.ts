// The delivery log: which deliveries went out (or were held for a summary, or given up) and when — what
// keeps a delivery from going out twice. Everything that asks or writes it goes through here, so how it is
// kept can change in one place.
import type { State } from './state.js';

/** Did this delivery (a Teams card or notice, an outbound event) already go out? */
export function wasDelivered(state: Readonly<Pick<State, 'deliveryLog'>>, id: string): boolean {
  return Boolean(state.deliveryLog[id]);
}

/** Records that it went out at `at`, in the change that also takes it out of its queue. */
export function recordDelivered(state: Pick<State, 'deliveryLog'>, id: string, at: string): void {
  state.deliveryLog[id] = at;
}

/** Forgets what went out before `cutoff` (its cards are forgotten by then too). */
export function forgetDeliveredBefore(state: Pick<State, 'deliveryLog'>, cutoff: string): void {
  for (const [id, at] of Object.entries(state.deliveryLog)) if (at < cutoff) delete state.deliveryLog[id];
}

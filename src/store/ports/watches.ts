// The watches port: which conversation watches which customer, order or "all", with the index the
// callers ask by (conversation, customer). Reads are synchronous for now: both backends serve them from
// memory (PostgreSQL: the resident copy of `watches`, a plain-column table that could be queried by
// target_key or customer_id once its callers are async).
import type { State, Watch } from '../state.js';

export interface Watches {
  /** Every watch, in the order they were made. */
  all(): readonly Readonly<Watch>[];
  /** The watches of one conversation. */
  forConversation(targetKey: string): readonly Readonly<Watch>[];
  /** The watches of one customer (its own and its orders'), in any conversation. */
  forCustomer(customerId: string): readonly Readonly<Watch>[];
  /** Is anything watched at all? */
  any(): boolean;
}

export interface WatchWrites extends Watches {
  all(): Watch[];
  forConversation(targetKey: string): Watch[];
  forCustomer(customerId: string): Watch[];
  add(watch: Watch): void;
  /** Removes the watches `which` picks; returns how many. */
  removeWhere(which: (watch: Readonly<Watch>) => boolean): number;
}

export function watchesOf(state: () => State): WatchWrites {
  const all = () => state().watches;
  return {
    all,
    forConversation: (targetKey) => all().filter((watch) => watch.targetKey === targetKey),
    forCustomer: (customerId) => all().filter((watch) => watch.customerId === customerId),
    any: () => all().length > 0,
    add(watch) {
      state().watches.push(watch);
    },
    removeWhere(which) {
      const before = all();
      const kept = before.filter((watch) => !which(watch));
      if (kept.length !== before.length) state().watches = kept;
      return before.length - kept.length;
    },
  };
}

// The access ports: the customers Partner Center refuses to show (403) and since when (told once, not every
// round), and the state of the partner's GDAP listing. Both resident on both backends (small: one row per
// refusing customer, one document); PostgreSQL could read a refusal by customer id.
import type { AccessListingState } from '../../domain/accessRecords.js';
import type { State } from '../state.js';

export interface AccessRefusals {
  /** Since when Partner Center refuses the customer, or undefined when it does not. */
  since(customerId: string): string | undefined;
  /** Every refusing customer, with since when. */
  all(): ReadonlyMap<string, string>;
}

export interface AccessRefusalWrites extends AccessRefusals {
  refuse(customerId: string, since: string): void;
  /** Access is back: forgets the refusal. */
  allow(customerId: string): void;
}

/** Asked asynchronously (its one caller awaits anyway): PostgreSQL can read its one row instead. */
export interface AccessListing {
  /** When the GDAP listing was last taken, and Graph's refusal. */
  get(): Promise<Readonly<AccessListingState>>;
}

/** Inside a transaction: read from its draft (the GDAP source still writes it on the batch's draft). */
export interface AccessListingRecord {
  get(): Readonly<AccessListingState>;
}

export function accessRefusalsOf(state: () => State): AccessRefusalWrites {
  return {
    since: (customerId) => state().accessDenied[customerId],
    all: () => new Map(Object.entries(state().accessDenied)),
    refuse(customerId, since) {
      state().accessDenied[customerId] = since;
    },
    allow(customerId) {
      delete state().accessDenied[customerId];
    },
  };
}

export function accessListingOf(state: () => State): AccessListingRecord {
  return { get: () => state().accessListing ?? { fetchedAt: null, refusedSince: null, refusalTold: [] } };
}

export function accessListingReader(state: () => State): AccessListing {
  const record = accessListingOf(state);
  return { get: async () => record.get() };
}

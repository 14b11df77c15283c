// The customer directory's rows as plain types, and the port the PostgreSQL directory
// (partnerCenter/tableDirectory.ts) reads and writes them through (store/postgres/customerTable.ts implements it).
import type { Customer } from './types.js';

/** A customer as listed, with its name and domain folded for matching (customerMatch.ts fold). */
export interface ListedCustomer {
  customer: Customer;
  foldedName: string;
  foldedDomain: string;
}

/** A customer as the table holds it; `position`: where the listing that wrote it had it (ties keep that order). */
export interface CustomerRow {
  customer: Customer;
  position: number;
}

/** A row as the suggestions scan it: no more than they compare. */
export interface NameRow {
  key: string;
  companyName: string;
  foldedName: string;
  position: number;
}

/** The last listing that completed. */
export interface ListingMark {
  listing: number;
  /** When it completed, on the app's clock (ms). */
  completedMs: number;
  customers: number;
}

/** The shared table of customers, as the directory uses it. */
export interface CustomerRows {
  /** Another instance listed (or this one did), or notices may have been missed: what was cached may be stale. */
  onChange(listener: () => void): void;
  /** A number for a new listing, greater than every one before. */
  startListing(): Promise<number>;
  /** One page of a listing, `firstPosition` the place of its first customer in the listing. */
  writePage(listing: number, firstPosition: number, page: readonly ListedCustomer[], listedMs: number): Promise<void>;
  /** A listing saw every customer: the ones it did not see are gone. */
  complete(listing: number, completedMs: number): Promise<{ deleted: number }>;
  /** A listing that failed midway rewrote some rows (and deleted none). */
  touched(listing: number): Promise<void>;
  lastListing(): Promise<ListingMark | null>;
  count(): Promise<number>;
  /** The customers with these lower-cased tenant ids. */
  byKeys(keys: readonly string[]): Promise<CustomerRow[]>;
  /** The customers whose folded name or domain is `wanted` (or, with `prefix`, starts with it). */
  matching(wanted: string, prefix: boolean): Promise<CustomerRow[]>;
  /** Every customer's name, a page at a time. */
  names(pageSize: number): AsyncGenerator<NameRow[]>;
  /** Every customer, read when asked. */
  everyone(): Promise<CustomerRow[]>;
  /** Does this error say the table cannot be reached now (a database outage), rather than that a statement failed? */
  unreachable(error: unknown): boolean;
  close(): Promise<void>;
}

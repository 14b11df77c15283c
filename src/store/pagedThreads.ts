// The card threads as paged records (paged.ts): incident cards (`threads`), subscription and access cards.
// A Microsoft-wide incident's card lists every affected customer, 7.5 MB at 50,000 customers, in every
// conversation: no instance holds them. Besides by key, a change or a reader selects threads by what they
// hold: the threads that list a customer (routing, card actions), those of a conversation (digest, quiet
// hours), and those quiet long enough to be forgotten (retention). The store finds them: lowdb by a walk of
// the threads it holds, PostgreSQL by a query.
import { RETENTION_MS } from '../domain/retention.js';
import type { IncidentThread, State, ThreadCustomer } from './state.js';

export const THREAD_FIELDS = ['threads', 'subscriptionThreads', 'accessThreads'] as const;
export type ThreadField = (typeof THREAD_FIELDS)[number];
export const isThreadField = (field: string): field is ThreadField => (THREAD_FIELDS as readonly string[]).includes(field);

/** Threads selected by what they hold, not by key (paged.ts `Load`). Several criteria: any of them. */
export interface ThreadSelection {
  keys?: Iterable<string>;
  /** The threads that list one of these customers (an incident card's customers, another card's customer). */
  customers?: Iterable<string>;
  /** The threads of these conversations. */
  conversations?: Iterable<string>;
  /** The incident cards of these incidents, in every conversation (routing a batch's incident news). */
  incidents?: Iterable<string>;
  /** The threads quiet since before this time (quietSince): what retention may forget. */
  quietBefore?: string;
  /**
   * An incident card's customers to read: only these (absent: all of them). A commit that changes a few
   * customers of a card of 50,000 reads only those; the card's `open` count says whether any is affected.
   */
  only?: Iterable<string>;
}

/** A thread selection merged over several loads (paged.ts Reach). */
export interface Selected {
  customers: Set<string>;
  conversations: Set<string>;
  incidents: Set<string>;
  quietBefore: string | null;
  /** 'all': some load reads whole cards (one by key, too); null: none said, whole cards. */
  only: Set<string> | 'all' | null;
}

export const noSelection = (): Selected => ({ customers: new Set(), conversations: new Set(), incidents: new Set(), quietBefore: null, only: null });

/** Does the selection pick threads by what they hold (not only by key)? */
export const selects = (selected: Selected): boolean =>
  selected.customers.size > 0 || selected.conversations.size > 0 || selected.incidents.size > 0 || selected.quietBefore !== null;

export function addSelection(into: Selected, selection: ThreadSelection): void {
  for (const customerId of selection.customers ?? []) into.customers.add(customerId);
  for (const targetKey of selection.conversations ?? []) into.conversations.add(targetKey);
  for (const incidentId of selection.incidents ?? []) into.incidents.add(incidentId);
  if (selection.quietBefore !== undefined && (into.quietBefore === null || selection.quietBefore > into.quietBefore)) into.quietBefore = selection.quietBefore;
  if (selection.only === undefined) into.only = 'all';
  else if (into.only !== 'all') {
    const only = into.only ?? new Set<string>();
    for (const customerId of selection.only) only.add(customerId);
    into.only = only;
  }
}

/** Any card thread, as selection needs it. */
interface AnyThread {
  targetKey: string;
  updatedAt: string;
  incidentId?: string;
  customerId?: string;
  customers?: Record<string, ThreadCustomer>;
  resolvedAt?: string | null;
  closedAt?: string | null;
}

/** Since when a thread has been quiet: its last change, or its resolution (closing) if that came first. */
export function quietSince(thread: AnyThread): string {
  const ended = thread.resolvedAt ?? thread.closedAt ?? null;
  return ended !== null && ended < thread.updatedAt ? ended : thread.updatedAt;
}

/** The threads quiet since before this are what retention looks at (30 days). */
export const quietCutoff = (now: Date): string => new Date(now.getTime() - RETENTION_MS).toISOString();

/** Does a thread held in memory match the selection? (PostgreSQL asks the same of its rows.) */
export function matchesSelection(thread: AnyThread, selected: Selected): boolean {
  if (selected.conversations.has(thread.targetKey)) return true;
  if (thread.incidentId !== undefined && selected.incidents.has(thread.incidentId)) return true;
  if (selected.quietBefore !== null && quietSince(thread) < selected.quietBefore) return true;
  if (selected.customers.size === 0) return false;
  if (thread.customerId !== undefined) return selected.customers.has(thread.customerId);
  for (const customerId of selected.customers) if (thread.customers && Object.hasOwn(thread.customers, customerId)) return true;
  return false;
}

/** The keys of `threads` the selection picks (an in-memory store's, or the rows a query read). */
export function selectedKeys(threads: Readonly<Record<string, unknown>>, selected: Selected): string[] {
  if (!selects(selected)) return [];
  return Object.keys(threads).filter((key) => matchesSelection(threads[key] as AnyThread, selected));
}

/** How many of a card's customers are still affected: its `open` count, kept as customers change. */
export function openCustomers(thread: Readonly<IncidentThread>): number {
  return thread.open ?? Object.values(thread.customers).filter((customer) => !customer.resolved).length;
}

/**
 * Sets one customer of a card, keeping its `open` count: the only way routing changes a card's customers,
 * so that "all customers recovered" never needs every customer read.
 */
export function setThreadCustomer(thread: IncidentThread, customerId: string, customer: ThreadCustomer): void {
  const open = openCustomers(thread);
  const before = thread.customers[customerId];
  const wasOpen = before !== undefined && !before.resolved;
  thread.open = open + (customer.resolved ? 0 : 1) - (wasOpen ? 1 : 0);
  thread.customers[customerId] = customer;
}

/** The customers of an incident card a reach reads: only some, or all of them. */
export const customersRead = (selected: Selected): ReadonlySet<string> | 'all' => selected.only ?? 'all';

/** The state's map of a thread field (inside a write: the draft's). */
export const threadMap = (state: Readonly<State>, field: ThreadField): Record<string, unknown> => state[field] as unknown as Record<string, unknown>;

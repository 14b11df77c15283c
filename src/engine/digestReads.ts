// What a digest and an end-of-quiet-hours summary read of the paged records (store/paged.ts): only the
// snapshots they may show, found by the snapshots' facts (store.facts: a query on PostgreSQL), never every
// customer's. Loading them all cost ~100 MB and a read of every row per digest at 50,000 customers.
import { PAGED_FIELDS, PagedRecordError, type Load, type Loads, type PagedField } from '../store/paged.js';
import { isThreadField, THREAD_FIELDS, type ThreadField, type ThreadSelection } from '../store/pagedThreads.js';
import type { HeldAlert, State } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { AlertSource, BatchSources } from '../sources/source.js';
import { digestSince, partSources } from './digest.js';

/** The keys to load by field, gathered over conversations and sections ('all': a section reads any record). */
export class DigestLoads {
  private readonly wanted = new Map<PagedField, Set<string> | 'all'>();
  /** The card threads selected by what they hold (a conversation's cards), by field. */
  private readonly selections = new Map<ThreadField, { customers: Set<string>; conversations: Set<string> }>();

  /** Threads of a card thread field a section reads by what they hold (whole cards). */
  select(field: ThreadField, selection: Pick<ThreadSelection, 'customers' | 'conversations'>): void {
    const into = this.selections.get(field) ?? { customers: new Set<string>(), conversations: new Set<string>() };
    for (const customerId of selection.customers ?? []) into.customers.add(customerId);
    for (const targetKey of selection.conversations ?? []) into.conversations.add(targetKey);
    this.selections.set(field, into);
  }

  /** A load as a source names it: keys, 'all' or 'keys' (both read whole here), or a thread selection. */
  addLoad(field: PagedField, load: Load | undefined): void {
    if (load === undefined) return;
    if (load === 'all' || load === 'keys') this.addAll(field);
    else if (Symbol.iterator in load) this.add(field, load as Iterable<string>);
    else if (isThreadField(field)) {
      this.add(field, (load as ThreadSelection).keys ?? []);
      this.select(field, load as ThreadSelection);
    }
  }

  add(field: PagedField, keys: Iterable<string>): void {
    const set = this.wanted.get(field) ?? new Set<string>();
    if (set === 'all') return;
    for (const key of keys) set.add(key);
    this.wanted.set(field, set);
  }

  addAll(field: PagedField): void {
    this.wanted.set(field, 'all');
  }

  get loads(): Loads {
    const loads: Loads = Object.fromEntries([...this.wanted].map(([field, keys]) => [field, keys === 'all' ? 'all' : [...keys]]));
    for (const [field, { customers, conversations }] of this.selections) {
      const keys = loads[field];
      if (keys === 'all') continue;
      loads[field] = { keys: (keys as string[] | undefined) ?? [], customers: [...customers], conversations: [...conversations] };
    }
    return loads;
  }
}

/**
 * The customers whose snapshots `loads` names by key: the ones a digest may name, whose names the directory
 * (a bounded cache with PostgreSQL) is asked for before the digest is built. An order's key starts with its
 * customer's id.
 */
export function customersOfLoads(loads: Loads): Set<string> {
  const customers = new Set<string>();
  for (const field of PAGED_FIELDS) {
    const load = loads[field];
    if (isThreadField(field) || load === undefined || typeof load === 'string' || !(Symbol.iterator in load)) continue;
    for (const key of load as Iterable<string>) customers.add(key.split('/')[0] as string);
  }
  return customers;
}

export interface DigestReadOptions {
  now: Date;
  /** The digest's `since` (null: a day ago), as buildDigest is given it. */
  since: string | null;
  /** The incidents and provisioning sources, as buildDigest is given them. */
  batchSources: BatchSources;
  sources?: readonly AlertSource[];
}

/**
 * What buildDigest reads for one conversation (`state`: read()'s, without the paged records): what the
 * incidents and provisioning sources' parts and each other source's section say they may show.
 */
export async function addDigestReads(into: DigestLoads, store: Pick<StateStore, 'facts' | 'view'>, read: Readonly<State>, targetKey: string, options: DigestReadOptions): Promise<void> {
  const ctx = { now: options.now, since: digestSince(options.since, options.now) };
  // The conversation's cards (paged) tell which snapshots its parts show: read them first, and load them too.
  const cards = conversationCards(into, targetKey);
  const state = Object.keys(cards).length > 0 ? await store.view(cards) : read;
  const reads = partSources(options.batchSources).flatMap((source) => source.digestReads(state, targetKey, ctx));
  for (const source of options.sources ?? []) {
    if (!source.digestReads) {
      for (const field of PAGED_FIELDS) into.addAll(field);
      continue;
    }
    reads.push(...source.digestReads(state, targetKey, ctx));
  }
  for (const read of reads) {
    if ('select' in read) {
      into.select(read.field, read.select);
      continue;
    }
    if ('keys' in read) {
      into.add(read.field, read.keys);
      continue;
    }
    const facts = await store.facts(read.field, read.filter);
    into.add(read.field, read.among ? [...facts.keys()].filter(read.among) : facts.keys());
  }
}

/**
 * A conversation's card threads of every kind, added to `into`: a digest or summary tells of its cards and
 * names customers as they stand on them. Returns the same as loads, for a first read.
 */
function conversationCards(into: DigestLoads, targetKey: string): Loads {
  const loads: Loads = {};
  for (const field of THREAD_FIELDS) {
    into.select(field, { conversations: [targetKey] });
    loads[field] = { conversations: [targetKey] };
  }
  return loads;
}

/** What buildQuietSummary reads: the conversation's cards, and what the incidents and provisioning sources say of their held alerts. */
export function addQuietSummaryReads(into: DigestLoads, held: readonly HeldAlert[], batchSources: BatchSources, targetKey: string): void {
  conversationCards(into, targetKey);
  for (const source of partSources(batchSources)) {
    // Only whole records are read here: 'keys' (which exist) reads them all too.
    for (const [field, load] of Object.entries(source.quietReads(held)) as [PagedField, Load | undefined][]) into.addLoad(field, load);
  }
}

/**
 * `use` with the loads `plan` works out; once more with fresh ones if it read a record they left out: a card
 * or a watch came between the facts read and the load (another instance's change, or a write meanwhile).
 */
export async function withDigestLoads<T>(plan: () => Promise<Loads>, use: (loads: Loads) => Promise<T>): Promise<T> {
  try {
    return await use(await plan());
  } catch (error) {
    if (!(error instanceof PagedRecordError)) throw error;
    return use(await plan());
  }
}

// What a digest and an end-of-quiet-hours summary read of the paged records (store/paged.ts): only the
// snapshots they may show, found by the snapshots' facts (store.facts: a query on PostgreSQL), never every
// customer's. Loading them all cost ~100 MB and a read of every row per digest at 50,000 customers.
import { PAGED_FIELDS, PagedRecordError, type Loads, type PagedField } from '../store/paged.js';
import type { HeldAlert, State } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { AlertSource, BatchSources } from '../sources/source.js';
import { digestSince, partSources } from './digest.js';

/** The keys to load by field, gathered over conversations and sections ('all': a section reads any record). */
export class DigestLoads {
  private readonly wanted = new Map<PagedField, Set<string> | 'all'>();

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
    return Object.fromEntries([...this.wanted].map(([field, keys]) => [field, keys === 'all' ? 'all' : [...keys]]));
  }
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
export async function addDigestReads(into: DigestLoads, store: Pick<StateStore, 'facts'>, state: Readonly<State>, targetKey: string, options: DigestReadOptions): Promise<void> {
  const ctx = { now: options.now, since: digestSince(options.since, options.now) };
  const reads = partSources(options.batchSources).flatMap((source) => source.digestReads(state, targetKey, ctx));
  for (const source of options.sources ?? []) {
    if (!source.digestReads) {
      for (const field of PAGED_FIELDS) into.addAll(field);
      continue;
    }
    reads.push(...source.digestReads(state, targetKey, ctx));
  }
  for (const read of reads) {
    if ('keys' in read) {
      into.add(read.field, read.keys);
      continue;
    }
    const facts = await store.facts(read.field, read.filter);
    into.add(read.field, read.among ? [...facts.keys()].filter(read.among) : facts.keys());
  }
}

/** What buildQuietSummary reads: what the incidents and provisioning sources say of their held alerts. */
export function addQuietSummaryReads(into: DigestLoads, held: readonly HeldAlert[], batchSources: BatchSources): void {
  for (const source of partSources(batchSources)) {
    for (const [field, keys] of Object.entries(source.quietReads(held)) as [PagedField, Loads[PagedField]][]) {
      // Only whole records are read here: 'keys' (which exist) reads them all too.
      if (keys === 'all' || keys === 'keys') into.addAll(field);
      else if (keys) into.add(field, keys);
    }
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

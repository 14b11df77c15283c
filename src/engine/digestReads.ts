// What a digest and an end-of-quiet-hours summary read of the paged records (store/paged.ts): only the
// snapshots they may show, found by the snapshots' facts (store.facts: a query on PostgreSQL), never every
// customer's. Loading them all cost ~100 MB and a read of every row per digest at 50,000 customers.
import { PAGED_FIELDS, PagedRecordError, type Loads, type PagedField } from '../store/paged.js';
import { orderKey, type HeldAlert, type State } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import type { AlertSource } from '../sources/source.js';
import { digestSince, Scope } from './digest.js';

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
  sources?: readonly AlertSource[];
}

/**
 * What buildDigest reads for one conversation (`state`: read()'s, without the paged records): the
 * incident snapshots of the customers it watches one by one, or with "watch all" the watched ones whose
 * facts say an incident is open or that changed since; those of customers on its open cards (whether they
 * have one); its watched orders; and what each source's section says it may show.
 */
export async function addDigestReads(into: DigestLoads, store: Pick<StateStore, 'facts'>, state: Readonly<State>, targetKey: string, options: DigestReadOptions): Promise<void> {
  const scope = new Scope(state, targetKey);
  const since = digestSince(options.since, options.now);
  if (scope.all) {
    const facts = await store.facts('incidentSnapshots', { changedSince: since, keys: [] });
    into.add('incidentSnapshots', [...facts.keys()].filter((customerId) => scope.isWatched(customerId)));
  } else {
    into.add('incidentSnapshots', scope.own);
  }
  for (const thread of scope.threads) {
    if (thread.resolvedAt) continue;
    into.add('incidentSnapshots', Object.entries(thread.customers).filter(([id, customer]) => !customer.resolved && scope.isWatched(id)).map(([id]) => id));
  }
  const orders = scope.watches.filter((watch) => watch.kind === 'order' && watch.customerId && watch.orderId);
  into.add('orderSnapshots', orders.map((watch) => orderKey(watch.customerId as string, watch.orderId as string)));
  for (const source of options.sources ?? []) {
    if (!source.digestReads) {
      for (const field of PAGED_FIELDS) into.addAll(field);
      continue;
    }
    for (const read of source.digestReads(state, targetKey, { now: options.now, since })) {
      const facts = await store.facts(read.field, read.filter);
      into.add(read.field, read.among ? [...facts.keys()].filter(read.among) : facts.keys());
    }
  }
}

/** What buildQuietSummary reads: the snapshots of the orders whose alerts were held. */
export function addQuietSummaryReads(into: DigestLoads, held: readonly HeldAlert[]): void {
  into.add('orderSnapshots', held.filter((alert) => alert.kind === 'provisioning').map((alert) => orderKey(alert.customerId ?? '', alert.orderId ?? '')));
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

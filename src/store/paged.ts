// Paged records: the per-customer snapshots (incidents, orders, subscriptions, GDAP access), which grow with
// the partner's customers. With PostgreSQL no
// instance holds them in memory: a change names the ones it reads (UpdateOptions.load) and gets only those in
// its draft, read in its own transaction; a reader asks for the ones it needs (StateStore.view) or for the
// few facts planning and health go by (StateStore.facts). lowdb holds them all, yet keeps the same contract,
// so a change that reads a record it did not name fails on both stores, in every test, not only in production.
import type { State } from './state.js';
import { accessAttention, incidentAttention, subscriptionAttention, type DigestAttention } from '../domain/digestFacts.js';
import { addSelection, isThreadField, noSelection, selectedKeys, selects, THREAD_FIELDS, type Selected, type ThreadField, type ThreadSelection } from './pagedThreads.js';

/** The snapshots: paged records with facts (planning, health and the digest go by them). */
export const SNAPSHOT_FIELDS = ['incidentSnapshots', 'orderSnapshots', 'subscriptionSnapshots', 'accessSnapshots'] as const;
export type SnapshotField = (typeof SNAPSHOT_FIELDS)[number];
/** The snapshots and the card threads (pagedThreads.ts). */
export const PAGED_FIELDS = [...SNAPSHOT_FIELDS, ...THREAD_FIELDS] as const;
export type PagedField = SnapshotField | ThreadField;
export const isPaged = (field: string): field is PagedField => (PAGED_FIELDS as readonly string[]).includes(field);

/**
 * What a change (or a reader) reads of a paged field: these keys' records, every record ('all'), or only
 * which keys exist ('keys': enough to delete what no watch needs any more, as the round's last write does);
 * of a card thread field also the threads a selection picks (by customer, conversation, quiet time).
 */
export type Load = Iterable<string> | 'all' | 'keys' | ThreadSelection;
export type Loads = Partial<Record<PagedField, Load>>;
/** What a change reads of the paged fields: one set of loads, or several (merged: it may read any of them). */
export type LoadList = Loads | readonly Loads[];
export const loadList = (load: LoadList | undefined): readonly Loads[] => (load === undefined ? [] : Array.isArray(load) ? load : [load as Loads]);

/** What planning and health go by, kept beside each snapshot (PostgreSQL: columns of its row). */
export interface SnapshotFacts {
  fetchedAt: string | null;
  /** The last fetch that found a change. */
  changedAt: string | null;
  /**
   * Something a digest shows is going on (domain/digestFacts.ts): an unresolved incident, a subscription in
   * trouble, access lost. The fast lane goes by the incidents' (an unresolved incident).
   */
  active: boolean;
  /** The earliest day a term or access ends without renewal (absent: none): a digest shows it days before. */
  endsOn?: string;
}

/**
 * Only the facts of records that are active, changed since `changedSince` (when given), have one of `keys`,
 * or (with `endsBy`, a day) end on or before that day.
 */
export interface FactsFilter {
  /** Absent: a change selects none. */
  changedSince?: string;
  keys: Iterable<string>;
  endsBy?: string;
}

function matches(filter: FactsFilter | undefined, keys: ReadonlySet<string>): (key: string, facts: SnapshotFacts) => boolean {
  const endsBy = filter?.endsBy;
  return (key, facts) =>
    !filter ||
    facts.active ||
    (filter.changedSince !== undefined && facts.changedAt !== null && facts.changedAt >= filter.changedSince) ||
    keys.has(key) ||
    (endsBy !== undefined && facts.endsOn !== undefined && facts.endsOn <= endsBy);
}

/** Records whose facts are worked out between two turns of the event loop (about 3 ms). */
const FACTS_PER_TURN = 5_000;

/**
 * The facts of the records of an in-memory field (lowdb's, a test's) that `filter` wants, a few thousand a
 * turn of the event loop: at 50,000 customers all of them at once held the loop for 30–50 ms, at the start
 * of every round and every 30 s for the fast lane. A record changed meanwhile is read as it is by then.
 */
export async function factsOfMap(records: Readonly<Record<string, unknown>>, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>> {
  const wanted = matches(filter, new Set(filter?.keys ?? []));
  const facts = new Map<string, SnapshotFacts>();
  const keys = Object.keys(records);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && i % FACTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const key = keys[i] as string;
    const record = records[key];
    if (record === undefined) continue;
    const found = factsOf(record);
    if (wanted(key, found)) facts.set(key, found);
  }
  return facts;
}

export function factsOf(record: unknown): SnapshotFacts {
  const { active, endsOn } = attentionOf(record);
  const snapshot = record as { fetchedAt?: string; changedAt?: string };
  return { fetchedAt: snapshot.fetchedAt ?? null, changedAt: snapshot.changedAt ?? null, active, ...(endsOn !== null ? { endsOn } : {}) };
}

/** What a digest may show of a snapshot, by its kind (each kind's snapshot has its own list; an order's: none). */
function attentionOf(record: unknown): DigestAttention {
  const snapshot = record as { incidents?: object; subscriptions?: unknown; relationships?: unknown };
  if (Array.isArray(snapshot.subscriptions)) return subscriptionAttention(snapshot.subscriptions);
  if (Array.isArray(snapshot.relationships)) return accessAttention(snapshot.relationships);
  return incidentAttention((snapshot.incidents ?? {}) as Record<string, { resolved?: boolean }>);
}

/** How fresh a group of paged records is: how many, the oldest fetch, and the fetch that 95 % of them are at
 * least as new as (ISO times; null when the group is empty). */
export interface FetchSpread {
  count: number;
  oldest: string | null;
  p95: string | null;
}

/** The spread of the fetch times in `facts`, for the keys in `among` and for the others. */
export function spreadOf(facts: ReadonlyMap<string, SnapshotFacts>, among: ReadonlySet<string>): { among: FetchSpread; rest: FetchSpread } {
  const times = { among: [] as string[], rest: [] as string[] };
  for (const [key, { fetchedAt }] of facts) if (fetchedAt) (among.has(key) ? times.among : times.rest).push(fetchedAt);
  const spread = (list: string[]): FetchSpread => {
    const newestFirst = list.sort().reverse();
    return { count: list.length, oldest: newestFirst.at(-1) ?? null, p95: newestFirst[Math.max(0, Math.ceil(list.length * 0.95) - 1)] ?? null };
  };
  return { among: spread(times.among), rest: spread(times.rest) };
}

/** Every paged field whole: for what reads or replaces the whole state. */
export const ALL_PAGED: Loads = Object.fromEntries(PAGED_FIELDS.map((field) => [field, 'all']));
export const ALL_PAGED_KEYS: Loads = Object.fromEntries(PAGED_FIELDS.map((field) => [field, 'keys']));
/** Every key of each snapshot field (the round's last write: the sources forget snapshots no watch needs). */
export const SNAPSHOT_KEYS: Loads = Object.fromEntries(SNAPSHOT_FIELDS.map((field) => [field, 'keys']));

/** The stored state as plain data, the paged records included: for a copy of all of it (migrate-state, a test). */
export async function wholeState(store: { view(loads: Loads): Promise<Readonly<State>> }): Promise<State> {
  const view = await store.view(ALL_PAGED);
  const plain: Record<string, unknown> = {};
  for (const field of Object.keys(view)) plain[field] = structuredClone(isPaged(field) ? { ...view[field] } : view[field as keyof State]);
  return plain as unknown as State;
}

/** The facts of every paged record, by field and key: what the sweep plans with. */
export type PlanFacts = ReadonlyMap<PagedField, ReadonlyMap<string, SnapshotFacts>>;

/** The facts of a state that holds its paged records (a test's, a file's). */
export function factsIn(state: Pick<State, SnapshotField>): PlanFacts {
  return new Map(SNAPSHOT_FIELDS.map((field) => [field, new Map(Object.entries(state[field]).map(([key, record]) => [key, factsOf(record)]))]));
}

/**
 * What one field's draft may read: these records ('all': any), whether it knows every key, and of a card
 * thread field the threads selected by what they hold (the store adds the keys it found to `records`).
 */
export interface Reach {
  records: Set<string> | 'all';
  keys: boolean;
  selected: Selected;
}

const isSelection = (load: Load): load is ThreadSelection => typeof load === 'object' && !(Symbol.iterator in load);

/** The loads of a group of changes, merged: each change sees what any of them named. */
export function mergeLoads(all: readonly (Loads | undefined)[]): Map<PagedField, Reach> {
  const merged = new Map<PagedField, Reach>();
  for (const field of PAGED_FIELDS) merged.set(field, { records: new Set(), keys: false, selected: noSelection() });
  for (const loads of all) {
    for (const [field, load] of Object.entries(loads ?? {}) as [PagedField, Load][]) {
      const reach = merged.get(field) as Reach;
      if (load === 'all') reach.records = 'all';
      else if (load === 'keys') reach.keys = true;
      else if (isSelection(load)) {
        if (!isThreadField(field)) throw new Error(`${field} are selected by key only`);
        addSelection(reach.selected, load);
        if (reach.records !== 'all') for (const key of load.keys ?? []) reach.records.add(key);
      } else {
        // A thread named by key is read whole (all of an incident card's customers).
        if (isThreadField(field)) reach.selected.only = 'all';
        if (reach.records !== 'all') for (const key of load) reach.records.add(key);
      }
    }
  }
  return merged;
}

/** Whether a field's reach reads anything at all. */
export const readsAny = (reach: Reach): boolean => reach.keys || reach.records === 'all' || reach.records.size > 0 || selects(reach.selected);

/**
 * Adds to each reach the keys its selection picks among `held` (an in-memory store's records, or the rows
 * PostgreSQL read for it): from then on they are read as if named by key.
 */
export function resolveSelections(reach: ReadonlyMap<PagedField, Reach>, held: Partial<Record<PagedField, object>>): void {
  for (const field of THREAD_FIELDS) {
    const wanted = reach.get(field);
    if (!wanted || wanted.records === 'all' || !selects(wanted.selected)) continue;
    for (const key of selectedKeys((held[field] ?? {}) as Record<string, unknown>, wanted.selected)) wanted.records.add(key);
  }
}

export class PagedRecordError extends Error {
  constructor(field: PagedField, key: string | null) {
    super(
      key === null
        ? `${field} are not held in memory: read them with store.view() or store.facts(), or name them in update's load`
        : `${field}[${JSON.stringify(key)}] was not loaded for this change: name it in update's load`,
    );
    this.name = 'PagedRecordError';
  }
}

const guards = new WeakMap<object, object>();

/** `state` as a change sees it: each paged field shows only what `reach` lets it read (and what it wrote). */
export function pagedView(state: State, reach: ReadonlyMap<PagedField, Reach>): State {
  const views = new Map<PagedField, object>();
  return new Proxy(state, {
    set(target, field, value, receiver) {
      // Replacing a whole field deletes every record it had: the change must know them.
      if (typeof field === 'string' && isPaged(field) && !reach.get(field)?.keys && reach.get(field)?.records !== 'all') {
        throw new Error(`a change that replaces ${field} must load its keys ('keys') or all of it`);
      }
      return Reflect.set(target, field, value, receiver);
    },
    get(target, field, receiver) {
      const value: unknown = Reflect.get(target, field, receiver);
      if (typeof field !== 'string' || !isPaged(field) || reach.get(field)?.records === 'all') return value;
      let view = views.get(field);
      if (!view || guards.get(view) !== value) {
        view = guardMap(field, value as Record<string, unknown>, reach.get(field) ?? { records: new Set(), keys: false, selected: noSelection() });
        guards.set(view, value as object);
        views.set(field, view);
      }
      return view;
    },
  });
}

/** The stored state for readers: the paged fields are not there to read (a read of one throws). */
export function withoutPaged<S extends object>(state: S): S {
  const closed = new Map<PagedField, object>();
  return new Proxy(state, {
    get(target, field, receiver) {
      const value: unknown = Reflect.get(target, field, receiver);
      if (typeof field !== 'string' || !isPaged(field)) return value;
      let view = closed.get(field);
      if (!view) closed.set(field, (view = guardMap(field, {}, { records: new Set(), keys: false, selected: noSelection() }, true)));
      return view;
    },
  });
}

/** A reader's state with `loads` readable: the maps as given, each limited to what was asked. */
export function viewOf(state: State, maps: Partial<Record<PagedField, object>>, loads: Loads): Readonly<State> {
  const reach = mergeLoads([loads]);
  resolveSelections(reach, maps);
  const base = { ...state } as Record<string, unknown>;
  for (const field of PAGED_FIELDS) base[field] = maps[field] ?? {};
  return pagedView(base as unknown as State, reach);
}

function guardMap(field: PagedField, map: Record<string, unknown>, reach: Reach, closed = false): object {
  const written = new Set<string>();
  const readable = (key: string) => written.has(key) || (reach.records !== 'all' && reach.records.has(key));
  // A change that selects threads by what they hold may look up a key it did not find: one not stored reads
  // as absent. One stored but not selected throws (lowdb holds every thread, so a test catches it).
  const selective = selects(reach.selected);
  const check = (key: string | symbol, value: boolean) => {
    if (typeof key === 'symbol' || key in Object.prototype) return;
    if (closed) throw new PagedRecordError(field, null);
    if (readable(key)) return;
    if (!value && reach.keys) return;
    if (selective && !Object.hasOwn(map, key)) return;
    throw new PagedRecordError(field, key);
  };
  return new Proxy(map, {
    get(target, key, receiver) {
      check(key, true);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      check(key, false);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      // Whether a key is there (Object.keys asks, key by key): what 'keys' knows.
      check(key, false);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      if (closed) throw new PagedRecordError(field, null);
      const keys = Reflect.ownKeys(target);
      return reach.keys ? keys : keys.filter((key) => typeof key === 'string' && readable(key));
    },
    set(target, key, value) {
      if (closed) throw new PagedRecordError(field, null);
      if (typeof key === 'string') written.add(key);
      return Reflect.set(target, key, value);
    },
    defineProperty(target, key, descriptor) {
      if (closed) throw new PagedRecordError(field, null);
      if (typeof key === 'string') written.add(key);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      if (closed) throw new PagedRecordError(field, null);
      check(key, false);
      if (typeof key === 'string') written.add(key);
      return Reflect.deleteProperty(target, key);
    },
  });
}

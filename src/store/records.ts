// The state as records: which fields of State are keyed collections, ordered lists or single documents,
// and a draft that remembers which records a change may have touched. A record store (PostgreSQL) writes
// only those records, compared with what it last stored, instead of the whole state.
import type { State } from './state.js';

export type Field = keyof State;

/** map: records by key; list: ordered records keyed by `id`; single: one document. */
export type Shape = 'map' | 'list' | 'single';

export const SHAPES: Record<Field, Shape> = {
  schemaVersion: 'single',
  auth: 'single',
  targets: 'map',
  watches: 'list',
  orderCustomers: 'map',
  incidentSnapshots: 'map',
  orderSnapshots: 'map',
  threads: 'map',
  outbox: 'list',
  deliveryLog: 'map',
  lastCycle: 'single',
  sweep: 'single',
  accessDenied: 'map',
  subscriptionSnapshots: 'map',
  subscriptionThreads: 'map',
  outbound: 'map',
  ticketCompanies: 'map',
  tickets: 'map',
  accessListing: 'single',
  accessSnapshots: 'map',
  accessThreads: 'map',
};

export const FIELDS = Object.keys(SHAPES) as Field[];

/** What a change may have touched: keys of maps ('all' once a map was replaced), and lists and singles read. */
export class Touched {
  readonly keys = new Map<Field, Set<string> | 'all'>();
  readonly wholes = new Set<Field>();

  key(field: Field, key: string): void {
    const keys = this.keys.get(field);
    if (keys === 'all') return;
    if (keys) keys.add(key);
    else this.keys.set(field, new Set([key]));
  }

  all(field: Field): void {
    if (SHAPES[field] === 'map') this.keys.set(field, 'all');
    else this.wholes.add(field);
  }

  get empty(): boolean {
    return this.keys.size === 0 && this.wholes.size === 0;
  }
}

/**
 * A view of `state` for a change function that records in `touched` every map record it reads, writes or
 * deletes, and every list or single field it reads or sets. Records themselves are not wrapped: reading one
 * counts as touching it, and the store compares it with its stored copy to know whether it changed.
 */
export function trackedDraft(state: State, touched: Touched): State {
  const views = new Map<Field, { map: object; view: object }>();
  const mapView = (field: Field, map: Record<string, unknown>): object => {
    const known = views.get(field);
    if (known?.map === map) return known.view;
    const view = new Proxy(map, {
      get(target, key, receiver) {
        if (typeof key === 'string') touched.key(field, key);
        return Reflect.get(target, key, receiver);
      },
      set(target, key, value) {
        if (typeof key === 'string') touched.key(field, key);
        return Reflect.set(target, key, value);
      },
      deleteProperty(target, key) {
        if (typeof key === 'string') touched.key(field, key);
        return Reflect.deleteProperty(target, key);
      },
      defineProperty(target, key, descriptor) {
        if (typeof key === 'string') touched.key(field, key);
        return Reflect.defineProperty(target, key, descriptor);
      },
    });
    views.set(field, { map, view });
    return view;
  };
  return new Proxy(state, {
    get(target, field, receiver) {
      const value: unknown = Reflect.get(target, field, receiver);
      if (typeof field !== 'string' || !(field in SHAPES)) return value;
      const name = field as Field;
      if (SHAPES[name] === 'map' && value && typeof value === 'object') return mapView(name, value as Record<string, unknown>);
      touched.all(name);
      return value;
    },
    set(target, field, value) {
      if (typeof field === 'string' && field in SHAPES) touched.all(field as Field);
      return Reflect.set(target, field, value);
    },
  });
}

/** What a change did: its result, or what it threw (the stores then write none of it). */
export type Applied = { ok: true; value: unknown } | { ok: false; error: unknown };

export function apply(change: (draft: State) => unknown, state: State): Applied {
  try {
    return { ok: true, value: change(state) };
  } catch (error) {
    return { ok: false, error };
  }
}

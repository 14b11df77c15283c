// Changes run on a draft, never on the state readers see: both stores publish a group's changes only once
// their write is durable, so delivery, commands and the digest never act on a change that is then lost.
//
// The draft is copy-on-write at the level of single keys: an object's draft keeps the keys a change wrote
// beside the published object, and makes a draft of a nested object only when a change reaches it. So a
// change costs what it touched, even in a collection of 50,000 records or a card listing 50,000 customers
// (immer, tried first, copies such a map whole at its first write: 5–50 ms per batch). Published objects
// are never changed while a group is drafted; once the write is durable, `publish` applies what the group
// wrote to them in place, which costs what it wrote.
import { apply, type Applied } from './records.js';
import type { State } from './state.js';

const DRAFT = Symbol('draft');
const DELETED = Symbol('deleted');

interface ObjectDraft {
  kind: 'object';
  base: Record<string, unknown>;
  /** Keys a change wrote (DELETED: removed), each value possibly holding drafts. */
  assigned: Map<string, unknown>;
  /** Drafts of the published object's own nested objects, made as a change reached them. */
  children: Map<string, Draft>;
}

interface ArrayDraft {
  kind: 'array';
  base: unknown[];
  /** The array as the change sees it (made at first access); nested objects are drafts once reached. */
  items: unknown[] | null;
  written: boolean;
}

type Draft = (ObjectDraft | ArrayDraft) & { proxy: object };

const draftOf = (value: unknown): Draft | undefined =>
  value !== null && typeof value === 'object' ? ((value as Record<symbol, unknown>)[DRAFT] as Draft | undefined) : undefined;

/** Plain objects and arrays are drafted; anything else (a Date, an Error) is a value as it is. */
function draftable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// One handler for every object draft and one for every array draft, the draft's state in the proxy's target:
// a change may reach thousands of records in a batch, and a handler of closures per draft cost a lot.
const STATE = Symbol('state');
type ArrayTarget = unknown[] & { [STATE]: ArrayDraft & { proxy: object } };

function createDraft(base: Record<string, unknown> | unknown[]): object {
  if (Array.isArray(base)) {
    const target = [] as unknown as ArrayTarget;
    const draft = { kind: 'array', base, items: null, written: false } as ArrayDraft & { proxy: object };
    target[STATE] = draft;
    draft.proxy = new Proxy(target, ARRAY_TRAPS);
    return draft.proxy;
  }
  const draft = { kind: 'object', base, assigned: new Map(), children: new Map() } as ObjectDraft & { proxy: object };
  draft.proxy = new Proxy(draft, OBJECT_TRAPS as ProxyHandler<object>);
  return draft.proxy;
}

type ObjectState = ObjectDraft & { proxy: object };

function hasKey(draft: ObjectState, key: string): boolean {
  return draft.assigned.has(key) ? draft.assigned.get(key) !== DELETED : Object.hasOwn(draft.base, key);
}

function readKey(draft: ObjectState, key: string): unknown {
  if (draft.assigned.size > 0 && draft.assigned.has(key)) {
    const value = draft.assigned.get(key);
    return value === DELETED ? undefined : value;
  }
  if (!Object.hasOwn(draft.base, key)) return draft.base[key]; // the prototype's (hasOwnProperty, toString)
  const value = draft.base[key];
  if (!draftable(value)) return value;
  let child = draft.children.get(key);
  if (!child) draft.children.set(key, (child = draftOf(createDraft(value)) as Draft));
  return child.proxy;
}

function writeKey(draft: ObjectState, key: string, value: unknown): void {
  draft.assigned.set(key, value);
  draft.children.delete(key);
}

const OBJECT_TRAPS: ProxyHandler<ObjectState> = {
  get: (draft, key) => (key === DRAFT ? draft : typeof key === 'symbol' ? Reflect.get(draft.base, key) : readKey(draft, key)),
  set: (draft, key, value) => (typeof key === 'symbol' ? false : (writeKey(draft, key, value), true)),
  defineProperty: (draft, key, descriptor) => (typeof key === 'symbol' ? false : (writeKey(draft, key, descriptor.value), true)),
  deleteProperty: (draft, key) => {
    if (typeof key === 'string' && hasKey(draft, key)) writeKey(draft, key, DELETED);
    return true;
  },
  has: (draft, key) => (typeof key === 'symbol' ? key === DRAFT || key in draft.base : hasKey(draft, key) || key in Object.prototype),
  ownKeys: (draft) => {
    if (draft.assigned.size === 0) return Reflect.ownKeys(draft.base);
    const keys = Object.keys(draft.base).filter((key) => draft.assigned.get(key) !== DELETED);
    for (const [key, value] of draft.assigned) if (value !== DELETED && !Object.hasOwn(draft.base, key)) keys.push(key);
    return keys;
  },
  getOwnPropertyDescriptor: (draft, key) =>
    typeof key === 'string' && hasKey(draft, key) ? { value: readKey(draft, key), writable: true, enumerable: true, configurable: true } : undefined,
  getPrototypeOf: (draft) => Object.getPrototypeOf(draft.base) as object | null,
};

/** An array index ("0", "17"), not a method or "length". */
function isIndex(key: string | symbol): key is string {
  if (typeof key !== 'string' || key.length === 0) return false;
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && String(Number(key)) === key;
}

const itemsOf = (draft: ArrayDraft): unknown[] => (draft.items ??= draft.base.slice());

const ARRAY_TRAPS: ProxyHandler<ArrayTarget> = {
  get: (target, key) => {
    const draft = target[STATE];
    if (key === DRAFT) return draft;
    const list = itemsOf(draft);
    // Array methods run on the proxy, so what they read and write comes through these traps.
    if (!isIndex(key)) return Reflect.get(list, key) as unknown;
    const value = list[Number(key)];
    if (!draftable(value) || draftOf(value)) return value;
    const child = createDraft(value);
    list[Number(key)] = child;
    return child;
  },
  set: (target, key, value) => {
    const draft = target[STATE];
    draft.written = true;
    return Reflect.set(itemsOf(draft), key, value);
  },
  defineProperty: (target, key, descriptor) => {
    const draft = target[STATE];
    draft.written = true;
    return Reflect.defineProperty(itemsOf(draft), key, { ...descriptor, configurable: true, enumerable: true, writable: true });
  },
  deleteProperty: (target, key) => {
    const draft = target[STATE];
    draft.written = true;
    return Reflect.deleteProperty(itemsOf(draft), key);
  },
  has: (target, key) => key === DRAFT || Reflect.has(itemsOf(target[STATE]), key),
  ownKeys: (target) => Reflect.ownKeys(itemsOf(target[STATE])),
  getOwnPropertyDescriptor: (target, key) => {
    const draft = target[STATE];
    const descriptor = Reflect.getOwnPropertyDescriptor(itemsOf(draft), key);
    if (!descriptor) return undefined;
    if (key === 'length') return { ...descriptor, configurable: false };
    return { value: isIndex(key) ? (draft.proxy as unknown[])[Number(key)] : descriptor.value, writable: true, enumerable: descriptor.enumerable, configurable: true };
  },
};

/** Did the change write anything in this draft or below it? */
function modified(draft: Draft, seen = new Set<Draft>()): boolean {
  if (seen.has(draft)) return false;
  seen.add(draft);
  if (draft.kind === 'array') {
    if (draft.written) return true;
    return (draft.items ?? []).some((item) => {
      const child = draftOf(item);
      return child !== undefined && modified(child, seen);
    });
  }
  if (draft.assigned.size > 0) return true;
  for (const child of draft.children.values()) if (modified(child, seen)) return true;
  return false;
}

/**
 * `value` as plain data with every draft in it made final: an untouched draft is its published object, a
 * changed one a new object (sharing what it left alone). For what a store writes and what a change returns.
 */
export function finished<T>(value: T): T {
  const draft = draftOf(value);
  if (draft) {
    if (!modified(draft)) return draft.base as T;
    if (draft.kind === 'array') return (draft.items ?? draft.base).map((item) => finished(item)) as T;
    const out: Record<string, unknown> = { ...draft.base };
    for (const [key, child] of draft.children) out[key] = finished(child.proxy);
    for (const [key, written] of draft.assigned) {
      if (written === DELETED) delete out[key];
      else out[key] = finished(written);
    }
    return out as T;
  }
  if (!draftable(value)) return value;
  // A new value a change made may hold drafts (a record it read and put elsewhere): make them final too.
  if (Array.isArray(value)) return (value.some((item) => item !== finished(item)) ? value.map((item) => finished(item)) : value) as T;
  let out: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value)) {
    const done = finished(item);
    if (done !== item) (out ??= { ...value })[key] = done;
  }
  return (out ?? value) as T;
}

/**
 * The entries of an object as they will be once published, each value made final, without copying the
 * object: for writing a 50,000-key map a change touched in pieces (making it final whole would copy it in
 * one block first, 30 ms and more). Plain objects give their own entries.
 */
export function* publishedEntries(value: object, finish = true): Generator<[string, unknown]> {
  const final = finish ? finished : <T>(item: T): T => item;
  const draft = draftOf(value);
  if (!draft || draft.kind !== 'object' || !modified(draft)) {
    yield* Object.entries(draft ? draft.base : value);
    return;
  }
  for (const key of Object.keys(draft.base)) {
    if (draft.assigned.has(key)) {
      const written = draft.assigned.get(key);
      if (written !== DELETED) yield [key, final(written)];
      continue;
    }
    const child = draft.children.get(key);
    yield [key, child ? final(child.proxy) : draft.base[key]];
  }
  for (const [key, written] of draft.assigned) if (written !== DELETED && !Object.hasOwn(draft.base, key)) yield [key, final(written)];
}

/** About how many entries `value` has (a draft: its published object's). */
export function entryCount(value: object): number {
  const draft = draftOf(value);
  return Object.keys(draft ? draft.base : value).length;
}

/** The keys of `value` a change wrote (or changed below), and those it deleted; null when it is not a draft. */
export function changedKeys(value: unknown): { written: string[]; deleted: string[] } | null {
  const draft = draftOf(value);
  if (!draft || draft.kind !== 'object') return null;
  const written: string[] = [];
  const deleted: string[] = [];
  for (const [key, item] of draft.assigned) (item === DELETED ? deleted : written).push(key);
  for (const [key, child] of draft.children) if (modified(child)) written.push(key);
  return { written, deleted };
}

/** The published object `value` is a draft of (undefined: not a draft). */
export function baseOf(value: unknown): unknown {
  return draftOf(value)?.base;
}

/** Is `value` (a record read through a draft) unchanged by the group? */
export function untouched(value: unknown): boolean {
  const draft = draftOf(value);
  return draft !== undefined && !modified(draft);
}

/** What a group of changes made: its draft of the state, and each change's outcome. */
export interface Drafted {
  draft: State;
  results: Applied[];
}

/**
 * Runs `changes` in order on a draft of `base` (each sees the ones before it), through `view` (the PostgreSQL
 * store tracks what they touch). A change that throws may have changed part of the draft first: then the
 * group runs again on a new draft without it, so no half-made change is kept. Throws when a change's outcome
 * differs on the second run (it depends on something outside the state): nothing of the group is kept.
 */
export function draftGroup(base: State, changes: readonly ((draft: State) => unknown)[], view: (draft: State) => State = (draft) => draft): Drafted {
  const first = runOnDraft(base, changes, view);
  if (first.results.every((result) => result.ok)) return first;
  const again = runOnDraft(base, changes.map((change, i) => (first.results[i]?.ok ? change : null)), view);
  const results = again.results.map((result, i) => (first.results[i]?.ok ? result : (first.results[i] as Applied)));
  if (again.results.some((result, i) => first.results[i]?.ok && !result.ok)) {
    throw new Error('a state change failed; nothing of its group was written');
  }
  return { draft: again.draft, results };
}

function runOnDraft(base: State, changes: readonly (((draft: State) => unknown) | null)[], view: (draft: State) => State): Drafted {
  const draft = createDraft(base as unknown as Record<string, unknown>) as State;
  const seen = view(draft);
  // A result that holds part of the draft (a record the change returns) comes out as plain data.
  const results = changes.map((change): Applied => {
    if (!change) return { ok: true, value: undefined };
    const result = apply(change, seen);
    return result.ok ? { ok: true, value: finished(result.value) } : result;
  });
  return { draft, results };
}

/**
 * Makes what the group wrote in `draft` what readers see, in place on the published objects: costs what it
 * wrote. Call it only once the write is durable, and with no other draft of `live` open.
 */
export function publish(draft: State): void {
  const root = draftOf(draft);
  if (root) applyInPlace(root);
}

function applyInPlace(draft: Draft): void {
  if (draft.kind === 'array') {
    if (!modified(draft)) return;
    const items = (draft.items ?? draft.base).map((item) => settle(item));
    draft.base.splice(0, draft.base.length, ...items);
    return;
  }
  for (const child of draft.children.values()) if (modified(child)) applyInPlace(child);
  for (const [key, written] of draft.assigned) {
    if (written === DELETED) delete draft.base[key];
    else draft.base[key] = settle(written);
  }
}

/** A value going into the published state: a draft becomes its published object with its writes applied. */
function settle(value: unknown): unknown {
  const draft = draftOf(value);
  if (draft) {
    applyInPlace(draft);
    return draft.base;
  }
  return finished(value);
}

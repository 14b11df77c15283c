// What the sweep fetches: each source's items of a round (every watched customer once, however many
// conversations watch it; every watched order; other sources' items when due), with keys that sort, so a
// durable cursor can say where a round stands; and which items the fast lane keeps fresh. Pure: the state
// and the customer listing come in as arguments; the sources say what their items are.
import type { Customer } from '../domain/types.js';
import type { State } from '../store/state.js';
import type { AlertSource, BatchSource, SourceItem } from '../sources/source.js';
import { factsIn, type PlanFacts } from '../store/paged.js';

export type SweepItem = SourceItem;

const byKey = (a: SweepItem, b: SweepItem) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Does the round need the partner's customer listing: a "watch all", of incidents or of a source? */
export function wantsListing(state: Readonly<State>, sources: readonly AlertSource[] = [], batchSources: readonly BatchSource[] = []): boolean {
  return [...batchSources, ...sources].some((source) => source.wantsListing(state));
}

/**
 * The items of a round, sorted by key. `listing` is the customer list for "watch all": the fresh one, or
 * the last known one when listing failed (never nothing: a failed listing must not stop alerting). Every
 * batch source adds all its items (e.g. one customer's incidents), each other source
 * those due at `now` (e.g. one customer's subscriptions).
 */
export function roundItems(
  state: Readonly<State>,
  listing: readonly Customer[],
  find: (id: string) => Customer | undefined,
  sources: readonly AlertSource[] = [],
  now = 0,
  facts: PlanFacts = factsIn(state),
  batchSources: readonly BatchSource[] = [],
): SweepItem[] {
  const items = new Map<string, SweepItem>();
  for (const source of batchSources) for (const item of source.roundItems(state, listing, find)) items.set(item.key, item);
  for (const source of sources) for (const item of source.roundItems(state, listing, find, now, facts)) items.set(item.key, item);
  return [...items.values()].sort(byKey);
}

/**
 * Items the fast lane keeps fresh, as the batch sources say: what is watched one by one (in key order),
 * then what has something going on (an active incident, a change within `recentMs`) — but only what some
 * conversation watches. Never another source's items: they keep to their own period, in the rolling round.
 */
export function fastLaneItems(
  state: Readonly<State>,
  now: number,
  recentMs: number,
  find: (id: string) => Customer | undefined,
  facts: PlanFacts = factsIn(state),
  batchSources: readonly BatchSource[] = [],
): SweepItem[] {
  const lanes = batchSources.map((source) => source.fastLane.items(state, now, recentMs, find, facts));
  const items = new Map<string, SweepItem>();
  for (const item of lanes.flatMap((lane) => lane.watched).sort(byKey)) items.set(item.key, item);
  for (const item of lanes.flatMap((lane) => lane.lively)) if (!items.has(item.key)) items.set(item.key, item);
  return [...items.values()];
}

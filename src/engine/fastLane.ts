// The fast lane: what each batch source says needs watching closely (customers with an open incident or a recent
// change, orders provisioning, customers watched one by one), fetched once a period between the rolling round's
// items, within its share of the budget. Which items it keeps is looked at again every FAST_LANE_REFRESH_MS, by
// the snapshots' facts (a query on PostgreSQL), while the workers go on with the lane as it was.
import type { Customer } from '../domain/types.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { PagedField, PlanFacts, SnapshotFacts } from '../store/paged.js';
import type { StateStore } from '../store/stateStore.js';
import type { BatchSource } from '../sources/source.js';
import { fastLaneItems, type SweepItem } from './sweepPlan.js';

export interface FastLaneSettings {
  periodMs: number;
  share: number;
  recentMs: number;
}

export interface FastLaneOptions {
  settings: FastLaneSettings;
  store: StateStore;
  clock: Clock;
  log: { debug(note: object, message: string): void };
  findCustomer: (customerId: string) => Customer | undefined;
  batchSources: readonly BatchSource[];
  /** Told when the lane's items changed (the workers may have something to do). */
  changed: () => void;
}

// A fast-lane item is picked a little before its period is up, so the wait for the budget still fits in it.
const FAST_LANE_EARLY = 0.9;
// How far ahead the fast lane may borrow (in picks) after it had nothing to do.
const FAST_LANE_MAX_CREDIT = 8;
const FAST_LANE_REFRESH_MS = 30_000;

export class FastLane {
  /** The lane's items by key, in the order of their last fetch (oldest first). */
  private items = new Map<string, { item: SweepItem; lastFetchedAt: number }>();
  private refreshedAt = Number.NEGATIVE_INFINITY;
  /** The lane's look at the snapshots' facts, while one is out. */
  private looking: Promise<void> | null = null;
  private credit = 0;
  /** Fetch times of the lane's items (key → ms), for the gaps between them (`gaps`, which the bench reads). */
  private readonly fetchedAt = new Map<string, number>();
  readonly gaps: number[] = [];

  constructor(private readonly options: FastLaneOptions) {}

  keys(): ReadonlySet<string> {
    return new Set(this.items.keys());
  }

  /** The keys of the `field` records the lane's items write (e.g. the customers whose incidents it keeps fresh). */
  records(field: PagedField): ReadonlySet<string> {
    const keys = new Set<string>();
    for (const { item } of this.items.values()) {
      const source = this.sourceOf(item);
      if (source?.fastLane.field === field) keys.add(source.fastLane.recordKey(item));
    }
    return keys;
  }

  /**
   * The lane's next item if one is due and, beside a running round, the lane has credit for it (its share of
   * the picks); `out`: items being fetched now, which that fetch refreshes already.
   */
  take(now: number, roundRunning: boolean, out: ReadonlySet<string>): SweepItem | null {
    const head = this.items.values().next().value;
    const due = head && now - head.lastFetchedAt >= this.options.settings.periodMs * FAST_LANE_EARLY;
    if (!head || !due || (roundRunning && this.credit < 1)) return null;
    // To the back of the line now, so no other worker picks it while it is out.
    this.items.delete(head.item.key);
    this.items.set(head.item.key, { item: head.item, lastFetchedAt: now });
    // Out already (the rolling round is fetching it): that fetch refreshes it, a second would race it.
    if (out.has(head.item.key)) return null;
    if (roundRunning) this.credit -= 1;
    return head.item;
  }

  /** The round handed out an item: the lane earns its share of a pick. */
  earn(): void {
    const share = Math.min(this.options.settings.share, 0.95);
    this.credit = Math.min(FAST_LANE_MAX_CREDIT, this.credit + share / (1 - share));
  }

  /** Fetched by the lane since the round began and within half a period: the round need not fetch it again. */
  fetchedFreshly(key: string, roundStartedAt: number, now: number): boolean {
    const recent = this.items.get(key);
    return recent !== undefined && recent.lastFetchedAt >= roundStartedAt && now - recent.lastFetchedAt < this.options.settings.periodMs / 2;
  }

  /** An item was fetched: a lane item's gap since its last fetch is noted. */
  noteFetched(key: string): void {
    if (!this.items.has(key)) return;
    const now = this.options.clock.now();
    const previous = this.fetchedAt.get(key);
    if (previous !== undefined) {
      this.gaps.push(now - previous);
      if (this.gaps.length > 10_000) this.gaps.splice(0, 5_000);
    }
    this.fetchedAt.set(key, now);
  }

  /** Looks again at which items the lane keeps, at most every FAST_LANE_REFRESH_MS (at once after `refreshSoon`). */
  refresh(now: number): void {
    if (now - this.refreshedAt < FAST_LANE_REFRESH_MS || this.looking) return;
    this.refreshedAt = now;
    const store = this.options.store;
    // Only what may belong in the lane (each source says: active or recently changed, or watched one by one).
    const state = store.read();
    const changedSince = new Date(now - this.options.settings.recentMs).toISOString();
    const lanes = this.options.batchSources.map((source) => source.fastLane);
    this.looking = Promise.all(lanes.map((lane) => store.facts(lane.field, lane.filter(state, changedSince))))
      .then((found) => {
        this.apply(new Map(lanes.map((lane, i) => [lane.field, found[i] as ReadonlyMap<string, SnapshotFacts>])), this.options.clock.now());
        this.options.changed();
      })
      .catch((error: unknown) => {
        // Looked at again in FAST_LANE_REFRESH_MS: the lane goes on as it was meanwhile.
        this.options.log.debug({ err: (error as Error).message }, 'the fast lane could not read the snapshots\' facts; it keeps its items');
      })
      .finally(() => {
        this.looking = null;
      });
  }

  /** The lane should look again at once (a watch was added, a batch found changes). */
  refreshSoon(): void {
    this.refreshedAt = Number.NEGATIVE_INFINITY;
  }

  private apply(facts: PlanFacts, now: number): void {
    const { periodMs, recentMs } = this.options.settings;
    const wanted = fastLaneItems(this.options.store.read(), now, recentMs, this.options.findCustomer, facts, this.options.batchSources);
    const keys = new Set(wanted.map((item) => item.key));
    for (const key of this.items.keys()) {
      if (keys.has(key)) continue;
      this.items.delete(key);
      this.fetchedAt.delete(key);
    }
    for (const item of wanted) {
      if (this.items.has(item.key)) continue;
      // New to the lane: as old as its last fetch, so a customer that just changed is not fetched at once.
      // After a restart or a takeover that is the stored one: not every customer of the lane at once.
      const last = this.storedFetchTime(facts, item) ?? now - periodMs;
      this.items.set(item.key, { item, lastFetchedAt: last });
      this.fetchedAt.set(item.key, last); // its first gap in the lane counts from there
    }
    // Keep the oldest first: re-insert in order of last fetch.
    const sorted = [...this.items.values()].sort((a, b) => a.lastFetchedAt - b.lastFetchedAt);
    this.items = new Map(sorted.map((entry) => [entry.item.key, entry]));
  }

  /** When the data of a lane's item was last fetched, as its stored record says (undefined when none). */
  private storedFetchTime(facts: PlanFacts, item: SweepItem): number | undefined {
    const lane = this.sourceOf(item)?.fastLane;
    const snapshot = lane ? facts.get(lane.field)?.get(lane.recordKey(item)) : undefined;
    const at = snapshot?.fetchedAt ? Date.parse(snapshot.fetchedAt) : Number.NaN;
    return Number.isFinite(at) ? at : undefined;
  }

  private sourceOf(item: SweepItem): BatchSource | undefined {
    return this.options.batchSources.find((source) => source.name === item.source);
  }
}

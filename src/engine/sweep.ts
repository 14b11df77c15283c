// The continuous sweep. Fetch workers take items one at a time — from the fast lane when one is due and
// the lane is within its share of the budget, else the next item of the rolling round — and drop results
// into a buffer that is committed in small batches (diff + outbox + cursor in one write) and handed to
// delivery at once. Nothing waits for a whole round: an alert goes out seconds after its fetch.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Customer } from '../domain/types.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import { PartnerCenterError } from '../partnerCenter/errors.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { SweepState } from '../store/state.js';
import type { PagedField, PlanFacts, SnapshotFacts } from '../store/paged.js';
import { StoreUnavailableError, type StateStore } from '../store/stateStore.js';
import { commitBatch, type FetchResult } from './ingest.js';
import type { OutboundRoutes } from './outboundQueue.js';
import { batchSourceList, type BatchSource, type BatchSources, type SourceRegistry } from '../sources/source.js';
import { fastLaneItems, type SweepItem } from './sweepPlan.js';

export interface SweepOptions {
  client: PartnerCenterClient;
  store: StateStore;
  clock: Clock;
  log: Logger;
  customerName: (customerId: string) => string;
  findCustomer: (customerId: string) => Customer | undefined;
  /** Deliveries being sent right now (their changes must not be merged into). */
  inFlight: () => ReadonlySet<string>;
  /** Called after every commit that queued deliveries or found changes (they may merge into queued ones). */
  onQueued: () => void;
  /** Requests in flight at once; the rate budget, not this number, sets the pace. */
  concurrency: number;
  /** Results committed together at most. */
  batchSize: number;
  /** A batch that has not filled up is committed when its oldest result is this old. */
  flushMs: number;
  fastLane: { periodMs: number; share: number; recentMs: number } | null;
  /** Alert sources beyond incidents and orders, by name: their items are fetched and ingested by them. */
  sources?: SourceRegistry;
  /** The incidents and provisioning sources: they plan the fast lane, and fetch and ingest their items. */
  batchSources: BatchSources;
  /** Outbound destinations (webhooks, tickets): each batch queues its alert events for them. */
  outbound?: OutboundRoutes;
}

/** One rolling round: its items in key order and which of them are done (committed). */
export interface Round {
  id: string;
  items: SweepItem[];
  /** Next item to hand out. */
  next: number;
  /** Index of the first item not yet committed: everything before it is done. */
  committedUpTo: number;
  done: Set<number>;
  /** When the round began (ms): an item fetched since then is as fresh as the round would make it. */
  startedAt: number;
}

// A fast-lane item is picked a little before its period is up, so the wait for the budget still fits in it.
const FAST_LANE_EARLY = 0.9;
// How far ahead the fast lane may borrow (in picks) after it had nothing to do.
const FAST_LANE_MAX_CREDIT = 8;
const FAST_LANE_REFRESH_MS = 30_000;

export class Sweep {
  private round: Round | null = null;
  private roundDone: (() => void) | null = null;
  /** Results waiting for the next commit, each with the round (and the item's place in it) it belongs to. */
  private buffer: { result: FetchResult; round: Round | null; index: number | null }[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastWriteMs = 0;
  private lastWriteEndedAt = 0;
  /** Fast-lane items by key, in the order of their last fetch (oldest first). */
  private fast = new Map<string, { item: SweepItem; lastFetchedAt: number }>();
  private fastRefreshedAt = Number.NEGATIVE_INFINITY;
  /** The fast lane's look at the snapshots' facts, while one is out. */
  private laneFacts: Promise<void> | null = null;
  private fastCredit = 0;
  private readonly idle = new Set<() => void>();
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private commitError: unknown = null;
  /** Item keys being fetched right now: one item is never fetched twice at once (the later answer could
   * be committed first and the older one would overwrite it). */
  private readonly out = new Set<string>();
  /** Fetch times of the fast lane's items (key → ms), for the gaps between them (`fastLaneGaps`, which the
   * bench reads). Only theirs: the round's items are every watched customer. */
  private readonly fastFetchedAt = new Map<string, number>();
  /** How many fetches succeeded since this sweep began. */
  fetches = 0;
  readonly fastLaneGaps: number[] = [];

  private readonly batchSources: readonly BatchSource[];

  constructor(private readonly options: SweepOptions) {
    this.batchSources = batchSourceList(options.batchSources);
    // Every request of every worker listens on this one signal for as long as it waits (and then lets go).
    setMaxListeners(0, this.abort.signal);
  }

  get running(): Round | null {
    return this.round;
  }

  fastLaneKeys(): ReadonlySet<string> {
    return new Set(this.fast.keys());
  }

  /** The keys of the `field` records the fast lane's items write (e.g. the customers whose incidents it keeps fresh). */
  fastLaneRecords(field: PagedField): ReadonlySet<string> {
    const keys = new Set<string>();
    for (const { item } of this.fast.values()) {
      const source = this.batchSource(item);
      if (source?.fastLane.field === field) keys.add(source.fastLane.recordKey(item));
    }
    return keys;
  }

  private batchSource(item: SweepItem): BatchSource | undefined {
    return this.batchSources.find((source) => source.name === item.source);
  }

  start(): void {
    if (this.workers.length > 0) return;
    if (this.abort.signal.aborted) {
      // Started again after a stop (this instance leads the sweep once more).
      this.abort = new AbortController();
      setMaxListeners(0, this.abort.signal);
    }
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /**
   * Runs a round over `items` (what is left of it, in key order). Resolves when every item is committed;
   * rejects when a commit fails (nothing of that batch was written) or the sweep stops first.
   */
  runRound(id: string, items: SweepItem[], onCommit: (sweep: SweepState, round: Round) => void, startedAt = this.options.clock.now()): Promise<void> {
    if (this.round) throw new Error('a round is already running');
    // Stopped (this instance no longer leads) while the round was being planned: it resumes elsewhere.
    if (this.abort.signal.aborted) return Promise.reject(new Error('the sweep stopped before the round ended'));
    this.commitError = null;
    this.onRoundCommit = onCommit;
    const round: Round = { id, items, next: 0, committedUpTo: 0, done: new Set(), startedAt };
    this.round = round;
    const finished = new Promise<void>((resolve, reject) => {
      this.roundDone = () => {
        this.round = null;
        this.roundDone = null;
        this.onRoundCommit = null; // it holds the round's items
        if (this.commitError) reject(this.commitError);
        else resolve();
      };
    });
    if (items.length === 0) this.roundDone?.();
    else this.wakeWorkers();
    return finished;
  }

  private onRoundCommit: ((sweep: SweepState, round: Round) => void) | null = null;

  /** Stops handing out work, aborts fetches in flight and commits what has arrived. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('the sweep is stopping'));
    this.wakeWorkers();
    await Promise.allSettled(this.workers);
    this.workers = [];
    await this.flush();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    // Whoever waits for the round hears that it will not end here (the next start resumes it).
    if (this.round) {
      this.commitError = new Error('the sweep stopped before the round ended');
      this.roundDone?.();
    }
  }

  private async work(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const pick = this.pick();
      if (!pick) {
        // Nothing more to hand out and nothing out: commit now rather than when a batch fills.
        if (this.buffer.length > 0 && this.out.size === 0) void this.flush();
        await this.waitForWork();
        continue;
      }
      const round = pick.index === null ? null : this.round;
      this.out.add(pick.item.key);
      const result = await this.fetch(pick.item, pick.index !== null).finally(() => this.out.delete(pick.item.key));
      if (this.abort.signal.aborted && !result.ok) return; // stopped mid-fetch: it is fetched again after restart
      this.buffer.push({ result, round, index: pick.index });
      if (this.buffer.length >= this.options.batchSize) this.commitSoon();
      else this.scheduleFlush();
    }
  }

  /** The next item to fetch: a due fast-lane item within its share, else the rolling round's next. */
  private pick(): { item: SweepItem; index: number | null } | null {
    const now = this.options.clock.now();
    this.refreshFastLane(now);
    const round = this.round && this.round.next < this.round.items.length ? this.round : null;
    const fastLane = this.options.fastLane;
    if (fastLane) {
      const head = this.fast.values().next().value;
      const due = head && now - head.lastFetchedAt >= fastLane.periodMs * FAST_LANE_EARLY;
      if (head && due && (!round || this.fastCredit >= 1)) {
        // To the back of the line now, so no other worker picks it while it is out.
        this.fast.delete(head.item.key);
        this.fast.set(head.item.key, { item: head.item, lastFetchedAt: now });
        // Out already (the rolling round is fetching it): that fetch refreshes it, a second would race it.
        if (!this.out.has(head.item.key)) {
          if (round) this.fastCredit -= 1;
          return { item: head.item, index: null };
        }
      }
    }
    if (!round) return null;
    if (fastLane) {
      const share = Math.min(fastLane.share, 0.95);
      this.fastCredit = Math.min(FAST_LANE_MAX_CREDIT, this.fastCredit + share / (1 - share));
    }
    while (round.next < round.items.length) {
      const index = round.next++;
      const item = round.items[index] as SweepItem;
      // Fetched by the fast lane moments ago, since the round began: the round need not spend a request on
      // it again. (Fetched before the round began, it is fetched again: a round, "poll now" too, checks all.)
      const recent = this.fast.get(item.key);
      const fresh = recent && recent.lastFetchedAt >= round.startedAt && now - recent.lastFetchedAt < (fastLane?.periodMs ?? 0) / 2;
      if (this.out.has(item.key) || (fastLane && fresh)) {
        this.buffer.push({ result: { item, ok: false, error: 'skipped', rolling: false }, round, index });
        this.scheduleFlush();
        continue;
      }
      return { item, index };
    }
    return null;
  }

  /**
   * Looks again at which items the lane keeps, every FAST_LANE_REFRESH_MS: by the snapshots' facts, read
   * from the store meanwhile (the workers go on with the lane as it was, and are woken when it changed).
   */
  private refreshFastLane(now: number): void {
    const fastLane = this.options.fastLane;
    if (!fastLane || now - this.fastRefreshedAt < FAST_LANE_REFRESH_MS || this.laneFacts) return;
    this.fastRefreshedAt = now;
    const store = this.options.store;
    // Only what may belong in the lane (each source says: active or recently changed, or watched one by one).
    const state = store.read();
    const changedSince = new Date(now - fastLane.recentMs).toISOString();
    const lanes = this.batchSources.map((source) => source.fastLane);
    this.laneFacts = Promise.all(lanes.map((lane) => store.facts(lane.field, lane.filter(state, changedSince))))
      .then((found) => {
        this.applyFastLane(new Map(lanes.map((lane, i) => [lane.field, found[i] as ReadonlyMap<string, SnapshotFacts>])), this.options.clock.now());
        this.wakeWorkers();
      })
      .catch((error: unknown) => {
        // Looked at again in FAST_LANE_REFRESH_MS: the lane goes on as it was meanwhile.
        this.options.log.debug({ err: (error as Error).message }, 'the fast lane could not read the snapshots\' facts; it keeps its items');
      })
      .finally(() => {
        this.laneFacts = null;
      });
  }

  private applyFastLane(facts: PlanFacts, now: number): void {
    const fastLane = this.options.fastLane;
    if (!fastLane) return;
    const state = this.options.store.read();
    const wanted = fastLaneItems(state, now, fastLane.recentMs, this.options.findCustomer, facts, this.batchSources);
    const keys = new Set(wanted.map((item) => item.key));
    for (const key of this.fast.keys()) {
      if (keys.has(key)) continue;
      this.fast.delete(key);
      this.fastFetchedAt.delete(key);
    }
    for (const item of wanted) {
      if (this.fast.has(item.key)) continue;
      // New to the lane: as old as its last fetch, so a customer that just changed is not fetched at once.
      // After a restart or a takeover that is the stored one: not every customer of the lane at once.
      const last = this.storedFetchTime(facts, item) ?? now - fastLane.periodMs;
      this.fast.set(item.key, { item, lastFetchedAt: last });
      this.fastFetchedAt.set(item.key, last); // its first gap in the lane counts from there
    }
    // Keep the oldest first: re-insert in order of last fetch.
    const sorted = [...this.fast.values()].sort((a, b) => a.lastFetchedAt - b.lastFetchedAt);
    this.fast = new Map(sorted.map((entry) => [entry.item.key, entry]));
  }

  /** When the data of a lane's item was last fetched, as its stored record says (undefined when none). */
  private storedFetchTime(facts: PlanFacts, item: SweepItem): number | undefined {
    const lane = this.batchSource(item)?.fastLane;
    const snapshot = lane ? facts.get(lane.field)?.get(lane.recordKey(item)) : undefined;
    const at = snapshot?.fetchedAt ? Date.parse(snapshot.fetchedAt) : Number.NaN;
    return Number.isFinite(at) ? at : undefined;
  }

  /** Called when the fast lane should look again at once (a watch was added, a batch found changes). */
  refreshFastLaneSoon(): void {
    this.fastRefreshedAt = Number.NEGATIVE_INFINITY;
    this.wakeWorkers();
  }

  private async fetch(item: SweepItem, rolling: boolean): Promise<FetchResult> {
    const ctx = { correlationId: this.round?.id ?? 'fast-lane', lane: 'sweep' as const, signal: this.abort.signal };
    try {
      const source = this.batchSource(item) ?? this.options.sources?.get(item.source);
      if (!source) throw new Error(`no alert source "${item.source}"`);
      const data = await source.fetch(this.options.client, ctx, item);
      this.noteFetched(item.key);
      return { item, ok: true, data, rolling };
    } catch (error) {
      const accessRefused = error instanceof PartnerCenterError && error.status === 403;
      if (!this.abort.signal.aborted && !accessRefused) this.options.log.warn({ item: item.key, err: (error as Error).message }, 'fetch failed; its state is unchanged');
      return { item, ok: false, error: (error as Error).message, rolling, accessRefused };
    }
  }

  private noteFetched(key: string): void {
    this.fetches += 1;
    if (!this.fast.has(key)) return;
    const now = this.options.clock.now();
    const previous = this.fastFetchedAt.get(key);
    if (previous !== undefined) {
      this.fastLaneGaps.push(now - previous);
      if (this.fastLaneGaps.length > 10_000) this.fastLaneGaps.splice(0, 5_000);
    }
    this.fastFetchedAt.set(key, now);
  }

  /**
   * A full batch is committed at once, unless writes are slow: then no sooner than twice the last write
   * took after it, and the batch grows meanwhile, so a large state file stays a small share of the time.
   */
  private commitSoon(): void {
    const wait = this.lastWriteEndedAt + this.lastWriteMs * 2 - Date.now();
    if (wait <= 0) void this.flush();
    else this.scheduleFlush(wait);
  }

  private scheduleFlush(minimumMs = 0): void {
    if (this.flushTimer) return;
    // Never commit more often than twice the last write took: a large state file stays a small share of the time.
    const delay = Math.max(minimumMs, this.options.flushMs, this.lastWriteMs * 2);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, delay);
    this.flushTimer.unref?.();
  }

  /** Commits the buffer (one write at a time, in order). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.commit());
    return this.flushing;
  }

  private async commit(): Promise<void> {
    if (this.buffer.length === 0) return this.finishRoundIfDone();
    // Everything that has arrived: behind a slow write, batches grow rather than queue up.
    const batch = this.buffer.splice(0);
    const round = this.round;
    // Only results of the round still running move its cursor (a failed round's late results do not).
    const indexes = batch.flatMap((entry) => (entry.index === null || entry.round !== round ? [] : [entry.index]));
    const started = Date.now();
    try {
      const outcome = await commitBatch(
        batch.map((entry) => entry.result).filter((result) => result.ok || result.error !== 'skipped'),
        {
          store: this.options.store,
          now: new Date(this.options.clock.now()),
          customerName: this.options.customerName,
          inFlight: this.options.inFlight,
          sources: this.options.sources,
          batchSources: this.options.batchSources,
          outbound: this.options.outbound,
          findCustomer: this.options.findCustomer,
          sweep: round && indexes.length > 0 ? (sweep) => this.onRoundCommit?.(sweep, advance(round, indexes)) : null,
        },
      );
      this.lastWriteEndedAt = Date.now();
      this.lastWriteMs = this.lastWriteEndedAt - started;
      if (outcome.events > 0) this.refreshFastLaneSoon();
      // Events merged into a queued delivery put its card behind: delivery looks again when to edit it.
      if (outcome.deliveriesQueued > 0 || outcome.events > 0) this.options.onQueued();
      // What is left is the next batch: when full or when nothing more is coming, else on the timer.
      if (this.buffer.length >= this.options.batchSize || (this.buffer.length > 0 && this.out.size === 0)) this.commitSoon();
      else if (this.buffer.length > 0) this.scheduleFlush();
    } catch (error) {
      // An unreachable database is logged once by the store, not once per batch.
      if (error instanceof StoreUnavailableError) this.options.log.debug({ err: error.message }, 'a sweep batch waits for the database; its items are fetched again');
      else this.options.log.error({ err: error }, 'committing a sweep batch failed; its items are fetched again');
      if (round && this.round === round) {
        // The round ends with the error; the next one resumes from the last cursor that was written.
        this.commitError = error;
        round.next = round.items.length;
        this.roundDone?.();
      }
      return;
    }
    return this.finishRoundIfDone();
  }

  private finishRoundIfDone(): void {
    const round = this.round;
    if (round && round.next >= round.items.length && round.committedUpTo >= round.items.length && this.buffer.length === 0) {
      this.roundDone?.();
    }
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.idle.delete(wake);
        resolve();
      };
      // The fast lane comes due by time alone: look again now and then.
      const timer = setTimeout(wake, 1_000);
      timer.unref?.();
      this.idle.add(wake);
    });
  }

  private wakeWorkers(): void {
    for (const wake of [...this.idle]) wake();
  }
}

/** Marks `indexes` done and moves the round's committed prefix forward; returns the round. */
function advance(round: Round, indexes: number[]): Round {
  for (const index of indexes) round.done.add(index);
  while (round.done.has(round.committedUpTo)) {
    round.done.delete(round.committedUpTo);
    round.committedUpTo++;
  }
  return round;
}


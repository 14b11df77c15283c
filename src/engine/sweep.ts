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
import type { PagedField } from '../store/paged.js';
import { StoreUnavailableError, type StateStore } from '../store/stateStore.js';
import { commitBatch, type FetchResult } from './ingest.js';
import type { OutboundRoutes } from './outboundQueue.js';
import { batchSourceList, type BatchSource, type BatchSources, type SourceRegistry } from '../sources/source.js';
import type { SweepItem } from './sweepPlan.js';
import { FastLane, type FastLaneSettings } from './fastLane.js';

export interface SweepOptions {
  client: PartnerCenterClient;
  store: StateStore;
  clock: Clock;
  log: Logger;
  customerName: (customerId: string) => string;
  findCustomer: (customerId: string) => Customer | undefined;
  /** The directory's customers a batch names, for its write alone (with PostgreSQL the directory keeps only a bounded cache). */
  customersOf?: (customerIds: string[]) => Promise<Map<string, Customer>>;
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
  fastLane: FastLaneSettings | null;
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

export class Sweep {
  private round: Round | null = null;
  private roundDone: (() => void) | null = null;
  /** Results waiting for the next commit, each with the round (and the item's place in it) it belongs to. */
  private buffer: { result: FetchResult; round: Round | null; index: number | null }[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastWriteMs = 0;
  private lastWriteEndedAt = 0;
  /** The fast lane (fastLane.ts), when it is on. */
  private readonly lane: FastLane | null;
  private readonly idle = new Set<() => void>();
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private commitError: unknown = null;
  /** Item keys being fetched right now: one item is never fetched twice at once (the later answer could
   * be committed first and the older one would overwrite it). */
  private readonly out = new Set<string>();
  /** How many fetches succeeded since this sweep began. */
  fetches = 0;

  private readonly batchSources: readonly BatchSource[];

  constructor(private readonly options: SweepOptions) {
    this.batchSources = batchSourceList(options.batchSources);
    this.lane = options.fastLane
      ? new FastLane({ ...options, settings: options.fastLane, batchSources: this.batchSources, changed: () => this.wakeWorkers() })
      : null;
    // Every request of every worker listens on this one signal for as long as it waits (and then lets go).
    setMaxListeners(0, this.abort.signal);
  }

  get running(): Round | null {
    return this.round;
  }

  fastLaneKeys(): ReadonlySet<string> {
    return this.lane?.keys() ?? new Set();
  }

  /** The keys of the `field` records the fast lane's items write (e.g. the customers whose incidents it keeps fresh). */
  fastLaneRecords(field: PagedField): ReadonlySet<string> {
    return this.lane?.records(field) ?? new Set();
  }

  /** The gaps between fetches of the fast lane's items (ms; the bench reads them). */
  get fastLaneGaps(): readonly number[] {
    return this.lane?.gaps ?? [];
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
    this.lane?.refresh(now);
    const round = this.round && this.round.next < this.round.items.length ? this.round : null;
    const fast = this.lane?.take(now, round !== null, this.out);
    if (fast) return { item: fast, index: null };
    if (!round) return null;
    this.lane?.earn();
    while (round.next < round.items.length) {
      const index = round.next++;
      const item = round.items[index] as SweepItem;
      // Fetched by the fast lane moments ago, since the round began: the round need not spend a request on
      // it again. (Fetched before the round began, it is fetched again: a round, "poll now" too, checks all.)
      if (this.out.has(item.key) || this.lane?.fetchedFreshly(item.key, round.startedAt, now)) {
        this.buffer.push({ result: { item, ok: false, error: 'skipped', rolling: false }, round, index });
        this.scheduleFlush();
        continue;
      }
      return { item, index };
    }
    return null;
  }

  /** Called when the fast lane should look again at once (a watch was added, a batch found changes). */
  refreshFastLaneSoon(): void {
    this.lane?.refreshSoon();
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
    this.lane?.noteFetched(key);
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

  /** The customers a result names: its item's, and those a partner-wide fetch lists (its source says which). */
  private customerIdsOf(result: FetchResult): string[] {
    const own = result.item.customer ? [result.item.customer.id] : [];
    const source = this.options.sources?.get(result.item.source);
    return result.ok && source?.customersIn ? [...own, ...source.customersIn(result.data)] : own;
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
      const named = await this.options.customersOf?.(batch.flatMap((entry) => this.customerIdsOf(entry.result)));
      const known = (id: string) => named?.get(id.toLowerCase());
      const outcome = await commitBatch(
        batch.map((entry) => entry.result).filter((result) => result.ok || result.error !== 'skipped'),
        {
          store: this.options.store,
          now: new Date(this.options.clock.now()),
          customerName: (id) => known(id)?.companyName ?? this.options.customerName(id),
          inFlight: this.options.inFlight,
          sources: this.options.sources,
          batchSources: this.options.batchSources,
          outbound: this.options.outbound,
          findCustomer: (id) => known(id) ?? this.options.findCustomer(id),
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


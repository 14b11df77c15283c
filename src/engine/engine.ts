// The alert engine: rounds of the rolling sweep (on POLL_SCHEDULE, back to back when a round outlasts the
// schedule, or at once on "poll now"), the fast lane, and delivery alongside. Resumes an interrupted round
// from its durable cursor, and stops within seconds.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Customer } from '../domain/types.js';
import { customerFromWatch } from '../domain/watchedCustomer.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import type { CustomerDirectory } from '../partnerCenter/customerDirectory.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import { emptySweep, type CycleReport, type SweepState, type Watch } from '../store/state.js';
import { StoreUnavailableError, type StateStore } from '../store/stateStore.js';
import { retentionLoads } from './retention.js';
import { SNAPSHOT_KEYS, type PagedField, type PlanFacts, type SnapshotFacts } from '../store/paged.js';
import { txPorts } from '../store/ports/index.js';
import type { DeliveryPipeline, DeliveryReport } from './delivery.js';
import { queueNoticeTo } from '../sources/notices.js';
import { DigestScheduler } from './digestScheduler.js';
import { pruneState } from './retention.js';
import { parseSummaryAddress, roundSummary, summaryAddress } from './roundSummary.js';
import { batchSourceList, sourceRegistry, type AlertSource, type BatchSource, type BatchSources } from '../sources/source.js';
import { Sweep, type Round } from './sweep.js';
import type { OutboundPipeline } from './outbound.js';
import { roundItems, wantsListing } from './sweepPlan.js';

export interface EngineOptions {
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  store: StateStore;
  delivery: DeliveryPipeline;
  clock: Clock;
  log: Logger;
  schedule: string;
  /** Partner Center's limit per minute, for "about N minutes" estimates. */
  requestsPerMinute: number;
  /** Off in tests that drive rounds themselves with sweepNow(): no cron, no fast lane. */
  auto: boolean;
  concurrency?: number;
  batchSize?: number;
  flushMs?: number;
  fastLaneMinutes?: number;
  fastLaneShare?: number;
  /** Alert sources beyond incidents and orders (src/sources/), e.g. subscriptions. */
  sources?: readonly AlertSource[];
  /** The incidents and provisioning sources: they plan, fetch, ingest and count their items (and the fast lane). */
  batchSources: BatchSources;
  /** Outbound destinations (webhooks, tickets): each batch queues its alert events for them. */
  outbound?: OutboundPipeline;
}

export interface PollResult {
  cycle: CycleReport;
  delivery: DeliveryReport;
}

export interface PollAnswer {
  alreadyRunning: boolean;
  customers: number;
  orders: number;
  /** Other sources' items (e.g. subscription lists), with what one is called. */
  others: { noun: string; count: number }[];
  /** Items of the running round already done (0 for a round just started). */
  done: number;
  etaSeconds: number;
}

const RECENT_CHANGE_MS = 3_600_000;

export class AlertEngine {
  readonly sweep: Sweep;
  /** Digests and end-of-quiet-hours summaries (digestScheduler.ts); tests without `auto` call its tick(now). */
  readonly schedules: DigestScheduler;
  private task: ScheduledTask | null = null;
  private started = false;
  private leading = false;
  private transition: Promise<void> = Promise.resolve();
  private current: Promise<CycleReport> | null = null;
  private another = false;
  private stopped = false;
  /** Alert sources beyond incidents and orders (the bot's "digest now" asks them for their sections too). */
  readonly sources: readonly AlertSource[];
  /** The incidents and provisioning sources (the bot's "digest now" asks them for their parts too). */
  readonly batchSources: BatchSources;
  private readonly batchList: readonly BatchSource[];

  constructor(private readonly options: EngineOptions) {
    this.sources = options.sources ?? [];
    this.batchSources = options.batchSources;
    this.batchList = batchSourceList(options.batchSources);
    const fastLaneMinutes = options.fastLaneMinutes ?? 2;
    this.sweep = new Sweep({
      client: options.client,
      store: options.store,
      clock: options.clock,
      log: options.log,
      customerName: (id) => this.customerName(id),
      findCustomer: (id) => options.directory.find(id),
      customersOf: (ids) => options.directory.customersById(ids),
      inFlight: () => options.delivery.inFlight,
      onQueued: () => {
        options.delivery.kick();
        options.outbound?.kick();
      },
      concurrency: options.concurrency ?? 16,
      batchSize: options.batchSize ?? 25,
      flushMs: options.flushMs ?? 200,
      fastLane: options.auto ? { periodMs: fastLaneMinutes * 60_000, share: options.fastLaneShare ?? 0.5, recentMs: RECENT_CHANGE_MS } : null,
      sources: sourceRegistry(this.sources),
      batchSources: options.batchSources,
      outbound: options.outbound,
    });
    this.schedules = new DigestScheduler({
      store: options.store,
      clock: options.clock,
      log: options.log,
      customerName: (id) => options.directory.find(id)?.companyName,
      knowCustomers: (ids) => options.directory.prefetch(ids),
      onQueued: () => options.delivery.kick(),
      batchSources: options.batchSources,
      sources: this.sources,
    });
  }

  /**
   * Delivers what is queued, and sweeps while this instance leads (always, with the lowdb store). With
   * PostgreSQL, leadership may come and go: the sweep, its schedule and the digests follow it.
   */
  start(): void {
    const { leadership } = this.options.store.coordination;
    if (!this.started) {
      this.started = true;
      // One transition at a time: a lease lost and taken again in one look must not start the sweep while
      // it is still stopping.
      leadership.onChange((leading) => {
        this.transition = this.transition.then(() => (leading ? this.lead() : this.standDown())).catch(() => undefined);
      });
      this.options.store.onExternalChange((fields) => this.heard(fields));
    }
    if (leadership.leading) this.lead();
    this.options.delivery.kick();
    this.options.outbound?.kick();
  }

  /** This instance sweeps: rounds on the schedule, the fast lane, digests, and the round left unfinished. */
  private lead(): void {
    if (this.stopped || this.leading) return;
    this.leading = true;
    this.sweep.start();
    if (!this.options.auto) return;
    this.task = cron.schedule(this.options.schedule, () => void this.requestRound());
    // A round interrupted by a stop, a crash or another leader goes on where it was, not at the next schedule.
    const sweep = this.options.store.ports.sweep.position();
    if (sweep.roundId || sweep.summaryTo.length > 0) void this.requestRound().catch(() => undefined);
    this.schedules.start();
  }

  /** Another instance leads now: stop sweeping (what this one still commits is refused by the lease). */
  private async standDown(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.another = false;
    await this.task?.stop();
    this.task = null;
    await this.schedules.stop();
    await this.sweep.stop();
  }

  /** Another instance changed the state: deliver what it queued; as the leader, act on what it asked. */
  private heard(fields: ReadonlySet<string>): void {
    if (this.stopped) return;
    if (fields.has('outbox') || fields.has('targets')) this.options.delivery.kick();
    if (fields.has('outbound')) this.options.outbound?.kick();
    if (!this.leading) return;
    if (fields.has('watches')) this.watchesChanged();
    if (fields.has('targets')) this.schedulesChanged();
    if (fields.has('sweep') && this.options.store.ports.sweep.position().summaryTo.length > 0 && !this.current) void this.requestRound().catch(() => undefined);
  }

  /** A digest or quiet hours changed: look at once (turning quiet hours off releases what they held). */
  schedulesChanged(): void {
    if (!this.stopped) void this.schedules.tick().catch(() => undefined);
  }

  /** A watch was added or removed: the fast lane looks again at once. */
  watchesChanged(): void {
    this.sweep.refreshFastLaneSoon();
  }

  /**
   * "poll now": starts a round unless one runs, and has its summary posted to `targetKey` when it ends.
   * Answers at once with what it is about to do. Asked in a channel thread, the summary goes to that thread.
   */
  async pollNow(targetKey: string, threadRoot: string | null = null): Promise<PollAnswer> {
    // Nothing watched: the answer says so, and a summary of an empty round would only repeat it.
    if (!this.options.store.ports.watches.any()) return { alreadyRunning: false, customers: 0, orders: 0, others: [], done: 0, etaSeconds: 0 };
    let alreadyRunning = this.current !== null;
    const address = summaryAddress(targetKey, threadRoot);
    await this.options.store.transaction((tx) => {
      const sweep = tx.sweep.position();
      if (!sweep.summaryTo.includes(address)) sweep.summaryTo.push(address);
      // Another instance leads: the summary request is the request; it starts a round when it reads it.
      if (!this.leading && this.started) alreadyRunning = sweep.roundId !== null;
    });
    if (this.leading || !this.started) {
      this.sweep.start();
      const round = this.current ?? this.requestRound();
      round.catch(() => undefined);
    }
    const { customers, orders, others } = await this.plannedItems();
    const done = alreadyRunning ? this.options.store.ports.sweep.position().done : 0;
    const total = customers + orders + others.reduce((sum, other) => sum + other.count, 0);
    const left = Math.max(0, total - done);
    return { alreadyRunning, customers, orders, others, done, etaSeconds: Math.round((left / this.sweepRatePerMinute()) * 60) };
  }

  /** Runs a round to its end (after the one running, if any) and waits for its deliveries. For tests and tools. */
  async sweepNow(): Promise<PollResult> {
    this.sweep.start();
    if (this.current) await this.current.catch(() => undefined);
    const mark = this.options.delivery.mark();
    const cycle = await this.requestRound();
    const delivery = await this.options.delivery.settle(mark);
    return { cycle, delivery };
  }

  async stop(): Promise<void> {
    this.stopped = true; // first: no lead() may start the schedule again while this stops
    await this.standDown();
    await this.schedules.stop();
    await this.sweep.stop();
    await this.options.outbound?.stop();
    await this.options.delivery.stop();
  }

  /** Starts a round now, or right after the one running. */
  private requestRound(): Promise<CycleReport> {
    if (this.stopped) return Promise.reject(new Error('the engine is stopped'));
    if (this.current) {
      this.another = true;
      return this.current;
    }
    let ended = false;
    const run = this.runRound()
      .then((report) => {
        ended = true;
        return report;
      })
      .finally(() => {
        this.current = null;
        // Also a "poll now" another instance asked for while this round was ending: it gets a round of its own.
        const asked = ended && this.leading && this.options.store.ports.sweep.position().summaryTo.length > 0;
        if ((this.another || asked) && !this.stopped && this.options.auto) {
          this.another = false;
          void this.requestRound().catch(() => undefined);
        }
      });
    this.current = run;
    run.catch((error: unknown) => {
      if (error instanceof StoreUnavailableError) this.options.log.debug({ err: error.message }, 'a sweep round ended: the database cannot be reached; the next one resumes from its cursor');
      else this.options.log.error({ err: error }, 'sweep round failed; the next one resumes from its cursor');
    });
    return run;
  }

  private async runRound(): Promise<CycleReport> {
    await this.options.store.refresh(); // a new leader starts from what the last one committed
    const stored = this.options.store.ports.sweep.position();
    const resuming = stored.roundId !== null;
    const roundId = stored.roundId ?? randomUUID();
    const log = this.options.log.child({ correlationId: roundId });
    const listing = await this.listing(roundId, log);
    // The directory's names of the customers watched one by one (with PostgreSQL it holds only a bounded cache).
    await this.options.directory.prefetch(watchedCustomerIds(this.options.store.ports.watches.all()));
    let items = roundItems(this.options.store.read(), listing, (id) => this.options.directory.find(id), this.sources, this.options.clock.now(), await this.planFacts(), this.batchList);
    if (resuming && stored.cursor) {
      const cursor = stored.cursor;
      items = items.filter((item) => item.key > cursor);
    }
    const startedAt = new Date(this.options.clock.now()).toISOString();
    if (!resuming && items.length === 0 && stored.summaryTo.length === 0) {
      // Nothing is watched: no round to record, and no write every minute for it.
      return emptyReport(roundId, startedAt);
    }
    if (!resuming) {
      await this.options.store.transaction((tx) => {
        tx.sweep.setPosition({ ...emptySweep(), summaryTo: tx.sweep.position().summaryTo, roundId, roundStartedAt: startedAt, total: items.length });
      }, { fenced: true });
    } else {
      log.info({ cursor: stored.cursor, left: items.length }, 'resuming the sweep round where it stopped');
    }
    const base = this.options.store.ports.sweep.position().done;
    const onCommit = (sweep: SweepState, round: Round) => {
      if (sweep.roundId !== roundId) return; // a round another leader has finished meanwhile moves nothing
      sweep.done = base + round.committedUpTo;
      sweep.total = base + round.items.length;
      const last = round.items[round.committedUpTo - 1];
      if (last) sweep.cursor = last.key;
    };
    const began = Date.parse(this.options.store.ports.sweep.position().roundStartedAt ?? '');
    await this.sweep.runRound(roundId, items, onCommit, Number.isFinite(began) ? began : undefined);
    return this.finishRound(roundId, log);
  }

  /** Customers for "watch all": listed afresh each round; on failure the last known list, never none. */
  private async listing(correlationId: string, log: Logger): Promise<readonly Customer[]> {
    if (!wantsListing(this.options.store.read(), this.sources, this.batchList)) return [];
    try {
      return await this.options.directory.reload({ correlationId, lane: 'sweep' });
    } catch (error) {
      const known = (await this.options.directory.known()) ?? (await this.customersFromSnapshots());
      log.warn({ err: (error as Error).message, customers: known.length }, 'listing customers failed; "watch all" goes on with the last known list');
      return known;
    }
  }

  /** After a restart with Partner Center's listing down: the customers fetched before, by their snapshots. */
  private async customersFromSnapshots(): Promise<Customer[]> {
    const facts = await this.planFacts(this.customerRecords());
    const ids = new Set([...facts.values()].flatMap((byCustomer) => [...byCustomer.keys()]));
    await this.options.directory.prefetch(ids);
    return [...ids].map((id) => this.options.directory.find(id) ?? customerFromWatch(id, null));
  }

  /** The paged records kept by customer id: the incidents' and each source's. */
  private customerRecords(): PagedField[] {
    return [...this.batchList.filter((source) => source.byCustomer), ...this.sources].flatMap((source) => source.records);
  }

  /** What the sweep plans with: the facts of every snapshot it keeps (never the snapshots). */
  async planFacts(fields: readonly PagedField[] = [...this.batchList, ...this.sources].flatMap((source) => source.records)): Promise<PlanFacts> {
    const facts = new Map<PagedField, ReadonlyMap<string, SnapshotFacts>>();
    for (const field of new Set(fields)) facts.set(field, await this.options.store.facts(field));
    return facts;
  }

  private async finishRound(roundId: string, log: Logger): Promise<CycleReport> {
    const now = new Date(this.options.clock.now());
    const report = await this.options.store.update((state) => {
      // The round's own records through their ports; the sources' round end and pruning still take the draft.
      const tx = txPorts(state);
      const sweep = tx.sweep.position();
      const cycle: CycleReport = {
        correlationId: roundId,
        startedAt: sweep.roundStartedAt ?? now.toISOString(),
        endedAt: now.toISOString(),
        customersFetched: sweep.customersFetched,
        customersFailed: sweep.failures,
        customersRefused: sweep.customersRefused,
        ordersFetched: sweep.ordersFetched,
        ordersFailed: sweep.ordersFailed,
        events: sweep.events,
        deliveriesQueued: sweep.deliveriesQueued,
        ...(sweep.sources ? { sources: sweep.sources } : {}),
      };
      for (const source of this.batchList) cycle.deliveriesQueued += source.roundEnd(state, now);
      for (const address of sweep.summaryTo) {
        const { targetKey, threadRoot } = parseSummaryAddress(address);
        // One summary per thread that asked: its id says which.
        const what = threadRoot ? `${roundId}|${threadRoot}` : roundId;
        if (tx.conversations.get(targetKey)?.active) queueNoticeTo(tx, targetKey, what, roundSummary(cycle), now, { requested: true, replyTo: threadRoot });
      }
      tx.sweep.setLastRound(cycle);
      tx.sweep.setPosition({ ...emptySweep(), lastCommitAt: now.toISOString() });
      pruneState(tx, now);
      for (const source of [...this.batchList, ...this.sources]) source.prune(state, now);
      return cycle;
    }, { fenced: true, load: [SNAPSHOT_KEYS, retentionLoads(this.options.store.ports.watches.all(), now)] });
    log.info({ customersFetched: report.customersFetched, customersFailed: report.customersFailed.length, events: report.events, deliveriesQueued: report.deliveriesQueued }, 'sweep round finished');
    this.options.delivery.kick();
    return report;
  }

  private async plannedItems(): Promise<{ customers: number; orders: number; others: { noun: string; count: number }[] }> {
    const facts = await this.planFacts();
    const state = this.options.store.read();
    const listing = wantsListing(state, this.sources, this.batchList) ? ((await this.options.directory.known()) ?? []) : [];
    const items = roundItems(state, listing, (id) => this.options.directory.find(id), this.sources, this.options.clock.now(), facts, this.batchList);
    const count = (source: { name: string }) => items.filter((item) => item.source === source.name).length;
    const planned = { customers: 0, orders: 0 };
    for (const source of this.batchList) planned[source.counted] += count(source);
    const others = this.sources.map((source) => ({ noun: source.noun, count: count(source) })).filter((other) => other.count > 0);
    return { ...planned, others };
  }

  /** What the sweep gets of the budget: all of it but the 5% headroom the budget keeps from everyone. */
  private sweepRatePerMinute(): number {
    return Math.max(1, this.options.requestsPerMinute * 0.95);
  }

  private customerName(customerId: string): string {
    const known = this.options.directory.find(customerId)?.companyName;
    if (known) return known;
    const watch = this.options.store.ports.watches.forCustomer(customerId).find((w) => w.customerName);
    return watch?.customerName ?? customerId;
  }
}

/** The customers some watch names one by one. */
function watchedCustomerIds(watches: readonly Readonly<Watch>[]): Set<string> {
  return new Set(watches.flatMap((watch) => (watch.customerId ? [watch.customerId] : [])));
}

function emptyReport(correlationId: string, at: string): CycleReport {
  return { correlationId, startedAt: at, endedAt: at, customersFetched: 0, customersFailed: [], customersRefused: 0, ordersFetched: 0, ordersFailed: [], events: 0, deliveriesQueued: 0 };
}

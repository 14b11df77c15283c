// Digests and end-of-quiet summaries, on the engine's clock. Each tick looks at every conversation: a
// digest whose local time has come (and that was not queued for that local date yet) is queued; held alerts
// whose quiet hours are over become one summary. The timer is armed for the next moment anything comes due
// (at most a minute away), and every tick reads the clock afresh, so it never drifts with the sweep.
//
// Exactly once: the digest's id is `digest|<conversation>|<local date>` and the summary's
// `quiet-summary|<conversation>|<first held at>|<hash of the held ids>` (one per release: quiet hours turned
// off and on again release twice in one night), and each is queued in the same write that records it (the
// last digest's local date; the held list emptied). A tick after a restart finds them done. A digest missed
// while the bot was down is queued once when it is back, marked late; older missed ones are not queued one
// by one.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { clockTime, latestOccurrence, nextOccurrence, type Occurrence } from '../domain/localTime.js';
import { quietWindowAt } from '../domain/schedule.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { HeldAlert, State, SummaryDelivery, Target } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import { buildDigest, buildQuietSummary } from './digest.js';
import type { AlertSource, BatchSources } from '../sources/source.js';
import type { Loads } from '../store/paged.js';
import { addDigestReads, addQuietSummaryReads, customersOfLoads, DigestLoads, withDigestLoads } from './digestReads.js';
import { wasDelivered } from '../store/deliveryLog.js';

/** A digest sent this long after it was due says it is late. */
export const LATE_AFTER_MS = 10 * 60_000;
const MAX_WAIT_MS = 60_000;
/** Something due now is looked at again after this at the soonest: a tick that cannot clear it does not spin. */
const MIN_WAIT_MS = 1_000;

export interface DigestSchedulerOptions {
  store: StateStore;
  clock: Clock;
  log: Logger;
  /** The directory's name of a customer, when it knows one. */
  customerName?: (customerId: string) => string | undefined;
  /** Looks up these customers' names before a digest shows them (the directory's cache on PostgreSQL). */
  knowCustomers?: (customerIds: Iterable<string>) => Promise<void>;
  /** Called after a tick queued something. */
  onQueued: () => void;
  /** The incidents and provisioning sources: they fill a digest's incidents, orders, changes and unchecked. */
  batchSources: BatchSources;
  /** Alert sources beyond incidents and orders: each adds its section to a digest. */
  sources?: readonly AlertSource[];
  /** Longest wait between two ticks (default a minute): changed settings and clock jumps are seen by then. */
  maxWaitMs?: number;
}

export interface TickReport {
  /** Ids of the deliveries queued by this tick. */
  digests: string[];
  summaries: string[];
}

export class DigestScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private started = false;

  constructor(private readonly options: DigestSchedulerOptions) {}

  /** Looks now (a digest missed while the bot was down goes out at once) and then whenever something comes due. */
  start(): void {
    this.started = true;
    void this.tick().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }

  /** Queues what is due at `now` (default: the clock's now). Ticks run one at a time. */
  tick(now: number = this.options.clock.now()): Promise<TickReport> {
    const run = this.running.then(() => this.run(now));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async run(now: number): Promise<TickReport> {
    const report: TickReport = { digests: [], summaries: [] };
    let failed = false;
    try {
      if (this.options.store.ports.conversations.all().some((target) => somethingDue(target, now))) {
        // Each digest loads only the snapshots it may show (digestReads.ts), for this write.
        // The report comes out of the change, made afresh by each run: a commit may run a change again.
        const queued = await withDigestLoads(
          async () => {
            const loads = await this.loadsDue(now);
            await this.options.knowCustomers?.(customersOfLoads(loads));
            return loads;
          },
          (loads) =>
            this.options.store.update(
              (state) => {
                const fresh: TickReport = { digests: [], summaries: [] };
                queueDue(state, now, fresh, this.options.batchSources, this.options.customerName, this.options.sources);
                return fresh;
              },
              { load: loads },
            ),
        );
        report.digests.push(...queued.digests);
        report.summaries.push(...queued.summaries);
      }
      if (report.digests.length + report.summaries.length > 0) {
        this.options.log.info({ digests: report.digests, summaries: report.summaries }, 'digests and quiet-hours summaries queued');
        this.options.onQueued();
      }
      return report;
    } catch (error) {
      failed = true;
      this.options.log.error({ err: error }, 'queuing digests failed; the next tick tries again');
      throw error;
    } finally {
      this.arm(failed);
    }
  }

  /** What the digests and summaries due at `now` read of the snapshots. */
  private async loadsDue(now: number): Promise<Loads> {
    const state = this.options.store.read();
    const loads = new DigestLoads();
    for (const target of this.options.store.ports.conversations.all()) {
      if (dueDigest(target, now)) {
        await addDigestReads(loads, this.options.store, state, target.key, { now: new Date(now), since: target.schedule?.lastDigest?.queuedAt ?? null, batchSources: this.options.batchSources, sources: this.options.sources });
      }
      if (dueRelease(target, now)) addQuietSummaryReads(loads, target.schedule?.held ?? [], this.options.batchSources, target.key);
    }
    return loads.loads;
  }

  /** Wakes up for the next digest or end of quiet hours, or in a minute, whichever is first (a minute after a failure). */
  private arm(failed: boolean): void {
    if (!this.started) return;
    const now = this.options.clock.now();
    const longest = this.options.maxWaitMs ?? MAX_WAIT_MS;
    let next = now + longest;
    if (!failed) {
      for (const target of this.options.store.ports.conversations.all()) {
        const at = nextDueAt(target, now);
        if (at !== null && at < next) next = Math.max(at, now + Math.min(MIN_WAIT_MS, longest));
      }
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick().catch(() => undefined);
    }, Math.max(0, next - now));
    this.timer.unref?.();
  }
}

/** The digest due for `target` at `now` that was not queued yet, with whether it is late; null if none. */
export function dueDigest(target: Readonly<Target>, now: number): (Occurrence & { late: boolean }) | null {
  const setting = target.schedule?.digest;
  if (!setting || !target.active) return null;
  const occurrence = latestOccurrence(now, clockTime(setting.time), setting.timeZone, setting.days);
  // Not for a time before the digest was set up, and one per local date (a later time the same day included).
  if (occurrence.at < Date.parse(setting.setAt)) return null;
  const last = target.schedule?.lastDigest;
  if (last && last.localDate >= occurrence.localDate) return null;
  return { ...occurrence, late: now - occurrence.at > LATE_AFTER_MS };
}

/**
 * Held alerts to summarise now: there are some, and the conversation is not (or no longer) in quiet hours.
 * They ended at the planned end of the window, or now when that is still to come (quiet hours turned off).
 */
export function dueRelease(target: Readonly<Target>, now: number): { endedAt: string } | null {
  const schedule = target.schedule;
  if (!schedule || schedule.held.length === 0 || !target.active) return null;
  if (schedule.quietHours && quietWindowAt(schedule.quietHours, now)) return null;
  const plannedEnd = schedule.held.reduce((latest, held) => Math.max(latest, Date.parse(held.heldUntil) || 0), 0);
  return { endedAt: new Date(Math.min(plannedEnd || now, now)).toISOString() };
}

/**
 * The id of the summary of exactly these held alerts: when the first was held and a hash of all their ids.
 * Each release has its own, so one is never refused as a repeat of an earlier one the same night.
 */
function releaseId(targetKey: string, held: readonly HeldAlert[]): string {
  const first = held.reduce((earliest, alert) => (earliest === '' || alert.heldAt < earliest ? alert.heldAt : earliest), '');
  const ids = held.map((alert) => alert.id).sort();
  const hash = createHash('sha256').update(JSON.stringify(ids)).digest('base64url').slice(0, 16);
  return `quiet-summary|${targetKey}|${first}|${hash}`;
}

function somethingDue(target: Readonly<Target>, now: number): boolean {
  return dueDigest(target, now) !== null || dueRelease(target, now) !== null;
}

/** When something of `target` comes due next (null: nothing scheduled). */
function nextDueAt(target: Readonly<Target>, now: number): number | null {
  const schedule = target.schedule;
  if (!schedule || !target.active) return null;
  const times: number[] = [];
  if (schedule.digest) times.push(nextOccurrence(now, clockTime(schedule.digest.time), schedule.digest.timeZone, schedule.digest.days).at);
  if (schedule.held.length > 0) times.push(schedule.quietHours ? (quietWindowAt(schedule.quietHours, now)?.end ?? now) : now);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Inside one write: queue every digest and summary due, and record them. */
function queueDue(state: State, now: number, report: TickReport, batchSources: BatchSources, customerName?: (id: string) => string | undefined, sources?: readonly AlertSource[]): void {
  const at = new Date(now).toISOString();
  const queued = new Set(state.outbox.map((delivery) => delivery.id));
  const push = (delivery: SummaryDelivery): boolean => {
    if (wasDelivered(state, delivery.id) || queued.has(delivery.id)) return false;
    state.outbox.push(delivery);
    queued.add(delivery.id);
    return true;
  };
  for (const target of Object.values(state.targets)) {
    const schedule = target.schedule;
    if (!schedule) continue;
    const digest = dueDigest(target, now);
    if (digest && schedule.digest) {
      const id = `digest|${target.key}|${digest.localDate}`;
      const dueAt = new Date(digest.at).toISOString();
      const summary = buildDigest(state, target.key, {
        now: new Date(now),
        timeZone: schedule.digest.timeZone,
        since: schedule.lastDigest?.queuedAt ?? null,
        dueAt,
        late: digest.late,
        customerName,
        batchSources,
        sources,
      });
      if (push(delivery(id, target.key, summary, at))) report.digests.push(id);
      schedule.lastDigest = { localDate: digest.localDate, dueAt, queuedAt: at };
    }
    const release = dueRelease(target, now);
    if (release) {
      const id = releaseId(target.key, schedule.held);
      const zone = schedule.quietHours?.timeZone ?? schedule.digest?.timeZone ?? 'UTC';
      const startedAt = quietStart(target, release.endedAt);
      const summary = buildQuietSummary(state, target.key, schedule.held, { now: new Date(now), timeZone: zone, startedAt, endedAt: release.endedAt, customerName, batchSources });
      if (push(delivery(id, target.key, summary, at))) report.summaries.push(id);
      // Queued now, or refused because a summary of exactly these alerts (the id says which) is queued or sent
      // already: either way they are summarised, and emptying the list loses nothing.
      schedule.held = [];
    }
  }
}

/** When the quiet hours that ended at `endedAt` began (by the setting), else when the first alert was held. */
function quietStart(target: Readonly<Target>, endedAt: string): string | null {
  const schedule = target.schedule;
  const setting = schedule?.quietHours;
  const window = setting ? quietWindowAt(setting, Date.parse(endedAt) - 1) : null;
  if (window) return new Date(window.start).toISOString();
  const first = schedule?.held.reduce((earliest, held) => (earliest === '' || held.heldAt < earliest ? held.heldAt : earliest), '');
  return first || null;
}

function delivery(id: string, targetKey: string, report: SummaryDelivery['report'], at: string): SummaryDelivery {
  return { kind: 'summary', id, targetKey, report, createdAt: at, attempts: 0, notBefore: at, lastError: null };
}

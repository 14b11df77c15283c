// The contents of a conversation's digest and of its end-of-quiet-hours summary, read from the state alone:
// the incidents and provisioning sources fill the report's own lists (active incidents, orders, changes,
// customers that could not be checked), every other source adds its section, and quiet hours' held notices
// are the engine's own. A digest never asks Partner Center: at 50,000 customers it would be a sweep of its own.
import { SUMMARY_LIMITS, summaryList, type SummaryList, type SummaryReport } from '../domain/digest.js';
import type { AlertSource, BatchSources, SummaryParts } from '../sources/source.js';
import type { HeldAlert, State } from '../store/state.js';

export { SUMMARY_LIMITS };

const DAY_MS = 24 * 3_600_000;

export interface DigestOptions {
  now: Date;
  timeZone: string;
  /** Changes are counted from here; null: the last 24 hours. */
  since: string | null;
  /** When the digest was due (null: asked for now). */
  dueAt: string | null;
  late: boolean;
  /** The directory's name of a customer, when it knows one. */
  customerName?: (customerId: string) => string | undefined;
  /** The incidents and provisioning sources: they fill the report's incidents, orders, changes and unchecked. */
  batchSources: BatchSources;
  /** Alert sources beyond incidents and orders: each adds its own section. */
  sources?: readonly AlertSource[];
}

/** Where a digest's "changes since" start: the last digest, else a day before `now`. */
export function digestSince(since: string | null, now: Date): string {
  return since ?? new Date(now.getTime() - DAY_MS).toISOString();
}

/** The incidents and provisioning sources, in the order their parts are asked for. */
export function partSources(batchSources: BatchSources) {
  return [batchSources.incidents, batchSources.provisioning];
}

/** The report's own lists, each from the source that fills it (empty when none does). */
function withParts(parts: readonly SummaryParts[]): Required<SummaryParts> {
  const empty = summaryList([], 0);
  return Object.assign({ incidents: empty, orders: empty, changes: empty, unchecked: empty }, ...parts);
}

/** The morning digest of one conversation. */
export function buildDigest(state: Readonly<State>, targetKey: string, options: DigestOptions): SummaryReport {
  const since = digestSince(options.since, options.now);
  const ctx = { now: options.now, customerName: options.customerName };
  const parts = withParts(partSources(options.batchSources).map((source) => source.digestSection(state, targetKey, { ...ctx, since })));
  return {
    kind: 'digest',
    timeZone: options.timeZone,
    generatedAt: options.now.toISOString(),
    dueAt: options.dueAt,
    endedAt: null,
    late: options.late,
    since,
    incidents: parts.incidents,
    orders: parts.orders,
    changes: parts.changes,
    unchecked: parts.unchecked,
    notices: summaryList([], 0),
    sections: (options.sources ?? []).flatMap((source) => source.digestSection(state, targetKey, ctx) ?? []),
  };
}

export interface QuietSummaryOptions {
  now: Date;
  timeZone: string;
  startedAt: string | null;
  endedAt: string;
  customerName?: (customerId: string) => string | undefined;
  /** The incidents and provisioning sources: they tell of their held alerts. */
  batchSources: BatchSources;
}

/** What quiet hours held back, as one summary: incidents (as their cards stand now), orders, notices. */
export function buildQuietSummary(state: Readonly<State>, targetKey: string, held: readonly HeldAlert[], options: QuietSummaryOptions): SummaryReport {
  const notices: string[] = [];
  // Notices and subscription alerts held but dropped from the list to keep it short: "and N more" counts them.
  let noticesDropped = 0;
  for (const alert of held) {
    if (alert.kind !== 'notice') continue;
    if (!notices.includes(alert.text)) notices.push(alert.text);
    noticesDropped += alert.alsoHeld ?? 0;
  }
  const ctx = { now: options.now, customerName: options.customerName };
  const parts = withParts(partSources(options.batchSources).map((source) => source.quietSection(state, targetKey, held, ctx)));
  return {
    kind: 'quiet',
    timeZone: options.timeZone,
    generatedAt: options.now.toISOString(),
    dueAt: options.startedAt,
    endedAt: options.endedAt,
    late: false,
    since: options.startedAt,
    incidents: parts.incidents,
    orders: parts.orders,
    changes: summaryList([], 0),
    unchecked: summaryList([], 0),
    notices: withMore(summaryList(notices, SUMMARY_LIMITS.notices), noticesDropped),
  };
}

function withMore<T>(list: SummaryList<T>, more: number): SummaryList<T> {
  return { items: list.items, more: list.more + more };
}

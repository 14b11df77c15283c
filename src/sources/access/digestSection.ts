// The access source's section of a conversation's digest: "Access ending within 30 days", the watched
// customers whose access ends within ACCESS_WARN_DAYS (soonest first) or is already lost. Read from the
// snapshots alone: a digest never asks Graph.
import { summaryList, type SummarySection, type SummarySourceRow } from '../../domain/digest.js';
import { watchCoversAccess } from '../../domain/watch.js';
import type { DigestRead, DigestReadContext, DigestSectionContext } from '../source.js';
import { endsByDay } from '../../domain/digestFacts.js';
import type { State } from '../../store/state.js';
import { formatDay } from '../subscriptions/dates.js';
import { accessButtons } from './buttons.js';
import type { AccessSettings, AccessSnapshot } from './model.js';
import { accessWatches, SOURCE_NAME } from './plan.js';
import { accessEnd, accessLost, daysBetween } from './words.js';

export const ACCESS_ROWS = 10;

/** A customer whose access ends within `withinDays` (or is lost), with the day and the days left. */
export interface AccessEnding {
  customerId: string;
  customerName: string;
  /** Null: already lost. */
  day: string | null;
  daysLeft: number | null;
}

/** Customers of `snapshots` whose access ends within `withinDays` days of `now` (UTC days), soonest first. */
export function endingWithin(snapshots: Iterable<Pick<AccessSnapshot, 'customerId' | 'customerName' | 'relationships'>>, now: Date, withinDays: number, includeLost = false): AccessEnding[] {
  const today = now.toISOString().slice(0, 10);
  const rows: AccessEnding[] = [];
  for (const snapshot of snapshots) {
    if (includeLost && accessLost(snapshot.relationships)) {
      rows.push({ customerId: snapshot.customerId, customerName: snapshot.customerName, day: null, daysLeft: null });
      continue;
    }
    const end = accessEnd(snapshot.relationships);
    if (end.kind !== 'day') continue;
    const days = daysBetween(today, end.day);
    if (days <= withinDays) rows.push({ customerId: snapshot.customerId, customerName: snapshot.customerName, day: end.day, daysLeft: days });
  }
  return rows.sort((a, b) => (a.daysLeft ?? -Infinity) - (b.daysLeft ?? -Infinity) || a.customerName.localeCompare(b.customerName));
}

export function accessDigestSection(
  state: Readonly<State>,
  targetKey: string,
  ctx: DigestSectionContext,
  settings: Pick<AccessSettings, 'warnDays'>,
  snapshots: Readonly<State['accessSnapshots']> = state.accessSnapshots,
): SummarySection | null {
  const watches = accessWatches(state).filter((watch) => watch.targetKey === targetKey);
  if (watches.length === 0) return null;
  const covered = Object.values(snapshots ?? {}).filter((snapshot) => watches.some((watch) => watchCoversAccess(watch, snapshot.customerId, 'information')));
  const rows = endingWithin(covered, ctx.now, settings.warnDays, true).map((ending) => row(ending, ctx.now));
  return { source: SOURCE_NAME, heading: `Access ending within ${settings.warnDays} days`, ...summaryList(rows, ACCESS_ROWS) };
}

/**
 * The snapshots this section may show: of customers an access watch of the conversation covers, those whose
 * access is lost (facts: active), changed since the digest's `since`, or ending within warnDays.
 */
export function accessDigestReads(state: Readonly<State>, targetKey: string, ctx: DigestReadContext, settings: Pick<AccessSettings, 'warnDays'>): DigestRead[] {
  const watches = accessWatches(state).filter((watch) => watch.targetKey === targetKey);
  if (watches.length === 0) return [];
  return [
    {
      field: 'accessSnapshots',
      filter: { changedSince: ctx.since, keys: [], endsBy: endsByDay(ctx.now, settings.warnDays) },
      among: (customerId) => watches.some((watch) => watchCoversAccess(watch, customerId, 'information')),
    },
  ];
}

function row(ending: AccessEnding, now: Date): SummarySourceRow {
  const open = accessButtons.access(ending.customerId, 'Access');
  const detail = ending.day === null ? 'No active GDAP relationship is left' : `Access ends ${formatDay(ending.day, now)} (${ending.daysLeft === 0 ? 'today' : ending.daysLeft === 1 ? 'tomorrow' : `in ${ending.daysLeft} days`})`;
  return {
    badge: ending.day === null ? 'Lost' : (ending.daysLeft ?? 0) <= 7 ? 'Ending soon' : 'Ending',
    title: ending.customerName,
    detail,
    open: { title: open.title, verb: open.verb, data: open.data ?? {} },
  };
}

// Wall-clock time in IANA time zones, with nothing but Intl: local time ↔ UTC, the next (or latest) 08:00
// of a zone, and whether a moment falls inside a daily window such as 20:00–07:00. Pure: instants are
// milliseconds since the epoch, local dates and times are plain numbers.
//
// Daylight saving: a wall time that does not exist (the hour skipped in spring) is read as the moment the
// clock jumps past it (02:30 → the jump from 02:00 to 03:00, as cron does with a skipped job); a wall time
// that happens twice (the hour repeated in autumn) is its first occurrence.

/** A wall-clock time of day, 00:00 to 23:59. */
export interface ClockTime {
  hour: number;
  minute: number;
}

/** A calendar date, month 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The local reading of an instant in a zone; weekday 1 = Monday … 7 = Sunday. */
export interface LocalParts extends LocalDate, ClockTime {
  second: number;
  weekday: number;
}

export type DayRule = 'daily' | 'weekdays';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// ------------------------------------------------------------------------------------------- reading

/** "08:00", "8:00", "0800" or "8.00" → 08:00; null for anything else (24-hour clock only). */
export function parseClockTime(text: string): ClockTime | null {
  const match = /^(\d{1,2})[:.h]?(\d{2})$/i.exec(text.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

export function formatClockTime(time: ClockTime): string {
  return `${pad(time.hour)}:${pad(time.minute)}`;
}

/** A stored "HH:MM" (always valid once stored; midnight if a hand-edited file says otherwise). */
export function clockTime(text: string): ClockTime {
  return parseClockTime(text) ?? { hour: 0, minute: 0 };
}

// Zone names (resolving what people type, suggesting the nearest) live in timeZoneNames.ts; re-exported for
// the command parser, which reads times and zones together.

// ------------------------------------------------------------------------------------ local ↔ instant

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let cached = formatters.get(zone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, cached);
  }
  return cached;
}

/** What a wall clock in `zone` shows at `instant`. */
export function localParts(instant: number, zone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

/** The zone's offset from UTC at `instant`, in minutes (Amsterdam in summer: 120). */
export function offsetMinutes(instant: number, zone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const local = localParts(whole, zone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return Math.round((asUtc - whole) / MINUTE_MS);
}

/**
 * The instant at which the wall clock of `zone` shows `time` on `date`. For a time skipped by daylight
 * saving, the moment the clock jumps past it; a time that happens twice is its first occurrence.
 */
export function localToInstant(date: LocalDate, time: ClockTime, zone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  // Offsets a day either side cover any transition near this wall time (zones change at most once a day).
  const before = offsetMinutes(wall - DAY_MS, zone);
  const after = offsetMinutes(wall + DAY_MS, zone);
  const candidates = [...new Set([wall - before * MINUTE_MS, wall - after * MINUTE_MS])].sort((a, b) => a - b);
  for (const candidate of candidates) {
    const seen = localParts(candidate, zone);
    if (seen.year === date.year && seen.month === date.month && seen.day === date.day && seen.hour === time.hour && seen.minute === time.minute) {
      return candidate; // the earliest that really shows this wall time
    }
  }
  // In the gap: the first minute whose wall time is at or past the one asked for, i.e. the jump itself.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (middle + offsetMinutes(middle, zone) * MINUTE_MS >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/** "2026-03-29": the local date at `instant` in `zone`. */
export function localDateKey(instant: number, zone: string): string {
  return dateKey(localParts(instant, zone));
}

export function dateKey(date: LocalDate): string {
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
}

function dayCounts(date: LocalDate, rule: DayRule): boolean {
  return rule === 'daily' || weekdayOf(date) <= 5;
}

// ----------------------------------------------------------------------------------------- schedules

/** One scheduled moment: the instant and the local date it belongs to. */
export interface Occurrence {
  at: number;
  localDate: string;
}

/** The last time the schedule came due at or before `instant` (e.g. today's 08:00 once it is past). */
export function latestOccurrence(instant: number, time: ClockTime, zone: string, rule: DayRule = 'daily'): Occurrence {
  const today = localParts(instant, zone);
  for (let back = 0; back <= 8; back++) {
    const date = addDays(today, -back);
    if (!dayCounts(date, rule)) continue;
    const at = localToInstant(date, time, zone);
    if (at <= instant) return { at, localDate: dateKey(date) };
  }
  throw new Error('no occurrence in the last eight days'); // unreachable: every week has weekdays
}

/** The first time the schedule comes due strictly after `instant`. */
export function nextOccurrence(instant: number, time: ClockTime, zone: string, rule: DayRule = 'daily'): Occurrence {
  const today = localParts(instant, zone);
  for (let ahead = 0; ahead <= 8; ahead++) {
    const date = addDays(today, ahead);
    if (!dayCounts(date, rule)) continue;
    const at = localToInstant(date, time, zone);
    if (at > instant) return { at, localDate: dateKey(date) };
  }
  throw new Error('no occurrence in the next eight days'); // unreachable
}

/** A daily window as instants: it started at `start` and ends at `end` (end excluded). */
export interface Window {
  start: number;
  end: number;
}

/**
 * The window (e.g. 20:00–07:00, across midnight when start is later than end) that `instant` falls in, or
 * null. Membership is decided on instants, not on wall-clock minutes: the window of a day runs from the
 * instant its start is first shown to the instant its end is first shown. So a window that starts inside
 * the hour autumn repeats stays open through the repeat, one that ends inside it closes at the first pass,
 * and one that starts or ends in the hour spring skips does so at the jump.
 */
export function windowAt(instant: number, start: ClockTime, end: ClockTime, zone: string): Window | null {
  const startMinute = start.hour * 60 + start.minute;
  const endMinute = end.hour * 60 + end.minute;
  if (startMinute === endMinute) return null;
  const today: LocalDate = localParts(instant, zone);
  // Only the window that started yesterday or the one that starts today can hold the instant; the windows of
  // two days never overlap, since wall times map to instants in order.
  for (const startDate of [addDays(today, -1), today]) {
    const endDate = startMinute < endMinute ? startDate : addDays(startDate, 1);
    const window = { start: localToInstant(startDate, start, zone), end: localToInstant(endDate, end, zone) };
    if (window.start <= instant && instant < window.end) return window;
  }
  return null;
}

/** The next window that starts after `instant` (for "quiet from 20:00 tonight"). */
export function nextWindowStart(instant: number, start: ClockTime, zone: string): number {
  return nextOccurrence(instant, start, zone).at;
}

// ---------------------------------------------------------------------------------------- formatting

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Tue 3 Mar": a local date. */
export function formatLocalDate(date: LocalDate): string {
  return `${DAY_NAMES[weekdayOf(date) - 1] ?? ''} ${date.day} ${MONTHS[date.month - 1] ?? ''}`;
}

/** "08:00" today, "Tue 3 Mar 08:00" on any other local day than `reference`'s. */
export function formatLocalClock(instant: number, zone: string, reference: number): string {
  const local = localParts(instant, zone);
  return dateKey(local) === localDateKey(reference, zone) ? formatClockTime(local) : `${formatLocalDate(local)} ${formatClockTime(local)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// Term dates by calendar day in UTC. Partner Center sends `commitmentEndDate` as a date only
// ("2026-12-14"), as a UTC date-time ("2026-12-14T00:00:00Z"), without any offset ("2026-12-14T00:00:00",
// read as UTC here, never as the server's local time) or with one ("2026-12-14T01:00:00+02:00", which is
// 13 Dec in UTC). Days left count calendar days: on 13 Dec (at any hour) a term ending 14 Dec has 1 day left.

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Dates further away than this (or as far in the past) are shown with their year. */
const SHOW_YEAR_AFTER_DAYS = 180;

// A calendar day, optionally followed by a time in UTC (Z, +00:00 or no offset at all): the day is as written.
const UTC_DAY = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]00:?00)?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The UTC calendar day (`YYYY-MM-DD`) of a term end as Partner Center sends it; null when missing or unreadable. */
export function utcDay(value: string | null | undefined): string | null {
  const text = value?.trim();
  if (!text) return null;
  // Runs for every subscription of every fetch: the usual forms are read without any Date arithmetic.
  const utc = UTC_DAY.exec(text);
  if (utc) {
    const [year, month, day] = [Number(utc[1]), Number(utc[2]), Number(utc[3])];
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const last = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
    // "2026-02-30" would roll over in Date arithmetic: refuse it rather than move the end by days.
    return day >= 1 && day <= last ? text.slice(0, 10) : null;
  }
  // Another offset: the instant decides the UTC day ("2026-12-14T01:00:00+02:00" is 13 Dec in UTC).
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  return new Date(ms).toISOString().slice(0, 10);
}

function dayMs(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

/** Days since 1 Jan 1970 of a `YYYY-MM-DD` day: differences of two are calendar days. */
export function dayNumber(day: string): number {
  return Math.round(dayMs(day) / DAY_MS);
}

/** Calendar days from `now`'s UTC day to `day`: 0 on the day itself, 1 the day before, negative after. */
export function daysLeft(day: string, now: Date | string): number {
  const today = typeof now === 'string' ? (utcDay(now) ?? '1970-01-01') : now.toISOString().slice(0, 10);
  return Math.round((dayMs(day) - dayMs(today)) / DAY_MS);
}

/** `14 Dec`; with the year when it is more than half a year away: `14 Dec 2028`. */
export function formatDay(day: string, now: Date | string): string {
  const [year, month, date] = [day.slice(0, 4), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
  const short = `${date} ${MONTHS[month - 1] ?? ''}`;
  return Math.abs(daysLeft(day, now)) > SHOW_YEAR_AFTER_DAYS ? `${short} ${year}` : short;
}

/** "today", "tomorrow", "in 5 days", "2 days ago". */
export function relativeDays(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

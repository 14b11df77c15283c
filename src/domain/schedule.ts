// A conversation's schedule: a digest at a local time (every day or on weekdays) and quiet hours, each in
// an IANA time zone. The settings as stored, and how they are said back to people.
import { addDays, clockTime, dateKey, formatClockTime, formatLocalDate, localParts, nextOccurrence, windowAt, type DayRule } from './localTime.js';

export interface DigestSetting {
  days: DayRule;
  /** "08:00" */
  time: string;
  /** Canonical IANA name, e.g. "Europe/Amsterdam". */
  timeZone: string;
  setBy: string;
  setAt: string;
}

export interface QuietHoursSetting {
  /** "20:00" */
  start: string;
  /** "07:00"; earlier than start means the window runs across midnight. */
  end: string;
  timeZone: string;
  setBy: string;
  setAt: string;
}

/** "every day at 08:00 (Europe/Amsterdam)" / "on weekdays at 08:00 (Europe/Amsterdam)". */
export function describeDigest(setting: Pick<DigestSetting, 'days' | 'time' | 'timeZone'>): string {
  return `${setting.days === 'weekdays' ? 'on weekdays' : 'every day'} at ${setting.time} (${setting.timeZone})`;
}

/** "20:00–07:00 (Europe/Amsterdam)". */
export function describeQuietHours(setting: Pick<QuietHoursSetting, 'start' | 'end' | 'timeZone'>): string {
  return `${setting.start}–${setting.end} (${setting.timeZone})`;
}

/** "today at 08:00", "tomorrow at 08:00", "on Mon 2 Mar at 08:00": a moment in the zone, as said on `now`'s day. */
export function whenText(instant: number, zone: string, now: number): string {
  const local = localParts(instant, zone);
  const today = localParts(now, zone);
  const day = dateKey(local);
  const clock = formatClockTime(local);
  if (day === dateKey(today)) return `today at ${clock}`;
  if (day === dateKey(addDays(today, 1))) return `tomorrow at ${clock}`;
  return `on ${formatLocalDate(local)} at ${clock}`;
}

/** When the next digest comes: "tomorrow at 08:00". */
export function nextDigestText(setting: DigestSetting, now: number): string {
  const next = nextOccurrence(now, clockTime(setting.time), setting.timeZone, setting.days);
  return whenText(next.at, setting.timeZone, now);
}

/** The quiet window `now` falls in, if any. */
export function quietWindowAt(setting: Pick<QuietHoursSetting, 'start' | 'end' | 'timeZone'>, now: number) {
  return windowAt(now, clockTime(setting.start), clockTime(setting.end), setting.timeZone);
}

/** "on now, until tomorrow at 07:00" or "next from today at 20:00". */
export function quietHoursStateText(setting: QuietHoursSetting, now: number): string {
  const window = quietWindowAt(setting, now);
  if (window) return `on now, until ${whenText(window.end, setting.timeZone, now)}`;
  const next = nextOccurrence(now, clockTime(setting.start), setting.timeZone);
  return `next from ${whenText(next.at, setting.timeZone, now)}`;
}

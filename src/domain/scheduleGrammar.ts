// The grammar of "digest …" and "quiet hours …": a conversation's schedule as typed, in its time zone.
import type { ParseResult } from './commands.js';
import { formatClockTime, parseClockTime, type DayRule } from './localTime.js';
import { resolveTimeZone } from './timeZoneNames.js';

/** "digest daily 08:00 Europe/Amsterdam", "digest weekdays 08:00 …", "digest off", "digest now". */
export type DigestCommand =
  | { kind: 'digest'; action: 'now' }
  | { kind: 'digest'; action: 'off' }
  | { kind: 'digest'; action: 'set'; days: DayRule; time: string; timeZone: string };

/** "quiet hours 20:00-07:00 Europe/Amsterdam", "quiet hours off". */
export type QuietHoursCommand =
  | { kind: 'quietHours'; action: 'off' }
  | { kind: 'quietHours'; action: 'set'; start: string; end: string; timeZone: string };

const ok = (command: DigestCommand | QuietHoursCommand): ParseResult => ({ ok: true, command });
const invalid = (message: string, example: string): ParseResult => ({ ok: false, reason: 'invalid', message, example });

const DIGEST_EXAMPLE = 'digest daily 08:00 Europe/Amsterdam';
const QUIET_EXAMPLE = 'quiet hours 20:00-07:00 Europe/Amsterdam';
const DAY_WORDS: Readonly<Record<string, DayRule>> = { daily: 'daily', everyday: 'daily', weekdays: 'weekdays', weekday: 'weekdays', workdays: 'weekdays' };

export function parseDigest(args: string): ParseResult {
  const words = args.split(' ').filter(Boolean);
  const first = words[0]?.toLowerCase() ?? '';
  if (words.length === 1 && first === 'now') return ok({ kind: 'digest', action: 'now' });
  if (words.length === 1 && (first === 'off' || first === 'stop')) return ok({ kind: 'digest', action: 'off' });
  if (words.length === 0) return invalid('When should the digest come? Say it like this:', DIGEST_EXAMPLE);
  let at = 0;
  const days = DAY_WORDS[first];
  if (days) at++;
  if (words[at]?.toLowerCase() === 'at') at++;
  const rule = days ?? 'daily';
  const timeText = words[at];
  if (timeText === undefined) return invalid('At what time? Say it like this:', `digest ${rule} 08:00 Europe/Amsterdam`);
  // Every problem of the command at once, as the configuration reports them: a fix of one should not
  // reveal the next.
  const problems: string[] = [];
  const time = parseClockTime(timeText);
  if (!time) problems.push(badTime(timeText));
  const clock = time ? formatClockTime(time) : '08:00';
  const zone = zoneOf(words.slice(at + 1).join(' '), problems);
  if (problems.length > 0 || !zone.ok) return invalid(problems.join(' ') || NO_ZONE, `digest ${rule} ${clock} ${zone.example}`);
  return ok({ kind: 'digest', action: 'set', days: rule, time: clock, timeZone: zone.zone });
}

export function parseQuietHours(args: string): ParseResult {
  const rest = args.replace(/^hours?(\s+|$)/i, '').trim();
  if (/^(off|stop)$/i.test(rest)) return ok({ kind: 'quietHours', action: 'off' });
  const range = /^(\S+?)\s*(?:-|–|—|\s+to\s+)\s*(\S+)(?:\s+(.+))?$/i.exec(rest);
  if (!range) return invalid('Give the quiet hours as a start and an end, like this:', QUIET_EXAMPLE);
  const [, startText = '', endText = '', zoneText = ''] = range;
  const problems: string[] = [];
  const start = parseClockTime(startText);
  if (!start) problems.push(badTime(startText));
  const end = parseClockTime(endText);
  if (!end) problems.push(badTime(endText));
  const window = `${start ? formatClockTime(start) : '20:00'}-${end ? formatClockTime(end) : '07:00'}`;
  if (start && end && window.slice(0, 5) === window.slice(6)) problems.push('Quiet hours need an end different from their start, like 20:00-07:00.');
  const zone = zoneOf(zoneText, problems);
  if (problems.length > 0 || !zone.ok || !start || !end) return invalid(problems.join(' ') || NO_ZONE, `quiet hours ${window} ${zone.example}`);
  return ok({ kind: 'quietHours', action: 'set', start: formatClockTime(start), end: formatClockTime(end), timeZone: zone.zone });
}

/** The question when the time zone alone is missing: the example that follows shows how. */
const NO_ZONE = 'In which time zone? Name it like Europe/Amsterdam:';

/**
 * The time zone of a schedule command. A missing one is a problem only next to others (alone, the command
 * asks for it with NO_ZONE); a wrong one always is. `example` is the zone the suggested command uses.
 */
function zoneOf(text: string, problems: string[]): { ok: true; zone: string; example: string } | { ok: false; example: string } {
  if (text.trim() === '') {
    if (problems.length > 0) problems.push('Name the time zone too, like Europe/Amsterdam.');
    return { ok: false, example: 'Europe/Amsterdam' };
  }
  const zone = resolveTimeZone(text);
  if (zone.ok) return { ok: true, zone: zone.zone, example: zone.zone };
  problems.push(badTimeZone(text, zone.suggestion));
  return { ok: false, example: zone.suggestion ?? 'Europe/Amsterdam' };
}

/** The digest or quiet-hours command as it would be typed. */
export function scheduleCommandText(command: DigestCommand | QuietHoursCommand): string {
  if (command.kind === 'digest') return command.action === 'set' ? `digest ${command.days} ${command.time} ${command.timeZone}` : `digest ${command.action}`;
  return command.action === 'set' ? `quiet hours ${command.start}-${command.end} ${command.timeZone}` : 'quiet hours off';
}

function badTime(text: string): string {
  return `“${shorten(text)}” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30.`;
}

function badTimeZone(text: string, suggestion: string | null): string {
  if (suggestion) return `“${shorten(text)}” is not a time zone I know. Try ${suggestion}.`;
  return `“${shorten(text)}” is not a time zone I know. Use an IANA name such as Europe/Amsterdam or America/New_York.`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

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
  const time = parseClockTime(timeText);
  if (!time) return badTime(timeText, `digest ${rule} 08:00 Europe/Amsterdam`);
  const clock = formatClockTime(time);
  const zoneText = words.slice(at + 1).join(' ');
  if (zoneText === '') return invalid('In which time zone? Name it like Europe/Amsterdam:', `digest ${rule} ${clock} Europe/Amsterdam`);
  const zone = resolveTimeZone(zoneText);
  if (!zone.ok) return badTimeZone(zoneText, zone.suggestion, (name) => `digest ${rule} ${clock} ${name}`);
  return ok({ kind: 'digest', action: 'set', days: rule, time: clock, timeZone: zone.zone });
}

export function parseQuietHours(args: string): ParseResult {
  const rest = args.replace(/^hours?(\s+|$)/i, '').trim();
  if (/^(off|stop)$/i.test(rest)) return ok({ kind: 'quietHours', action: 'off' });
  const range = /^(\S+?)\s*(?:-|–|—|\s+to\s+)\s*(\S+)(?:\s+(.+))?$/i.exec(rest);
  if (!range) return invalid('Give the quiet hours as a start and an end, like this:', QUIET_EXAMPLE);
  const [, startText = '', endText = '', zoneText = ''] = range;
  const start = parseClockTime(startText);
  if (!start) return badTime(startText, QUIET_EXAMPLE);
  const end = parseClockTime(endText);
  if (!end) return badTime(endText, QUIET_EXAMPLE);
  const window = `${formatClockTime(start)}-${formatClockTime(end)}`;
  if (window.slice(0, 5) === window.slice(6)) return invalid('Quiet hours need an end different from their start, like 20:00-07:00.', QUIET_EXAMPLE);
  if (zoneText.trim() === '') return invalid('In which time zone? Name it like Europe/Amsterdam:', `quiet hours ${window} Europe/Amsterdam`);
  const zone = resolveTimeZone(zoneText);
  if (!zone.ok) return badTimeZone(zoneText, zone.suggestion, (name) => `quiet hours ${window} ${name}`);
  return ok({ kind: 'quietHours', action: 'set', start: formatClockTime(start), end: formatClockTime(end), timeZone: zone.zone });
}

/** The digest or quiet-hours command as it would be typed. */
export function scheduleCommandText(command: DigestCommand | QuietHoursCommand): string {
  if (command.kind === 'digest') return command.action === 'set' ? `digest ${command.days} ${command.time} ${command.timeZone}` : `digest ${command.action}`;
  return command.action === 'set' ? `quiet hours ${command.start}-${command.end} ${command.timeZone}` : 'quiet hours off';
}

function badTime(text: string, example: string): ParseResult {
  return invalid(`“${shorten(text)}” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30.`, example);
}

function badTimeZone(text: string, suggestion: string | null, example: (zone: string) => string): ParseResult {
  if (suggestion) return invalid(`“${shorten(text)}” is not a time zone I know. Try ${suggestion}.`, example(suggestion));
  return invalid(`“${shorten(text)}” is not a time zone I know. Use an IANA name such as Europe/Amsterdam or America/New_York.`, example('Europe/Amsterdam'));
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

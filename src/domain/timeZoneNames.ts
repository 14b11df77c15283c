// Time-zone names as people type them: an IANA name in any case, with spaces for underscores, resolved to
// its canonical spelling, or the nearest known name to suggest ("Europe/Amsterdm" → Europe/Amsterdam).
import { editDistance } from './editDistance.js';

export type TimeZoneResult = { ok: true; zone: string } | { ok: false; suggestion: string | null };

/** Names whose length differs from what was typed by more than this are too far to suggest. */
const MAX_LENGTH_GAP = 8;

/**
 * An IANA time zone as typed ("europe/amsterdam", "America/New York") → its canonical name, or the closest
 * known name to suggest. UTC offsets ("+01:00") are not zones: they ignore daylight saving.
 */
export function resolveTimeZone(text: string): TimeZoneResult {
  // A name copied from a card or a chat may carry an underscore's look-alike (＿, once shown by our own
  // cards) or a markdown escape (\_): both mean "_".
  const typed = text.trim().replace(/\s+/g, '_').replace(/\\?[_\uFF3F]/g, '_');
  if (typed === '' || typed.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(typed)) return { ok: false, suggestion: suggestTimeZone(typed) };
  try {
    const zone = new Intl.DateTimeFormat('en-US', { timeZone: typed }).resolvedOptions().timeZone;
    return { ok: true, zone };
  } catch {
    return { ok: false, suggestion: suggestTimeZone(typed) };
  }
}

let knownZones: string[] | null = null;

function zoneNames(): string[] {
  knownZones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return knownZones;
}

/** The known zone nearest to what was typed (by edit distance, of the whole name or of the city), if near enough. */
export function suggestTimeZone(typed: string): string | null {
  const wanted = typed.toLowerCase().replace(/\s+/g, '_');
  if (wanted === '') return null;
  const wantedCity = wanted.split('/').at(-1) ?? wanted;
  let best: { zone: string; distance: number } | null = null;
  for (const zone of zoneNames()) {
    const lower = zone.toLowerCase();
    const city = lower.split('/').at(-1) ?? lower;
    const distance = Math.min(nameDistance(wanted, lower), wanted.includes('/') ? Infinity : nameDistance(wantedCity, city));
    if (!best || distance < best.distance) best = { zone, distance };
  }
  if (!best) return null;
  const allowed = Math.max(2, Math.floor(wanted.length / 4));
  // Never suggest what was typed: "Try America/New_York" after "America/New_York" helps no one.
  return best.distance <= allowed && best.zone.toLowerCase() !== wanted ? best.zone : null;
}

/** Infinity for names too different in length to be a typo of one another. */
function nameDistance(a: string, b: string): number {
  return Math.abs(a.length - b.length) > MAX_LENGTH_GAP ? Infinity : editDistance(a, b);
}

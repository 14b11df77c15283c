// Small formatting rules shared by the card view data: dates, labels, colours, counts, buttons.
// Every value that reaches a template is a string or a boolean: the templating library turns a bare
// `${n}` with a number into a JSON number, which a TextBlock does not expect.
import { escapeMarkdown, plainInline, toPlainText, truncate } from '../domain/plainText.js';
import type { Severity } from '../domain/types.js';

/**
 * Text colours the cards may use. Teams' light theme draws Good and Warning text pale green and yellow on
 * white, and its dark theme draws Attention red at about 3:1 on grey: too faint to read. So text stays
 * Default (Accent only marks what can be clicked); weight and words carry the meaning, and a container
 * style (a tinted band, see ContainerStyle) may add colour on top, never instead.
 */
export type TextColor = 'Default' | 'Accent';
/** Adaptive Card container styles. */
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

/** A card button; rendered as Action.Execute with an Action.Submit fallback for older clients. */
export interface CardButton {
  title: string;
  verb: string;
  data?: Record<string, unknown>;
}

/** Longest name or title shown on one line; Partner Center allows long company names. */
export const MAX_NAME_CHARS = 120;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function toDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `22 Nov 2026 14:05 UTC`; `unknown time` when missing or unreadable. */
export function formatUtc(value: string | Date | null | undefined): string {
  const d = toDate(value);
  if (!d) return 'unknown time';
  return `${formatUtcDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `22 Nov 2026`; `unknown date` when missing or unreadable. */
export function formatUtcDate(value: string | Date | null | undefined): string {
  const d = toDate(value);
  if (!d) return 'unknown date';
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()}`;
}

/** `18:05 UTC` when on the same UTC day as `reference`, else the full `23 Nov 2026 18:05 UTC`. */
export function formatUtcClock(value: string | Date | null | undefined, reference: Date): string {
  const d = toDate(value);
  if (!d) return 'unknown time';
  if (formatUtcDate(d) !== formatUtcDate(reference)) return formatUtc(d);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function asOf(now: Date): string {
  return `as of ${formatUtc(now)}`;
}

/** A name, title or id from outside, shown on one line exactly as written. */
export function name(text: string | null | undefined, max = MAX_NAME_CHARS): string {
  const clean = plainInline(text ?? '');
  return truncate(clean, max);
}

/**
 * An id the user may copy into a command (order ids hold "_" and "-"). Ids of the safe shape are shown
 * verbatim: intraword "_" is not emphasis, so there is nothing to neutralise; anything else is a name.
 */
export function identifier(text: string | null | undefined, max = 80): string {
  const value = text ?? '';
  return /^[A-Za-z0-9_-]{1,80}$/.test(value) && !/^_.*_$/.test(value) ? value : name(value, max);
}

/**
 * A command the user can copy and type. It goes into a TextRun, which Teams does not read as markdown,
 * so it stays verbatim (only squeezed onto one line).
 */
export function command(text: string): string {
  const oneLine = String(text).replace(/[\u0000-\u001F\u007F\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  return truncate(oneLine, 300);
}

/** Partner Center prose (HTML, entities, markdown-looking text) as paragraphs for one TextBlock. */
export function prose(text: string, maxChars: number): string {
  return paragraphs(truncate(toPlainText(text), maxChars));
}

/** Our own sentence that may quote names from outside: escaped, paragraphs kept, at most `maxChars`. */
export function sentence(text: string, maxChars = 3000): string {
  return paragraphs(truncate(escapeMarkdown(String(text)), maxChars));
}

/** A TextBlock needs an empty line between lines (a single `\n` is a soft break in markdown). */
export function paragraphs(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n\n');
}

/** `1 incident`, `3 incidents`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function quote(text: string): string {
  return `“${text}”`;
}

export function severityLabel(severity: Severity): string {
  return severity.charAt(0).toUpperCase() + severity.slice(1);
}

export function severityStyle(severity: Severity): ContainerStyle {
  if (severity === 'critical') return 'attention';
  if (severity === 'warning') return 'warning';
  return 'emphasis';
}

/**
 * ISO 8601 term durations as people say them before "term": P1M → `1-month term`, P3Y → `3-year term`
 * (a number before a noun takes the singular and a hyphen, not "3 years term").
 */
export function termLabel(term: string): string {
  const match = /^P(\d+)([YMWD])$/i.exec(term.trim());
  if (!match) return term.trim() === '' ? 'no term' : `${name(term)} term`;
  const unit = ({ Y: 'year', M: 'month', W: 'week', D: 'day' } as const)[match[2]!.toUpperCase() as 'Y' | 'M' | 'W' | 'D'];
  return `${Number(match[1])}-${unit} term`;
}

/** Action.Execute buttons with an Action.Submit fallback carrying the verb, for clients without Universal Actions. */
export function renderActions(buttons: readonly CardButton[] | undefined): Record<string, unknown>[] {
  return (buttons ?? []).map(renderAction);
}

/** One button, also usable as an element's `selectAction` (a clickable row). */
export function renderAction(button: CardButton): Record<string, unknown> {
  const data = { ...(button.data ?? {}) };
  const title = truncate(plainInline(button.title), 60);
  return {
    type: 'Action.Execute',
    title,
    verb: button.verb,
    data,
    fallback: { type: 'Action.Submit', title, data: { ...data, verb: button.verb } },
  };
}

// Cutting at a sentence is plain-text work, shared with the thread replies (sources/incidents/threadNote.ts).
export { clip, type Clipped } from '../domain/plainText.js';

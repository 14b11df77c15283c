// Turning text from Partner Center (HTML fragments, entities, markdown-looking prose) into text that a Teams
// card shows exactly as written.
//
// Teams renders a subset of markdown in a TextBlock, and Teams clients disagree about backslash escapes, so
// specials are not escaped but replaced by look-alike characters (`*` → `∗`, `` ` `` → `ˋ`, a line-leading
// `#` → `＃`, `>` → `›`), and syntax that needs two characters side by side (`](` of a link, `<at` of a
// mention or tag, `${` of a template expression) is broken with an invisible zero-width space.
// An underscore between two letters or digits stays itself (America/New_York, order ids, snake_case):
// markdown never reads such a `_` as emphasis, and its look-alike `＿` is an empty box in some fonts
// (Chromium's among them). Only an underscore at the edge of a word, which could open or close emphasis,
// becomes `＿`.

const ZWSP = '\u200B';

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ',
  shy: '', zwsp: '', zwnj: '', zwj: '', ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’',
  sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  bull: '•', middot: '·', copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', times: '×',
  divide: '÷', minus: '−', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒', lArr: '⇐', le: '≤', ge: '≥',
  ne: '≠', asymp: '≈', frac12: '½', frac14: '¼', frac34: '¾', sup2: '²', sup3: '³', micro: 'µ',
  iexcl: '¡', iquest: '¿', szlig: 'ß', aelig: 'æ', AElig: 'Æ', oslash: 'ø', Oslash: 'Ø', eth: 'ð',
  ETH: 'Ð', thorn: 'þ', THORN: 'Þ', oelig: 'œ', OElig: 'Œ', check: '✓', hearts: '♥',
  ...accentedLetters(),
};

/** &eacute;, &Auml;, &ccedil;, ... built from combining marks rather than listed by hand. */
function accentedLetters(): Record<string, string> {
  const marks: Record<string, string> = {
    acute: '\u0301', grave: '\u0300', circ: '\u0302', uml: '\u0308', tilde: '\u0303', ring: '\u030A', cedil: '\u0327',
  };
  const out: Record<string, string> = {};
  for (const letter of 'aeiouycnAEIOUYCN') {
    for (const [name, mark] of Object.entries(marks)) {
      const composed = (letter + mark).normalize('NFC');
      if (composed.length === 1) out[letter + name] = composed;
    }
  }
  return out;
}

/** What HTML does with numeric references 128-159: they mean Windows-1252, not C1 controls. */
const WINDOWS_1252: Readonly<Record<number, string>> = {
  0x80: '€', 0x82: '‚', 0x84: '„', 0x85: '…', 0x8b: '‹', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”',
  0x95: '•', 0x96: '–', 0x97: '—', 0x99: '™', 0x9b: '›',
};

function fromCodePoint(code: number): string {
  if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252[code] ?? '';
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

/** Decodes named and numeric character references once (so `&amp;lt;` becomes `&lt;`, not `<`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/g, (whole, dec, hex, name) => {
    if (dec !== undefined) return fromCodePoint(Number.parseInt(dec as string, 10));
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex as string, 16));
    return NAMED_ENTITIES[name as string] ?? whole;
  });
}

// A tag: `<name attr="a>b" ...>` or `</name>`; quoted attribute values may contain `>`.
const TAG = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?\/?>/g;
const BLOCK = 'p|div|h[1-6]|ul|ol|table|tr|blockquote|pre|section|article|header|footer';

function stripTags(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    // Source whitespace next to a block-level tag means nothing in HTML; the tag itself decides the break.
    .replace(new RegExp(`\\s*(</?(?:${BLOCK}|li|br)\\b[^>]*>)\\s*`, 'gi'), '$1')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '• ')
    .replace(new RegExp(`</?(?:${BLOCK}|li)\\b[^>]*>`, 'gi'), '\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(TAG, '');
}

/** Removes control characters (keeping line breaks and tabs) and tidies spaces and blank lines. */
function tidyWhitespace(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u2028\u2029]/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00A0\u2000-\u200A\u202F\u205F\u3000]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Replaces everything Teams would render as markdown, a mention or an HTML tag with characters that show
 * as themselves. Keeps line breaks. Does not touch `${` (see `toPlainText`).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\*/g, '∗')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '＿')
    .replace(/`/g, 'ˋ')
    .replace(/\](?=[([:])/g, `]${ZWSP}`)
    .replace(/<(?=[A-Za-z/!?])/g, `<${ZWSP}`)
    .replace(/^(\s*)#/gm, '$1＃')
    .replace(/^(\s*)>/gm, '$1›')
    .replace(/^(\s*)([-=+])(?=\s*\2\s*\2)/gm, `$1${ZWSP}$2`);
}

/** A name or short value on one line, shown as written (no markdown, no mentions). */
export function plainInline(text: string): string {
  return escapeMarkdown(tidyWhitespace(String(text).replace(/\s+/g, ' ')));
}

/** Breaks `${` so no template engine or later expansion can read it as an expression. */
export function inertTemplateSyntax(text: string): string {
  return text.replace(/\$\{/g, `$${ZWSP}{`);
}

/**
 * Partner Center text (incident messages may hold HTML, entities and markdown-looking prose) as plain text
 * for a TextBlock: tags stripped (`<br>`, `</p>`, `</li>` become line breaks), entities decoded, blank-line
 * runs collapsed to one, markdown and mentions neutralised, `${` made inert.
 */
export function toPlainText(input: string): string {
  const text = String(input ?? '').replace(/\r\n?/g, '\n');
  return inertTemplateSyntax(escapeMarkdown(tidyWhitespace(decodeEntities(stripTags(text)))));
}

/**
 * Cuts text to at most `maxChars` characters (UTF-16 code units), at a word boundary when one is reasonably
 * close, and ends it with an ellipsis. Text that fits is returned unchanged.
 */
export function truncate(text: string, maxChars: number): string {
  const limit = Math.floor(maxChars);
  if (text.length <= limit) return text;
  if (limit <= 0) return '';
  if (limit === 1) return '…';
  let cut = limit - 1; // room for the ellipsis
  // Never split a surrogate pair.
  if (/[\uDC00-\uDFFF]/.test(text.charAt(cut))) cut -= 1;
  const head = text.slice(0, cut);
  const nextIsBoundary = /\s/.test(text.charAt(cut));
  const lastSpace = head.search(/\s\S*$/);
  const body = !nextIsBoundary && lastSpace >= Math.floor(cut * 0.6) ? head.slice(0, lastSpace) : head;
  return body.replace(/[\s,;:.\u200B-]+$/, '') + '…';
}

/** How far past its limit a text may run rather than hide its last few words behind "Show more". */
const CLIP_SLACK_CHARS = 40;

/** Text cut for a card: what shows at once, and the rest for a "Show more" toggle ('' when it all fits). */
export interface Clipped {
  head: string;
  rest: string;
}

/**
 * Cuts plain text at the last sentence or line end within `maxChars` when one is not too far back, else at
 * the last word with an ellipsis (never inside a word: "within 2…" hides the unit), and keeps what follows,
 * itself at most `restChars`, for a "Show more".
 */
export function clip(text: string, maxChars: number, restChars: number): Clipped {
  const limit = Math.max(1, Math.floor(maxChars));
  // A rest of a few words is not worth a click: show it.
  if (text.length <= limit + CLIP_SLACK_CHARS) return { head: text, rest: '' };
  let sentenceEnd = -1;
  for (const match of text.slice(0, limit + 1).matchAll(/[.!?](?=\s)|\n/g)) {
    if (match.index + 1 <= limit) sentenceEnd = match.index + 1;
  }
  if (sentenceEnd >= limit * 0.4) {
    return { head: text.slice(0, sentenceEnd).trim(), rest: truncate(text.slice(sentenceEnd).trim(), restChars) };
  }
  const lastSpace = text.slice(0, limit).search(/\s\S*$/);
  let cut = lastSpace >= limit * 0.5 ? lastSpace : limit - 1;
  // Never split a surrogate pair.
  if (/[\uDC00-\uDFFF]/.test(text.charAt(cut))) cut -= 1;
  return { head: `${text.slice(0, cut).trimEnd()}…`, rest: truncate(`…${text.slice(cut).trimStart()}`, restChars) };
}

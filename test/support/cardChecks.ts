// Checks shared by the card tests: a card must parse as Adaptive Card 1.5 without a single warning, stay
// under MAX_CARD_BYTES, and leave no template syntax behind. Plus ways to find text in a card.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cardSizeBytes, MAX_CARD_BYTES, type AdaptiveCardJson } from '../../src/cards.js';

// The ESM build of adaptivecards does not load in Node; its UMD bundle does.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

export const NOW = new Date('2026-11-22T14:05:00Z');
export const ZWSP = '\u200B';

export function parseProblems(card: unknown): string[] {
  const ctx = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i += 1) problems.push(ctx.getEventAt(i).message);
  return problems;
}

export function walk(value: unknown, visit: (key: string, value: unknown, parent: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      visit(key, child, value as Record<string, unknown>);
      walk(child, visit);
    }
  }
}

export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === 'object') for (const child of Object.values(value)) strings(child, out);
  return out;
}

/** Every piece of text a person sees on the card, in order. */
export function texts(card: unknown): string[] {
  const out: string[] = [];
  walk(card, (key, child, parent) => {
    if ((key === 'text' || key === 'value' || key === 'title') && typeof child === 'string' && parent.type !== 'Action.Submit') out.push(child);
  });
  return out;
}

export const allText = (card: unknown): string => texts(card).join('\n').replaceAll(ZWSP, '');

/** Every object in the card, in document order. */
export function objects(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    for (const item of value) objects(item, out);
  } else if (value && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) objects(child, out);
  }
  return out;
}

/** Elements whose text (without zero-width spaces) matches. */
export function elementsWithText(card: unknown, pattern: RegExp): Record<string, unknown>[] {
  return objects(card).filter((el) => typeof el.text === 'string' && pattern.test(el.text.replaceAll(ZWSP, '')));
}

/**
 * A valid Adaptive Card 1.5 that Teams accepts: no parse warnings, under the size limit, no template
 * syntax left (a `${...}` may only appear where the data contained exactly that text), text always strings.
 */
export function assertGoodCard(card: AdaptiveCardJson, data: unknown = {}): void {
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.5');
  assert.equal(card.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  const problems = parseProblems(card);
  assert.deepEqual(problems, [], `parse warnings:\n${problems.join('\n')}`);
  const size = cardSizeBytes(card);
  assert.ok(size < MAX_CARD_BYTES, `card is ${size} bytes, limit ${MAX_CARD_BYTES}`);

  const literal = new Set(strings(data).flatMap((s) => s.match(/\$\{[^}]*\}?/g) ?? []));
  for (const s of strings(card)) {
    for (const token of s.match(/\$\{[^}]*\}?/g) ?? []) {
      assert.ok(literal.has(token), `unexpanded template syntax ${token} in ${JSON.stringify(s)}`);
    }
  }
  walk(card, (key, child, parent) => {
    assert.ok(!(key.startsWith('$') && key !== '$schema'), `template key ${key} left`);
    if (key === 'text' && typeof parent.type === 'string') assert.equal(typeof child, 'string', `non-string text ${String(child)}`);
    if (key === 'text' && typeof parent.type === 'string' && parent.type !== 'TextRun') assert.notEqual(child, '', 'empty TextBlock');
  });
}

// Point 5 of "Cards that tell the whole story", as far as card JSON shows it: no text in a colour that Teams
// draws pale (Good and Warning on its light theme, Attention on its dark one), and colour never the only
// sign: accent text only on what can be clicked, which also carries a "›". The browser test checks the
// rendered contrast on a light and a dark host.
import assert from 'node:assert/strict';
import { assertGoodCard } from '../support/cardChecks.js';
import { cardGallery } from '../support/cardGallery.js';

type Node = Record<string, unknown>;

/** Every element with the chain of its ancestors (nearest last). */
function withAncestors(node: unknown, ancestors: Node[] = [], out: { el: Node; ancestors: Node[] }[] = []) {
  if (Array.isArray(node)) for (const child of node) withAncestors(child, ancestors, out);
  else if (node && typeof node === 'object') {
    const el = node as Node;
    out.push({ el, ancestors });
    for (const child of Object.values(el)) withAncestors(child, [...ancestors, el], out);
  }
  return out;
}

describe('cards: readable on every theme', () => {
  for (const [name, card] of Object.entries(cardGallery())) {
    it(`${name}: no pale text colour, and accent only on clickable rows with a non-colour cue`, () => {
      assertGoodCard(card, [card]);
      for (const { el, ancestors } of withAncestors(card.body)) {
        if (el.color === undefined) continue;
        assert.ok(el.color === 'Default' || el.color === 'Accent', `${name}: ${String(el.type)} "${String(el.text)}" is ${String(el.color)}`);
        if (el.color !== 'Accent') continue;
        const row = [...ancestors].reverse().find((a) => a.selectAction);
        assert.ok(row, `${name}: accent text "${String(el.text)}" on something that cannot be clicked`);
        assert.ok(JSON.stringify(row).includes('"text":"›"'), `${name}: the clickable row of "${String(el.text)}" has no "›"`);
      }
    });
  }
});

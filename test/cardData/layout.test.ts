// Point 6 of "Cards that tell the whole story": no right-hand column repeating a command (it squeezed names
// and broke domains mid-word), clickable rows that look clickable, no fact said twice on the status card,
// and long texts cut at a sentence or word with "Show more" for the rest.
import assert from 'node:assert/strict';
import { statusCard, type AdaptiveCardJson } from '../../src/cards.js';
import { allText, elementsWithText, NOW, objects } from '../support/cardChecks.js';
import { cardGallery, M365_UPDATE } from '../support/cardGallery.js';
import { contoso, incident } from '../support/samples.js';

type Node = Record<string, unknown>;

/** Narrow (auto-width) columns holding a command in monospace: what squeezed the names beside them. */
function commandColumns(card: AdaptiveCardJson): Node[] {
  return objects(card.body).filter(
    (el) => el.type === 'Column' && el.width === 'auto' && objects(el.items).some((inner) => inner.fontType === 'Monospace'),
  );
}

describe('cards: layout', () => {
  const gallery = cardGallery();

  for (const name of ['customers', 'watches', 'customerChoice', 'alertCustomers'] as const) {
    it(`${name}: names and domains get the full width, no column repeats a command`, () => {
      const card = gallery[name];
      assert.ok(card);
      assert.deepEqual(commandColumns(card), []);
      assert.equal(elementsWithText(card, /^status for |^unwatch /).length, 0, 'a button or a click does it; no command to copy');
    });
  }

  it('customers: each clickable row shows it can be clicked, in more than colour', () => {
    const rows = objects(gallery.customers?.body).filter((el) => el.selectAction);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.equal(elementsWithText(row, /^›$/).length, 1);
    assert.match(allText(gallery.customers), /Click a customer for its overview/);
  });

  it('status: says the severity once, and does not repeat the heading as "Title: …"', () => {
    const card = statusCard({ customer: contoso, incidents: [incident('EX1', { severity: 'critical', status: 'critical', title: 'Users can’t send mail', messages: [{ publishedTime: '2026-11-22T13:00:00Z', text: M365_UPDATE }] })], now: NOW });
    const text = allText(card);
    assert.equal(elementsWithText(card, /Critical/).length, 1);
    assert.doesNotMatch(text, /Status: Critical/);
    assert.doesNotMatch(text, /Title: /);
    assert.match(text, /^User Impact: /m);
    // A status that differs from the severity is news, and is said.
    const lowered = statusCard({ customer: contoso, incidents: [incident('EX2', { severity: 'critical', status: 'warning' })], now: NOW });
    assert.match(allText(lowered), /Critical\nStatus now warning/);
  });

  it('status: shows a usual update whole, "Next update by: within 2 hours" included', () => {
    const card = statusCard({ customer: contoso, incidents: [incident('EX1', { title: 'Users can’t send mail', messages: [{ publishedTime: '2026-11-22T13:00:00Z', text: M365_UPDATE }] })], now: NOW });
    assert.match(allText(card), /recovery\.\n\nNext update by: within 2 hours\n/);
    assert.equal(objects(card.body).filter((el) => el.type === 'Action.ToggleVisibility').length, 0);
  });

  it('status: cuts a long update at a sentence, never inside a phrase, with "Show more" for the rest', () => {
    const more = `More info: ${'Messages queued during the incident are delivered in the order they arrived. '.repeat(3).trim()}`;
    const card = statusCard({ customer: contoso, incidents: [incident('EX1', { title: 'Users can’t send mail', messages: [{ publishedTime: '2026-11-22T13:00:00Z', text: `${M365_UPDATE}\n${more}` }] })], now: NOW });
    const shown = elementsWithText(card, /^User Impact: /)[0];
    assert.ok(shown);
    assert.match(String(shown.text), /Next update by: within 2 hours$/, 'the visible part ends at a line end');
    const rest = objects(card.body).find((el) => el.isVisible === false);
    assert.ok(rest, 'the rest is on the card, hidden');
    assert.equal(allText(rest), more);
    const toggle = objects(card.body).find((el) => el.type === 'Action.ToggleVisibility');
    assert.deepEqual(toggle, { type: 'Action.ToggleVisibility', title: 'Show more', targetElements: [rest.id] });
  });

  it('status: a single sentence too long for the card is cut at a word, and the rest follows it', () => {
    const long = `Engineers ${'are still reviewing the telemetry of the affected mailbox servers and '.repeat(8)}will report back.`;
    const card = statusCard({ customer: contoso, incidents: [incident('EX1', { messages: [{ publishedTime: '2026-11-22T13:00:00Z', text: long }] })], now: NOW });
    const shown = String(elementsWithText(card, /^Engineers /)[0]?.text);
    assert.match(shown, / [a-z]+…$/, `cut after a whole word: ${shown.slice(-30)}`);
    const rest = allText(objects(card.body).find((el) => el.isVisible === false));
    assert.match(rest, /^…[a-z]+ /);
    assert.equal(`${shown.slice(0, -1)} ${rest.slice(1)}`.replace(/\s+/g, ' '), long.replace(/\s+/g, ' '));
  });
});

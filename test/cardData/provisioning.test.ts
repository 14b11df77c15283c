// Point 1 and 2 of "Cards that tell the whole story": provisioning lines named by their product, the line
// number only as a fallback that says why, and the alert as a real card (who, what changed, buttons).
import assert from 'node:assert/strict';
import { VERBS } from '../../src/cards.js';
import { provisioningAlertCard, provisioningCard } from '../../src/sources/provisioning/card.js';
import type { OrderLines, OrderProvisioning } from '../../src/domain/types.js';
import { allText, assertGoodCard, elementsWithText, NOW } from '../support/cardChecks.js';
import { buttonsOf } from '../support/clicks.js';
import { contoso } from '../support/samples.js';

const ORDER_ID = 'Zk3rT8vQ_p1LmN0xYb-7Wc2dEfGh4JsA5';
// Partner Center numbers line items from zero.
const provisioning: OrderProvisioning = {
  customerId: contoso.id,
  orderId: ORDER_ID,
  lines: [
    { lineItemNumber: 0, status: 'fulfilled', quantities: [{ quantity: 100, status: 'fulfilled' }] },
    { lineItemNumber: 1, status: 'PrefulfillmentPending', quantities: [{ quantity: 20, status: 'fulfilled' }, { quantity: 5, status: 'PrefulfillmentPending' }] },
  ],
};
const products: OrderLines = {
  ok: true,
  items: [
    { lineItemNumber: 0, offerId: 'CFQ7TTC0LCH4:0001', friendlyName: 'Microsoft Intune Plan 1', quantity: 100 },
    { lineItemNumber: 1, offerId: 'CFQ7TTC0HD33:0002', friendlyName: 'Visio Plan 2', quantity: 25 },
  ],
};
const lineLabels = (card: object) => elementsWithText(card, /^(Microsoft Intune Plan 1|Visio Plan 2|Item \d of \d|Line \d)$/).map((el) => el.text);

describe('cards: provisioning lines named by product', () => {
  it('shows each line by its product name, never "Line 0"', () => {
    const card = provisioningCard({ customer: contoso, provisioning, products, now: NOW });
    assertGoodCard(card, [provisioning, products]);
    assert.deepEqual(lineLabels(card), ['Microsoft Intune Plan 1', 'Visio Plan 2']);
    assert.match(allText(card), /Visio Plan 2\n20 fulfilled, 5 pending\nPending/);
    assert.doesNotMatch(allText(card), /Line \d|Product names are not shown/);
  });

  it('falls back to counting the lines from one, and says why, when the order could not be read', () => {
    const unreadable: OrderLines = { ok: false, reason: 'Partner Center did not answer when asked for the order.' };
    const card = provisioningCard({ customer: contoso, provisioning, products: unreadable, now: NOW });
    assertGoodCard(card);
    assert.deepEqual(lineLabels(card), ['Item 1 of 2', 'Item 2 of 2']);
    assert.match(allText(card), /Product names are not shown: Partner Center did not answer when asked for the order\. Items are counted in Partner Center’s line order\./);
  });

  it('names the lines it can when the order lacks some', () => {
    const partial: OrderLines = { ok: true, items: [products.ok ? products.items[1]! : never()] };
    const card = provisioningCard({ customer: contoso, provisioning, products: partial, now: NOW });
    assert.deepEqual(lineLabels(card), ['Item 1 of 2', 'Visio Plan 2']);
    assert.match(allText(card), /Some items have no product name/);
  });
});

describe('cards: the provisioning alert', () => {
  const changes = [{ lineItemNumber: 1, from: 'prefulfillmentpending', to: 'fulfilled' }];
  const done: OrderProvisioning = {
    ...provisioning,
    lines: provisioning.lines.map((line) => ({ ...line, status: 'fulfilled', quantities: line.quantities.map((q) => ({ ...q, status: 'fulfilled' })) })),
  };

  it('says who (name and domain), which order, what changed since the last alert, and marks the line', () => {
    const card = provisioningAlertCard({ customer: contoso, provisioning: done, products, changes, final: false, updatedAt: NOW, interactive: true });
    assertGoodCard(card, [done, products]);
    const text = allText(card);
    assert.match(text, /^Order fully provisioned\nContoso · contoso\.onmicrosoft\.com\nOrder Zk3rT8vQ/);
    assert.match(text, /What changed since the last alert\nVisio Plan 2: pending → fulfilled/);
    assert.equal(elementsWithText(card, /^Changed: was pending$/).length, 1, 'the changed line is marked');
    assert.deepEqual(lineLabels(card), ['Microsoft Intune Plan 1', 'Visio Plan 2']);
  });

  it('offers Refresh, Customer and Stop watching order, with ids a click can send back', () => {
    const card = provisioningAlertCard({ customer: contoso, provisioning, products, changes, final: false, updatedAt: NOW, interactive: true });
    const buttons = buttonsOf(card);
    assert.deepEqual(buttons.map((b) => [b.title, b.verb]), [
      ['Refresh', VERBS.provisioning],
      ['Customer', VERBS.overview],
      ['Stop watching order', VERBS.unwatchOrder],
    ]);
    assert.deepEqual(buttons[0]?.data, { customerId: contoso.id, orderId: ORDER_ID });
  });

  it('says the watch ended with the last alert, and offers no Stop watching then', () => {
    const card = provisioningAlertCard({ customer: contoso, provisioning: done, products, changes, final: true, updatedAt: NOW, interactive: true });
    assert.match(allText(card), /Every line item is final, so this was the last alert: the order is no longer watched here\./);
    assert.deepEqual(buttonsOf(card).map((b) => b.title), ['Refresh', 'Customer']);
  });

  it('names a new line and counts lines when the products are unknown', () => {
    const card = provisioningAlertCard({
      customer: { ...contoso, domain: '' },
      provisioning,
      products: { ok: false, reason: 'Partner Center refused to show the order.' },
      changes: [{ lineItemNumber: 0, from: null, to: 'fulfilled' }],
      updatedAt: NOW,
      interactive: true,
    });
    assertGoodCard(card);
    assert.match(allText(card), /^Order provisioning changed\nContoso\n/);
    assert.match(allText(card), /Item 1 of 2: new → fulfilled/);
    assert.match(allText(card), /Product names are not shown: Partner Center refused to show the order\./);
  });
});

function never(): never {
  throw new Error('unreachable');
}

// "orders for <customer>" end to end over real HTTP (simulator, app, fake Bot Connector): a customer's
// orders newest first, 10 to a page, each row opening the order's provisioning, and a Watch button on
// orders still provisioning that watches the order here.
import assert from 'node:assert/strict';
import { VERBS } from '../../src/cards.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import type { SimOrder } from '../../src/sandbox/simWire.js';
import { askForCard, buttonIn, buttonsOf, click } from '../support/clicks.js';
import { cardProblems } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';

/** Row clicks of an orders card: the order ids they open, top to bottom. */
const openedOrders = (card: unknown) => buttonsOf(card).filter((b) => b.verb === VERBS.provisioning).map((b) => b.data.orderId);
const watchButtons = (card: unknown) => buttonsOf(card).filter((b) => b.verb === VERBS.watchOrder).map((b) => b.data.orderId);

/** An order id in card text: markdown text may show its "_" as a look-alike, which this test leaves to the card's escaping. */
const shownId = (id: string) => id.replace(/_/g, '[_\uFF3F]');

function newestFirst(orders: readonly SimOrder[]): string[] {
  return [...orders].sort((a, b) => Date.parse(b.order.creationDate) - Date.parse(a.order.creationDate)).map((o) => o.order.id);
}

describe('"orders for <customer>", end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('lists the customer\'s orders newest first with date, status and products; a row opens the order\'s provisioning', async () => {
    const contoso = h.sim.data.requireCustomer('Contoso');
    const { id, card, text } = await askForCard(h, 'orders for contoso');
    assert.deepEqual(cardProblems(card), []);
    assert.match(text, /^Orders of Contoso\n5 orders · newest first/);
    assert.deepEqual(openedOrders(card), newestFirst(h.sim.data.ordersOf(contoso.id)));
    assert.match(text, new RegExp(`Order ${shownId(CONTOSO_ORDERS.pending)}\\n\\d{1,2} [A-Z][a-z]{2} \\d{4} · Microsoft 365 E5 ×50, Project Plan 3 ×10, Exchange Online \\(Plan 1\\) ×20\\nProvisioning`));
    assert.match(text, new RegExp(`Order ${CONTOSO_ORDERS.unfulfilled}\\n.* · Power BI Pro ×10\\nCancelled`));
    assert.deepEqual(watchButtons(card).sort(), [CONTOSO_ORDERS.partlyPending, CONTOSO_ORDERS.pending].sort(), 'Watch only on orders still provisioning');

    const row = buttonsOf(card).find((b) => b.verb === VERBS.provisioning && b.data.orderId === CONTOSO_ORDERS.partlyPending);
    assert.ok(row);
    assert.match(row.title, new RegExp(`^Provisioning of ${shownId(CONTOSO_ORDERS.partlyPending)}$`));
    const opened = await click(h, row, id);
    assert.match(opened.text, /Provisioning of order/);
    assert.match(opened.text, /Visio Plan 2/);
  });

  it('watches an order still provisioning from its Watch button, and then says so on its row', async () => {
    const first = await askForCard(h, 'orders for contoso');
    const watch = buttonsOf(first.card).find((b) => b.verb === VERBS.watchOrder && b.data.orderId === CONTOSO_ORDERS.pending);
    assert.ok(watch);
    await click(h, watch, first.id);
    assert.ok(h.app.store.read().watches.some((w) => w.kind === 'order' && w.orderId === CONTOSO_ORDERS.pending));
    const again = await askForCard(h, 'orders for contoso');
    assert.deepEqual(watchButtons(again.card), [CONTOSO_ORDERS.partlyPending]);
    assert.match(again.text, new RegExp(`Order ${shownId(CONTOSO_ORDERS.pending)}\\n.* · watched here`));
  });

  it('shows 10 orders a page, with Next and Previous page', async () => {
    const fabrikam = h.sim.data.requireCustomer('Fabrikam');
    const orders = h.sim.data.ordersOf(fabrikam.id);
    const template = orders[0]!;
    for (let n = 0; orders.length < 13; n++) {
      const created = new Date(Date.parse(template.order.creationDate) - (n + 1) * 86_400_000).toISOString();
      orders.push({ ...template, order: { ...template.order, id: `older-${n}`, creationDate: created } });
    }
    const expected = newestFirst(orders);
    const first = await askForCard(h, 'orders for fabrikam');
    assert.match(first.text, /^Orders of Fabrikam\nOrders 1–10 of 13 · newest first · page 1 of 2/);
    assert.deepEqual(openedOrders(first.card), expected.slice(0, 10));
    const second = await click(h, buttonIn(first.card, 'Next page', VERBS.orders), first.id);
    assert.match(second.text, /Orders 11–13 of 13 · newest first · page 2 of 2/);
    assert.deepEqual(openedOrders(second.card), expected.slice(10));
    assert.deepEqual(buttonsOf(second.card).filter((b) => b.verb === VERBS.orders).map((b) => b.title), ['Previous page', 'Refresh']);
  });
});

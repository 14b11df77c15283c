// "Cards that tell the whole story", end to end over real HTTP (simulator, app, fake Bot Connector): product
// names on provisioning cards and alerts (the order read once), the provisioning alert as a real card, alerts
// that lead with who and what and count every update, the way back to an alert, buttons on every card the
// bot sends, and Stop watching on the watches card.
import assert from 'node:assert/strict';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { threadKey } from '../../src/store/state.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { askForCard, buttonIn, buttonsOf, click, updatesOf } from '../support/clicks.js';
import { customerId, incidentCards, watch } from '../support/alertSteps.js';

const PENDING = CONTOSO_ORDERS.pending;
/** Reads of the order itself (its line items), not of its provisioning status. */
const orderReads = (h: Harness, orderId: string) => h.sim.requests.filter((r) => r.path.endsWith(`/orders/${encodeURIComponent(orderId)}`)).length;
const topButtons = (card: Record<string, unknown>) => buttonsOf({ actions: card.actions }).map((b) => b.title);

describe('cards that tell the whole story, end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.app.directory.reload();
  });
  afterEach(async () => {
    await h.close();
  });

  it('names each provisioning line by its product, reading the order once for all later cards', async () => {
    const card = await askForCard(h, `provisioning order ${PENDING} for contoso`);
    assert.match(card.text, /Microsoft 365 E5\n50 pending\nPending\nProject Plan 3\n10 pending\nPending\nExchange Online \(Plan 1\)\n20 pending/);
    assert.doesNotMatch(card.text, /Line \d/);
    await click(h, buttonIn(card.card, 'Refresh'), card.id);
    await askForCard(h, `provisioning order ${PENDING}`);
    assert.equal(orderReads(h, PENDING), 1, 'line items never change: one read of the order');
  });

  it('falls back to counted lines, and says why, when the order itself cannot be read', async () => {
    h.sim.faults.add({ path: new RegExp(`/orders/${PENDING}$`), status: 500, times: Infinity });
    const card = await askForCard(h, `provisioning order ${PENDING} for contoso`);
    assert.match(card.text, /Item 1 of 3\n50 pending/);
    assert.match(card.text, /Product names are not shown: Partner Center could not show the order \(HTTP 500\)\./);
  });

  it('alerts a watched order with the customer’s domain, product names, what changed and its buttons', async () => {
    await watch(h, `watch order ${PENDING} for contoso`);
    const alerts = () => h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && /^Order /.test(cardText(cardOf(call))));
    for (let step = 0; step < 4; step++) {
      h.sim.scenario.step();
      await h.app.engine.sweepNow();
    }
    const [first, second, last] = alerts().map((call) => cardOf(call) ?? {});
    assert.ok(first && second && last, 'three alerts');
    const text = cardText(first);
    assert.match(text, /^Order provisioning changed\nContoso · contoso\.onmicrosoft\.com\nOrder 9qg-ErcO/);
    assert.match(text, /What changed since the last alert\nMicrosoft 365 E5: pending → fulfilled\n/);
    assert.match(text, /Microsoft 365 E5\n50 fulfilled\nChanged: was pending\nFulfilled/);
    assert.deepEqual(topButtons(first), ['Refresh', 'Customer', 'Stop watching order']);
    assert.match(cardText(second), /Project Plan 3: pending → fulfilled/);
    assert.match(cardText(last), /^Order fully provisioned\n/);
    assert.match(cardText(last), /Exchange Online \(Plan 1\): pending → fulfilled/);
    assert.match(cardText(last), /this was the last alert/);
    assert.deepEqual(topButtons(last), ['Refresh', 'Customer'], 'the watch has ended: nothing to stop');
    assert.equal(orderReads(h, PENDING), 1, 'the watch read the order; the alerts used what it read');
  });

  it('still says what changed on a provisioning alert queued by an older release, which kept only a note', async () => {
    await watch(h, `watch order ${PENDING} for contoso`);
    const at = new Date().toISOString();
    const contosoId = customerId(h, 'Contoso');
    await h.app.store.update((state) => {
      state.outbox.push({
        kind: 'provisioning', id: 'provisioning|legacy', targetKey: CHANNEL_ID, customerName: 'Contoso', final: false,
        provisioning: { customerId: contosoId, orderId: PENDING, lines: [{ lineItemNumber: 0, status: 'fulfilled', quantities: [{ quantity: 50, status: 'fulfilled' }] }] },
        note: 'Line 0: prefulfillmentpending → fulfilled', createdAt: at, attempts: 0, notBefore: at, lastError: null,
      });
    });
    await h.app.delivery.deliverPending();
    const posted = h.connector.ok('post').find((call) => call.conversationId === CHANNEL_ID && /^Order /.test(cardText(cardOf(call))));
    assert.match(cardText(cardOf(posted)), /What changed since the last alert\nMicrosoft 365 E5: pending → fulfilled/);
  });

  it('leads an incident alert with who and what, says New then Updated, counts every update, and drops Acknowledge and Mute once resolved', async () => {
    await watch(h, 'watch contoso');
    const { incidentId } = h.sim.scenario.step();
    await h.app.engine.sweepNow();
    const [posted] = incidentCards(h, incidentId);
    assert.ok(posted?.id);
    assert.match(cardText(cardOf(posted)), /^Contoso: Users may be unable to send or receive email in Exchange Online\nNew · Critical incident · Exchange Online\n/);

    // Eight more updates: the thread keeps five messages, the card counts nine.
    const contoso = h.sim.data.incidentsOf(customerId(h, 'Contoso')).find((i) => i.id === incidentId);
    assert.ok(contoso);
    for (let i = 0; i < 8; i++) contoso.messages.push({ publishedTime: new Date(Date.now() + i * 1000).toISOString(), messageText: `Update ${i + 2}.` });
    await h.app.engine.sweepNow();
    const updated = cardText(cardOf(updatesOf(h, posted.id).at(-1)));
    assert.match(updated, /\nUpdated · Critical incident · /);
    assert.match(updated, /Updates\n9 updates/);
    assert.equal((await h.app.store.view({ threads: 'all' })).threads[threadKey(CHANNEL_ID, incidentId)]?.incident.messages.length, 5);

    for (let step = 0; step < 3; step++) h.sim.scenario.step();
    await h.app.engine.sweepNow();
    const resolved = cardOf(updatesOf(h, posted.id).at(-1)) ?? {};
    assert.match(cardText(resolved), /\nResolved · was warning · Exchange Online/);
    assert.deepEqual(topButtons(resolved), ['History', 'Customer']);
  });

  it('gives the person who clicked History or Customer on an alert a way back to it, Acknowledge and Mute included', async () => {
    await watch(h, 'watch contoso');
    const { incidentId } = h.sim.scenario.step();
    await h.app.engine.sweepNow();
    const [posted] = incidentCards(h, incidentId);
    assert.ok(posted?.id);
    const alert = cardOf(posted) ?? {};

    const history = await click(h, buttonIn(alert, 'History'), posted.id);
    assert.match(history.text, /Incident history/);
    assert.equal(topButtons(history.card)[0], 'Back to alert');
    const back = await click(h, buttonIn(history.card, 'Back to alert'), posted.id);
    assert.match(back.text, /^Contoso: /);
    assert.deepEqual(topButtons(back.card), ['History', 'Customer', 'Acknowledge', 'Mute 4 h', 'Mute 24 h']);

    // Customer, then a change of watch from there: only the clicker's card changes, the alert stays for everyone.
    const overview = await click(h, buttonIn(alert, 'Customer'), posted.id);
    assert.deepEqual(topButtons(overview.card).slice(0, 1), ['Back to alert']);
    const stopped = await click(h, buttonIn(overview.card, 'Stop watching'), posted.id);
    assert.match(stopped.text, /not alerted about Contoso/);
    assert.equal(updatesOf(h, posted.id).length, 0, 'the alert everyone sees was not replaced by an overview');
    const again = await click(h, buttonIn(stopped.card, 'Back to alert'), posted.id);
    assert.match(again.text, new RegExp(`Incident\\n${incidentId}`));
  });

  it('puts buttons on every card it answers with', async () => {
    const commands = [
      'help',
      'make coffee',
      'status for',
      'customers',
      'status for con',
      'status for contsoo',
      'subscriptions for fabrikam',
      'provisioning order 123456789',
      'provisioning order does-not-exist for contoso',
      'watches',
      'unwatch nobody',
    ];
    for (const command of commands) {
      const before = h.connector.calls.length;
      assert.equal(await h.say(command), 200);
      await h.connector.waitFor((calls) => calls.length > before);
      const cards = h.connector.calls.slice(before).map((call) => cardOf(call)).filter(Boolean);
      assert.ok(cards.length > 0, `${command}: a card`);
      for (const card of cards) assert.ok(buttonsOf(card).length > 0, `${command}: "${cardText(card).slice(0, 60)}" has no button`);
    }
  });

  it('runs the command for the customer picked on the ambiguous-name and unknown-name cards', async () => {
    const choice = await askForCard(h, 'subscriptions for con');
    const pick = buttonsOf(choice.card).find((b) => b.data.customerId === customerId(h, 'Contoso Electronics'));
    assert.ok(pick, 'a button for Contoso Electronics');
    // Each candidate's button is named after it (not "Show subscriptions" on every one), and the README's
    // "All customers" is there too.
    assert.equal(pick.title, 'Contoso Electronics');
    const titles = buttonsOf(choice.card).map((b) => b.title);
    assert.equal(new Set(titles).size, titles.length, `distinct titles: ${titles.join(', ')}`);
    assert.equal(buttonIn(choice.card, 'All customers').verb, 'customers.list');
    const answer = await click(h, pick, choice.id);
    assert.match(answer.text, /^Subscriptions of Contoso Electronics/);

    const unknown = await askForCard(h, 'status for contsoo');
    const suggestion = buttonIn(unknown.card, 'Contoso');
    assert.match((await click(h, suggestion, unknown.id)).text, /^Incidents for Contoso\n/);
    assert.ok(buttonIn(unknown.card, 'All customers'));
  });

  it('stops a watch from its row of the watches card and answers with the updated list, for everyone', async () => {
    await watch(h, 'watch contoso');
    await watch(h, 'watch all');
    await watch(h, `watch order ${PENDING} for contoso`);
    const list = await askForCard(h, 'watches');
    assert.deepEqual(buttonsOf(list.card.body).map((b) => b.title), ['Stop watching', 'Stop watching all', 'Stop watching']);

    const afterAll = await click(h, buttonIn(list.card, 'Stop watching all'), list.id);
    assert.match(afterAll.text, /2 watches/);
    assert.doesNotMatch(afterAll.text, /Every customer/);
    const afterOrder = await click(h, buttonsOf(afterAll.card).find((b) => b.data.kind === 'order') ?? assert.fail('order row'), list.id);
    const afterCustomer = await click(h, buttonIn(afterOrder.card, 'Stop watching'), list.id);
    assert.match(afterCustomer.text, /Nothing is watched here yet/);
    assert.deepEqual(h.app.store.read().watches, []);
    assert.equal(updatesOf(h, list.id).length, 3, 'the list everyone sees was replaced each time');
  });
});

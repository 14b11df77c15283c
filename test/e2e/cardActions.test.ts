// Every card button over real HTTP: the invoke answer (200 and the card), and for buttons that change what
// everyone sees, the PUT that replaces the clicked card for everyone and the change in the state file.
import assert from 'node:assert/strict';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { askForCard, buttonIn, buttonsOf, click, clickRaw, submit, updatesOf } from '../support/clicks.js';
import { CHANNEL_ID } from '../support/activities.js';
import { threadKey } from '../../src/store/state.js';
import { addIncident, incidentCards, watch } from '../support/alertSteps.js';

const PENDING_ORDER = '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1';

/** Watches Contoso here, lets the scenario open an incident, polls, and returns the posted alert card. */
async function alertCard(h: Harness): Promise<{ id: string; card: Record<string, unknown>; incidentId: string }> {
  const before = h.connector.calls.length;
  assert.equal(await h.say('watch contoso'), 200);
  await h.connector.waitFor((calls) => calls.slice(before).some((call) => /now watches Contoso/.test(String(call.activity.text))));
  const { incidentId } = h.sim.scenario.step();
  const result = await h.app.engine.sweepNow();
  assert.equal(result.delivery.sent, 1);
  const posted = h.connector.ok('post').find((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(incidentId));
  assert.ok(posted?.id, 'the alert card was posted');
  return { id: posted.id, card: cardOf(posted) ?? {}, incidentId };
}

describe('card buttons end to end (invoke → bot → simulator → invoke answer and card updates)', () => {
  let h: Harness;
  let contosoId: string;
  beforeEach(async () => {
    h = await startHarness();
    await h.app.directory.reload();
    contosoId = h.sim.data.requireCustomer('Contoso').id;
  });
  afterEach(async () => {
    await h.close();
  });

  it('History: every update of the incident, newest first, the older ones behind "Show all"', async () => {
    const status = await askForCard(h, 'status for contoso');
    const history = buttonIn(status.card, 'History');
    const incident = h.sim.data.incidentsOf(contosoId).find((i) => i.id === history.data.incidentId);
    assert.ok(incident);
    incident.messages = Array.from({ length: 8 }, (_, i) => ({ publishedTime: new Date(Date.UTC(2026, 10, 22, 8 + i)).toISOString(), messageText: `Update number ${i + 1}.` }));
    const answer = await click(h, history, status.id);
    assert.match(answer.text, new RegExp(`Incident\\n${incident.id}`));
    assert.match(answer.text, /8 updates, newest first/);
    const order = [...answer.text.matchAll(/Update number (\d)\./g)].map((m) => m[1]);
    assert.deepEqual(order, ['8', '7', '6', '5', '4', '3', '2', '1']);
    assert.match(answer.text, /Show all 8 updates/);
    assert.deepEqual(buttonsOf(answer.card).filter((b) => b.title !== 'History').map((b) => b.title), ['Customer', 'Incidents', 'Refresh']);
    assert.equal(updatesOf(h, status.id).length, 0, 'a drill-down changes the card for the clicker only');
  });

  it('Customer: the overview with domain, tenant id, incidents, subscriptions and "as of"', async () => {
    const status = await askForCard(h, 'status for contoso');
    const answer = await click(h, buttonIn(status.card, 'Customer'), status.id);
    assert.match(answer.text, /^Contoso\nCustomer overview · as of /);
    assert.match(answer.text, new RegExp(`Domain\\ncontoso\\.onmicrosoft\\.com\\nTenant id\\n${contosoId}\\nRelationship\\nReseller`));
    assert.match(answer.text, /\d+ active incidents?: /);
    assert.match(answer.text, /\d+ subscriptions?: /);
    assert.match(answer.text, /not alerted about Contoso/);
    assert.deepEqual(buttonsOf(answer.card).map((b) => b.title), ['Incidents', 'Subscriptions', 'Watch here', 'Watch subscriptions here', 'Refresh']);
  });

  it('Incidents and Refresh: the status card again, with its row buttons', async () => {
    const status = await askForCard(h, 'status for contoso');
    const answer = await click(h, buttonIn(status.card, 'Refresh'), status.id);
    assert.match(answer.text, /Incidents for Contoso\nas of /);
    assert.ok(buttonsOf(answer.card).filter((b) => b.verb === 'incident.history').length >= 2);
  });

  it('Watch here / Stop watching: stored, and the shared card replaced for everyone', async () => {
    const status = await askForCard(h, 'status for contoso');
    const overview = await click(h, buttonIn(status.card, 'Customer'), status.id);
    const watched = await click(h, buttonIn(overview.card, 'Watch here'), status.id);
    assert.match(watched.text, /Watched here: alerts about Contoso come to this conversation \(set by Ana Bowman/);
    const watch = h.app.store.read().watches.find((w) => w.customerId === contosoId);
    assert.equal(watch?.kind, 'customer');
    assert.equal(watch?.targetKey, CHANNEL_ID);
    assert.ok((await h.app.store.facts('incidentSnapshots')).has(contosoId), 'the watch has its baseline');
    const [update] = updatesOf(h, status.id);
    assert.ok(update, 'the card was replaced for everyone');
    assert.match(cardText(cardOf(update)), /Watched here/);

    const stopped = await click(h, buttonIn(watched.card, 'Stop watching'), status.id);
    assert.match(stopped.text, /not alerted about Contoso/);
    assert.equal(h.app.store.read().watches.length, 0);
    assert.equal(updatesOf(h, status.id).length, 2);
  });

  it('Subscriptions: filter Active / Needs attention / All, and page', async () => {
    const subs = await askForCard(h, 'subscriptions for fabrikam');
    assert.deepEqual(buttonsOf(subs.card).map((b) => b.title), ['Active', 'Needs attention', 'Customer', 'Watch subscriptions here', 'Refresh']);
    const attention = await click(h, buttonIn(subs.card, 'Needs attention'), subs.id);
    assert.match(attention.text, /showing 1–\d+ of \d+ needing attention/);
    assert.match(attention.text, /Suspended/);
    assert.deepEqual(buttonsOf(attention.card).map((b) => b.title), ['Active', 'All', 'Customer', 'Watch subscriptions here', 'Refresh']);
    const paged = await clickRaw(h, 'customer.subscriptions', { customerId: contosoId, filter: 'all', page: 7 }, subs.id);
    assert.match(paged.text, /Subscriptions of Contoso/);
  });

  it('Customers: 25 to a page, Next and Previous, each row opening its overview', async () => {
    const list = await askForCard(h, 'customers');
    assert.match(list.text, /Showing 25 of 31/);
    const next = await click(h, buttonIn(list.card, 'Next page'), list.id);
    assert.match(next.text, /Showing 26–31 of 31/);
    const back = await click(h, buttonIn(next.card, 'Previous page'), list.id);
    assert.match(back.text, /Showing 25 of 31/);
    const row = buttonIn(back.card, /^Open Fabrikam$/);
    const overview = await click(h, row, list.id);
    assert.match(overview.text, /^Fabrikam\nCustomer overview/);
  });

  it('Provisioning: Refresh, Watch this order and Stop watching order', async () => {
    const card = await askForCard(h, `provisioning order ${PENDING_ORDER} for contoso`);
    assert.deepEqual(buttonsOf(card.card).map((b) => b.title), ['Refresh', 'Watch this order', 'Customer']);
    const refreshed = await click(h, buttonIn(card.card, 'Refresh'), card.id);
    // The id's `_` sits between letters, where markdown never reads it as emphasis: the card shows it as typed.
    assert.ok(refreshed.text.includes(`Provisioning of order ${PENDING_ORDER}`), refreshed.text);
    assert.match(refreshed.text, /as of /);
    const watched = await click(h, buttonIn(card.card, 'Watch this order'), card.id);
    assert.match(watched.text, /Watched here: changes are posted to this conversation/);
    assert.equal(h.app.store.read().watches.find((w) => w.kind === 'order')?.orderId, PENDING_ORDER);
    assert.match(cardText(cardOf(updatesOf(h, card.id)[0])), /Watched here/);
    const stopped = await click(h, buttonIn(watched.card, 'Stop watching order'), card.id);
    assert.doesNotMatch(stopped.text, /Watched here/);
    assert.equal(h.app.store.read().watches.length, 0);
    assert.equal(updatesOf(h, card.id).length, 2);
  });

  it('Acknowledge, Mute 4 h, Unmute and Mute 24 h on the alert card: stored on the thread and shown to everyone', async () => {
    const alert = await alertCard(h);
    assert.deepEqual(buttonsOf(alert.card).filter((b) => !b.title.startsWith('Open ')).map((b) => b.title), ['History', 'Customer', 'Acknowledge', 'Mute 4 h', 'Mute 24 h']);
    const key = threadKey(CHANNEL_ID, alert.incidentId);

    const acked = await click(h, buttonIn(alert.card, 'Acknowledge'), alert.id);
    assert.match(acked.text, /Acknowledged by Ana Bowman at \d\d:\d\d UTC/);
    assert.equal((await h.app.store.view({ threads: 'all' })).threads[key]?.acknowledgedBy, 'Ana Bowman');
    assert.ok((await h.app.store.view({ threads: 'all' })).threads[key]?.acknowledgedAt);
    assert.match(cardText(cardOf(updatesOf(h, alert.id)[0])), /Acknowledged by Ana Bowman/);

    const muted = await click(h, buttonIn(acked.card, 'Mute 4 h'), alert.id);
    const thread = (await h.app.store.view({ threads: 'all' })).threads[key];
    assert.equal(thread?.mutedBy, 'Ana Bowman');
    const hours = (Date.parse(thread?.mutedUntil ?? '') - Date.now()) / 3_600_000;
    assert.ok(hours > 3.9 && hours <= 4, String(hours));
    assert.match(muted.text, /Muted by Ana Bowman until /);
    assert.deepEqual(buttonsOf(muted.card).filter((b) => !b.title.startsWith('Open ')).map((b) => b.title), ['History', 'Customer', 'Unmute']);
    assert.match(cardText(cardOf(updatesOf(h, alert.id)[1])), /Muted by Ana Bowman until[\s\S]*Acknowledged|Acknowledged[\s\S]*Muted by Ana Bowman/);

    const unmuted = await click(h, buttonIn(muted.card, 'Unmute'), alert.id);
    assert.doesNotMatch(unmuted.text, /Muted by/);
    assert.equal((await h.app.store.view({ threads: 'all' })).threads[key]?.mutedUntil, null);
    await click(h, buttonIn(unmuted.card, 'Mute 24 h'), alert.id);
    const day = (Date.parse((await h.app.store.view({ threads: 'all' })).threads[key]?.mutedUntil ?? '') - Date.now()) / 3_600_000;
    assert.ok(day > 23.9 && day <= 24, String(day));
    assert.equal(updatesOf(h, alert.id).length, 4);
    assert.ok(updatesOf(h, alert.id).every((call) => call.conversationId.startsWith(CHANNEL_ID)));

    // The next edit by a poll cycle keeps the mute and the acknowledgement on the card.
    h.sim.scenario.step();
    await h.app.engine.sweepNow();
    const edit = updatesOf(h, alert.id).at(-1);
    assert.match(cardText(cardOf(edit)), /Acknowledged by Ana Bowman[\s\S]*Muted by Ana Bowman/);
    assert.equal(h.connector.threadReplies(CHANNEL_ID, alert.id).length, 0, 'muted: no thread reply');
  });

  it('still answers with the new card when Teams refuses the edit of the shared card', async () => {
    const alert = await alertCard(h);
    h.connector.fail({ kind: 'update', status: 404, code: 'NotFound' });
    const acked = await click(h, buttonIn(alert.card, 'Acknowledge'), alert.id);
    assert.match(acked.text, /Acknowledged by Ana Bowman/);
    assert.equal((await h.app.store.view({ threads: 'all' })).threads[threadKey(CHANNEL_ID, alert.incidentId)]?.acknowledgedBy, 'Ana Bowman');
    assert.equal(updatesOf(h, alert.id).length, 0);
  });

  it('History and Customer on the alert card open the first listed customer', async () => {
    const alert = await alertCard(h);
    const history = await click(h, buttonIn(alert.card, 'History'), alert.id);
    assert.match(history.text, new RegExp(`Incident\\n${alert.incidentId}`));
    const overview = await click(h, buttonIn(alert.card, 'Customer'), alert.id);
    assert.match(overview.text, /^Contoso\nCustomer overview/);
    assert.match(overview.text, /Watched here/);
  });

  it('Customer on an alert of several customers asks which one: a button each, up to five, then All customers', async () => {
    await watch(h, 'watch all');
    await h.app.engine.sweepNow();
    const names = h.sim.data.customers.slice(0, 6).map((customer) => customer.companyName);
    assert.equal(names.length, 6, 'the simulator has six customers to share one incident');
    for (const name of names) addIncident(h, name, { id: 'EX777001' });
    await h.app.engine.sweepNow();
    const [alert] = incidentCards(h, 'EX777001');
    assert.ok(alert?.id);
    const customer = buttonIn(cardOf(alert), 'Customer');
    assert.deepEqual([customer.verb, customer.data], ['incident.customers', { incidentId: 'EX777001' }]);

    const choice = await click(h, customer, alert.id);
    const byName = [...names].sort(new Intl.Collator().compare);
    assert.deepEqual(buttonsOf(choice.card).map((b) => b.title), [...byName.slice(0, 5), 'All customers', 'Back to alert']);
    assert.match(choice.text, /^Which customer of incident EX777001\?\nThe alert lists 6 watched customers\./);
    assert.match(choice.text, /and 1 more customer/);
    const second = byName[1] ?? '';
    const opened = await click(h, buttonIn(choice.card, second), alert.id);
    assert.match(opened.text, new RegExp(`^${second}\\nCustomer overview`));
    assert.ok(buttonIn(opened.card, 'Back to alert'));
    assert.equal(buttonIn(choice.card, 'All customers').verb, 'customers.list');
  });

  it('takes an older client\'s Action.Submit (a message with `value`) through the same handlers', async () => {
    const status = await askForCard(h, 'status for contoso');
    const calls = await submit(h, buttonIn(status.card, 'Customer'), status.id);
    const reply = calls.find((call) => call.kind === 'post');
    assert.match(cardText(cardOf(reply)), /^Contoso\nCustomer overview/);

    const alert = await alertCard(h);
    const after = await submit(h, buttonIn(alert.card, 'Mute 4 h'), alert.id);
    assert.ok(after.some((call) => call.kind === 'update' && call.activityId === alert.id), 'the shared card was replaced');
    assert.match(cardText(cardOf(after.find((call) => call.kind === 'post'))), /Muted by Ana Bowman/);
    assert.equal((await h.app.store.view({ threads: 'all' })).threads[threadKey(CHANNEL_ID, alert.incidentId)]?.mutedBy, 'Ana Bowman');
  });
});

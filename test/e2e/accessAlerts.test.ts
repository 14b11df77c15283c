// GDAP access alerts end to end over real HTTP (simulator playing Partner Center and Microsoft Graph, app,
// fake Bot Connector): "watch access all" shows every kind of access alert within the scenario's four
// steps — Contoso's access crossing its 7-day mark, Northwind's relationship nobody can use, Tailspin's
// approval stuck for 9 days, Fabrikam's access lost and back on the same card with a thread reply — after
// a baseline that posts nothing; the buttons; the Graph 403 told once per conversation; and a failed page
// that changes nothing.
import assert from 'node:assert/strict';
import { wholeState } from '../../src/store/paged.js';
import { SCENARIO_GDAP } from '../../src/sandbox/simGdap.js';
import { CHANNEL_ID } from '../support/activities.js';
import { askForCard, buttonIn, buttonsOf, click } from '../support/clicks.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fakeConnector.js';
import { startHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { cardProblems, edits, install, OTHER_CHANNEL_ID, repliesText, stateOnDisk, watch } from '../support/alertSteps.js';

/** Every round lists the relationships (the default is at most once an hour). */
const EVERY_ROUND: HarnessOptions = { config: { gdapPollMinutes: 0, subscriptionPollMinutes: 60 } };

/** Top-level access cards of a channel about one customer. */
function accessCards(h: Harness, customer: string, channelId = CHANNEL_ID): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === channelId && cardText(cardOf(call)).includes(`GDAP access · ${customer}`));
}

function lastEditText(h: Harness, activityId: string): string {
  return cardText(cardOf(edits(h, activityId).at(-1)));
}

function graphListings(h: Harness): number {
  return h.sim.requests.filter((request) => request.path === '/v1.0/tenantRelationships/delegatedAdminRelationships' && !('$skiptoken' in request.query)).length;
}

describe('GDAP access alerts, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('"watch access all" shows every kind of access alert within the four steps, after a silent baseline', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch access all');
    const baseline = await t.app.engine.sweepNow();
    assert.equal(baseline.delivery.sent, 0, 'the first listing is a baseline: Contoso, 8 days from its end, posts nothing');
    assert.equal(graphListings(t), 1);
    assert.ok(Object.keys((await stateOnDisk(t)).accessSnapshots).length > 20, 'every customer remembered on disk');

    t.sim.scenario.step(); // no GDAP change
    await t.app.engine.sweepNow();
    assert.equal(accessCards(t, SCENARIO_GDAP.ending).length, 0);

    t.sim.scenario.step(); // Contoso 7 days; Northwind without a group; Tailspin stuck 9 days
    await t.app.engine.sweepNow();
    const [contoso] = accessCards(t, SCENARIO_GDAP.ending);
    assert.ok(contoso?.id, 'a card for Contoso');
    const contosoText = cardText(cardOf(contoso));
    assert.match(contosoText, /^Warning · access ends in 7 days\nGDAP access · Contoso\n/);
    assert.match(contosoText, /Severity\nWarning\nAccess ends\n\d{1,2} [A-Z][a-z]{2} \(in 7 days\)/);
    assert.match(contosoText, /Contoso support\nActive · ends \d{1,2} [A-Z][a-z]{2} \(7 days left\) · auto-extend no\nRoles: Global Reader, Helpdesk Administrator, Service Support Administrator, User Administrator\nSecurity groups: [0-9a-f-]{36}/);
    assert.deepEqual(cardProblems(cardOf(contoso)), []);
    assert.deepEqual(buttonsOf(cardOf(contoso)).map((b) => b.title), ['Access', 'Customer', 'Acknowledge', 'Mute 7 days']);
    const link = (cardOf(contoso)?.actions as { type: string; title: string; url?: string }[]).at(-1);
    assert.equal(link?.title, 'Open in Partner Center');
    assert.equal(link?.url, `https://partner.microsoft.com/dashboard/v2/customers/${t.sim.data.customerNamed('Contoso')?.id}/adminrelationships`);

    const [northwind] = accessCards(t, SCENARIO_GDAP.unused);
    assert.match(cardText(cardOf(northwind)), /^Warning · nobody can use a relationship\n[\s\S]*Nobody can use the relationship “Northwind Traders support”: no security group holds its roles\./);
    const [tailspin] = accessCards(t, SCENARIO_GDAP.stuck);
    assert.match(cardText(cardOf(tailspin)), /^Information · stuck approval\n[\s\S]*Tailspin Toys helpdesk\nWaiting for the customer’s approval · no end date yet/);

    t.sim.scenario.step(); // Fabrikam's relationship terminated
    await t.app.engine.sweepNow();
    const [fabrikam] = accessCards(t, SCENARIO_GDAP.terminated);
    assert.ok(fabrikam?.id);
    assert.match(cardText(cardOf(fabrikam)), /^Critical · access lost\nGDAP access · Fabrikam\nThe partner has no active GDAP relationship with Fabrikam: Access lost: the last GDAP relationship “Fabrikam support” was terminated on \d{1,2} [A-Z][a-z]{2}; nothing active is left\./);

    t.sim.scenario.step(); // Fabrikam's new relationship is active
    await t.app.engine.sweepNow();
    assert.equal(accessCards(t, SCENARIO_GDAP.terminated).length, 1, 'access back is an edit of the same card');
    assert.match(lastEditText(t, fabrikam.id), /^Information · access back to normal\n/);
    assert.deepEqual(repliesText(t, CHANNEL_ID, fabrikam.id), [`Fabrikam · GDAP access: Access back: the relationship “Fabrikam renewed” is active until ${dayMonthYear(730)}.`]);
    const threads = Object.values((await stateOnDisk(t)).accessThreads);
    assert.deepEqual(threads.map((thread) => thread.customerName).sort(), ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys']);
    assert.ok(threads.find((thread) => thread.customerName === 'Fabrikam')?.closedAt, 'the lost episode is closed');
    for (const call of t.connector.ok('update')) assert.deepEqual(cardProblems(cardOf(call)), []);

    // The digest gains its section: Contoso's access ends within 30 days.
    const digest = await askForCard(t, 'digest now');
    assert.match(digest.text, /Access ending within 30 days \(1\)\n(?:Access\n)*Ending soon\nContoso\nAccess ends \d{1,2} [A-Z][a-z]{2} \(in 7 days\)/);
  });

  it('an episode is one card per conversation, each with its own thread; acknowledge and mute change only this one', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch access all');
    await watch(t, 'watch access fabrikam', OTHER_CHANNEL_ID);
    await t.app.engine.sweepNow();
    for (let step = 0; step < 3; step++) {
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
    }
    const here = accessCards(t, 'Fabrikam');
    const there = accessCards(t, 'Fabrikam', OTHER_CHANNEL_ID);
    assert.equal(here.length, 1);
    assert.equal(there.length, 1);
    assert.equal(accessCards(t, 'Contoso', OTHER_CHANNEL_ID).length, 0, 'the other channel watches Fabrikam only');
    const card = here[0] as ConnectorCall;
    const acknowledged = await click(t, buttonIn(cardOf(card), 'Acknowledge'), card.id ?? '');
    assert.match(acknowledged.text, /Acknowledged by Ana Bowman at \d\d:\d\d UTC/);
    const muted = await click(t, buttonIn(acknowledged.card, 'Mute 7 days'), card.id ?? '');
    assert.deepEqual(buttonsOf(muted.card).map((b) => b.title), ['Access', 'Customer', 'Unmute']);
    const stored = Object.values((await t.app.store.view({ accessThreads: 'all' })).accessThreads);
    assert.equal(stored.filter((thread) => thread.acknowledgedBy === 'Ana Bowman').length, 1, 'only this conversation’s card');

    t.sim.scenario.step(); // back: both cards edited; the muted one without a reply
    await t.app.engine.sweepNow();
    assert.deepEqual(repliesText(t, CHANNEL_ID, card.id ?? ''), [], 'muted: the card is edited, no reply');
    assert.equal(repliesText(t, OTHER_CHANNEL_ID, there[0]?.id ?? '').length, 1);
    assert.match(lastEditText(t, card.id ?? ''), /^Information · access back to normal/);

    const access = await click(t, buttonIn(muted.card, 'Access'), card.id ?? '');
    assert.match(access.text, /^GDAP access · Fabrikam\n2 relationships · as of/);
    assert.match(access.text, /Fabrikam renewed\nActive · ends/);
    assert.match(access.text, /Fabrikam support\nTerminated/);
  });

  it('a Graph 403 is one notice per watching conversation naming the permission, once, and a line when Graph answers again', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch access all');
    await watch(t, 'watch access contoso', OTHER_CHANNEL_ID);
    const refuse = t.sim.faults.add({ path: '/v1.0/tenantRelationships', status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }, times: 2 });
    await t.app.engine.sweepNow();
    await t.app.engine.sweepNow();
    const notices = t.connector.ok('post').filter((call) => /DelegatedAdminRelationship\.Read\.All/.test(String(call.activity.text)));
    assert.deepEqual(notices.map((call) => call.conversationId.split(';')[0]).sort(), [CHANNEL_ID, OTHER_CHANNEL_ID].sort(), 'once per conversation, over two refused listings');
    assert.equal((await t.app.store.facts('accessSnapshots')).size, 0, 'a refusal changes nothing');
    assert.equal(Object.keys((await t.app.store.view({ accessThreads: 'all' })).accessThreads).length, 0, 'never an alert per customer');
    refuse.remove();
    await t.app.engine.sweepNow();
    const restored = t.connector.ok('post').filter((call) => /lists the GDAP relationships again/.test(String(call.activity.text)));
    assert.equal(restored.length, 2);
    assert.equal(t.app.store.read().accessListing.refusedSince, null);
  });

  it('"exclude fabrikam" leaves Fabrikam out of "watch access all", and "watch access fabrikam" brings it back', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch access all');
    const before = t.connector.calls.length;
    await t.say('exclude fabrikam');
    await t.connector.waitFor((calls) => calls.slice(before).some((call) => /left Fabrikam out of “watch access all” here; “watch access Fabrikam” brings its GDAP access back\./.test(String(call.activity.text))));
    await t.app.engine.sweepNow();
    for (let step = 0; step < 3; step++) t.sim.scenario.step(); // … Fabrikam's relationship is terminated
    await t.app.engine.sweepNow();
    assert.equal(accessCards(t, 'Fabrikam').length, 0, 'left out');
    assert.equal(accessCards(t, 'Contoso').length, 1, 'the others still come');
    await watch(t, 'watch access fabrikam');
    assert.deepEqual(t.app.store.read().watches.find((w) => w.kind === 'access' && w.customerId === null)?.excluded, []);
  });

  it('a listing with a failed page changes nothing: no false "lost"', async () => {
    // More customers than one page of 50 relationships holds.
    const t = (h = await startHarness({ ...EVERY_ROUND, sim: { customerCount: 120 } }));
    await install(t);
    await watch(t, 'watch access all');
    await t.app.engine.sweepNow();
    const before = (await wholeState(t.app.store)).accessSnapshots;
    t.sim.scenario.step();
    t.sim.scenario.step();
    t.sim.faults.add({ path: /delegatedAdminRelationships\?\$skiptoken=/, status: 500, times: 1 });
    await t.app.engine.sweepNow();
    assert.deepEqual((await wholeState(t.app.store)).accessSnapshots, before, 'the second page failed: nothing changed');
    assert.equal(accessCards(t, 'Contoso').length, 0);
    await t.app.engine.sweepNow();
    assert.equal(accessCards(t, 'Contoso').length, 1, 'the next listing finds the change');
  });
});

/** `7 Dec 2028`-style day `days` from now, as a card beyond half a year writes it. */
function dayMonthYear(days: number): string {
  const day = new Date(Date.now() + days * 86_400_000);
  return `${day.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][day.getUTCMonth()]} ${day.getUTCFullYear()}`;
}

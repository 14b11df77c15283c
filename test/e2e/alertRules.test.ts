// Alert rules a support desk can trust, end to end: what a conversation saw when it started watching is
// followed to its resolution, and customers Partner Center refuses to show are told once, not every round.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { buttonIn, buttonsOf, click } from '../support/clicks.js';
import { startHarness, type Harness } from '../support/harness.js';
import { addIncident, incidentCards, install, OTHER_CHANNEL_ID, resolveFor, watch } from '../support/alertSteps.js';

function texts(h: Harness, channelId: string): string[] {
  return h.connector.ok('post').filter((call) => call.conversationId.startsWith(channelId)).map((call) => String(call.activity.text ?? ''));
}

describe('alert rules, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('announces the resolution of an incident the "watch" card showed, but not one the conversation never saw', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    await watch(t, 'watch all', OTHER_CHANNEL_ID);
    await t.app.engine.sweepNow(); // the baseline of "watch all"
    const shown = cardText(cardOf(t.connector.ok('post').find((call) => call.conversationId.startsWith(CHANNEL_ID) && /EX370209/.test(cardText(cardOf(call))))));
    assert.match(shown, /EX370209/, 'the watch confirmation listed it');

    resolveFor(t, 'Contoso', 'EX370209');
    await t.app.engine.sweepNow();
    const cards = incidentCards(t, 'EX370209');
    assert.equal(cards.length, 1, 'the conversation that saw it hears it resolved');
    assert.match(cardText(cardOf(cards[0])), /Resolved|Recovered/);
    assert.equal(incidentCards(t, 'EX370209', OTHER_CHANNEL_ID).length, 0, '"watch all" never saw it open: quiet');
  });

  it('tells "watch all" once which customers refuse access, not in every round, and not as failures', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch all');
    const first = await t.app.engine.sweepNow();
    assert.deepEqual(first.cycle.customersFailed, [], 'a refusal is not a failure');
    assert.equal(first.cycle.customersRefused, 1);
    await t.app.engine.sweepNow();
    const notices = texts(t, CHANNEL_ID).filter((text) => /refuses access/.test(text));
    assert.equal(notices.length, 1, 'one notice over two rounds');
    assert.match(notices[0] ?? '', /^Partner Center refuses access to 1 customer, so “watch all” leaves it out: Former Customer Inc\./);
  });

  it('tells a conversation watching a customer one by one when access stops and when it returns, and nothing between', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    const contoso = t.sim.data.customerNamed('Contoso');
    assert.ok(contoso);
    contoso.noRelationship = true;
    await t.app.engine.sweepNow();
    await t.app.engine.sweepNow();
    const refused = texts(t, CHANNEL_ID).filter((text) => /refused access to Contoso/.test(text));
    assert.equal(refused.length, 1);
    assert.match(refused[0] ?? '', /^Partner Center refused access to Contoso since \d\d:\d\d UTC: check the partner's GDAP roles/);
    assert.ok(t.app.store.read().accessDenied[contoso.id]);

    contoso.noRelationship = false;
    await t.app.engine.sweepNow();
    await t.app.engine.sweepNow();
    const back = texts(t, CHANNEL_ID).filter((text) => /access to Contoso again/.test(text));
    assert.deepEqual(back, ['Partner Center gives access to Contoso again; its alerts resume.']);
    assert.equal(t.app.store.read().accessDenied[contoso.id], undefined);
    assert.equal(texts(t, CHANNEL_ID).filter((text) => /refused access to Contoso/.test(text)).length, 1, 'still one refusal notice');
  });

  it('says "unwatch contoso" under "watch all" does not stop its alerts, and "exclude contoso" does', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch all');
    await t.app.engine.sweepNow();
    const before = t.connector.calls.length;
    assert.equal(await t.say('unwatch contoso'), 200);
    const reply = cardText(cardOf(t.connector.calls.slice(before).find((call) => cardOf(call))));
    assert.match(reply, /Contoso is still covered by “watch all”/);
    assert.match(reply, /exclude Contoso/);

    await t.say('exclude contoso');
    assert.ok(texts(t, CHANNEL_ID).some((text) => /left Contoso out of “watch all” here/.test(text)));
    const before2 = t.connector.calls.length;
    await t.say('watches');
    assert.match(cardText(cardOf(t.connector.calls.slice(before2).find((call) => cardOf(call)))), /Every customer except Contoso/);

    // A new incident for Contoso and one for Fabrikam: only Fabrikam's reaches this conversation.
    addIncident(t, 'Contoso', { id: 'EX555001' });
    addIncident(t, 'Fabrikam', { id: 'EX555002' });
    await t.app.engine.sweepNow();
    assert.equal(incidentCards(t, 'EX555001').length, 0, 'Contoso is left out');
    assert.equal(incidentCards(t, 'EX555002').length, 1, 'the others still come');

    // Watching Contoso on its own brings it back.
    await watch(t, 'watch contoso');
    assert.equal(t.app.store.read().watches.find((w) => w.kind === 'all')?.excluded?.length, 0);
  });

  it('offers the choices as buttons: "Leave Contoso out" answers with the watches card for everyone', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch all');
    const before = t.connector.calls.length;
    await t.say('unwatch contoso');
    const call = t.connector.calls.slice(before).find((c) => cardOf(c));
    const card = cardOf(call);
    assert.deepEqual(buttonsOf(card).map((button) => button.title), ['Leave Contoso out', 'Stop watching all customers', 'Watches']);
    const clicked = await click(t, buttonIn(card, 'Leave Contoso out'), call?.id ?? 'activity-0');
    assert.match(clicked.text, /Every customer except Contoso/);
    assert.deepEqual(t.app.store.read().watches.find((w) => w.kind === 'all')?.excluded?.map((e) => e.name), ['Contoso']);
    // A forged customer id changes nothing.
    const forged = await click(t, { verb: 'watch.exclude', data: { customerId: '99999999-9999-4999-8999-999999999999' } }, call?.id ?? 'activity-0');
    assert.match(forged.text, /Every customer except Contoso/);
    assert.equal(t.app.store.read().watches.find((w) => w.kind === 'all')?.excluded?.length, 1);
  });
});

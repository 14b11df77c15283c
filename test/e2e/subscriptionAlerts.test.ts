// Subscription alerts end to end over real HTTP (simulator, app, fake Bot Connector): the scripted
// scenario's suspension, term end and quantity change as cards, edited in place with thread replies, the
// severity filter, a new episode's new card, the buttons (acknowledge, snooze, refresh), and the budget:
// one subscriptions request per watched customer per round, once every SUBSCRIPTION_POLL_MINUTES.
import assert from 'node:assert/strict';
import { SCENARIO_SUBSCRIPTIONS } from '../../src/sandbox/scenario.js';
import { phaseOf } from '../../src/sources/spread.js';
import { subscriptionItemKey } from '../../src/sources/subscriptions/index.js';
import { CHANNEL_ID } from '../support/activities.js';
import { askForCard, buttonIn, buttonsOf, click, updatesOf } from '../support/clicks.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fakeConnector.js';
import { startHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { cardProblems, customerId, edits, install, OTHER_CHANNEL_ID, repliesText, stateOnDisk, watch } from '../support/alertSteps.js';

/** Every round fetches subscriptions (the default is at most once an hour). */
const EVERY_ROUND: HarnessOptions = { config: { subscriptionPollMinutes: 0 } };

/** The id of the scenario's subscription of a role (suspends, ends, quantity). */
function subscriptionId(h: Harness, role: keyof typeof SCENARIO_SUBSCRIPTIONS): string {
  const { customer, offer } = SCENARIO_SUBSCRIPTIONS[role];
  const found = h.sim.data.subscriptionsOf(customerId(h, customer)).find((s) => s.offerName === offer);
  assert.ok(found, `${customer} has ${offer}`);
  return found.id;
}

/**
 * How a reply names its subscription: customer · subscription, so that it stands alone in a notification,
 * where Teams shows it without its card.
 */
function replySubject(h: Harness, role: keyof typeof SCENARIO_SUBSCRIPTIONS): string {
  const { customer } = SCENARIO_SUBSCRIPTIONS[role];
  const found = h.sim.data.subscriptionsOf(customerId(h, customer)).find((s) => s.id === subscriptionId(h, role));
  return `${customer} · ${found?.friendlyName || found?.offerName}`;
}

/** Top-level cards of a channel about one subscription (its id is on the card). */
function subscriptionCards(h: Harness, id: string, channelId = CHANNEL_ID): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === channelId && cardText(cardOf(call)).includes(id));
}

function lastEditText(h: Harness, activityId: string): string {
  return cardText(cardOf(edits(h, activityId).at(-1)));
}

/** Subscription requests the simulator answered for a customer. */
function subscriptionFetches(h: Harness, id: string): number {
  return h.sim.requests.filter((request) => request.path.endsWith(`/customers/${id}/subscriptions`)).length;
}

describe('subscription alerts, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('"watch subscriptions all" shows the scenario\'s suspension, term end and quantity change, edited in place with replies', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch subscriptions all');
    const baseline = await t.app.engine.sweepNow();
    assert.equal(baseline.delivery.sent, 0, 'the first fetch is a baseline');
    assert.match(JSON.stringify(baseline.cycle.sources), /"subscription list"/);
    const [suspends, ends, quantity] = [subscriptionId(t, 'suspends'), subscriptionId(t, 'ends'), subscriptionId(t, 'quantity')];

    t.sim.scenario.step(); // Fabrikam's Business Premium is suspended
    await t.app.engine.sweepNow();
    const [suspended] = subscriptionCards(t, suspends);
    assert.ok(suspended?.id, 'a card for the suspension');
    const suspendedText = cardText(cardOf(suspended));
    assert.match(suspendedText, /^Critical · subscription suspended\nMicrosoft 365 Business Premium · Fabrikam\nMicrosoft 365 Business Premium for Fabrikam \(120 licenses\) is suspended \(CreditCheck\)\./);
    assert.match(suspendedText, /Customer\nFabrikam\nOffer\nMicrosoft 365 Business Premium\nQuantity\n120 licenses\nStatus\nSuspended \(CreditCheck\)\nTerm\n.+ term, billed .+\nTerm ends\n/);
    assert.deepEqual(cardProblems(cardOf(suspended)), [], 'the card parses without a warning');
    assert.deepEqual(buttonsOf(cardOf(suspended)).map((b) => b.title), ['Subscriptions', 'Customer', 'Acknowledge', 'Mute 7 days', 'Refresh']);
    assert.ok((cardOf(suspended)?.actions as { fallback?: { type: string } }[]).every((action) => action.fallback?.type === 'Action.Submit'));

    t.sim.scenario.step(); // Contoso's E3 ends in 20 days without auto-renew; Intune 100 → 110
    await t.app.engine.sweepNow();
    const [ending] = subscriptionCards(t, ends);
    assert.ok(ending?.id);
    assert.match(cardText(cardOf(ending)), /^Information · subscription ends in 20 days\nMicrosoft 365 E3[^\n·]* · Contoso\nMicrosoft 365 E3[^\n]* for Contoso \(250 licenses\) ends on \d{1,2} [A-Z][a-z]{2} and will not renew\./);
    const [changed] = subscriptionCards(t, quantity);
    assert.match(cardText(cardOf(changed)), /Quantity changed[\s\S]*Quantity 100 → 110 licenses\./);

    t.sim.scenario.step(); // the E3 now ends in 5 days
    await t.app.engine.sweepNow();
    assert.equal(subscriptionCards(t, ends).length, 1, 'the same card, edited');
    assert.match(lastEditText(t, ending.id), /^Warning · subscription ends in 5 days/);
    const endDate = t.sim.data.subscriptionsOf(customerId(t, 'Contoso')).find((s) => s.id === ends)?.commitmentEndDate ?? '';
    assert.deepEqual(repliesText(t, CHANNEL_ID, ending.id), [`${replySubject(t, 'ends')}: The term ends in 5 days (${dayMonth(endDate)}) and will not renew.`]);

    t.sim.scenario.step(); // the suspension ends, auto-renew is on again
    await t.app.engine.sweepNow();
    assert.match(lastEditText(t, suspended.id), /^Back to normal\n/);
    assert.deepEqual(repliesText(t, CHANNEL_ID, suspended.id), [`${replySubject(t, 'suspends')}: Active again.`]);
    assert.deepEqual(repliesText(t, CHANNEL_ID, ending.id).at(-1), `${replySubject(t, 'ends')}: Auto-renew turned on.`);
    assert.equal(subscriptionCards(t, quantity).length, 1, 'a quantity change is one card');
    for (const call of t.connector.ok('update')) assert.deepEqual(cardProblems(cardOf(call)), []);

    const before = t.connector.calls.length;
    await t.say('watches');
    await t.connector.waitFor((calls) => calls.slice(before).some((call) => cardOf(call)));
    const watches = cardText(cardOf(t.connector.calls.slice(before).find((call) => cardOf(call))));
    assert.match(watches, /Subscriptions: \nEvery customer\nEvery severity · suspensions, expiry, quantity and trials/);
    assert.match(watches, /unwatch subscriptions all/);
  });

  it('a new episode after recovery gets a new card', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch subscriptions fabrikam');
    const suspends = subscriptionId(t, 'suspends');
    for (let step = 0; step < 4; step++) {
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
    }
    assert.equal(subscriptionCards(t, suspends).length, 1);
    t.sim.scenario.step(); // the next round suspends it again
    await t.app.engine.sweepNow();
    const cards = subscriptionCards(t, suspends);
    assert.equal(cards.length, 2, 'a second card for the second episode');
    assert.match(cardText(cardOf(cards[1])), /^Critical · subscription suspended/);
    const threads = Object.values((await t.app.store.view({ subscriptionThreads: 'all' })).subscriptionThreads).filter((thread) => thread.subscriptionId === suspends);
    assert.deepEqual(threads.map((thread) => thread.episode).sort(), [1, 2]);
  });

  it('"exclude fabrikam" leaves Fabrikam out of "watch subscriptions all" too, says so, and a later "all" watch keeps it out', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch all');
    const exclude = async (command: string): Promise<string> => {
      const before = t.connector.calls.length;
      assert.equal(await t.say(command), 200);
      await t.connector.waitFor((calls) => calls.slice(before).some((call) => /left .* out of/.test(String(call.activity.text))));
      return t.connector.calls.slice(before).map((call) => String(call.activity.text ?? '')).join('\n');
    };
    await exclude('exclude fabrikam');
    await watch(t, 'watch subscriptions all');
    const answer = await exclude('exclude northwind traders');
    assert.match(answer, /left Northwind Traders out of “watch all” and “watch subscriptions all” here: neither its incidents nor its subscriptions are alerted/);
    const watches = t.app.store.read().watches;
    for (const kind of ['all', 'subscriptions'] as const) {
      assert.deepEqual(watches.find((w) => w.kind === kind)?.excluded?.map((e) => e.name), ['Fabrikam', 'Northwind Traders'], kind);
    }
    const list = await askForCard(t, 'watches');
    assert.equal(list.text.match(/Every customer except Fabrikam, Northwind Traders/g)?.length, 2, list.text);

    await t.app.engine.sweepNow();
    const [suspends, ends] = [subscriptionId(t, 'suspends'), subscriptionId(t, 'ends')];
    t.sim.scenario.step(); // Fabrikam's Business Premium is suspended: left out
    await t.app.engine.sweepNow();
    t.sim.scenario.step(); // Contoso's E3 nears its end: still watched
    await t.app.engine.sweepNow();
    assert.equal(subscriptionCards(t, suspends).length, 0, 'Fabrikam is excluded');
    assert.equal(subscriptionCards(t, ends).length, 1, 'the other customers still come');
  });

  it('"severity warning" leaves out information; a card once posted follows its episode to the end', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch subscriptions all severity warning');
    assert.equal(t.app.store.read().watches[0]?.minSeverity, 'warning');
    await t.app.engine.sweepNow();
    const [suspends, ends, quantity] = [subscriptionId(t, 'suspends'), subscriptionId(t, 'ends'), subscriptionId(t, 'quantity')];
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.equal(subscriptionCards(t, suspends).length, 1, 'critical');
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.equal(subscriptionCards(t, ends).length, 0, 'ending in 20 days is information');
    assert.equal(subscriptionCards(t, quantity).length, 0, 'a quantity change is information');
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    const [ending] = subscriptionCards(t, ends);
    assert.ok(ending?.id, 'ending in 5 days is a warning');
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.deepEqual(repliesText(t, CHANNEL_ID, ending.id), [`${replySubject(t, 'ends')}: Auto-renew turned on.`], 'its end reaches the card, though it is information');
  });

  it('acknowledge, snooze 7 days (the card is edited, the reply held), unmute and refresh', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch subscriptions contoso');
    const ends = subscriptionId(t, 'ends');
    t.sim.scenario.step();
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    const [card] = subscriptionCards(t, ends);
    assert.ok(card?.id);

    const acknowledged = await click(t, buttonIn(cardOf(card), 'Acknowledge'), card.id);
    assert.match(acknowledged.text, /Acknowledged by Ana Bowman at \d\d:\d\d UTC/);
    const muted = await click(t, buttonIn(acknowledged.card, 'Mute 7 days'), card.id);
    assert.match(muted.text, /Muted by Ana Bowman until \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC/);
    assert.deepEqual(buttonsOf(muted.card).map((b) => b.title), ['Subscriptions', 'Customer', 'Unmute', 'Refresh']);
    assert.equal(updatesOf(t, card.id).length, 2, 'both clicks replaced the card for everyone');
    const thread = Object.values((await t.app.store.view({ subscriptionThreads: 'all' })).subscriptionThreads).find((th) => th.subscriptionId === ends);
    assert.equal(thread?.acknowledgedBy, 'Ana Bowman');
    assert.ok(Date.parse(thread?.mutedUntil ?? '') - Date.now() > 6.9 * 86_400_000);

    t.sim.scenario.step(); // 5 days left: while snoozed the card is edited, without a reply
    await t.app.engine.sweepNow();
    assert.match(lastEditText(t, card.id), /^Warning · subscription ends in 5 days/);
    assert.match(lastEditText(t, card.id), /Muted by Ana Bowman/);
    assert.deepEqual(repliesText(t, CHANNEL_ID, card.id), []);

    const unmuted = await click(t, buttonIn(muted.card, 'Unmute'), card.id);
    assert.doesNotMatch(unmuted.text, /Muted by/);
    t.sim.scenario.step(); // auto-renew on again: a reply now
    await t.app.engine.sweepNow();
    assert.deepEqual(repliesText(t, CHANNEL_ID, card.id), [`${replySubject(t, 'ends')}: Auto-renew turned on.`]);

    // Refresh shows the subscription as Partner Center has it now, to the clicker only.
    const editsBefore = updatesOf(t, card.id).length;
    const refreshed = await click(t, buttonIn(unmuted.card, 'Refresh'), card.id);
    assert.match(refreshed.text, /auto-renew on/);
    assert.equal(updatesOf(t, card.id).length, editsBefore, 'a refresh changes nothing for the others');
  });

  it('"Watch subscriptions here" on the overview and subscriptions cards watches, and "Stop watching subscriptions" stops', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    const before = t.connector.calls.length;
    assert.equal(await t.say('subscriptions for contoso'), 200);
    await t.connector.waitFor((calls) => calls.slice(before).some((call) => cardOf(call)));
    const list = t.connector.calls.slice(before).find((call) => cardOf(call));
    assert.ok(list?.id);
    const watched = await click(t, buttonIn(cardOf(list), 'Watch subscriptions here'), list.id);
    assert.match(watched.text, /Subscriptions of Contoso/);
    const contoso = customerId(t, 'Contoso');
    const stored = t.app.store.read().watches.find((w) => w.kind === 'subscriptions');
    assert.equal(stored?.customerId, contoso);
    assert.ok((await t.app.store.facts('subscriptionSnapshots')).has(contoso), 'the watch has its baseline');
    assert.equal(updatesOf(t, list.id).length, 1, 'the card was replaced for everyone');

    const stopped = await click(t, buttonIn(watched.card, 'Stop watching subscriptions'), list.id);
    assert.ok(buttonsOf(stopped.card).some((b) => b.title === 'Watch subscriptions here'));
    assert.equal(t.app.store.read().watches.length, 0);

    // From the customer overview: the overview comes back, for everyone, with the button turned round.
    const overview = await click(t, buttonIn(stopped.card, 'Customer'), list.id);
    const fromOverview = await click(t, buttonIn(overview.card, 'Watch subscriptions here'), list.id);
    assert.match(fromOverview.text, /^Contoso\nCustomer overview/);
    assert.deepEqual(buttonsOf(fromOverview.card).map((b) => b.title), ['Incidents', 'Subscriptions', 'Watch here', 'Stop watching subscriptions', 'Refresh']);
    assert.equal(t.app.store.read().watches.find((w) => w.kind === 'subscriptions')?.customerId, contoso);
    assert.equal(updatesOf(t, list.id).length, 3);
  });

  it('"unwatch subscriptions" removes the watch; incident watches and routing ignore subscription watches', async () => {
    const t = (h = await startHarness(EVERY_ROUND));
    await install(t);
    await watch(t, 'watch subscriptions contoso');
    const { incidentId } = t.sim.scenario.step(); // an incident opens for Contoso too
    await t.app.engine.sweepNow();
    assert.equal(t.connector.ok('post').filter((call) => cardText(cardOf(call)).includes(incidentId)).length, 0, 'no incident card');
    assert.deepEqual([...(await t.app.store.facts('incidentSnapshots')).keys()], [], 'no incidents fetched for it');

    const before = t.connector.calls.length;
    await t.say('unwatch subscriptions contoso');
    await t.connector.waitFor((calls) => calls.slice(before).some((call) => /stopped watching the subscriptions of Contoso/.test(String(call.activity.text))));
    assert.equal(t.app.store.read().watches.length, 0);
  });

  it('spends one subscriptions request per watched customer per round, once every SUBSCRIPTION_POLL_MINUTES', async () => {
    // Each customer comes due at its own moment of the hour: the app's clock starts where none comes due for
    // a while, so "not again within the hour" holds whenever the test runs.
    const offset = { ms: 0 };
    const clock = { now: () => Date.now() + offset.ms, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5))) };
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 60 }, app: { clock } }));
    offset.ms = offsetToQuietStretch(t, 3_600_000, 300_000);
    await install(t);
    await watch(t, 'watch subscriptions contoso');
    await watch(t, 'watch subscriptions contoso', OTHER_CHANNEL_ID);
    await watch(t, 'watch subscriptions all', OTHER_CHANNEL_ID);
    const contoso = customerId(t, 'Contoso');
    const fabrikam = customerId(t, 'Fabrikam');
    assert.equal(subscriptionFetches(t, contoso), 2, 'each "watch" read them once, for its baseline and its answer');

    await t.app.engine.sweepNow();
    assert.equal(subscriptionFetches(t, contoso), 2, 'Contoso was fetched under an hour ago: not in this round');
    assert.equal(subscriptionFetches(t, fabrikam), 1, 'every other customer once ("watch subscriptions all")');
    await t.app.engine.sweepNow();
    assert.equal(subscriptionFetches(t, fabrikam), 1, 'not again within the hour');

    // An hour later every customer is due again: once each, however many watches cover it.
    await t.app.store.update((state) => {
      for (const snapshot of Object.values(state.subscriptionSnapshots)) snapshot.fetchedAt = new Date(clock.now() - 3_600_000).toISOString();
    }, { load: { subscriptionSnapshots: 'all' } });
    const round = await t.app.engine.sweepNow();
    assert.equal(subscriptionFetches(t, contoso), 3);
    assert.equal(subscriptionFetches(t, fabrikam), 2);
    const counts = round.cycle.sources?.subscriptions;
    assert.equal((counts?.fetched ?? 0) + (counts?.refused ?? 0), t.sim.data.customers.length);
    assert.equal(round.cycle.customersFetched, 0, 'no incidents: nobody watches them');
    assert.deepEqual(Object.keys((await stateOnDisk(t)).subscriptionSnapshots).length, t.sim.data.customers.length - (counts?.refused ?? 0));
  });
});

/**
 * How far to move the app's clock so that it stands at the start of the longest stretch of the period in which
 * no customer's subscriptions come due (spread.ts), and that stretch is at least `quietMs` long.
 */
function offsetToQuietStretch(h: Harness, periodMs: number, quietMs: number): number {
  const phases = h.sim.data.customers.map((customer) => phaseOf(subscriptionItemKey(customer.id), periodMs)).sort((a, b) => a - b);
  let start = 0;
  let longest = 0;
  phases.forEach((phase, i) => {
    const next = phases[i + 1] ?? (phases[0] ?? 0) + periodMs;
    if (next - phase > longest) [start, longest] = [phase, next - phase];
  });
  assert.ok(longest >= quietMs, `no stretch of ${quietMs} ms without a customer coming due`);
  const at = Date.now() % periodMs;
  return (((start + 1_000 - at) % periodMs) + periodMs) % periodMs;
}

/** `14 Dec` for an ISO date-time, as the cards write it. */
function dayMonth(iso: string): string {
  const day = new Date(iso);
  return `${day.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][day.getUTCMonth()]}`;
}

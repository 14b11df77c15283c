import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { CHANNEL_ID, installationUpdate, sendToBot } from '../support/activities.js';

const incidentCards = (h: Harness, incidentId: string) =>
  h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(incidentId));

describe('proactive alerts end to end (watch → poll → card, edits and thread replies)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('posts one card for a new incident, then edits it and replies in its thread for each change', async () => {
    // Install into the team's Incidents channel: a welcome card arrives there.
    const install = await sendToBot(h.app.url, installationUpdate('add', { serviceUrl: h.connector.url }));
    assert.equal(install.status, 200);
    await h.connector.waitFor((calls) => calls.some((call) => call.conversationId === CHANNEL_ID && /watch/i.test(cardText(cardOf(call)))));

    assert.equal(await h.say('watch contoso'), 200);
    await h.connector.waitFor((calls) => calls.some((call) => /now watches Contoso here/.test(String(call.activity.text))));

    const opened = h.sim.scenario.step();
    const incidentId = opened.incidentId;
    const first = await h.app.engine.sweepNow();
    assert.equal(first.cycle.customersFailed.length, 0);
    assert.equal(first.delivery.sent, 1);
    const [card] = incidentCards(h, incidentId);
    assert.ok(card, 'the incident card was posted to the channel');
    assert.match(cardText(cardOf(card)), /Contoso/);
    assert.match(cardText(cardOf(card)), /Critical/i);
    // Only Contoso is watched: the other affected customers are not on the card.
    assert.doesNotMatch(cardText(cardOf(card)), /Fabrikam/);

    for (let step = 2; step <= 4; step++) {
      h.sim.scenario.step();
      const result = await h.app.engine.sweepNow();
      assert.equal(result.delivery.sent, 1, `step ${step}: one delivery`);
    }

    // Exactly one card for the incident, edited three times, three replies in its thread.
    assert.equal(incidentCards(h, incidentId).length, 1);
    const rootId = card.id ?? '';
    const updates = h.connector.ok('update').filter((call) => call.activityId === rootId);
    assert.equal(updates.length, 3);
    const replies = h.connector.threadReplies(CHANNEL_ID, rootId);
    assert.equal(replies.length, 3);
    assert.match(String(replies[0]?.activity.text), /Update for Contoso/);
    assert.match(String(replies[1]?.activity.text), /severity critical → warning/);
    assert.match(String(replies[2]?.activity.text), /Resolved for Contoso/);
    assert.match(cardText(cardOf(updates[2])), /Resolved/);
  });

  it('is quiet when nothing changed, and the first fetch after watching is only a baseline', async () => {
    await h.say('watch contoso');
    await h.connector.waitFor((calls) => calls.length >= 2);
    const before = h.connector.calls.length;
    const result = await h.app.engine.sweepNow();
    assert.equal(result.cycle.events, 0);
    assert.equal(result.delivery.sent, 0);
    assert.equal(h.connector.calls.length, before);
  });

  it('answers "poll now" at once, then posts the summary in the same conversation when the round ends', async () => {
    await h.say('watch contoso');
    h.sim.scenario.step();
    const before = h.connector.calls.length;
    await h.say('poll now');
    const texts = () => h.connector.calls.slice(before).map((call) => String(call.activity.text ?? ''));
    await h.connector.waitFor(() => texts().some((text) => /Check finished/.test(text)));
    const answer = texts().findIndex((text) => /^Checking 1 customer; under a minute at the current budget/.test(text));
    const summary = texts().findIndex((text) => /Check finished/.test(text));
    assert.ok(answer >= 0, `the immediate answer: ${JSON.stringify(texts())}`);
    assert.ok(answer < summary, 'the answer comes first, the summary after the round');
    assert.match(texts()[summary] ?? '', /1 customer and 0 orders/);
    assert.match(texts()[summary] ?? '', /1 change found, 1 alert sent or on the way/);
    assert.equal(h.connector.calls.slice(before).filter((call) => /Check finished/.test(String(call.activity.text))).length, 1, 'one summary');
  });

  it('posts the summary of a "poll now" asked in a channel in the thread where it was asked, not as a new post', async () => {
    await h.say('watch contoso');
    const before = h.connector.calls.length;
    await h.say('poll now');
    const calls = () => h.connector.calls.slice(before);
    await h.connector.waitFor(() => calls().some((call) => /Check finished/.test(String(call.activity.text))));
    const answer = calls().find((call) => /^Checking 1 customer/.test(String(call.activity.text)));
    const summary = calls().find((call) => /Check finished/.test(String(call.activity.text)));
    assert.match(answer?.conversationId ?? '', new RegExp(`^${CHANNEL_ID};messageid=.+`), 'the answer is in the command’s thread');
    assert.equal(summary?.conversationId, answer?.conversationId, 'the summary follows in that same thread');
  });

  it('answers "poll now" with nothing watched in a personal chat once: no "Check finished: 0 customers" after it', async () => {
    const personal = { conversation: 'personal' as const };
    await h.say('help', personal); // the bot learns the personal chat
    const before = h.connector.calls.length;
    await h.say('poll now', personal);
    await h.connector.waitFor(() => h.connector.calls.length > before);
    await h.app.engine.sweepNow(); // a round, and every delivery it queued, to its end
    const texts = h.connector.calls.slice(before).map((call) => String(call.activity.text ?? ''));
    assert.deepEqual(texts, ['Nothing is watched yet, so there is nothing to check. Try “watch contoso”.']);
  });
});

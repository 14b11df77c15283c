// Restart safety of subscription alerts, as test/e2e/alertRestart.test.ts checks incident alerts: the app is
// stopped at a bad moment (Teams down, the record write or the batch write never made) and a new one starts
// on the same state file. No alert is lost, none is doubled beyond the one in flight at the stop.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { wholeState } from '../../src/store/paged.js';
import { SCENARIO_SUBSCRIPTIONS } from '../../src/sandbox/scenario.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { crashBefore, customerId, edits, install, stateOnDisk, watch } from '../support/alertSteps.js';


function suspendedId(h: Harness): string {
  const { customer, offer } = SCENARIO_SUBSCRIPTIONS.suspends;
  const found = h.sim.data.subscriptionsOf(customerId(h, customer)).find((s) => s.offerName === offer);
  assert.ok(found);
  return found.id;
}

function cardsOf(h: Harness, subscriptionId: string): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(subscriptionId));
}

describe('subscription alerts across restarts', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    sinon.restore();
    await h?.close();
    h = undefined;
  });

  it('(a) stopped between "queued" and "sent": the next app sends the queued card exactly once', async () => {
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch subscriptions all');
    await t.app.engine.sweepNow();
    t.sim.scenario.step();
    t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 503, code: 'ServiceUnavailable', times: 4 });
    assert.deepEqual((await t.app.engine.sweepNow()).delivery, { sent: 0, deferred: 1, dropped: 0 });
    const queued = (await stateOnDisk(t)).outbox;
    assert.deepEqual(queued.map((delivery) => delivery.kind), ['subscription']);

    const app = await t.restart();
    await app.store.update((state) => {
      for (const delivery of state.outbox) delivery.notBefore = new Date(Date.now() - 1000).toISOString();
    });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    assert.equal((await app.engine.sweepNow()).delivery.sent, 0, 'nothing new: the snapshot was written with the outbox');
    const cards = cardsOf(t, suspendedId(t));
    assert.equal(cards.length, 1, 'exactly one card');
    const disk = await stateOnDisk(t);
    assert.deepEqual(disk.outbox, []);
    assert.ok(disk.deliveryLog[queued[0]?.id ?? '']);
    assert.equal(Object.values(disk.subscriptionThreads)[0]?.activityId, cards[0]?.id);
  });

  it('(b) stopped between "sent" and "recorded": the card is repeated once, and later edits go to the recorded one', async () => {
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch subscriptions fabrikam');
    t.sim.scenario.step();
    const crash = crashBefore(t.app.store, (before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    assert.ok(crash.seen.length >= 1);
    const id = suspendedId(t);
    assert.equal(cardsOf(t, id).length, 1, 'the card went out before the stop, once');
    assert.equal((await stateOnDisk(t)).outbox.length, 1, 'but the file still has it queued');
    crash.stub.restore();

    const app = await t.restart();
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    const cards = cardsOf(t, id);
    assert.equal(cards.length, 2, 'one duplicate: the delivery in flight at the stop');
    for (let step = 0; step < 3; step++) t.sim.scenario.step(); // … until it is active again
    assert.equal((await app.engine.sweepNow()).delivery.sent, 1);
    assert.equal(edits(t, cards[1]?.id ?? '').length, 1, 'the recorded card is edited');
    assert.equal(edits(t, cards[0]?.id ?? '').length, 0);
    assert.equal(cardsOf(t, id).length, 2, 'no third card');
  });

  it('(c) a batch fetched again after a stop before its write queues the same delivery, once', async () => {
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch subscriptions fabrikam');
    const baseline = (await wholeState(t.app.store)).subscriptionSnapshots;
    t.sim.scenario.step();
    const crash = crashBefore(t.app.store, (before, after) => JSON.stringify(after.subscriptionSnapshots) !== JSON.stringify(before.subscriptionSnapshots));
    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    const wouldHaveQueued = crash.seen[0]?.outbox.map((delivery) => delivery.id) ?? [];
    assert.equal(wouldHaveQueued.length, 1);
    const onDisk = await stateOnDisk(t);
    assert.deepEqual(onDisk.outbox, []);
    assert.deepEqual(onDisk.subscriptionSnapshots, baseline, 'nothing of the batch was written');
    assert.ok(onDisk.sweep.roundId, 'the round is still open: the next start resumes it');
    crash.stub.restore();

    const app = await t.restart();
    const rerun = await app.engine.sweepNow();
    assert.equal(rerun.cycle.events, 1);
    assert.equal(rerun.delivery.sent, 1);
    assert.deepEqual(Object.keys((await stateOnDisk(t)).deliveryLog), wouldHaveQueued, 'same event ids → same delivery ids');

    // The same change once more (as if the snapshot write were lost again): the delivery log dedups it.
    await app.store.update((state) => {
      state.subscriptionSnapshots = structuredClone(baseline);
    }, { load: { subscriptionSnapshots: 'keys' } });
    const again = await app.engine.sweepNow();
    assert.equal(again.cycle.events, 1);
    assert.equal(again.cycle.deliveriesQueued, 0);
    assert.equal(cardsOf(t, suspendedId(t)).length, 1, 'one card in all');
  });
});

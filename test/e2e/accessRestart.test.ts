// Restart safety of access alerts, as test/e2e/subscriptionRestart.test.ts checks subscription alerts: the
// app is stopped at a bad moment (Teams down, the record write or the batch write never made) and a new one
// starts on the same state. No alert is lost, none is doubled beyond the one in flight at the stop.
import assert from 'node:assert/strict';
import { wholeState } from '../../src/store/paged.js';
import sinon from 'sinon';
import { SCENARIO_GDAP } from '../../src/sandbox/simGdap.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { crashBefore, edits, install, stateOnDisk, watch } from '../support/alertSteps.js';


function fabrikamCards(h: Harness): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(`GDAP access · ${SCENARIO_GDAP.terminated}`));
}

/** "watch access fabrikam", its baseline listing, then the scenario up to Fabrikam's loss (step 3). */
async function untilLost(t: Harness): Promise<void> {
  await install(t);
  await watch(t, 'watch access fabrikam');
  await t.app.engine.sweepNow();
  for (let step = 0; step < 3; step++) t.sim.scenario.step();
}

describe('access alerts across restarts', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    sinon.restore();
    await h?.close();
    h = undefined;
  });

  it('(a) stopped between "queued" and "sent": the next app sends the queued card exactly once', async () => {
    const t = (h = await startHarness({ config: { gdapPollMinutes: 0 } }));
    await untilLost(t);
    t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 503, code: 'ServiceUnavailable', times: 4 });
    assert.deepEqual((await t.app.engine.sweepNow()).delivery, { sent: 0, deferred: 1, dropped: 0 });
    const queued = (await stateOnDisk(t)).outbox;
    assert.deepEqual(queued.map((delivery) => delivery.kind), ['access']);

    const app = await t.restart();
    await app.store.update((state) => {
      for (const delivery of state.outbox) delivery.notBefore = new Date(Date.now() - 1000).toISOString();
    });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    assert.equal((await app.engine.sweepNow()).delivery.sent, 0, 'nothing new: the snapshots were written with the outbox');
    const cards = fabrikamCards(t);
    assert.equal(cards.length, 1, 'exactly one card');
    const disk = await stateOnDisk(t);
    assert.deepEqual(disk.outbox, []);
    assert.ok(disk.deliveryLog[queued[0]?.id ?? '']);
    assert.equal(Object.values(disk.accessThreads)[0]?.activityId, cards[0]?.id);
  });

  it('(b) stopped between "sent" and "recorded": the card is repeated once, and later edits go to the recorded one', async () => {
    const t = (h = await startHarness({ config: { gdapPollMinutes: 0 } }));
    await untilLost(t);
    const crash = crashBefore(t.app.store, (before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    assert.ok(crash.seen.length >= 1);
    assert.equal(fabrikamCards(t).length, 1, 'the card went out before the stop, once');
    assert.equal((await stateOnDisk(t)).outbox.length, 1, 'but the state still has it queued');
    crash.stub.restore();

    const app = await t.restart();
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    const cards = fabrikamCards(t);
    assert.equal(cards.length, 2, 'one duplicate: the delivery in flight at the stop');
    t.sim.scenario.step(); // Fabrikam's new relationship is active: access back
    assert.equal((await app.engine.sweepNow()).delivery.sent, 1);
    assert.equal(edits(t, cards[1]?.id ?? '').length, 1, 'the recorded card is edited');
    assert.equal(edits(t, cards[0]?.id ?? '').length, 0);
    assert.equal(fabrikamCards(t).length, 2, 'no third card');
  });

  it('(c) a listing ingested again after a stop before its write queues the same delivery, once', async () => {
    const t = (h = await startHarness({ config: { gdapPollMinutes: 0 } }));
    await untilLost(t);
    const baseline = (await wholeState(t.app.store)).accessSnapshots;
    const crash = crashBefore(t.app.store, (before, after) => JSON.stringify(after.accessSnapshots) !== JSON.stringify(before.accessSnapshots));
    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    const wouldHaveQueued = crash.seen[0]?.outbox.map((delivery) => delivery.id) ?? [];
    assert.equal(wouldHaveQueued.length, 1);
    const onDisk = await stateOnDisk(t);
    assert.deepEqual(onDisk.outbox, []);
    assert.deepEqual(onDisk.accessSnapshots, baseline, 'nothing of the batch was written');
    assert.ok(onDisk.sweep.roundId, 'the round is still open: the next start resumes it');
    crash.stub.restore();

    const app = await t.restart();
    const rerun = await app.engine.sweepNow();
    assert.equal(rerun.cycle.events, 4, 'Contoso, Northwind, Tailspin and Fabrikam changed; only Fabrikam is watched');
    assert.equal(rerun.delivery.sent, 1);
    assert.deepEqual(Object.keys((await stateOnDisk(t)).deliveryLog), wouldHaveQueued, 'same event ids → same delivery ids');

    // The same listing once more (as if the snapshot write were lost again): the delivery log dedups it.
    await app.store.update((state) => {
      state.accessSnapshots = structuredClone(baseline);
    }, { load: { accessSnapshots: 'keys' } });
    const again = await app.engine.sweepNow();
    assert.equal(again.cycle.events, 4);
    assert.equal(again.cycle.deliveriesQueued, 0);
    assert.equal(fabrikamCards(t).length, 1, 'one card in all');
  });
});

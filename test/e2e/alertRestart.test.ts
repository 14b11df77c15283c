// Restart safety of the alert pipeline, end to end: each test stops the app at a bad moment and starts a
// new one on the same state file (h.restart()), then checks what the channel sees and what the file holds.
//
// How the stops are made: (a) the connector fails every post, so the delivery stays queued in the file;
// (b) and (c) a sinon stub on the store's `update` throws instead of making the one write that would have
// followed (the delivery's record, or the cycle's single write), which leaves the file exactly as a process
// killed at that moment would: nothing after the last durable write exists. No child process is killed.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sinon from 'sinon';
import { wholeState } from '../../src/store/paged.js';
import { startHarness, type Harness } from '../support/harness.js';
import { CHANNEL_ID } from '../support/activities.js';
import { StateFileError, type IncidentThread } from '../../src/store/state.js';
import { crashBefore, customerId, edits, incidentCards, install, stateOnDisk, watch } from '../support/alertSteps.js';

const DAY_MS = 24 * 3_600_000;


describe('proactive alerts across restarts', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    sinon.restore();
    await h?.close();
    h = undefined;
  });

  it('(a) stopped between "queued" and "sent": the next app sends the queued card exactly once', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    const { incidentId } = t.sim.scenario.step();
    // Teams is down for the whole run: the first attempt and the 3 in-run retries all get 503.
    t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 503, code: 'ServiceUnavailable', times: 4 });
    const first = await t.app.engine.sweepNow();
    assert.deepEqual(first.delivery, { sent: 0, deferred: 1, dropped: 0 });
    const queued = (await stateOnDisk(t)).outbox;
    assert.equal(queued.length, 1);

    const app = await t.restart();
    assert.deepEqual(app.store.read().outbox.map((delivery) => delivery.id), queued.map((delivery) => delivery.id));
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 0, deferred: 0, dropped: 0 }, 'not due before notBefore');
    await app.store.update((state) => {
      for (const delivery of state.outbox) delivery.notBefore = new Date(Date.now() - 1000).toISOString();
    });

    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    assert.equal((await app.engine.sweepNow()).delivery.sent, 0);
    const cards = incidentCards(t, incidentId);
    assert.equal(cards.length, 1, 'exactly one card');
    const disk = await stateOnDisk(t);
    assert.deepEqual(disk.outbox, []);
    assert.ok(disk.deliveryLog[queued[0]?.id ?? '']);
    assert.equal(disk.threads[`${CHANNEL_ID}|${incidentId}`]?.activityId, cards[0]?.id);
  });

  it('(b) stopped between "sent" and "recorded": the card is repeated once after the restart, never more', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    const { incidentId } = t.sim.scenario.step();
    // The write that records a sent delivery is the one that adds to the delivery log.
    const crash = crashBefore(t.app.store, (before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);

    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    assert.ok(crash.seen.length >= 1, 'only the record is tried again, never the send');
    assert.equal(incidentCards(t, incidentId).length, 1, 'the card went out before the stop, once');
    const onDisk = await stateOnDisk(t);
    assert.equal(onDisk.outbox.length, 1, 'but the file still has it queued');
    assert.deepEqual(onDisk.deliveryLog, {});
    crash.stub.restore();

    const app = await t.restart();
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(await app.delivery.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    // At-least-once: Teams has no idempotency key for a proactive post, so the card that was in flight
    // when the process stopped is posted again: exactly one duplicate, then the log holds it.
    const cards = incidentCards(t, incidentId);
    assert.equal(cards.length, 2, 'one duplicate');
    const disk = await stateOnDisk(t);
    assert.deepEqual(disk.outbox, []);
    assert.equal(disk.threads[`${CHANNEL_ID}|${incidentId}`]?.activityId, cards[1]?.id, 'later edits go to the card that was recorded');

    t.sim.scenario.step();
    assert.equal((await app.engine.sweepNow()).delivery.sent, 1);
    assert.equal(edits(t, cards[1]?.id ?? '').length, 1);
    assert.equal(edits(t, cards[0]?.id ?? '').length, 0);
    assert.equal(incidentCards(t, incidentId).length, 2, 'no third card');
  });

  it('(c) a batch fetched again after a stop before its write queues the same deliveries, once', async () => {
    // A long flush interval puts both customers in one batch.
    const t = (h = await startHarness({ app: { engine: { flushMs: 500 } } }));
    await install(t);
    await watch(t, 'watch contoso');
    await watch(t, 'watch fabrikam');
    const baseline = (await wholeState(t.app.store)).incidentSnapshots;
    const { incidentId } = t.sim.scenario.step();
    // A batch's single write is the one that changes the snapshots (with the outbox and the cursor).
    const crash = crashBefore(t.app.store, (before, after) => JSON.stringify(after.incidentSnapshots) !== JSON.stringify(before.incidentSnapshots));

    await assert.rejects(t.app.engine.sweepNow(), /stopped before the write/);
    const wouldHaveQueued = crash.seen[0]?.outbox.map((delivery) => delivery.id) ?? [];
    assert.equal(wouldHaveQueued.length, 1, 'one card for both customers');
    const onDisk = await stateOnDisk(t);
    assert.deepEqual(onDisk.outbox, []);
    assert.deepEqual(onDisk.incidentSnapshots, baseline, 'nothing of the batch was written');
    assert.equal(onDisk.sweep.cursor, null, 'the cursor did not move past the lost batch');
    assert.ok(onDisk.sweep.roundId, 'the round is still open: the next start resumes it');
    assert.equal(incidentCards(t, incidentId).length, 0);
    crash.stub.restore();

    const app = await t.restart();
    const rerun = await app.engine.sweepNow();
    assert.equal(rerun.cycle.events, 2);
    assert.equal(rerun.delivery.sent, 1);
    assert.deepEqual(Object.keys((await stateOnDisk(t)).deliveryLog), wouldHaveQueued, 'same event ids → same delivery ids');

    // The same events once more (as if the snapshot write were lost again): the delivery log dedups them.
    await app.store.update((state) => {
      state.incidentSnapshots = structuredClone(baseline);
    }, { load: { incidentSnapshots: 'keys' } });
    const again = await app.engine.sweepNow();
    assert.equal(again.cycle.events, 2);
    assert.equal(again.cycle.deliveriesQueued, 0);
    assert.equal(again.delivery.sent, 0);
    assert.equal(incidentCards(t, incidentId).length, 1, 'one card in all');
  });

  it('(d) [state file] refuses a truncated state file with a StateFileError naming it, and leaves it byte for byte', async () => {
    const t = (h = await startHarness());
    await watch(t, 'watch contoso');
    const good = await readFile(t.dataFile);
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    await writeFile(t.dataFile, truncated);

    await assert.rejects(t.restart(), (error: Error) => {
      assert.ok(error instanceof StateFileError, `${error.name}: ${error.message}`);
      assert.ok(error.message.includes(t.dataFile), error.message);
      return true;
    });
    assert.ok((await readFile(t.dataFile)).equals(truncated), 'the file is unchanged');
    assert.deepEqual(await readdir(path.dirname(t.dataFile)), [path.basename(t.dataFile)], 'no temp or backup file either');

    // Restored from a backup, it starts again with everything in it.
    await writeFile(t.dataFile, good);
    const app = await t.restart();
    assert.equal(app.store.read().watches.length, 1);
  });

  it('(e) prunes a thread resolved 31 days ago and its delivery-log entries, keeps an open one from 40 days ago', async () => {
    const t = (h = await startHarness());
    await watch(t, 'watch contoso');
    const contoso = customerId(t, 'Contoso');
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY_MS).toISOString();
    const thread = (incidentId: string, openedDays: number, resolvedDays: number | null): IncidentThread => ({
      key: `${CHANNEL_ID}|${incidentId}`,
      targetKey: CHANNEL_ID,
      incidentId,
      activityId: `activity-${incidentId}`,
      incident: {
        id: incidentId,
        customerId: 'c',
        kind: 'incident',
        workload: 'Exchange Online',
        title: 'Old',
        severity: 'warning',
        status: resolvedDays === null ? 'warning' : 'normal',
        startTime: ago(openedDays),
        endTime: resolvedDays === null ? null : ago(resolvedDays),
        resolved: resolvedDays !== null,
        messages: [],
      },
      // Contoso, which this conversation watches: an open card of a watched customer is kept however old.
      customers: { [contoso]: { name: 'Contoso', resolved: resolvedDays !== null, vanished: false } },
      openedAt: ago(openedDays),
      updatedAt: ago(resolvedDays ?? openedDays),
      resolvedAt: resolvedDays === null ? null : ago(resolvedDays),
      mutedUntil: null,
      mutedBy: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
    });
    await t.app.store.update((state) => {
      state.threads[`${CHANNEL_ID}|EX000031`] = thread('EX000031', 33, 31);
      state.threads[`${CHANNEL_ID}|EX000029`] = thread('EX000029', 30, 29);
      state.threads[`${CHANNEL_ID}|EX000040`] = thread('EX000040', 40, null);
      state.deliveryLog[`incident|${CHANNEL_ID}|EX000031|opened`] = ago(33);
      state.deliveryLog[`incident|${CHANNEL_ID}|EX000031|resolved`] = ago(31);
      state.deliveryLog[`incident|${CHANNEL_ID}|EX000029|resolved`] = ago(29);
      state.deliveryLog[`incident|${CHANNEL_ID}|EX000040|updated`] = ago(2);
    });

    const seenAtWatch = Object.keys((await t.app.store.view({ threads: 'all' })).threads).filter((key) => !/\|EX0000\d\d$/.test(key));
    await t.app.engine.sweepNow();
    const disk = await stateOnDisk(t);
    // (Contoso's open incidents shown by "watch contoso" are kept too: they were seen there.)
    assert.deepEqual(Object.keys(disk.threads).sort(), [`${CHANNEL_ID}|EX000029`, `${CHANNEL_ID}|EX000040`, ...seenAtWatch].sort());
    assert.equal(disk.threads[`${CHANNEL_ID}|EX000040`]?.activityId, 'activity-EX000040', 'the open card can still be edited');
    assert.deepEqual(Object.keys(disk.deliveryLog).sort(), [
      `incident|${CHANNEL_ID}|EX000029|resolved`,
      `incident|${CHANNEL_ID}|EX000040|updated`,
    ]);
  });
});

// The continuous alert engine end to end over real HTTP (simulator, app, fake Bot Connector): isolation of
// conversations, a failed listing, a round resumed from its cursor after a stop, an incident that comes
// back, a deleted card, the fast lane, and a prompt stop.
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { State } from '../../src/store/state.js';
import type { StateStore, UpdateOptions } from '../../src/store/stateStore.js';
import { wholeState } from '../../src/store/paged.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { addIncident, customerId, edits, incidentCards, install, OTHER_CHANNEL_ID, repliesText, stateOnDisk, vanishFor, watch } from '../support/alertSteps.js';

const THIRD_CHANNEL_ID = '19:third@thread.tacv2';

/** Every store write from the `nth` one that changes the snapshots on fails, as if the process died there. */
function dieAtSnapshotWrite(store: StateStore, nth: number) {
  const realUpdate = store.update.bind(store);
  let seen = 0;
  return sinon.stub(store, 'update').callsFake(async <T>(change: (draft: State) => T, options?: UpdateOptions): Promise<T> => {
    const before = await wholeState(store);
    const probe = structuredClone(before);
    change(probe);
    if (JSON.stringify(probe.incidentSnapshots) !== JSON.stringify(before.incidentSnapshots)) seen++;
    if (seen >= nth) throw new Error('process died');
    return realUpdate(change, options);
  });
}

/** Requests for the incidents of one customer that the simulator answered. */
function incidentFetches(h: Harness, id: string): number {
  return h.sim.requests.filter((request) => request.path.includes(`/customers/${id}/serviceincidents`)).length;
}

describe('the continuous alert engine, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    sinon.restore();
    await h?.close();
    h = undefined;
  });

  it('delivers to a healthy conversation while another is throttled for an hour and a third never answers', async () => {
    const t = (h = await startHarness({ app: { engine: { sendTimeoutMs: 30_000 } } }));
    for (const channel of [CHANNEL_ID, OTHER_CHANNEL_ID, THIRD_CHANNEL_ID]) await watch(t, 'watch contoso', channel);
    t.connector.fail({ kind: 'post', conversationId: OTHER_CHANNEL_ID, status: 429, code: 'Throttled', retryAfterSeconds: 3600, times: Infinity });
    t.connector.fail({ kind: 'post', conversationId: THIRD_CHANNEL_ID, status: 200, hang: true, times: Infinity });
    const { incidentId } = t.sim.scenario.step();

    await t.app.engine.pollNow(CHANNEL_ID);
    // The third conversation's request hangs for 30 s; the healthy one does not wait for it.
    await t.connector.waitFor(() => incidentCards(t, incidentId, CHANNEL_ID).length === 1 && t.connector.hanging === 1);
    await t.connector.waitFor((calls) => calls.some((call) => call.conversationId === OTHER_CHANNEL_ID && call.status === 429));
    // The 429's retry time is being written: give the write its moment (a database takes a few ms more).
    for (let waited = 0; t.app.delivery.deferredConversations().length === 0 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const deferred = t.app.delivery.deferredConversations();
    assert.deepEqual(deferred.map((entry) => entry.targetKey), [OTHER_CHANNEL_ID], 'the throttled one waits, with its retry time stored');
    assert.ok(Date.parse(deferred[0]?.until ?? '') - Date.now() > 3_500_000);
    // The store shows a change before its write lands: wait for the file (bounded) rather than race it.
    let onDisk: string | undefined;
    for (let waited = 0; onDisk !== deferred[0]?.until && waited < 5_000; waited += 20) {
      onDisk = (await stateOnDisk(t)).outbox.find((delivery) => delivery.targetKey === OTHER_CHANNEL_ID)?.notBefore;
      if (onDisk !== deferred[0]?.until) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(onDisk, deferred[0]?.until, 'the retry time is stored');
  });

  it('keeps "watch all" on the last known customers and alerts customers watched one by one when listing fails', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch all');
    await watch(t, 'watch contoso', OTHER_CHANNEL_ID);
    await t.app.engine.sweepNow(); // the baseline of every customer
    t.sim.faults.add({ method: 'GET', path: /\/v1\/customers\?/, status: 500, times: Infinity });
    const { incidentId } = t.sim.scenario.step();

    const result = await t.app.engine.sweepNow();
    const checked = result.cycle.customersFetched + result.cycle.customersFailed.length + (result.cycle.customersRefused ?? 0);
    assert.equal(checked, t.sim.data.customers.length, 'every customer of the last listing was checked');
    assert.equal(incidentCards(t, incidentId, CHANNEL_ID).length, 1, '"watch all" still alerts');
    assert.equal(incidentCards(t, incidentId, OTHER_CHANNEL_ID).length, 1, 'the one-by-one watch alerts');
  });

  it('resumes a round from its durable cursor after a stop between batches: nothing skipped, nothing twice', async () => {
    // One fetch at a time and five to a batch, so the batches are the customers in key order, five by five.
    // A batch takes everything fetched while the one before was being written: fetches slower than a write
    // (even on a busy machine) keep the batches small, so the round has the third write this test stops at.
    const options = { sim: { latencyMs: 40 }, app: { cycleConcurrency: 1, engine: { batchSize: 5, flushMs: 60_000 } } };
    const t = (h = await startHarness(options));
    await install(t);
    await watch(t, 'watch all');
    await t.app.engine.sweepNow();
    const ordered = [...t.sim.data.customers].map((customer) => customer.id).sort();
    // A new incident for a customer of the first batch and one for the last readable customer.
    const stored = await t.app.store.facts('incidentSnapshots');
    const readable = ordered.filter((id) => stored.has(id));
    const changed = [readable[1], readable.at(-1)] as string[];
    changed.forEach((id, i) => {
      const name = t.sim.data.customers.find((customer) => customer.id === id)?.companyName ?? '';
      addIncident(t, name, { id: `EX90000${i}` });
    });

    const die = dieAtSnapshotWrite(t.app.store, 3);
    await assert.rejects(t.app.engine.sweepNow(), /process died/);
    die.restore();
    const disk = await stateOnDisk(t);
    const cursorAt = ordered.indexOf(disk.sweep.cursor?.slice(2) ?? '');
    assert.ok(cursorAt >= 9 && cursorAt < ordered.length - 1, `two batches (of five or a few more) were written: ${cursorAt}`);
    assert.equal(incidentCards(t, 'EX900000').length, 1, 'the first batch was delivered at once');
    assert.equal(incidentCards(t, 'EX900001').length, 0);

    const before = new Map(ordered.map((id) => [id, incidentFetches(t, id)]));
    const app = await t.restart();
    const resumed = await app.engine.sweepNow();
    const fetchedAgain = ordered.filter((id) => incidentFetches(t, id) > (before.get(id) ?? 0));
    assert.deepEqual(fetchedAgain, ordered.slice(cursorAt + 1), 'only what the lost batches held, and everything after');
    assert.equal(resumed.cycle.customersFetched + resumed.cycle.customersFailed.length + (resumed.cycle.customersRefused ?? 0), ordered.length, 'the round counts its first part too');
    for (const id of ['EX900000', 'EX900001']) assert.equal(incidentCards(t, id).length, 1, `${id}: one card`);
    assert.equal((await stateOnDisk(t)).sweep.roundId, null, 'the round is over');
  });

  it('alerts an incident that comes back after it was no longer listed, on its card, as active again', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    const incident = addIncident(t, 'Contoso', { id: 'EX777001', severity: 'critical', status: 'critical' });
    await t.app.engine.sweepNow();
    const [card] = incidentCards(t, 'EX777001');
    assert.ok(card?.id);
    vanishFor(t, 'Contoso', 'EX777001');
    await t.app.engine.sweepNow();
    assert.match(cardText(cardOf(edits(t, card.id).at(-1))), /No longer listed/);

    t.sim.data.incidentsOf(customerId(t, 'Contoso')).push(incident);
    const back = await t.app.engine.sweepNow();
    assert.equal(back.delivery.sent, 1);
    assert.equal(incidentCards(t, 'EX777001').length, 1, 'the same card');
    assert.doesNotMatch(cardText(cardOf(edits(t, card.id).at(-1))), /No longer listed|Resolved/);
    assert.equal(repliesText(t, CHANNEL_ID, card.id).at(-1), 'Active again for Contoso.');
  });

  it('posts a new card when the card being edited was deleted, and the conversation stays active', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    const { incidentId } = t.sim.scenario.step();
    await t.app.engine.sweepNow();
    t.connector.fail({ kind: 'update', conversationId: CHANNEL_ID, status: 404, code: 'ActivityNotFound' });
    t.sim.scenario.step();
    const result = await t.app.engine.sweepNow();
    assert.equal(result.delivery.sent, 1);
    const cards = incidentCards(t, incidentId);
    assert.equal(cards.length, 2, 'a new card');
    const disk = await stateOnDisk(t);
    assert.equal(disk.targets[CHANNEL_ID]?.active, true);
    assert.equal(disk.threads[`${CHANNEL_ID}|${incidentId}`]?.activityId, cards[1]?.id, 'later edits go to the new card');
  });

  it('refreshes a customer watched one by one in the fast lane, and alerts without any round', async () => {
    const t = (h = await startHarness({ app: { schedule: true }, config: { fastLaneMinutes: 0.01, pollSchedule: '0 0 1 1 *' } }));
    await install(t);
    await watch(t, 'watch contoso');
    const contoso = customerId(t, 'Contoso');
    const fetchesAtWatch = incidentFetches(t, contoso);
    await waitUntil(() => incidentFetches(t, contoso) >= fetchesAtWatch + 2);
    const { incidentId } = t.sim.scenario.step();
    await t.connector.waitFor(() => incidentCards(t, incidentId).length === 1);
    assert.equal(t.app.store.read().lastCycle, null, 'no sweep round ran');
  });

  it('stops mid-round within seconds, keeping the cursor for the next start', async () => {
    const options = { app: { cycleConcurrency: 2, engine: { batchSize: 2, flushMs: 60_000 } } };
    const t = (h = await startHarness(options));
    await watch(t, 'watch all');
    // Every incidents request takes 300 ms: the round is far from done when the stop comes.
    t.sim.faults.add({ path: '/serviceincidents', latencyMs: 300, times: Infinity });
    const round = t.app.engine.sweepNow();
    round.catch(() => undefined); // it rejects during close(), before assert.rejects looks at it
    await waitUntil(() => t.app.store.read().sweep.cursor !== null);
    await t.app.close();
    await assert.rejects(round, /stopped before the round ended/, 'whoever waited for the round hears it will not end here');
    const disk = await stateOnDisk(t);
    assert.ok(disk.sweep.roundId, 'the round is still open on disk');
    assert.ok(disk.sweep.cursor, 'with its cursor');
    assert.ok(disk.sweep.done < t.sim.data.customers.length);
    const app = await t.restart();
    const resumed = await app.engine.sweepNow();
    assert.equal(resumed.cycle.customersFetched + resumed.cycle.customersFailed.length + (resumed.cycle.customersRefused ?? 0), t.sim.data.customers.length);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The quiet-hours stage of delivery and the summary at their end, with a clock the test moves: what is held,
// what breaks through, and that held alerts are summarised once, across restarts.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import type { SummaryReport } from '../../src/domain/digest.js';
import type { Incident } from '../../src/domain/types.js';
import { DeliveryPipeline, type AlertCards } from '../../src/engine/delivery.js';
import { DigestScheduler } from '../../src/engine/digestScheduler.js';
import { QuietHoursStage } from '../../src/engine/quietHours.js';
import { SendFailure } from '../../src/engine/teamsSender.js';
import { emptyNote } from '../../src/sources/incidents/threadNote.js';
import type { ConversationSender } from '../../src/engine/teamsSender.js';
import type { SubscriptionThread } from '../../src/sources/subscriptions/model.js';
import { subscriptionThreadKind } from '../../src/sources/subscriptions/threadKind.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { emptySchedule, type Delivery, type IncidentDelivery, type IncidentThread, type ProvisioningDelivery, type State, type SubscriptionDelivery } from '../../src/store/state.js';
import { subscription, target } from '../support/samples.js';
import { MemoryStore } from '../support/memoryStore.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
const batchSources = { incidents: incidentSource(), provisioning: provisioningSource() };

// Quiet 20:00–07:00 in Amsterdam; in January that is 19:00–06:00 UTC.
const NIGHT = Date.parse('2026-01-14T22:30:00Z'); // 23:30 local
const END = '2026-01-15T06:00:00.000Z';

function incidentOf(id: string, severity: Incident['severity']): Incident {
  return { id, customerId: 'c1', kind: 'incident', workload: 'Exchange Online', title: `Problem ${id}`, severity, status: severity, startTime: END, endTime: null, resolved: false, messages: [] };
}

function thread(id: string, severity: Incident['severity'], activityId: string | null = null): IncidentThread {
  return {
    key: `A|${id}`,
    targetKey: 'A',
    incidentId: id,
    activityId,
    incident: incidentOf(id, severity),
    customers: { c1: { name: 'Contoso', resolved: false, vanished: false } },
    openedAt: END,
    updatedAt: END,
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };
}

const base = (id: string, at: number) => ({ id, targetKey: 'A', createdAt: new Date(at).toISOString(), attempts: 0, notBefore: new Date(at).toISOString(), lastError: null });

function incidentDelivery(id: string, incidentId: string, at: number, note: string | null = null): IncidentDelivery {
  return { ...base(id, at), kind: 'incident', threadKey: `A|${incidentId}`, noteParts: note === null ? null : { ...emptyNote(), updated: { names: ['Contoso'], total: 1 }, message: note } };
}

function provisioningDelivery(id: string, at: number, status: string): ProvisioningDelivery {
  return {
    ...base(id, at),
    kind: 'provisioning',
    customerName: 'Contoso',
    provisioning: { customerId: 'c1', orderId: `o-${id}`, lines: [{ lineItemNumber: 1, status, quantities: [{ quantity: 5, status }] }] },
    final: status !== 'prefulfillmentpending',
    note: `Line 1: prefulfillmentpending → ${status}`,
  };
}

function subscriptionThread(n: number): SubscriptionThread {
  const sub = subscription(n, { status: 'suspended' });
  return {
    key: `A|sub|c1|${sub.id}|1`,
    targetKey: 'A',
    customerId: 'c1',
    customerName: 'Contoso',
    subscriptionId: sub.id,
    episode: 1,
    activityId: null,
    subscription: sub,
    severity: 'warning',
    changes: [{ at: END, kind: 'problem', text: 'Suspended.', severity: 'warning', recovery: false }],
    openedAt: END,
    updatedAt: END,
    closedAt: null,
    gone: false,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
  };
}

function subscriptionDelivery(id: string, n: number, at: number, note: string): SubscriptionDelivery {
  return { ...base(id, at), kind: 'subscription', threadKey: `A|sub|c1|sub-${n}|1`, note: [note] };
}

function setup(threads: IncidentThread[] = []) {
  let now = NIGHT;
  const clock = { now: () => now, sleep: sinon.stub<[number], Promise<void>>().resolves() };
  const state: Partial<State> = {
    targets: { A: { ...target('A'), schedule: { ...emptySchedule(), quietHours: { start: '20:00', end: '07:00', timeZone: 'Europe/Amsterdam', setBy: 'Ana', setAt: '2026-01-01T00:00:00Z' } } } },
    threads: Object.fromEntries(threads.map((t) => [t.key, t])),
  };
  const store = new MemoryStore(state);
  const sender = {
    post: sinon.stub<Parameters<ConversationSender['post']>, Promise<string>>().resolves('activity-new'),
    update: sinon.stub<Parameters<ConversationSender['update']>, Promise<void>>().resolves(),
    reply: sinon.stub<Parameters<ConversationSender['reply']>, Promise<void>>().resolves(),
    say: sinon.stub<Parameters<ConversationSender['say']>, Promise<void>>().resolves(),
  };
  const incidentCard = (t: IncidentThread) => ({ card: 'incident', id: t.incidentId });
  const cards: AlertCards = {
    provisioning: (d: ProvisioningDelivery) => ({ card: 'provisioning', id: d.id }),
    summary: (report: SummaryReport) => ({ card: 'summary', report }),
  };
  const log = pino({ level: 'silent' });
  const start = () => ({
    pipeline: new DeliveryPipeline({ store, sender, cards, threadKinds: threadKindRegistry([incidentThreadKind(incidentCard), subscriptionThreadKind()]), clock, log, random: () => 0.5, threadEditIntervalMs: 0 }),
    scheduler: new DigestScheduler({ batchSources, store, clock, log, onQueued: () => undefined }),
  });
  const queue = (...deliveries: Delivery[]) => store.update((draft) => void draft.outbox.push(...deliveries));
  return { store, sender, clock, start, queue, setNow: (iso: string) => (now = Date.parse(iso)), held: () => store.state.targets.A?.schedule?.held ?? [] };
}

const postedCards = (sender: { post: sinon.SinonStub }) => sender.post.args.map((args) => args[1] as { card: string; id?: string; report?: SummaryReport });

describe('quiet hours', () => {
  afterEach(() => sinon.restore());

  it('holds a new warning card at 23:30 and at 03:00 (across midnight) until 07:00, and posts as usual at noon', async () => {
    const t = setup([thread('EX1', 'warning'), thread('EX2', 'warning'), thread('EX3', 'warning')]);
    const { pipeline } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    t.setNow('2026-01-15T02:00:00Z');
    await t.queue(incidentDelivery('d2', 'EX2', NIGHT));
    await pipeline.deliverPending();
    assert.equal(t.sender.post.callCount, 0, 'nothing posted during quiet hours');
    assert.deepEqual(t.store.state.outbox, [], 'held deliveries leave the outbox…');
    assert.ok(t.store.state.deliveryLog.d1 && t.store.state.deliveryLog.d2, '…for the delivery log, so they are never queued again');
    assert.deepEqual(t.held().map((h) => [h.id, h.kind, h.heldUntil, h.edited]), [
      ['d1', 'incident', END, false],
      ['d2', 'incident', END, false],
    ]);

    t.setNow('2026-01-15T11:00:00Z');
    await t.queue(incidentDelivery('d3', 'EX3', Date.parse('2026-01-15T11:00:00Z')));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(postedCards(t.sender), [{ card: 'incident', id: 'EX3' }]);
  });

  it('lets a critical incident, failed provisioning and a "poll now" summary through; holds pending provisioning and notices', async () => {
    const t = setup([thread('EX1', 'critical')]);
    const { pipeline } = t.start();
    const notice = (id: string, requested: boolean): Delivery => ({ ...base(id, NIGHT), kind: 'notice', text: `Notice ${id}`, ...(requested ? { requested } : {}) });
    await t.queue(
      incidentDelivery('d1', 'EX1', NIGHT),
      provisioningDelivery('p-failed', NIGHT, 'unfulfilled'),
      provisioningDelivery('p-pending', NIGHT, 'prefulfillmentpending'),
      notice('n-asked', true),
      notice('n-told', false),
    );
    assert.deepEqual(await pipeline.deliverPending(), { sent: 3, deferred: 0, dropped: 0 });
    assert.deepEqual(postedCards(t.sender), [
      { card: 'incident', id: 'EX1' },
      { card: 'provisioning', id: 'p-failed' },
    ]);
    assert.deepEqual(t.sender.say.args.map((args) => args[1]), ['Notice n-asked']);
    assert.deepEqual(t.held().map((h) => [h.id, h.kind]), [
      ['p-pending', 'provisioning'],
      ['n-told', 'notice'],
    ]);
  });

  it('keeps an existing card current by a silent edit: no thread reply, the reply waits for the summary', async () => {
    const t = setup([thread('EX1', 'warning', 'card-1')]);
    const { pipeline } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT, 'Engineers found the cause.'));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.update.args.map((args) => args[1]), ['card-1']);
    assert.equal(t.sender.reply.callCount, 0);
    assert.deepEqual(t.held().map((h) => [h.id, h.edited, h.text]), [['d1', true, 'Update for Contoso:\n\nEngineers found the cause.']]);
  });

  it('retries a failed record of a silent edit as a record, and holds its reply once', async () => {
    const t = setup([thread('EX1', 'warning', 'card-1')]);
    const { pipeline } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT, 'Cause found.'));
    t.store.failWrites((before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await assert.rejects(pipeline.deliverPending(), /disk full/);
    assert.deepEqual(t.held(), [], 'the held reply is part of the record that failed');
    t.store.failWrites(() => false);
    await pipeline.deliverPending();
    assert.equal(t.sender.update.callCount, 1, 'not edited twice');
    assert.equal(t.held().length, 1);
  });

  it('summarises what it held once when quiet hours end, and never again, across restarts', async () => {
    const t = setup([thread('EX1', 'warning'), thread('EX2', 'warning', 'card-2')]);
    let { pipeline, scheduler } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT), incidentDelivery('d2', 'EX2', NIGHT, 'Recovering.'), provisioningDelivery('p1', NIGHT, 'prefulfillmentpending'));
    await pipeline.deliverPending();
    assert.equal(t.held().length, 3);

    // A restart in the middle of the night: nothing held is sent or lost, and a re-run batch queuing d1 again is dropped.
    ({ pipeline, scheduler } = t.start());
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 1 });
    assert.deepEqual(await scheduler.tick(Date.parse('2026-01-15T05:59:00Z')), { digests: [], summaries: [] }, 'still quiet at 06:59');

    t.setNow(END);
    const [summaryId] = (await scheduler.tick()).summaries;
    assert.match(summaryId ?? '', /^quiet-summary\|A\|2026-01-14T22:30:00\.000Z\|/, 'named by the conversation and when the first alert was held');
    assert.deepEqual(t.held(), [], 'emptied in the write that queued the summary');
    assert.deepEqual(await scheduler.tick(), { digests: [], summaries: [] });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    const [summary] = postedCards(t.sender);
    assert.equal(summary?.card, 'summary');
    assert.deepEqual(summary?.report?.incidents.items.map((item) => [item.incidentId, item.notes]), [
      ['EX1', ['Opened for Contoso.']],
      ['EX2', ['Update for Contoso:\n\nRecovering.']],
    ]);
    assert.deepEqual(summary?.report?.orders.items.map((order) => order.orderId), ['o-p1']);
    assert.equal(summary?.report?.dueAt, '2026-01-14T19:00:00.000Z', 'the quiet hours began at 20:00');

    ({ pipeline, scheduler } = t.start());
    assert.deepEqual(await scheduler.tick(), { digests: [], summaries: [] });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    assert.equal(t.sender.post.callCount, 1, 'one summary in all');
    assert.ok(t.store.state.deliveryLog[summaryId ?? '']);
  });

  it('ends the quiet hours of a spring-forward night at 07:00 local, an hour earlier in UTC', async () => {
    const t = setup([thread('EX1', 'warning')]);
    const { pipeline, scheduler } = t.start();
    t.setNow('2026-03-28T23:30:00Z'); // 00:30 local on 29 March, still winter time
    await t.queue(incidentDelivery('d1', 'EX1', Date.parse('2026-03-28T23:30:00Z')));
    await pipeline.deliverPending();
    assert.equal(t.held()[0]?.heldUntil, '2026-03-29T05:00:00.000Z');
    assert.deepEqual((await scheduler.tick(Date.parse('2026-03-29T04:59:00Z'))).summaries, []);
    assert.equal((await scheduler.tick(Date.parse('2026-03-29T05:00:00Z'))).summaries.length, 1);
  });

  it('delivers what was held at once, as one summary, when quiet hours are turned off', async () => {
    const t = setup([thread('EX1', 'warning')]);
    const { pipeline, scheduler } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT));
    await pipeline.deliverPending();
    await t.store.update((state) => void ((state.targets.A?.schedule ?? emptySchedule()).quietHours = null));
    assert.equal((await scheduler.tick()).summaries.length, 1);
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
  });

  it('summarises each release of one night on its own: quiet hours turned off and on again lose nothing', async () => {
    const t = setup([thread('EX1', 'warning'), thread('EX2', 'warning')]);
    const { pipeline, scheduler } = t.start();
    const setting = t.store.state.targets.A?.schedule?.quietHours ?? null;
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT));
    await pipeline.deliverPending();

    // Turned off at 23:40: what was held goes out now, and says the quiet hours ended now, not at 07:00.
    t.setNow('2026-01-14T22:40:00Z');
    await t.store.update((state) => void ((state.targets.A?.schedule ?? emptySchedule()).quietHours = null));
    const first = (await scheduler.tick()).summaries;
    assert.equal(first.length, 1);
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(postedCards(t.sender)[0]?.report?.endedAt, '2026-01-14T22:40:00.000Z');

    // On again at midnight; another alert is held, with the same planned end (07:00) as the first.
    t.setNow('2026-01-14T23:00:00Z');
    await t.store.update((state) => void ((state.targets.A?.schedule ?? emptySchedule()).quietHours = setting && { ...setting, setAt: '2026-01-14T23:00:00Z' }));
    await t.queue(incidentDelivery('d2', 'EX2', Date.parse('2026-01-14T23:00:00Z')));
    await pipeline.deliverPending();
    assert.deepEqual(t.held().map((h) => [h.id, h.heldUntil]), [['d2', END]]);

    t.setNow(END);
    const second = (await scheduler.tick()).summaries;
    assert.equal(second.length, 1, 'the second release is queued, not refused as a repeat of the first');
    assert.notEqual(second[0], first[0]);
    assert.deepEqual(t.held(), []);
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    const cards = postedCards(t.sender);
    assert.equal(cards.length, 2);
    assert.deepEqual(cards[1]?.report?.incidents.items.map((item) => item.incidentId), ['EX2']);
    assert.equal(cards[1]?.report?.endedAt, END);
  });

  it('gives every release a summary of its own, even two released at the same instant', async () => {
    const t = setup([thread('EX1', 'warning'), thread('EX2', 'warning')]);
    const { pipeline, scheduler } = t.start();
    const setting = t.store.state.targets.A?.schedule?.quietHours ?? null;
    const turn = (on: boolean) => t.store.update((state) => void ((state.targets.A?.schedule ?? emptySchedule()).quietHours = on ? setting : null));
    const summaries: string[] = [];
    for (const [id, incidentId] of [['d1', 'EX1'], ['d2', 'EX2']] as const) {
      await turn(true);
      await t.queue(incidentDelivery(id, incidentId, NIGHT));
      await pipeline.deliverPending();
      assert.deepEqual(t.held().map((h) => h.id), [id]);
      await turn(false);
      summaries.push(...(await scheduler.tick()).summaries);
      assert.deepEqual(t.held(), []);
    }
    assert.equal(new Set(summaries).size, 2, 'two summaries, not one refused as a repeat');
    await pipeline.deliverPending();
    assert.deepEqual(postedCards(t.sender).map((card) => card.report?.incidents.items.map((item) => item.incidentId)), [['EX1'], ['EX2']]);
  });

  it('holds 25 subscription alerts apart, per subscription, and the summary counts every one it does not list', async () => {
    const t = setup();
    await t.store.update((state) => {
      for (let n = 1; n <= 25; n++) state.subscriptionThreads[`A|sub|c1|sub-${n}|1`] = subscriptionThread(n);
    });
    const { pipeline, scheduler } = t.start();
    const deliveries = Array.from({ length: 25 }, (_, i) => subscriptionDelivery(`s${i + 1}`, i + 1, NIGHT, `Suspended (${i + 1}).`));
    await t.queue(...deliveries);
    await pipeline.deliverPending();
    assert.ok(deliveries.every((delivery) => t.store.state.deliveryLog[delivery.id]), 'all 25 entered the delivery log…');
    assert.equal(t.held().length, 25, '…so all 25 are kept for the summary');
    assert.deepEqual(t.held()[0] && [t.held()[0]?.kind, t.held()[0]?.threadKey, t.held()[0]?.text], ['notice', 'A|sub|c1|sub-1|1', 'Licenses 1 of Contoso: Suspended (1).']);

    // Four more changes of the first subscription: the latest three of it are kept, the others counted.
    await t.queue(...[2, 3, 4, 5].map((k) => subscriptionDelivery(`s1-${k}`, 1, NIGHT, `Change ${k} of 1.`)));
    await pipeline.deliverPending();
    assert.deepEqual(t.held().filter((h) => h.threadKey === 'A|sub|c1|sub-1|1').map((h) => h.id), ['s1-3', 's1-4', 's1-5']);
    assert.equal(t.held().length, 27);

    // A plain notice is held apart from them.
    await t.queue({ ...base('n1', NIGHT), kind: 'notice', text: 'Contoso no longer grants access.' });
    await pipeline.deliverPending();
    assert.equal(t.held().length, 28);

    t.setNow(END);
    await scheduler.tick();
    await pipeline.deliverPending();
    const notices = postedCards(t.sender)[0]?.report?.notices;
    assert.equal(notices?.items.length, 5);
    assert.equal((notices?.items.length ?? 0) + (notices?.more ?? 0), 30, '25 + 4 held subscription alerts and a notice: "and 25 more"');
  });

  it('decides again on every attempt: a silent edit that failed replies as usual once quiet hours are over', async () => {
    const t = setup([thread('EX1', 'warning', 'card-1')]);
    const { pipeline } = t.start();
    t.setNow('2026-01-15T05:50:00Z'); // 06:50 local
    t.sender.update.onFirstCall().rejects(new SendFailure('transient', 503, null, 60_000, 'Teams answered 503'));
    await t.queue(incidentDelivery('d1', 'EX1', Date.parse('2026-01-15T05:50:00Z'), 'Cause found.'));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 1, dropped: 0 });

    t.setNow('2026-01-15T06:05:00Z'); // 07:05: over
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.reply.args.map((args) => args[2]), ['Update for Contoso:\n\nCause found.'], 'replied in the thread');
    assert.deepEqual(t.held(), [], 'and nothing waits for a summary that already went');
  });

  it('holds what the recorded attempt would have replied, not what the first attempt would have', async () => {
    const t = setup([thread('EX1', 'warning', 'card-1')]);
    const { pipeline } = t.start();
    t.sender.update.onFirstCall().rejects(new SendFailure('transient', 503, null, 60_000, 'Teams answered 503'));
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT, 'First words.'));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 1, dropped: 0 });
    // Meanwhile the router merged a newer change into the queued delivery.
    await t.store.update((state) => {
      const queued = state.outbox.find((delivery) => delivery.id === 'd1');
      if (queued?.kind === 'incident' && queued.noteParts) queued.noteParts = { ...queued.noteParts, message: 'Second words.' };
    });
    t.setNow('2026-01-14T22:35:00Z');
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(t.sender.reply.callCount, 0);
    assert.deepEqual(t.held().map((h) => [h.id, h.edited, h.text]), [['d1', true, 'Update for Contoso:\n\nSecond words.']]);
  });

  it('lets go of silent decisions whose delivery left the outbox without a record', async () => {
    const t = setup([thread('EX1', 'warning', 'card-1')]);
    const stage = new QuietHoursStage({ store: t.store, clock: t.clock, log: pino({ level: 'silent' }), threadKinds: threadKindRegistry([incidentThreadKind(() => ({}))]) });
    const targetA = t.store.state.targets.A;
    assert.ok(targetA);
    const threadEX1 = t.store.state.threads['A|EX1'];
    const deliveries = Array.from({ length: 200 }, (_, i) => incidentDelivery(`d${i}`, 'EX1', NIGHT, `Note ${i}.`));
    await t.queue(...deliveries);
    assert.equal(await stage.decide(deliveries[0] as Delivery, targetA, threadEX1), 'silent');
    // Dropped (say, too big to send): it leaves the outbox, and no record follows.
    await t.store.update((state) => void (state.outbox = state.outbox.filter((delivery) => delivery.id !== 'd0')));
    for (const delivery of deliveries.slice(1)) assert.equal(await stage.decide(delivery, targetA, threadEX1), 'silent');
    assert.equal(stage.silenced('d0'), false, 'forgotten');
    assert.equal(stage.silenced('d199'), true, 'a delivery still queued keeps its decision');
  });

  it('leaves a muted card to its mute: edited, no reply, nothing for the summary', async () => {
    const muted = { ...thread('EX1', 'warning', 'card-1'), mutedUntil: '2026-01-15T12:00:00.000Z', mutedBy: 'Ana' };
    const t = setup([muted]);
    const { pipeline } = t.start();
    await t.queue(incidentDelivery('d1', 'EX1', NIGHT, 'Still investigating.'));
    await pipeline.deliverPending();
    assert.equal(t.sender.update.callCount, 1);
    assert.equal(t.sender.reply.callCount, 0);
    assert.deepEqual(t.held(), []);
  });
});

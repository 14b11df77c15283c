import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { DeliveryPipeline, type AlertCards } from '../../src/engine/delivery.js';
import { emptyNote } from '../../src/sources/incidents/threadNote.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { incidentThreadKind, type IncidentCardRenderer } from '../../src/sources/incidents/threadKind.js';
import { SendFailure, type ConversationSender } from '../../src/engine/teamsSender.js';
import type { Incident } from '../../src/domain/types.js';
import type { Delivery, IncidentDelivery, IncidentThread, ProvisioningDelivery } from '../../src/store/state.js';
import { target } from '../support/samples.js';
import { MemoryStore } from '../support/memoryStore.js';
import { StoreUnavailableError } from '../../src/store/stateStore.js';
import { capturedLog } from '../support/capturedLog.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const AT = new Date(NOW).toISOString();


const incident: Incident = {
  id: 'EX1',
  customerId: 'c1',
  kind: 'incident',
  workload: 'Exchange Online',
  title: 'Mail flow',
  severity: 'critical',
  status: 'critical',
  startTime: AT,
  endTime: null,
  resolved: false,
  messages: [],
};

function thread(targetKey: string, activityId: string | null, mutedUntil: string | null = null): IncidentThread {
  return {
    key: `${targetKey}|EX1`,
    targetKey,
    incidentId: 'EX1',
    activityId,
    incident,
    customers: { c1: { name: 'Contoso', resolved: false, vanished: false } },
    openedAt: AT,
    updatedAt: AT,
    resolvedAt: null,
    mutedUntil,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };
}

function incidentDelivery(targetKey: string, id: string, resolvedFor: string | null = null): IncidentDelivery {
  const noteParts = resolvedFor === null ? null : { ...emptyNote(), resolved: { names: [resolvedFor], total: 1 } };
  return { kind: 'incident', id, targetKey, threadKey: `${targetKey}|EX1`, noteParts, createdAt: AT, attempts: 0, notBefore: AT, lastError: null };
}

function provisioningDelivery(targetKey: string, id: string): ProvisioningDelivery {
  return {
    kind: 'provisioning',
    id,
    targetKey,
    customerName: 'Contoso',
    provisioning: { customerId: 'c1', orderId: 'o1', lines: [] },
    final: false,
    note: '',
    createdAt: AT,
    attempts: 0,
    notBefore: AT,
    lastError: null,
  };
}

function setup(options: { threads?: IncidentThread[]; outbox: Delivery[]; targets?: string[] }) {
  const store = new MemoryStore({
    targets: Object.fromEntries((options.targets ?? ['A']).map((key) => [key, target(key)])),
    threads: Object.fromEntries((options.threads ?? []).map((t) => [t.key, t])),
    outbox: options.outbox,
  });
  const sender = {
    post: sinon.stub<Parameters<ConversationSender['post']>, Promise<string>>().resolves('activity-1'),
    update: sinon.stub<Parameters<ConversationSender['update']>, Promise<void>>().resolves(),
    reply: sinon.stub<Parameters<ConversationSender['reply']>, Promise<void>>().resolves(),
    say: sinon.stub<Parameters<ConversationSender['say']>, Promise<void>>().resolves(),
  };
  const cards: TestCards = {
    incident: sinon.spy((_thread: IncidentThread, _now: Date, options: { shrink: boolean }) => ({ card: 'incident', shrink: options.shrink })),
    provisioning: sinon.spy(() => ({ card: 'provisioning' })),
  };
  const deps = pipelineDeps(store, sender, cards);
  return { store, sender, cards, clock: deps.clock, pipeline: new DeliveryPipeline(deps) };
}

/** As setup, with the pipeline's log lines kept (debug and up). */
function setupLogged(options: Parameters<typeof setup>[0]) {
  const made = setup(options);
  const { log, entries } = capturedLog('debug');
  const deps = { ...pipelineDeps(made.store, made.sender, made.cards), log };
  return { ...made, entries, pipeline: new DeliveryPipeline(deps) };
}

/** The pipeline's cards, and the incident card its registered thread kind renders. */
type TestCards = AlertCards & { incident: IncidentCardRenderer };

function pipelineDeps(store: MemoryStore, sender: ConversationSender, cards: TestCards = { incident: () => ({}), provisioning: () => ({}) }) {
  const clock = { now: () => NOW, sleep: sinon.stub<[number], Promise<void>>().resolves() };
  return { store, sender, cards, threadKinds: threadKindRegistry([incidentThreadKind(cards.incident)]), clock, log: pino({ level: 'silent' }), random: () => 0.5, threadEditIntervalMs: 0 };
}

const failure = (kind: SendFailure['kind'], status: number, code: string | null = null, retryAfterMs: number | null = null) =>
  new SendFailure(kind, status, code, retryAfterMs, `Teams answered ${status}`);

/** A change of the card thread A|EX1 names it (card threads are paged). */
const ONE_CARD = { load: { threads: ['A|EX1'] } };

describe('delivery pipeline', () => {
  it('posts a new card, records it with its activity id, and never sends a recorded delivery again', async () => {
    const { store, sender, pipeline } = setup({ threads: [thread('A', null)], outbox: [incidentDelivery('A', 'd1')] });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(store.state.threads['A|EX1']?.activityId, 'activity-1');
    assert.ok(store.state.deliveryLog.d1);
    assert.deepEqual(store.state.outbox, []);

    // Queued again (a re-run cycle): the dedup stage drops it without sending.
    await store.update((state) => void state.outbox.push(incidentDelivery('A', 'd1')));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 1 });
    assert.equal(sender.post.callCount, 1);
  });

  it('does not send a card again when recording it fails: the failure stops the run instead', async () => {
    const { store, sender, pipeline } = setup({ threads: [thread('A', null)], outbox: [incidentDelivery('A', 'd1')] });
    store.failWrites((before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await assert.rejects(pipeline.deliverPending(), /disk full/);
    assert.equal(sender.post.callCount, 1, 'a failed record is not a failed send');
    assert.equal(store.state.outbox.length, 1, 'still queued: the next start repeats it at most once');
    assert.ok(pipeline.inFlight.has('d1'), 'sent but not recorded counts as in flight: nothing is merged into it');
  });

  it('keeps the conversation claimed while a sent delivery is unrecorded, so no other instance sends it again', async () => {
    const { store, sender, pipeline } = setup({ threads: [thread('A', null)], outbox: [incidentDelivery('A', 'd1')] });
    const released: string[] = [];
    let claims = 0;
    const leadership = store.coordination.leadership;
    Object.assign(store, {
      coordination: {
        leadership,
        claims: {
          busy: () => false,
          claim: async (key: string) => {
            claims++;
            return { release: async () => void released.push(key), covers: () => true, extend: async () => true };
          },
        },
      },
    });
    store.failWrites((before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await assert.rejects(pipeline.deliverPending(), /disk full/);
    assert.deepEqual(released, [], 'still held: released, another instance would find d1 queued and unsent');

    store.failWrites(() => false);
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(sender.post.callCount, 1, 'recorded, not sent again');
    assert.equal(claims, 1, 'the held claim was used, not a second one');
    assert.deepEqual(released, ['A'], 'given back once the record is written');
  });

  it('leaves an unreachable database to the store\'s own account: no error line per conversation, the run still stops', async () => {
    const { store, pipeline, entries } = setupLogged({ threads: [thread('A', null)], outbox: [incidentDelivery('A', 'd1')] });
    store.failWrites(
      (before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length,
      () => new StoreUnavailableError(new Error('connect ECONNREFUSED')),
    );
    await assert.rejects(pipeline.deliverPending(), StoreUnavailableError);
    assert.deepEqual(entries().filter((line) => line.level >= 50).map((line) => line.msg), [], 'nothing at error level');
    assert.ok(entries().some((line) => line.level === 20 && line.msg === 'a conversation waits for the database'));

    // Any other failure to record still stops the conversation loudly.
    store.failWrites((before, after) => Object.keys(after.deliveryLog).length > Object.keys(before.deliveryLog).length);
    await store.update((state) => void state.outbox.push(incidentDelivery('A', 'd2')));
    await assert.rejects(pipeline.deliverPending(), /disk full/);
    assert.ok(entries().some((line) => line.level === 50 && line.msg === 'delivery stopped for a conversation'));
  });

  it('edits an existing card and replies in its thread, but keeps a muted incident quiet', async () => {
    const { sender, pipeline } = setup({
      threads: [thread('A', 'root-1'), thread('B', 'root-2', new Date(NOW + 3_600_000).toISOString())],
      targets: ['A', 'B'],
      outbox: [incidentDelivery('A', 'd1', 'Contoso'), incidentDelivery('B', 'd2', 'Resolved for Contoso.')],
    });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 2, deferred: 0, dropped: 0 });
    assert.deepEqual(sender.update.args.map((args) => args[1]).sort(), ['root-1', 'root-2']);
    assert.equal(sender.reply.callCount, 1);
    assert.equal(sender.reply.firstCall.args[1], 'root-1');
    assert.equal(sender.reply.firstCall.args[2], 'Resolved for Contoso.');
  });

  it('retries a transient failure after a short Retry-After, through the clock', async () => {
    const { sender, clock, pipeline } = setup({ outbox: [provisioningDelivery('A', 'p1')] });
    sender.post.onFirstCall().rejects(failure('transient', 429, 'Throttled', 3_000));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(clock.sleep.args, [[3_000]]);
    assert.equal(sender.post.callCount, 2);
  });

  it('defers only the conversation that asks for a long wait; the others are served meanwhile', async () => {
    const { store, sender, clock, pipeline } = setup({
      targets: ['A', 'B'],
      outbox: [provisioningDelivery('A', 'a1'), provisioningDelivery('A', 'a2'), provisioningDelivery('B', 'b1')],
    });
    sender.post.callsFake(async (target) => {
      if (target.key === 'A') throw failure('transient', 429, 'Throttled', 3_600_000);
      return 'activity-b';
    });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 1, dropped: 0 });
    assert.deepEqual(clock.sleep.args, [], 'nobody waited an hour in place');
    assert.deepEqual(Object.keys(store.state.deliveryLog), ['b1']);
    // A's next attempt time is stored, and its second delivery waits behind the first (order holds).
    assert.equal(store.state.outbox.find((d) => d.id === 'a1')?.notBefore, new Date(NOW + 3_600_000).toISOString());
    assert.deepEqual(pipeline.deferredConversations().map((entry) => entry.targetKey), ['A']);
    assert.equal(sender.post.getCalls().filter((call) => call.args[0].key === 'A').length, 1, 'a2 was not tried out of order');
  });

  it('counts a send that never answers as a transient failure and moves on to other conversations', async () => {
    const { store, sender } = setup({ targets: ['A', 'B'], outbox: [provisioningDelivery('A', 'a1'), provisioningDelivery('B', 'b1')] });
    sender.post.callsFake((target) => (target.key === 'A' ? new Promise<string>(() => undefined) : Promise.resolve('activity-b')));
    const timed = new DeliveryPipeline({ ...pipelineDeps(store, sender), sendTimeoutMs: 20 });
    const report = await timed.deliverPending();
    assert.equal(report.sent, 1);
    assert.equal(report.deferred, 1);
    assert.equal(sender.post.getCalls().filter((call) => call.args[0].key === 'A').length, 1, 'a post that timed out may still arrive: not sent again at once');
    assert.ok(store.state.deliveryLog.b1);
    assert.match(store.state.outbox[0]?.lastError ?? '', /did not answer/);
  });

  it('posts a new card when the one being edited was deleted, and keeps the conversation active', async () => {
    const { store, sender, pipeline } = setup({ threads: [thread('A', 'old-card')], outbox: [incidentDelivery('A', 'd1', 'Contoso')] });
    sender.update.rejects(failure('cardGone', 404, 'ActivityNotFound'));
    sender.post.resolves('new-card');
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(sender.post.callCount, 1);
    assert.equal(store.state.threads['A|EX1']?.activityId, 'new-card');
    assert.equal(store.state.targets.A?.active, true);
  });

  it('spaces the replies of one card: a second change within the interval waits for its reply, then goes', async () => {
    const { store, sender } = setup({ threads: [thread('A', 'card')], outbox: [incidentDelivery('A', 'd1', 'Contoso')] });
    const spaced = new DeliveryPipeline({ ...pipelineDeps(store, sender), threadEditIntervalMs: 60_000 });
    await store.update((state) => {
      // The card already shows the thread as it is: nothing to edit ahead of the reply.
      Object.assign(state.threads['A|EX1'] as IncidentThread, { lastSentAt: new Date(NOW - 30_000).toISOString(), shownAt: AT });
    }, ONE_CARD);
    assert.deepEqual(await spaced.deliverPending(), { sent: 0, deferred: 0, dropped: 0 }, 'replied 30 s ago: not yet');
    assert.equal(sender.update.callCount, 0);
    await store.update((state) => void ((state.threads['A|EX1'] as IncidentThread).lastSentAt = new Date(NOW - 61_000).toISOString()), ONE_CARD);
    assert.deepEqual(await spaced.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(sender.update.callCount, 1);
    assert.equal(sender.reply.callCount, 1);
  });

  it('edits a card behind its thread within 10 s, coalescing changes, while its reply keeps the minute spacing (issue 21, item 4)', async () => {
    const { store, sender, cards } = setup({ threads: [thread('A', 'card')], outbox: [incidentDelivery('A', 'd1', 'Contoso')] });
    const clock = { now: () => NOW, sleep: sinon.stub<[number], Promise<void>>().resolves() };
    let now = NOW;
    clock.now = () => now;
    const pipeline = new DeliveryPipeline({ ...pipelineDeps(store, sender, cards), clock, threadEditIntervalMs: 60_000, cardEditIntervalMs: 10_000 });
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    const change = (ms: number, customerId: string, name: string) =>
      store.update((state) => {
        const t = state.threads['A|EX1'] as IncidentThread;
        t.customers[customerId] = { name, resolved: false, vanished: false };
        t.updatedAt = at(ms);
      }, ONE_CARD);
    // The card went out 20 s ago; a change found now is queued with its reply.
    await store.update((state) => void Object.assign(state.threads['A|EX1'] as IncidentThread, { lastSentAt: at(-20_000), editedAt: at(-20_000), shownAt: at(-20_000) }), ONE_CARD);
    await change(0, 'c2', 'Fabrikam');
    const customersOnLastCard = () => Object.keys((cards.incident as sinon.SinonSpy).lastCall.args[0].customers).sort();

    await pipeline.deliverPending();
    assert.equal(sender.update.callCount, 1, 'the card is edited at once: its last edit was 20 s ago');
    assert.deepEqual(customersOnLastCard(), ['c1', 'c2']);
    assert.equal(sender.reply.callCount, 0, 'the reply waits for the minute');
    assert.deepEqual(store.state.outbox.map((d) => d.id), ['d1'], 'still queued for its reply');

    now = NOW + 3_000;
    await change(2_000, 'c3', 'Northwind Traders');
    await change(3_000, 'c4', 'Tailspin Toys');
    await pipeline.deliverPending();
    assert.equal(sender.update.callCount, 1, 'edits are spaced 10 s too: the changes in between wait together');
    now = NOW + 10_000;
    await pipeline.deliverPending();
    assert.equal(sender.update.callCount, 2, 'one edit for both changes');
    assert.deepEqual(customersOnLastCard(), ['c1', 'c2', 'c3', 'c4']);
    now = NOW + 25_000;
    await pipeline.deliverPending();
    assert.equal(sender.update.callCount, 2, 'a card that shows its thread is not edited again');
    assert.equal(sender.reply.callCount, 0);

    now = NOW + 40_000; // a minute after the last reply (the card's post)
    assert.deepEqual(await pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.equal(sender.reply.callCount, 1, 'then the reply');
    assert.ok(sender.update.lastCall.calledBefore(sender.reply.lastCall), 'with the card current before it');
    assert.deepEqual(store.state.outbox, []);
    assert.ok(store.state.deliveryLog.d1);
  });

  it('defers after three retries in a run, with exponential backoff, and gives up after 12 attempts', async () => {
    const { store, sender, clock, pipeline } = setup({ outbox: [provisioningDelivery('A', 'p1')] });
    sender.post.rejects(failure('transient', 503));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 1, dropped: 0 });
    assert.equal(sender.post.callCount, 4);
    assert.deepEqual(clock.sleep.args.map(([ms]) => ms), [750, 1500, 3000], 'about 1 s, 2 s, 4 s with jitter');
    const [queued] = store.state.outbox;
    assert.equal(queued?.attempts, 1);
    assert.equal(queued?.notBefore, new Date(NOW + 3_000).toISOString());

    await store.update((state) => {
      for (const delivery of state.outbox) Object.assign(delivery, { attempts: 11, notBefore: AT });
    });
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 1 });
    assert.deepEqual(store.state.outbox, []);
  });

  it('deactivates a conversation that is gone and drops everything queued for it, and only for it', async () => {
    const { store, sender, pipeline } = setup({
      targets: ['A', 'B'],
      outbox: [provisioningDelivery('A', 'p1'), provisioningDelivery('A', 'p2'), provisioningDelivery('B', 'p3')],
    });
    sender.post.callsFake(async (t) => {
      if (t.key === 'A') throw failure('gone', 403, 'BotNotInConversationRoster');
      return 'activity-b';
    });
    const report = await pipeline.deliverPending();
    assert.equal(report.sent, 1);
    assert.equal(sender.post.args.filter(([t]) => t.key === 'A').length, 1, 'one request to the gone conversation');
    assert.equal(store.state.targets.A?.active, false);
    assert.equal(store.state.targets.A?.inactiveReason, 'BotNotInConversationRoster');
    assert.equal(store.state.targets.B?.active, true);
    assert.deepEqual(store.state.outbox, []);
    assert.ok(store.state.deliveryLog.p3);
  });

  it('re-renders a too-big incident card smaller once, and drops it if that is still too big', async () => {
    const first = setup({ threads: [thread('A', 'root-1')], outbox: [incidentDelivery('A', 'd1', 'note')] });
    first.sender.update.onFirstCall().rejects(failure('tooBig', 413, 'MessageSizeTooBig'));
    assert.deepEqual(await first.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(first.sender.update.args.map((args) => args[2]), [
      { card: 'incident', shrink: false },
      { card: 'incident', shrink: true },
    ]);

    const second = setup({ threads: [thread('A', 'root-1')], outbox: [incidentDelivery('A', 'd1', 'note')] });
    second.sender.update.rejects(failure('tooBig', 413, 'MessageSizeTooBig'));
    assert.deepEqual(await second.pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 1 });
    assert.equal(second.sender.update.callCount, 2);
    assert.equal(second.sender.reply.callCount, 0);
    assert.equal(second.store.state.targets.A?.active, true);
  });

  it('leaves deliveries that are not due yet, and skips inactive conversations', async () => {
    const later = { ...provisioningDelivery('A', 'p1'), notBefore: new Date(NOW + 60_000).toISOString() };
    const { store, sender, pipeline } = setup({ targets: ['A', 'B'], outbox: [later, provisioningDelivery('B', 'p2')] });
    await store.update((state) => void Object.assign(state.targets.B ?? {}, { active: false }));
    assert.deepEqual(await pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 1 });
    assert.equal(sender.post.callCount, 0);
    assert.deepEqual(store.state.outbox.map((delivery) => delivery.id), ['p1']);
  });

  it('shares one run between concurrent calls', async () => {
    const { sender, pipeline } = setup({ outbox: [provisioningDelivery('A', 'p1')] });
    const [a, b] = await Promise.all([pipeline.deliverPending(), pipeline.deliverPending()]);
    assert.deepEqual(a, { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(b, a, 'both calls saw the one run');
    assert.equal(sender.post.callCount, 1);
  });
});

// The thread-kind hook (sources/source.ts): a fourth kind of card thread, defined here and registered as
// the composition root registers the sources' kinds, is posted, held by quiet hours, silently edited, and
// replied to by the engine's delivery chain, which knows nothing of it but the registry.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { DeliveryPipeline } from '../../src/engine/delivery.js';
import type { ConversationSender } from '../../src/engine/teamsSender.js';
import { threadKindRegistry, type ThreadDeliveryKind } from '../../src/sources/source.js';
import { emptySchedule, type Delivery, type State } from '../../src/store/state.js';
import { MemoryStore } from '../support/memoryStore.js';
import { target } from '../support/samples.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';

const NIGHT = Date.parse('2026-01-14T22:30:00Z'); // 23:30 in Amsterdam: quiet 20:00–07:00
const NOON = Date.parse('2026-01-15T11:00:00Z');

/** A licence renewal card: a kind no engine file names. */
interface RenewalThread {
  key: string;
  targetKey: string;
  product: string;
  urgent: boolean;
  activityId: string | null;
  mutedUntil: string | null;
  updatedAt: string;
  lastSentAt: string | null;
}

interface RenewalDelivery {
  kind: 'renewal';
  id: string;
  targetKey: string;
  threadKey: string;
  lines: string[] | null;
  createdAt: string;
  attempts: number;
  notBefore: string;
  lastError: string | null;
}

/** Its part of the state document: its own map of threads. */
type WithRenewals = State & { renewalThreads: Record<string, RenewalThread> };

const renewalKind: ThreadDeliveryKind<RenewalThread, RenewalDelivery> = {
  kind: 'renewal',
  threads: (state) => (state as WithRenewals).renewalThreads,
  card: (thread) => ({ card: 'renewal', product: thread.product }),
  hasReply: (delivery) => delivery.lines !== null,
  reply: (delivery, thread) => (delivery.lines ? `${thread.product} renewal: ${delivery.lines.join(' ')}` : null),
  breaksThrough: (thread) => thread.urgent,
  held: (delivery, thread) => ({ kind: 'notice', threadKey: delivery.threadKey, text: `Renewal of ${thread?.product ?? 'a licence'}: ${delivery.lines?.join(' ') ?? 'due'}` }),
};

function renewalThread(key: string, product: string, urgent: boolean, activityId: string | null): RenewalThread {
  return { key, targetKey: 'A', product, urgent, activityId, mutedUntil: null, updatedAt: new Date(NIGHT - 3_600_000).toISOString(), lastSentAt: null };
}

function renewal(id: string, threadKey: string, lines: string[] | null, at: number): Delivery {
  const iso = new Date(at).toISOString();
  const delivery: RenewalDelivery = { kind: 'renewal', id, targetKey: 'A', threadKey, lines, createdAt: iso, attempts: 0, notBefore: iso, lastError: null };
  return delivery as unknown as Delivery; // the store's union names the kinds it knows; the chain needs only the registry
}

function setup(threads: RenewalThread[]) {
  let now = NIGHT;
  const clock = { now: () => now, sleep: sinon.stub<[number], Promise<void>>().resolves() };
  const quietHours = { start: '20:00', end: '07:00', timeZone: 'Europe/Amsterdam', setBy: 'Ana', setAt: '2026-01-01T00:00:00Z' };
  const initial = { targets: { A: { ...target('A'), schedule: { ...emptySchedule(), quietHours } } }, renewalThreads: Object.fromEntries(threads.map((t) => [t.key, t])) };
  const store = new MemoryStore(initial as Partial<State>);
  const sender = {
    post: sinon.stub<Parameters<ConversationSender['post']>, Promise<string>>().resolves('card-new'),
    update: sinon.stub<Parameters<ConversationSender['update']>, Promise<void>>().resolves(),
    reply: sinon.stub<Parameters<ConversationSender['reply']>, Promise<void>>().resolves(),
    say: sinon.stub<Parameters<ConversationSender['say']>, Promise<void>>().resolves(),
  };
  const pipeline = new DeliveryPipeline({
    store,
    sender,
    cards: { provisioning: () => ({}) },
    threadKinds: threadKindRegistry([incidentThreadKind(() => ({})), renewalKind]),
    clock,
    log: pino({ level: 'silent' }),
    random: () => 0.5,
    threadEditIntervalMs: 0,
  });
  const queue = (...deliveries: Delivery[]) => store.update((draft) => void draft.outbox.push(...deliveries));
  const renewals = () => (store.state as WithRenewals).renewalThreads;
  return { store, sender, pipeline, queue, renewals, setNow: (ms: number) => (now = ms), held: () => store.state.targets.A?.schedule?.held ?? [] };
}

describe('a fourth kind of card thread, registered through the hook', () => {
  afterEach(() => sinon.restore());

  it('posts an urgent card in quiet hours (its card, its thread) and holds the other for the summary in its words', async () => {
    const t = setup([renewalThread('A|r|m365', 'Microsoft 365 E3', false, null), renewalThread('A|r|defender', 'Defender', true, null)]);
    await t.queue(renewal('r1', 'A|r|m365', null, NIGHT), renewal('r2', 'A|r|defender', null, NIGHT));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.post.args.map((args) => args[1]), [{ card: 'renewal', product: 'Defender' }]);
    assert.equal(t.renewals()['A|r|defender']?.activityId, 'card-new', 'the posted card is recorded on its own thread');
    assert.deepEqual(t.held().map((h) => [h.id, h.kind, h.edited, h.text]), [['r1', 'notice', false, 'Renewal of Microsoft 365 E3: due']]);
    assert.deepEqual(t.store.state.outbox, []);
    assert.ok(t.store.state.deliveryLog.r1 && t.store.state.deliveryLog.r2, 'held and sent are both in the delivery log');
  });

  it('edits its card silently at night (the reply held), and by day edits it and replies in its words', async () => {
    const t = setup([renewalThread('A|r|m365', 'Microsoft 365 E3', false, 'card-1')]);
    await t.queue(renewal('r1', 'A|r|m365', ['Renews in 7 days.'], NIGHT));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.update.args.map((args) => [args[1], args[2]]), [['card-1', { card: 'renewal', product: 'Microsoft 365 E3' }]]);
    assert.equal(t.sender.reply.callCount, 0);
    assert.deepEqual(t.held().map((h) => [h.id, h.edited, h.text]), [['r1', true, 'Renewal of Microsoft 365 E3: Renews in 7 days.']]);

    t.setNow(NOON);
    await t.queue(renewal('r2', 'A|r|m365', ['Renews tomorrow.'], NOON));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.reply.args.map((args) => [args[1], args[2]]), [['card-1', 'Microsoft 365 E3 renewal: Renews tomorrow.']]);
    assert.equal(t.renewals()['A|r|m365']?.lastSentAt, new Date(NOON).toISOString(), 'the record stage wrote its thread');
  });

  it('drops a delivery whose thread is gone, and one of a kind nobody registered, without sending', async () => {
    const t = setup([]);
    await t.queue(renewal('r1', 'A|r|gone', null, NOON), { ...(renewal('x1', 'A|x|1', null, NOON) as object), kind: 'unknown' } as unknown as Delivery);
    t.setNow(NOON);
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 0, deferred: 0, dropped: 2 });
    assert.equal(t.sender.post.callCount + t.sender.update.callCount, 0);
    assert.deepEqual(t.store.state.outbox, []);
  });
});

// Access alerts through the delivery stages in quiet hours: lost access (critical) breaks through; a warning
// with no card yet is held for the summary as a sentence naming the customer; a card already posted is kept
// current by a silent edit, its reply held. Outside quiet hours an edit gets its thread reply.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { DeliveryPipeline, type AlertCards } from '../../src/engine/delivery.js';
import type { ConversationSender } from '../../src/engine/teamsSender.js';
import type { AccessThread } from '../../src/sources/access/model.js';
import { accessThreadKind } from '../../src/sources/access/threadKind.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { emptySchedule, type AccessDelivery, type State } from '../../src/store/state.js';
import { MemoryStore } from '../support/memoryStore.js';
import { target } from '../support/samples.js';

const NIGHT = Date.parse('2026-01-14T22:30:00Z'); // 23:30 in Amsterdam: quiet 20:00–07:00
const NOON = Date.parse('2026-01-15T11:00:00Z');

function thread(customer: string, severity: AccessThread['severity'], activityId: string | null): AccessThread {
  return {
    key: `A|access|${customer}|1`,
    targetKey: 'A',
    customerId: customer,
    customerName: customer === 'c1' ? 'Contoso' : 'Fabrikam',
    episode: 1,
    openedAt: '2026-01-14T20:00:00.000Z',
    activityId,
    relationships: [],
    severity,
    changes: [{ at: '2026-01-14T20:00:00.000Z', kind: severity === 'critical' ? 'lost' : 'ending', text: 'Access ends in 7 days (21 Jan).', severity, recovery: false }],
    updatedAt: '2026-01-14T20:00:00.000Z',
    closedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
  };
}

function delivery(id: string, threadKey: string, note: string[] | null, at: number): AccessDelivery {
  const iso = new Date(at).toISOString();
  return { kind: 'access', id, targetKey: 'A', threadKey, note, createdAt: iso, attempts: 0, notBefore: iso, lastError: null };
}

function setup(threads: AccessThread[]) {
  let now = NIGHT;
  const clock = { now: () => now, sleep: sinon.stub<[number], Promise<void>>().resolves() };
  const state: Partial<State> = {
    targets: { A: { ...target('A'), schedule: { ...emptySchedule(), quietHours: { start: '20:00', end: '07:00', timeZone: 'Europe/Amsterdam', setBy: 'Ana', setAt: '2026-01-01T00:00:00Z' } } } },
    accessThreads: Object.fromEntries(threads.map((t) => [t.key, t])),
  };
  const store = new MemoryStore(state);
  const sender = {
    post: sinon.stub<Parameters<ConversationSender['post']>, Promise<string>>().resolves('activity-new'),
    update: sinon.stub<Parameters<ConversationSender['update']>, Promise<void>>().resolves(),
    reply: sinon.stub<Parameters<ConversationSender['reply']>, Promise<void>>().resolves(),
    say: sinon.stub<Parameters<ConversationSender['say']>, Promise<void>>().resolves(),
  };
  const cards: AlertCards = {
    provisioning: () => ({}),
  };
  const threadKinds = threadKindRegistry([accessThreadKind((t: AccessThread) => ({ card: 'access', customer: t.customerName }))]);
  const pipeline = new DeliveryPipeline({ store, sender, cards, threadKinds, clock, log: pino({ level: 'silent' }), random: () => 0.5, threadEditIntervalMs: 0 });
  const queue = (...deliveries: AccessDelivery[]) => store.update((draft) => void draft.outbox.push(...deliveries));
  return { store, sender, pipeline, queue, setNow: (ms: number) => (now = ms), held: () => store.state.targets.A?.schedule?.held ?? [] };
}

describe('access alerts in quiet hours', () => {
  afterEach(() => sinon.restore());

  it('posts lost access (critical) at once, holds a warning without a card as a sentence for the summary', async () => {
    const t = setup([thread('c1', 'warning', null), thread('c2', 'critical', null)]);
    await t.queue(delivery('a1', 'A|access|c1|1', null, NIGHT), delivery('a2', 'A|access|c2|1', null, NIGHT));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.post.args.map((args) => args[1]), [{ card: 'access', customer: 'Fabrikam' }]);
    assert.deepEqual(t.held().map((h) => [h.id, h.kind, h.edited, h.text]), [['a1', 'notice', false, 'GDAP access of Contoso: Access ends in 7 days (21 Jan).']]);
  });

  it('edits a posted card silently (its reply held); at noon an edit gets its thread reply', async () => {
    const t = setup([thread('c1', 'warning', 'card-1')]);
    await t.queue(delivery('a1', 'A|access|c1|1', ['Access ends in 7 days (21 Jan).'], NIGHT));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.update.args.map((args) => args[1]), ['card-1']);
    assert.equal(t.sender.reply.callCount, 0);
    assert.deepEqual(t.held().map((h) => [h.id, h.edited]), [['a1', true]]);
    t.setNow(NOON);
    await t.queue(delivery('a2', 'A|access|c1|1', ['Access ends tomorrow (21 Jan).'], NOON));
    assert.deepEqual(await t.pipeline.deliverPending(), { sent: 1, deferred: 0, dropped: 0 });
    assert.deepEqual(t.sender.reply.args.map((args) => [args[1], args[2]]), [['card-1', 'Contoso · GDAP access: Access ends tomorrow (21 Jan).']]);
  });
});

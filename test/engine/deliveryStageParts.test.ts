// The delivery chain's stages one at a time (stages/): each passes the attempt on ('next') or ends it with
// an outcome, and fills in what the later stages need.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { QuietHoursStage } from '../../src/engine/quietHours.js';
import { DedupStage } from '../../src/engine/stages/dedup.js';
import { MuteStage } from '../../src/engine/stages/mute.js';
import { RecordStage } from '../../src/engine/stages/record.js';
import { RouteStage } from '../../src/engine/stages/route.js';
import { NEXT, newAttempt, type ChainContext } from '../../src/engine/stages/stage.js';
import { UnrecordedDeliveries } from '../../src/engine/stages/unrecorded.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';
import { emptyNote } from '../../src/sources/incidents/threadNote.js';
import type { ConversationSender } from '../../src/engine/teamsSender.js';
import type { IncidentDelivery, IncidentThread, State } from '../../src/store/state.js';
import { MemoryStore } from '../support/memoryStore.js';
import { target } from '../support/samples.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const AT = new Date(NOW).toISOString();

function thread(mutedUntil: string | null): IncidentThread {
  return {
    key: 'A|EX1',
    targetKey: 'A',
    incidentId: 'EX1',
    activityId: 'card-1',
    incident: { id: 'EX1', customerId: 'c1', kind: 'incident', workload: 'Exchange Online', title: 'Mail flow', severity: 'warning', status: 'warning', startTime: AT, endTime: null, resolved: false, messages: [] },
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

const delivery: IncidentDelivery = {
  kind: 'incident',
  id: 'd1',
  targetKey: 'A',
  threadKey: 'A|EX1',
  noteParts: { ...emptyNote(), resolved: { names: ['Contoso'], total: 1 } },
  createdAt: AT,
  attempts: 0,
  notBefore: AT,
  lastError: null,
};

function chainOver(state: Partial<State>): { chain: ChainContext; store: MemoryStore } {
  const store = new MemoryStore({ outbox: [delivery], ...state });
  const clock = { now: () => NOW, sleep: sinon.stub<[number], Promise<void>>().resolves() };
  const log = pino({ level: 'silent' });
  const kinds = threadKindRegistry([incidentThreadKind(() => ({ card: 'incident' }))]);
  const deps = { store, clock, log, sender: {} as ConversationSender, cards: { provisioning: () => ({}) }, threadKinds: kinds, threadEditIntervalMs: 0 };
  return { store, chain: { deps, kinds, quiet: new QuietHoursStage({ store, clock, log, threadKinds: kinds }), unrecorded: new UnrecordedDeliveries() } };
}

describe('the delivery chain, stage by stage', () => {
  it('route: drops a delivery whose conversation went away; else finds its conversation, kind and thread', async () => {
    const gone = chainOver({ targets: { A: target('A', false) }, threads: { 'A|EX1': thread(null) } });
    assert.equal(await new RouteStage(gone.chain).run(newAttempt(delivery)), 'dropped');
    assert.deepEqual(gone.store.state.outbox, []);

    const { chain } = chainOver({ targets: { A: target('A') }, threads: { 'A|EX1': thread(null) } });
    const attempt = newAttempt(delivery);
    assert.equal(await new RouteStage(chain).run(attempt), NEXT);
    assert.equal(attempt.target?.key, 'A');
    assert.equal(attempt.kind?.kind, 'incident');
    assert.equal(attempt.thread?.activityId, 'card-1');
    assert.equal(attempt.shownAt, AT);
  });

  it('dedup: drops what the delivery log has; records, without sending, what was sent but not recorded', async () => {
    const logged = chainOver({ targets: { A: target('A') }, deliveryLog: { d1: AT } });
    assert.equal(await new DedupStage(logged.chain).run(newAttempt(delivery)), 'dropped');

    const { chain, store } = chainOver({ targets: { A: target('A') }, threads: { 'A|EX1': thread(null) } });
    chain.unrecorded.add('d1', 'A', null);
    assert.equal(await new DedupStage(chain).run(newAttempt(delivery)), 'sent');
    assert.equal(store.state.deliveryLog.d1, AT);
    assert.equal(chain.unrecorded.hasTarget('A'), false);
  });

  it('mute: a muted card is edited without a reply; an unmuted one replies', async () => {
    const muted = chainOver({ targets: { A: target('A') }, threads: { 'A|EX1': thread('2026-11-23T00:00:00Z') } });
    const attempt = newAttempt(delivery);
    await new RouteStage(muted.chain).run(attempt);
    assert.equal(await new MuteStage(muted.chain).run(attempt), NEXT);
    assert.deepEqual([attempt.replyHeld, attempt.editOnly], [true, false]);

    const open = chainOver({ targets: { A: target('A') }, threads: { 'A|EX1': thread(null) } });
    const other = newAttempt(delivery);
    await new RouteStage(open.chain).run(other);
    await new MuteStage(open.chain).run(other);
    assert.deepEqual([other.replyHeld, other.editOnly], [false, false]);
  });

  it('record: the delivery leaves the outbox for the delivery log, its thread learns the card and when', async () => {
    const { chain, store } = chainOver({ targets: { A: target('A') }, threads: { 'A|EX1': { ...thread(null), activityId: null } } });
    const attempt = { ...newAttempt(delivery), postedId: 'card-9', shownAt: AT };
    assert.equal(await new RecordStage(chain).run(attempt), 'sent');
    assert.deepEqual(store.state.outbox, []);
    assert.equal(store.state.deliveryLog.d1, AT);
    assert.deepEqual([store.state.threads['A|EX1']?.activityId, store.state.threads['A|EX1']?.lastSentAt], ['card-9', AT]);
  });
});

import assert from 'node:assert/strict';
import { pruneState as pruneEngineState, RETENTION_MS } from '../../src/engine/retention.js';
import { pruneIncidents } from '../../src/sources/incidents/index.js';
import { pruneOrders } from '../../src/sources/provisioning/index.js';
import { target, watch } from '../support/samples.js';
import { emptyState, type IncidentThread, type State } from '../../src/store/state.js';
import { txPorts } from '../../src/store/ports/index.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function thread(key: string, resolvedAt: string | null, openedAt: string): IncidentThread {
  return {
    key,
    targetKey: 'A',
    incidentId: key,
    activityId: `activity-${key}`,
    incident: { id: key, customerId: 'c1', kind: 'incident', workload: 'Exchange Online', title: 't', severity: 'warning', status: 'warning', startTime: openedAt, endTime: resolvedAt, resolved: resolvedAt !== null, messages: [] },
    customers: {},
    openedAt,
    updatedAt: resolvedAt ?? openedAt,
    resolvedAt,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };
}

/** What a round's last write prunes: the engine's records, then each source's own. */
function pruneState(state: State, now: Date): void {
  pruneEngineState(txPorts(state), now);
  pruneIncidents(state, now);
  pruneOrders(state);
}

describe('retention', () => {
  it('keeps 30 days', () => assert.equal(RETENTION_MS, 30 * 86_400_000));

  it('forgets cards resolved over 30 days ago and old delivery-log entries, keeps open cards however old', () => {
    const state = {
      ...emptyState(),
      threads: { old: thread('old', ago(31), ago(33)), recent: thread('recent', ago(29), ago(30)), open: thread('open', null, ago(40)) },
      deliveryLog: { a: ago(31), b: ago(29), c: ago(1) },
      watches: [watch({ targetKey: 'A', kind: 'all', customerId: null })],
      targets: { A: target('A') },
    };
    pruneState(state, NOW);
    assert.deepEqual(Object.keys(state.threads).sort(), ['open', 'recent']);
    assert.deepEqual(Object.keys(state.deliveryLog).sort(), ['b', 'c']);
  });

  it('forgets an open card 30 days after its last change when its conversation is gone or no longer watches its customers', () => {
    const open = (key: string, targetKey: string, days: number) => ({ ...thread(key, null, ago(days)), targetKey, customers: { c1: { name: 'Contoso', resolved: false, vanished: false } } });
    const state = {
      ...emptyState(),
      targets: { A: target('A'), B: target('B', false), C: target('C') },
      watches: [watch({ targetKey: 'A', customerId: 'c1' }), watch({ targetKey: 'C', customerId: 'c2' })],
      threads: { watched: open('watched', 'A', 40), left: open('left', 'B', 40), unwatched: open('unwatched', 'C', 40), fresh: open('fresh', 'C', 10) },
    };
    pruneState(state, NOW);
    assert.deepEqual(Object.keys(state.threads).sort(), ['fresh', 'watched']);
  });

  it('drops snapshots nobody watches any more, but not while someone watches all customers', () => {
    const snapshot = { fetchedAt: ago(0), incidents: {} };
    const state = {
      ...emptyState(),
      watches: [watch({}), watch({ id: 'o', kind: 'order', orderId: 'o1' })],
      incidentSnapshots: { c1: snapshot, c2: snapshot },
      orderSnapshots: { 'c1/o1': { fetchedAt: ago(0), lines: {} }, 'c1/o2': { fetchedAt: ago(0), lines: {} } },
    };
    pruneState(state, NOW);
    assert.deepEqual(Object.keys(state.incidentSnapshots), ['c1']);
    assert.deepEqual(Object.keys(state.orderSnapshots), ['c1/o1']);

    const all = { ...emptyState(), watches: [watch({ kind: 'all', customerId: null })], incidentSnapshots: { c1: snapshot, c2: snapshot } };
    pruneState(all, NOW);
    assert.deepEqual(Object.keys(all.incidentSnapshots), ['c1', 'c2']);
  });

  it('forgets PSA tickets completed more than 30 days ago, and keeps open ones and pending creates however old', () => {
    const state = emptyState();
    const ticket = (key: string, ticketState: 'creating' | 'open' | 'complete', updatedAt: string) => {
      state.tickets[key] = {
        episodeKey: key, customerId: 'c1', customerName: 'Contoso', psa: 'autotask', reference: key, state: ticketState,
        ticketId: 1, number: 'T1', url: null, companyId: 1, createdAt: updatedAt, updatedAt,
      };
    };
    ticket('old-complete', 'complete', ago(31));
    ticket('recent-complete', 'complete', ago(29));
    ticket('old-open', 'open', ago(90));
    ticket('old-creating', 'creating', ago(90));
    pruneState(state, NOW);
    assert.deepEqual(Object.keys(state.tickets).sort(), ['old-creating', 'old-open', 'recent-complete']);
  });
});

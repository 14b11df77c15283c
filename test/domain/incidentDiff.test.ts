import assert from 'node:assert/strict';
import { diffIncidents, hasActiveIncident } from '../../src/sources/incidents/diff.js';
import { type CustomerIncidentSnapshot } from '../../src/domain/incidentRecords.js';
import type { Incident } from '../../src/domain/types.js';

const T0 = '2026-11-22T10:00:00Z';

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'EX100001',
    customerId: 'c1',
    kind: 'incident',
    workload: 'Exchange Online',
    title: 'Mail delivery delays',
    severity: 'critical',
    status: 'critical',
    startTime: T0,
    endTime: null,
    resolved: false,
    messages: [{ publishedTime: '2026-11-22T10:00:00Z', text: 'Investigating' }],
    ...overrides,
  };
}

/** Run a fetch through the diff with the snapshot of an earlier one. */
function after(previous: Incident[], current: Incident[]) {
  const baseline = diffIncidents('c1', undefined, previous, T0).snapshot;
  return diffIncidents('c1', baseline, current, '2026-11-22T10:05:00Z');
}

describe('incident diff', () => {
  it('treats the first fetch as the baseline: no events for what already exists', () => {
    const { events, snapshot } = diffIncidents('c1', undefined, [incident(), incident({ id: 'TM1', workload: 'Microsoft Teams' })], T0);
    assert.deepEqual(events, []);
    assert.deepEqual(Object.keys(snapshot.incidents).sort(), ['EX100001', 'TM1']);
  });

  it('opens a new unresolved incident, but not one that arrives already resolved', () => {
    const { events } = after([], [incident(), incident({ id: 'EX2', resolved: true })]);
    assert.deepEqual(events.map((e) => [e.kind, e.incident.id]), [['opened', 'EX100001']]);
  });

  it('sees a new message as an update', () => {
    const second = incident({
      messages: [...incident().messages, { publishedTime: '2026-11-22T10:30:00Z', text: 'Fix deploying' }],
    });
    const { events } = after([incident()], [second]);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'updated');
    assert.deepEqual(events[0]?.changes, ['new update']);
  });

  it('ignores a repeated message and message order', () => {
    const messages = [
      { publishedTime: '2026-11-22T10:30:00Z', text: 'Fix deploying' },
      { publishedTime: '2026-11-22T10:00:00Z', text: 'Investigating' },
    ];
    const first = incident({ messages });
    const shuffledWithRepeat = incident({ messages: [messages[1]!, messages[0]!, messages[0]!] });
    assert.deepEqual(after([first], [shuffledWithRepeat]).events, []);
  });

  it('reports severity and status changes', () => {
    const { events } = after([incident()], [incident({ severity: 'warning', status: 'warning' })]);
    assert.deepEqual(events[0]?.changes, ['severity critical → warning', 'status critical → warning']);
  });

  it('resolves when Partner Center says resolved', () => {
    const { events } = after([incident()], [incident({ resolved: true, endTime: '2026-11-22T12:00:00Z' })]);
    assert.deepEqual(events.map((e) => [e.kind, e.vanished]), [['resolved', false]]);
  });

  it('resolves as "no longer reported" when an incident vanishes from a successful fetch', () => {
    const { events, snapshot } = after([incident()], []);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.kind, 'resolved');
    assert.equal(events[0]?.vanished, true);
    assert.deepEqual(events[0]?.changes, ['no longer reported']);
    // Kept as a tombstone, so that a return is told apart from the first opening.
    assert.deepEqual(Object.keys(snapshot.incidents), ['EX100001']);
    assert.equal(snapshot.incidents['EX100001']?.resolved, true);
    assert.equal(typeof snapshot.incidents['EX100001']?.goneAt, 'string');
    assert.equal(hasActiveIncident(snapshot), false);
  });

  it('alerts an incident that comes back after it was no longer listed, as a new episode', () => {
    const baseline = diffIncidents('c1', undefined, [incident()], T0).snapshot;
    const opened = diffIncidents('c1', undefined, [], T0);
    assert.deepEqual(opened.events, []);
    const gone = diffIncidents('c1', baseline, [], '2026-11-22T11:00:00Z');
    const back = diffIncidents('c1', gone.snapshot, [incident()], '2026-11-22T11:05:00Z');
    assert.deepEqual(back.events.map((e) => [e.kind, e.changes]), [['opened', ['active again']]]);
    assert.equal(back.snapshot.incidents['EX100001']?.episode, 1);
    assert.equal(back.snapshot.incidents['EX100001']?.goneAt, undefined);
    assert.equal(hasActiveIncident(back.snapshot), true);
    // Its first opening (same fingerprint) had another id: the delivery log must not swallow the return.
    const firstOpening = diffIncidents('c1', diffIncidents('c1', undefined, [], T0).snapshot, [incident()], T0).events[0]?.id;
    assert.notEqual(back.events[0]?.id, firstOpening);
    // And a second return is a third episode with yet another id.
    const goneAgain = diffIncidents('c1', back.snapshot, [], '2026-11-22T12:00:00Z');
    const backAgain = diffIncidents('c1', goneAgain.snapshot, [incident()], '2026-11-22T12:05:00Z');
    assert.equal(backAgain.snapshot.incidents['EX100001']?.episode, 2);
    assert.notEqual(backAgain.events[0]?.id, back.events[0]?.id);
  });

  it('forgets a tombstone after 30 days', () => {
    const baseline = diffIncidents('c1', undefined, [incident()], '2026-10-01T00:00:00Z').snapshot;
    const gone = diffIncidents('c1', baseline, [], '2026-10-01T01:00:00Z').snapshot;
    assert.ok(gone.incidents['EX100001']);
    assert.deepEqual(diffIncidents('c1', gone, [], '2026-11-01T00:00:00Z').snapshot.incidents, {});
  });

  it('marks when a customer last changed, for the fast lane', () => {
    const baseline = diffIncidents('c1', undefined, [incident()], T0).snapshot;
    assert.equal(baseline.changedAt, undefined);
    const changed = diffIncidents('c1', baseline, [incident({ severity: 'warning' })], '2026-11-22T11:00:00Z').snapshot;
    assert.equal(changed.changedAt, '2026-11-22T11:00:00Z');
    const quiet = diffIncidents('c1', changed, [incident({ severity: 'warning' })], '2026-11-22T11:05:00Z').snapshot;
    assert.equal(quiet.changedAt, '2026-11-22T11:00:00Z');
  });

  it('says nothing when an already resolved incident vanishes', () => {
    assert.deepEqual(after([incident({ resolved: true })], []).events, []);
  });

  it('reports a reopened incident as an update of a new episode', () => {
    const { events, snapshot } = after([incident({ resolved: true })], [incident()]);
    assert.equal(events[0]?.kind, 'updated');
    assert.ok(events[0]?.changes.includes('reopened'));
    assert.equal(snapshot.incidents['EX100001']?.episode, 1);
    assert.match(events[0]?.id ?? '', /\|e1$/);
  });

  it('never alerts on message-center posts', () => {
    const { events } = after([], [incident({ id: 'MC123', kind: 'message_center' })]);
    assert.deepEqual(events, []);
  });

  it('gives the same change the same event id, and different changes different ids', () => {
    const baseline: CustomerIncidentSnapshot = diffIncidents('c1', undefined, [incident()], T0).snapshot;
    const updated = incident({ severity: 'warning' });
    const a = diffIncidents('c1', baseline, [updated], 'later').events[0]?.id;
    const b = diffIncidents('c1', baseline, [updated], 'even later').events[0]?.id;
    const c = diffIncidents('c1', baseline, [incident({ severity: 'information' })], 'later').events[0]?.id;
    assert.ok(a);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });
});

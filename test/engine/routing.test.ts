import assert from 'node:assert/strict';
import { routeEvents } from '../../src/engine/routing.js';
import type { IncidentEvent } from '../../src/domain/incidentDiff.js';
import type { ProvisioningEvent } from '../../src/domain/provisioningDiff.js';
import type { Incident } from '../../src/domain/types.js';
import type { Watch } from '../../src/domain/watch.js';
import { emptyState, type State, type Target } from '../../src/store/state.js';
import { target, watch } from '../support/samples.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const NAMES: Record<string, string> = { c1: 'Contoso', c2: 'Fabrikam', c3: 'Northwind Traders' };
const nameOf = (id: string) => NAMES[id] ?? id;


function watchOf(targetKey: string, customerId: string, extra: Partial<Watch> = {}): Watch {
  return watch({ id: `${targetKey}-${customerId}`, targetKey, customerId, customerName: nameOf(customerId), createdAt: NOW.toISOString(), ...extra });
}

function incident(fields: Partial<Incident> = {}): Incident {
  return {
    id: 'EX1',
    customerId: 'c1',
    kind: 'incident',
    workload: 'Exchange Online',
    title: 'Mail flow',
    severity: 'critical',
    status: 'critical',
    startTime: NOW.toISOString(),
    endTime: null,
    resolved: false,
    messages: [{ publishedTime: NOW.toISOString(), text: 'Investigating.' }],
    ...fields,
  };
}

function event(kind: IncidentEvent['kind'], customerId: string, fields: Partial<Incident> = {}, vanished = false): IncidentEvent {
  const inc = incident({ customerId, resolved: kind === 'resolved', ...fields });
  return { id: [customerId, inc.id, kind, inc.severity, vanished ? 'gone' : ''].join('|'), kind, customerId, incident: inc, changes: [], vanished };
}

function state(targets: Target[], watches: Watch[]): State {
  return { ...emptyState(), targets: Object.fromEntries(targets.map((t) => [t.key, t])), watches };
}

describe('routing events to conversations', () => {
  it('queues one delivery per conversation and incident, listing every watched customer it hit', () => {
    const s = state([target('A'), target('B')], [watchOf('A', 'c1'), watchOf('A', 'c2'), watchOf('A', 'c3'), watchOf('B', 'c2')]);
    const queued = routeEvents(s, [event('opened', 'c1'), event('opened', 'c2'), event('opened', 'c3')], [], nameOf, NOW);
    assert.equal(queued, 2);
    assert.deepEqual(s.outbox.map((d) => d.targetKey).sort(), ['A', 'B']);
    assert.deepEqual(Object.values(s.threads['A|EX1']?.customers ?? {}).map((c) => c.name).sort(), ['Contoso', 'Fabrikam', 'Northwind Traders']);
    assert.deepEqual(Object.values(s.threads['B|EX1']?.customers ?? {}).map((c) => c.name), ['Fabrikam']);
    assert.ok(s.outbox.every((d) => d.kind === 'incident' && d.note === null), 'a new card needs no thread reply');
  });

  it('queues the same events only once, and not at all once delivered', () => {
    const s = state([target('A')], [watchOf('A', 'c1')]);
    const events = [event('opened', 'c1')];
    assert.equal(routeEvents(s, events, [], nameOf, NOW), 1);
    const [delivery] = s.outbox;
    assert.equal(routeEvents(s, events, [], nameOf, NOW), 0, 'same event ids → same delivery id → already queued');
    s.outbox = [];
    s.deliveryLog[delivery?.id ?? ''] = NOW.toISOString();
    assert.equal(routeEvents(s, events, [], nameOf, NOW), 0, 'already sent');
  });

  it('marks one customer resolved without declaring the whole card resolved', () => {
    const s = state([target('A')], [watchOf('A', 'c1'), watchOf('A', 'c2')]);
    routeEvents(s, [event('opened', 'c1'), event('opened', 'c2')], [], nameOf, NOW);
    s.outbox = [];
    routeEvents(s, [event('resolved', 'c2', { status: 'normal', endTime: NOW.toISOString() })], [], nameOf, NOW);
    const thread = s.threads['A|EX1'];
    assert.equal(thread?.customers.c2?.resolved, true);
    assert.equal(thread?.customers.c1?.resolved, false);
    assert.equal(thread?.resolvedAt, null);
    assert.equal(thread?.incident.resolved, false, 'the card still shows the incident as ongoing for Contoso');
    assert.equal(s.outbox[0]?.kind === 'incident' ? s.outbox[0].note : null, 'Resolved for Fabrikam.');

    s.outbox = [];
    routeEvents(s, [event('resolved', 'c1', { status: 'normal', endTime: NOW.toISOString() })], [], nameOf, NOW);
    assert.equal(s.threads['A|EX1']?.incident.resolved, true, 'resolved for everyone: now the card says so');
    assert.equal(s.threads['A|EX1']?.resolvedAt, NOW.toISOString());
    assert.equal(s.outbox[0]?.kind === 'incident' ? s.outbox[0].note : null, 'Resolved for Contoso.\nEvery watched customer has recovered.');
  });

  it('says "No longer reported" for an incident that vanished, and keeps the last real copy on the card', () => {
    const s = state([target('A')], [watchOf('A', 'c1')]);
    routeEvents(s, [event('opened', 'c1')], [], nameOf, NOW);
    s.outbox = [];
    routeEvents(s, [event('resolved', 'c1', { title: 'EX1', messages: [] }, true)], [], nameOf, NOW);
    assert.equal(s.outbox[0]?.kind === 'incident' ? s.outbox[0].note : null, 'No longer reported for Contoso.\nEvery watched customer has recovered.');
    assert.equal(s.threads['A|EX1']?.incident.title, 'Mail flow');
    assert.equal(s.threads['A|EX1']?.customers.c1?.vanished, true);
  });

  it('does not announce a resolution nobody saw open, nor anything to inactive conversations', () => {
    const s = state([target('A'), target('B', false)], [watchOf('A', 'c1'), watchOf('B', 'c1')]);
    assert.equal(routeEvents(s, [event('resolved', 'c1')], [], nameOf, NOW), 0);
    assert.equal(routeEvents(s, [event('opened', 'c1')], [], nameOf, NOW), 1);
    assert.deepEqual(s.outbox.map((d) => d.targetKey), ['A']);
  });

  it('applies severity and workload filters, but keeps following a card once it exists', () => {
    const s = state([target('A'), target('B')], [
      watchOf('A', 'c1', { minSeverity: 'critical' }),
      watchOf('B', 'c1', { workloads: ['teams'] }),
    ]);
    assert.equal(routeEvents(s, [event('opened', 'c1', { id: 'EX2', severity: 'warning' })], [], nameOf, NOW), 0);
    assert.equal(routeEvents(s, [event('opened', 'c1', { id: 'EX3' })], [], nameOf, NOW), 1);
    assert.deepEqual(s.outbox.map((d) => d.targetKey), ['A']);
    assert.equal(routeEvents(s, [event('opened', 'c1', { id: 'TM4', workload: 'Microsoft Teams' })], [], nameOf, NOW), 2);
    // Lowered to warning: the critical-only conversation still hears about the card it already has.
    assert.equal(routeEvents(s, [event('updated', 'c1', { id: 'EX3', severity: 'warning' })], [], nameOf, NOW), 1);
  });

  it('queues a card per provisioning change and ends the order watch once the order is complete', () => {
    const orderWatch = watchOf('A', 'c1', { id: 'w-order', kind: 'order', orderId: 'o1' });
    const s = state([target('A')], [orderWatch, watchOf('A', 'c2')]);
    const provisioning = { customerId: 'c1', orderId: 'o1', lines: [] };
    const changed: ProvisioningEvent = {
      id: 'c1|o1|1',
      kind: 'changed',
      customerId: 'c1',
      orderId: 'o1',
      provisioning,
      changes: [{ lineItemNumber: 0, from: 'prefulfillmentpending', to: 'fulfilled' }],
      verdict: 'pending',
    };
    assert.equal(routeEvents(s, [], [changed], nameOf, NOW), 1);
    assert.equal(s.watches.length, 2);
    const completed: ProvisioningEvent = { ...changed, id: 'c1|o1|2', kind: 'completed', verdict: 'fulfilled' };
    assert.equal(routeEvents(s, [], [completed], nameOf, NOW), 1);
    assert.deepEqual(s.watches.map((w) => w.kind), ['customer']);
    assert.deepEqual(s.outbox.map((d) => d.kind === 'provisioning' && d.final), [false, true]);
  });
});

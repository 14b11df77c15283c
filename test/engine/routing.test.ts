import assert from 'node:assert/strict';
import { routeIncidentEvents } from '../../src/sources/incidents/routing.js';
import { routeProvisioningEvents } from '../../src/sources/provisioning/routing.js';
import { renderNote } from '../../src/sources/incidents/threadNote.js';
import type { IncidentEvent } from '../../src/sources/incidents/diff.js';
import type { ProvisioningEvent } from '../../src/sources/provisioning/diff.js';
import type { Incident } from '../../src/domain/types.js';
import type { Watch } from '../../src/domain/watch.js';
import { emptyState, type Delivery, type State, type Target } from '../../src/store/state.js';
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
    const queued = routeIncidentEvents(s, [event('opened', 'c1'), event('opened', 'c2'), event('opened', 'c3')], { customerName: nameOf, now: NOW });
    assert.equal(queued, 2);
    assert.deepEqual(s.outbox.map((d) => d.targetKey).sort(), ['A', 'B']);
    assert.deepEqual(Object.values(s.threads['A|EX1']?.customers ?? {}).map((c) => c.name).sort(), ['Contoso', 'Fabrikam', 'Northwind Traders']);
    assert.deepEqual(Object.values(s.threads['B|EX1']?.customers ?? {}).map((c) => c.name), ['Fabrikam']);
    assert.ok(s.outbox.every((d) => d.kind === 'incident' && d.noteParts === null), 'a new card needs no thread reply');
  });

  it('queues the same events only once, and not at all once delivered', () => {
    const s = state([target('A')], [watchOf('A', 'c1')]);
    const events = [event('opened', 'c1')];
    assert.equal(routeIncidentEvents(s, events, { customerName: nameOf, now: NOW }), 1);
    const [delivery] = s.outbox;
    assert.equal(routeIncidentEvents(s, events, { customerName: nameOf, now: NOW }), 0, 'same event ids → same delivery id → already queued');
    s.outbox = [];
    s.deliveryLog[delivery?.id ?? ''] = NOW.toISOString();
    assert.equal(routeIncidentEvents(s, events, { customerName: nameOf, now: NOW }), 0, 'already sent');
  });

  it('marks one customer resolved without declaring the whole card resolved', () => {
    const s = state([target('A')], [watchOf('A', 'c1'), watchOf('A', 'c2')]);
    routeIncidentEvents(s, [event('opened', 'c1'), event('opened', 'c2')], { customerName: nameOf, now: NOW });
    s.outbox = [];
    routeIncidentEvents(s, [event('resolved', 'c2', { status: 'normal', endTime: NOW.toISOString() })], { customerName: nameOf, now: NOW });
    const thread = s.threads['A|EX1'];
    assert.equal(thread?.customers.c2?.resolved, true);
    assert.equal(thread?.customers.c1?.resolved, false);
    assert.equal(thread?.resolvedAt, null);
    assert.equal(thread?.incident.resolved, false, 'the card still shows the incident as ongoing for Contoso');
    assert.equal(noteOf(s.outbox[0]), 'Resolved for Fabrikam.');

    s.outbox = [];
    routeIncidentEvents(s, [event('resolved', 'c1', { status: 'normal', endTime: NOW.toISOString() })], { customerName: nameOf, now: NOW });
    assert.equal(s.threads['A|EX1']?.incident.resolved, true, 'resolved for everyone: now the card says so');
    assert.equal(s.threads['A|EX1']?.resolvedAt, NOW.toISOString());
    assert.equal(noteOf(s.outbox[0]), 'Resolved for Contoso.\n\nEvery watched customer has recovered.');
  });

  it('says "No longer reported" for an incident that vanished, and keeps the last real copy on the card', () => {
    const s = state([target('A')], [watchOf('A', 'c1')]);
    routeIncidentEvents(s, [event('opened', 'c1')], { customerName: nameOf, now: NOW });
    s.outbox = [];
    routeIncidentEvents(s, [event('resolved', 'c1', { title: 'EX1', messages: [] }, true)], { customerName: nameOf, now: NOW });
    assert.equal(noteOf(s.outbox[0]), 'No longer reported for Contoso.\n\nEvery watched customer has recovered.');
    assert.equal(s.threads['A|EX1']?.incident.title, 'Mail flow');
    assert.equal(s.threads['A|EX1']?.customers.c1?.vanished, true);
  });

  it('does not announce a resolution nobody saw open, nor anything to inactive conversations', () => {
    const s = state([target('A'), target('B', false)], [watchOf('A', 'c1'), watchOf('B', 'c1')]);
    assert.equal(routeIncidentEvents(s, [event('resolved', 'c1')], { customerName: nameOf, now: NOW }), 0);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c1')], { customerName: nameOf, now: NOW }), 1);
    assert.deepEqual(s.outbox.map((d) => d.targetKey), ['A']);
  });

  it('applies severity and workload filters, but keeps following a card once it exists', () => {
    const s = state([target('A'), target('B')], [
      watchOf('A', 'c1', { minSeverity: 'critical' }),
      watchOf('B', 'c1', { workloads: ['teams'] }),
    ]);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c1', { id: 'EX2', severity: 'warning' })], { customerName: nameOf, now: NOW }), 0);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c1', { id: 'EX3' })], { customerName: nameOf, now: NOW }), 1);
    assert.deepEqual(s.outbox.map((d) => d.targetKey), ['A']);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c1', { id: 'TM4', workload: 'Microsoft Teams' })], { customerName: nameOf, now: NOW }), 2);
    // Lowered to warning: the critical-only conversation still hears about the card it already has.
    s.outbox = []; // (delivered)
    assert.equal(routeIncidentEvents(s, [event('updated', 'c1', { id: 'EX3', severity: 'warning' })], { customerName: nameOf, now: NOW }), 1);
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
    assert.equal(routeProvisioningEvents(s, [changed], { customerName: nameOf, now: NOW }), 1);
    assert.equal(s.watches.length, 2);
    const completed: ProvisioningEvent = { ...changed, id: 'c1|o1|2', kind: 'completed', verdict: 'fulfilled' };
    assert.equal(routeProvisioningEvents(s, [completed], { customerName: nameOf, now: NOW }), 1);
    assert.deepEqual(s.watches.map((w) => w.kind), ['customer']);
    assert.deepEqual(s.outbox.map((d) => d.kind === 'provisioning' && d.final), [false, true]);
  });
});

function noteOf(delivery: Delivery | undefined): string | null {
  return delivery?.kind === 'incident' && delivery.noteParts ? renderNote(delivery.noteParts) : null;
}

describe('routing a batch into deliveries that are still queued', () => {
  it('merges later changes into the queued delivery of a thread: one reply, not one per sweep batch', () => {
    const s = state([target('A')], [watchOf('A', 'c1'), watchOf('A', 'c2'), watchOf('A', 'c3')]);
    routeIncidentEvents(s, [event('opened', 'c1')], { customerName: nameOf, now: NOW });
    s.deliveryLog[s.outbox[0]?.id ?? ''] = NOW.toISOString();
    s.outbox = []; // the first card went out
    assert.equal(routeIncidentEvents(s, [event('opened', 'c2')], { customerName: nameOf, now: NOW }), 1);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c3')], { customerName: nameOf, now: NOW }), 0, 'merged into the queued one');
    assert.equal(s.outbox.length, 1);
    assert.equal(noteOf(s.outbox[0]), `Now also affects ${nameOf('c2')}, ${nameOf('c3')}.`);
    assert.deepEqual(Object.keys(s.threads['A|EX1']?.customers ?? {}), ['c1', 'c2', 'c3']);
  });

  it('does not merge into a delivery being sent right now: the change gets a delivery of its own', () => {
    const s = state([target('A')], [watchOf('A', 'c1'), watchOf('A', 'c2'), watchOf('A', 'c3')]);
    routeIncidentEvents(s, [event('opened', 'c1')], { customerName: nameOf, now: NOW });
    s.deliveryLog[s.outbox[0]?.id ?? ''] = NOW.toISOString();
    s.outbox = [];
    routeIncidentEvents(s, [event('opened', 'c2')], { customerName: nameOf, now: NOW });
    const sending = new Set([s.outbox[0]?.id ?? '']);
    assert.equal(routeIncidentEvents(s, [event('opened', 'c3')], { customerName: nameOf, now: NOW, inFlight: sending }), 1);
    assert.deepEqual(s.outbox.map(noteOf), [`Now also affects ${nameOf('c2')}.`, `Now also affects ${nameOf('c3')}.`]);
  });

  it('announces an incident that is active again, on the same card, and clears its acknowledgement', () => {
    const s = state([target('A')], [watchOf('A', 'c1')]);
    routeIncidentEvents(s, [event('opened', 'c1')], { customerName: nameOf, now: NOW });
    s.outbox = [];
    routeIncidentEvents(s, [event('resolved', 'c1', {}, true)], { customerName: nameOf, now: NOW });
    const thread = s.threads['A|EX1'];
    assert.ok(thread?.resolvedAt);
    thread.acknowledgedBy = 'Ana';
    s.outbox = [];
    const back: IncidentEvent = { ...event('opened', 'c1'), id: 'c1|EX1|opened|e1', changes: ['active again'] };
    assert.equal(routeIncidentEvents(s, [back], { customerName: nameOf, now: NOW }), 1);
    assert.equal(s.threads['A|EX1']?.resolvedAt, null);
    assert.equal(s.threads['A|EX1']?.acknowledgedBy, null);
    assert.equal(s.threads['A|EX1']?.customers.c1?.resolved, false);
    assert.equal(noteOf(s.outbox[0]), `Active again for ${nameOf('c1')}.`);
  });

  it('stays linear when one incident hits many customers', () => {
    const customers = Array.from({ length: 20_000 }, (_, i) => `c${i}`);
    const s = state([target('A')], [watch({ targetKey: 'A', kind: 'all', customerId: null, customerName: null })]);
    // Linear work finishes this in well under a second; the quadratic router took minutes at this size.
    routeIncidentEvents(s, customers.map((id) => event('opened', id)), { customerName: nameOf, now: NOW });
    assert.equal(Object.keys(s.threads['A|EX1']?.customers ?? {}).length, 20_000);
    assert.equal(s.outbox.length, 1);
  });
});

describe('the thread reply of an update (issue 21, item 2)', () => {
  const longUpdate = [
    'Title: Users can’t send mail',
    'User impact: Users may be unable to send or receive email through Exchange Online in several regions.',
    'Current status: We have identified a configuration change that caused the impact and are rolling it back across the affected infrastructure. We expect mail flow to recover gradually over the next hours.',
    'Scope of impact: Any user routed through the affected infrastructure may be impacted.',
  ].join('\n');

  it('starts with a short line naming who and what changed, then the update in paragraphs cut at a sentence', () => {
    const s = state([target('A')], [watchOf('A', 'c1'), watchOf('A', 'c2'), watchOf('A', 'c3')]);
    routeIncidentEvents(s, ['c1', 'c2', 'c3'].map((id) => event('opened', id)), { customerName: nameOf, now: NOW });
    s.outbox = []; // the first card went out
    const update = (customerId: string): IncidentEvent => ({
      ...event('updated', customerId, { severity: 'warning', messages: [{ publishedTime: NOW.toISOString(), text: longUpdate }] }),
      changes: ['new update', 'severity critical → warning'],
    });
    routeIncidentEvents(s, ['c1', 'c2', 'c3'].map(update), { customerName: nameOf, now: NOW });
    const note = noteOf(s.outbox[0]) ?? '';
    const [first, ...rest] = note.split('\n\n');
    assert.equal(first, 'Update for Contoso, Fabrikam, Northwind Traders (severity critical → warning):');
    assert.deepEqual(rest.slice(0, 2), ['Title: Users can’t send mail', 'User impact: Users may be unable to send or receive email through Exchange Online in several regions.']);
    // Cut where a sentence ends, as the card cuts it: never in the middle of one, never with a dangling "…".
    const last = rest.at(-1) ?? '';
    assert.match(last, /[.!?]$/, `ends at a sentence: ${JSON.stringify(last)}`);
    assert.ok(!note.includes('Scope of impact'), 'the text beyond the limit stays on the card');
  });
});

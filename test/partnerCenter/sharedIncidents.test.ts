import assert from 'node:assert/strict';
import { SharedIncidents } from '../../src/partnerCenter/sharedIncidents.js';
import { parseIncidents } from '../../src/partnerCenter/wire.js';

const wire = (messages: string[]) => ({
  id: 'EX990001',
  messageType: 'incident',
  workload: 'Exchange Online',
  impactedArea: 'Mail flow',
  severity: 'warning',
  status: 'warning',
  startTime: '2026-12-07T08:00:00Z',
  resolved: false,
  messages: messages.map((messageText, i) => ({ publishedTime: `2026-12-07T0${8 + i}:00:00Z`, messageText })),
});

describe('SharedIncidents (one Microsoft incident read once for all the customers it hits)', () => {
  it('gives each customer its own incident, equal to an unshared parse, sharing only the frozen message history', () => {
    const shared = new SharedIncidents();
    const [a] = parseIncidents('customer-a', [wire(['Investigating'])], shared.detailOf);
    const [b] = parseIncidents('customer-b', [wire(['Investigating'])], shared.detailOf);
    assert.ok(a && b);
    assert.deepEqual(a, parseIncidents('customer-a', [wire(['Investigating'])])[0]);
    assert.equal(a.customerId, 'customer-a');
    assert.equal(b.customerId, 'customer-b');
    assert.notEqual(a, b);
    assert.equal(a.messages, b.messages);
    assert.ok(Object.isFrozen(a.messages) && Object.isFrozen(a.messages[0]));
    assert.throws(() => (a.messages as unknown as unknown[]).push({ publishedTime: 'x', text: 'y' }), TypeError);
  });

  it('reads an incident whose text changed afresh: a new update is never hidden by the shared copy', () => {
    const shared = new SharedIncidents();
    const [before] = parseIncidents('customer-a', [wire(['Investigating'])], shared.detailOf);
    const [after] = parseIncidents('customer-b', [wire(['Investigating', 'Fix deployed'])], shared.detailOf);
    assert.equal(before?.messages.length, 1);
    assert.deepEqual(after?.messages.map((m) => m.text), ['Investigating', 'Fix deployed']);
  });

  it('keeps one version of an incident: an update replaces the one before it', () => {
    const shared = new SharedIncidents();
    const [first] = parseIncidents('customer-a', [wire(['Investigating'])], shared.detailOf);
    parseIncidents('customer-b', [wire(['Investigating', 'Fix deployed'])], shared.detailOf);
    const [again] = parseIncidents('customer-c', [wire(['Investigating'])], shared.detailOf);
    assert.deepEqual(again, { ...first, customerId: 'customer-c' });
    assert.notEqual(again?.messages, first?.messages, 'the first version was let go when the update came');
  });

  it('still refuses a malformed incident, every time it is sent', () => {
    const shared = new SharedIncidents();
    assert.throws(() => parseIncidents('customer-a', [{ id: '' }], shared.detailOf));
    assert.throws(() => parseIncidents('customer-b', [{ id: '' }], shared.detailOf));
  });
});

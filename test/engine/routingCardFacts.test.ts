// What routing keeps for the alert cards: the real number of updates of an incident (a thread keeps only
// its last few messages), and a provisioning delivery's changed lines as data for "What changed".
import assert from 'node:assert/strict';
import { routeIncidentEvents } from '../../src/sources/incidents/routing.js';
import { routeProvisioningEvents } from '../../src/sources/provisioning/routing.js';
import type { IncidentEvent } from '../../src/sources/incidents/diff.js';
import type { ProvisioningEvent } from '../../src/sources/provisioning/diff.js';
import type { Incident } from '../../src/domain/types.js';
import { emptyState, type State } from '../../src/store/state.js';
import { target, watch } from '../support/samples.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const names = () => 'Contoso';

function withWatch(fields: Parameters<typeof watch>[0] = {}): State {
  return { ...emptyState(), targets: { A: target('A') }, watches: [watch({ targetKey: 'A', customerId: 'c1', ...fields })] };
}

describe('routing keeps what the alert cards say', () => {
  it('stores the real number of updates on the thread, though it keeps only the last five messages', () => {
    const messages = Array.from({ length: 9 }, (_, i) => ({ publishedTime: `2026-11-22T0${i}:00:00Z`, text: `Update ${i + 1}` }));
    const incident: Incident = {
      id: 'EX1', customerId: 'c1', kind: 'incident', workload: 'Exchange Online', title: 'Mail', severity: 'critical', status: 'critical',
      startTime: NOW.toISOString(), endTime: null, resolved: false, messages,
    };
    const event: IncidentEvent = { id: 'e1', kind: 'opened', customerId: 'c1', incident, changes: [], vanished: false };
    const state = withWatch();
    routeIncidentEvents(state, [event], { customerName: names, now: NOW });
    const kept = state.threads['A|EX1']?.incident;
    assert.equal(kept?.messages.length, 5);
    assert.equal(kept?.messageCount, 9);
  });

  it('queues a provisioning delivery with its changed lines as data', () => {
    const state = withWatch({ kind: 'order', orderId: 'o1' });
    const changes = [{ lineItemNumber: 1, from: 'prefulfillmentpending', to: 'fulfilled' }];
    const event: ProvisioningEvent = {
      id: 'p1', kind: 'changed', customerId: 'c1', orderId: 'o1', verdict: 'pending', changes,
      provisioning: { customerId: 'c1', orderId: 'o1', lines: [{ lineItemNumber: 1, status: 'fulfilled', quantities: [] }] },
    };
    routeProvisioningEvents(state, [event], { customerName: names, now: NOW });
    const delivery = state.outbox[0];
    assert.equal(delivery?.kind, 'provisioning');
    assert.deepEqual(delivery?.kind === 'provisioning' ? delivery.changes : null, changes);
  });
});

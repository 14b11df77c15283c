// Every kind of webhook body, made by the real diffs and event builders from changes as they happen, is
// valid against docs/webhook.schema.json; and the schema is no rubber stamp (it refuses what it must).
import assert from 'node:assert/strict';
import type { AlertEvent } from '../../src/domain/alertEvent.js';
import { diffIncidents } from '../../src/sources/incidents/diff.js';
import { diffProvisioning } from '../../src/sources/provisioning/diff.js';
import type { Incident, OrderProvisioning } from '../../src/domain/types.js';
import { webhookBody } from '../../src/destinations/webhook.js';
import { eventCustomer } from '../../src/domain/alertEvent.js';
import { incidentAlertEvent } from '../../src/sources/incidents/alertEvents.js';
import { provisioningAlertEvent } from '../../src/sources/provisioning/alertEvents.js';
import { subscriptionAlertEvent } from '../../src/sources/subscriptions/alertEvents.js';
import { diffSubscriptions } from '../../src/sources/subscriptions/diff.js';
import { DEFAULT_SUBSCRIPTION_SETTINGS } from '../../src/sources/subscriptions/model.js';
import { contoso, incident, subscription } from '../support/samples.js';
import { schemaErrors } from '../support/webhookSchema.js';

const customer = eventCustomer(contoso.id, contoso, 'Contoso');
const at = (minute: number) => `2026-12-07T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** Each fetch of a customer's incidents in turn, diffed as the engine does: the events of every step. */
function incidentEvents(fetches: Incident[][]): AlertEvent[] {
  let snapshot = diffIncidents(contoso.id, undefined, [], at(0)).snapshot;
  const events: AlertEvent[] = [];
  fetches.forEach((incidents, i) => {
    const diff = diffIncidents(contoso.id, snapshot, incidents, at(i + 1));
    for (const event of diff.events) events.push(incidentAlertEvent(event, diff.snapshot.incidents[event.incident.id]?.episode ?? 0, customer, at(i + 1)));
    snapshot = diff.snapshot;
  });
  return events;
}

function provisioningEvents(): AlertEvent[] {
  const order = (statuses: string[]): OrderProvisioning => ({
    customerId: contoso.id,
    orderId: 'order-1',
    lines: statuses.map((status, i) => ({ lineItemNumber: i, status, quantities: [{ quantity: 5, status }] })),
  });
  const steps = [order(['pending', 'pending']), order(['fulfilled', 'pending']), order(['fulfilled', 'fulfilled'])];
  const failed = [order(['pending']), order(['unfulfilled'])];
  const events: AlertEvent[] = [];
  for (const run of [steps, failed]) {
    let snapshot = diffProvisioning(undefined, run[0]!, at(0)).snapshot;
    for (const [i, current] of run.slice(1).entries()) {
      const diff = diffProvisioning(snapshot, current, at(i + 1));
      if (diff.event) events.push(provisioningAlertEvent(diff.event, customer, at(i + 1)));
      snapshot = diff.snapshot;
    }
  }
  return events;
}

function subscriptionEvents(): AlertEvent[] {
  const fetches = [[subscription(1)], [subscription(1, { status: 'suspended', suspensionReasons: ['CreditCheck'] })], [subscription(1, { quantity: 30, status: 'suspended' })], [subscription(1, { quantity: 30 })]];
  let before = diffSubscriptions(contoso.id, undefined, fetches[0]!, at(0), DEFAULT_SUBSCRIPTION_SETTINGS).snapshot;
  const events: AlertEvent[] = [];
  for (const [i, subscriptions] of fetches.slice(1).entries()) {
    const diff = diffSubscriptions(contoso.id, before, subscriptions, at(i + 1), DEFAULT_SUBSCRIPTION_SETTINGS);
    for (const event of diff.events) events.push(subscriptionAlertEvent(event, before, contoso, 'Contoso', at(i + 1)));
    before = diff.snapshot;
  }
  return events;
}

describe('webhook bodies against docs/webhook.schema.json', () => {
  const critical = incident('EX1', { severity: 'critical', status: 'critical' });
  const incidents = incidentEvents([
    [critical],
    [{ ...critical, severity: 'warning', status: 'warning', messages: [...critical.messages, { publishedTime: '2026-11-22T11:00:00Z', text: 'Fix deployed.' }] }],
    [{ ...critical, resolved: true }],
    [{ ...critical, resolved: false }], // it comes back: a new episode
    [], // no longer reported
  ]);
  const provisioning = provisioningEvents();
  const subscriptions = subscriptionEvents();

  it('makes an event of each kind, as the diffs find them', () => {
    assert.deepEqual(
      incidents.map((e) => [e.type, e.episode.key, e.episode.previousKey]),
      [
        ['incident.opened', `incident|EX1|${contoso.id}|0`, null],
        ['incident.updated', `incident|EX1|${contoso.id}|0`, null],
        ['incident.resolved', `incident|EX1|${contoso.id}|0`, null],
        ['incident.opened', `incident|EX1|${contoso.id}|1`, `incident|EX1|${contoso.id}|0`],
        ['incident.resolved', `incident|EX1|${contoso.id}|1`, `incident|EX1|${contoso.id}|0`],
      ],
    );
    assert.equal(new Set(incidents.map((e) => e.id)).size, incidents.length, 'each change its own id');
    assert.deepEqual(provisioning.map((e) => [e.type, e.severity]), [['provisioning.changed', 'information'], ['provisioning.completed', 'information'], ['provisioning.failed', 'critical']]);
    assert.deepEqual(subscriptions.map((e) => e.episode.change), ['opened', 'updated', 'resolved']);
  });

  it('validates every body', () => {
    for (const event of [...incidents, ...provisioning, ...subscriptions]) {
      const body: unknown = JSON.parse(webhookBody(event));
      assert.deepEqual(schemaErrors(body), [], event.type);
      assert.equal((body as { schemaVersion: number }).schemaVersion, 1);
    }
  });

  it('refuses bodies that break the promise', () => {
    const good = JSON.parse(webhookBody(incidents[0]!)) as Record<string, unknown>;
    assert.notDeepEqual(schemaErrors({ ...good, severity: 'normal' }), []);
    assert.notDeepEqual(schemaErrors({ ...good, schemaVersion: 2 }), []);
    assert.notDeepEqual(schemaErrors({ ...good, occurredAt: 'yesterday' }), []);
    assert.notDeepEqual(schemaErrors({ ...good, customer: { tenantId: contoso.id, name: 'Contoso' } }), []);
    assert.notDeepEqual(schemaErrors({ ...good, type: 'provisioning.failed' }), [], 'an incident body with a provisioning type');
  });
});

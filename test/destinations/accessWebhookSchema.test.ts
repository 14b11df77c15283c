// Every kind of access alert event, made by the real access diff from listings as they happen, is a valid
// webhook body against docs/webhook.schema.json (types access.ending/lost/back/stuck_approval/unused), and
// the schema refuses an access body with another source's type; the customer is named as the directory knows it.
import assert from 'node:assert/strict';
import type { AlertEvent } from '../../src/domain/alertEvent.js';
import { webhookBody } from '../../src/destinations/webhook.js';
import { diffAccess } from '../../src/sources/access/diff.js';
import type { AccessGroup, AccessSnapshot, Relationship } from '../../src/sources/access/model.js';
import { alertEventOf } from '../../src/sources/access/routing.js';
import { schemaErrors } from '../support/webhookSchema.js';

const CUSTOMER = '11111111-1111-4111-8111-111111111111';

function rel(fields: Partial<Relationship> = {}): Relationship {
  return { id: 'r1', name: 'Contoso support', status: 'active', customerId: CUSTOMER, customerName: 'Contoso', createdAt: '2025-01-01T00:00:00Z', activatedAt: '2025-01-02T00:00:00Z', endDay: '2026-12-14', autoExtend: false, lastModified: '2025-01-02T00:00:00Z', roles: [], ...fields };
}

function accessEvents(): AlertEvent[] {
  const snapshots = new Map<string, AccessSnapshot>();
  const events: AlertEvent[] = [];
  const listings: [string, Relationship[], Record<string, AccessGroup[]>][] = [
    ['2026-10-01T00:00:00Z', [rel()], {}],
    ['2026-11-14T00:00:00Z', [rel()], {}], // ending in 30 days
    ['2026-12-15T00:00:00Z', [rel({ status: 'expired' })], {}], // lost
    ['2026-12-16T00:00:00Z', [rel({ status: 'expired' }), rel({ id: 'r2', name: 'Contoso renewed', endDay: '2028-12-01' })], {}], // back
    ['2026-12-17T00:00:00Z', [rel({ status: 'expired' }), rel({ id: 'r2', name: 'Contoso renewed', endDay: '2028-12-01' }), rel({ id: 'p', status: 'approvalPending', endDay: null, createdAt: '2026-12-01T00:00:00Z' })], {}], // stuck
    ['2026-12-18T00:00:00Z', [rel({ status: 'expired' }), rel({ id: 'r2', name: 'Contoso renewed', endDay: '2028-12-01' }), rel({ id: 'p', status: 'approvalPending', endDay: null, createdAt: '2026-12-01T00:00:00Z' })], { r2: [] }], // unused
  ];
  listings.forEach(([at, relationships, assignments], i) => {
    const diff = diffAccess({ previous: (id) => snapshots.get(id), knownCustomerIds: [...snapshots.keys()], relationships, assignments, fetchedAt: at, baseline: i === 0, warnDays: 30 });
    for (const snapshot of diff.changed) snapshots.set(snapshot.customerId, snapshot);
    for (const event of diff.events) events.push(alertEventOf(event, at));
  });
  return events;
}

describe('access webhook bodies against docs/webhook.schema.json', () => {
  const events = accessEvents();

  it('makes an event of each access kind, with its episode key and change', () => {
    assert.deepEqual(
      events.map((e) => [e.type, e.severity, e.episode.change]),
      [
        ['access.ending', 'warning', 'opened'],
        ['access.lost', 'critical', 'updated'],
        ['access.back', 'information', 'resolved'],
        ['access.stuck_approval', 'information', 'opened'],
        ['access.unused', 'warning', 'updated'],
      ],
    );
    assert.equal(events[0]?.episode.key, `access|${CUSTOMER}|2026-11-14T00:00:00Z`, 'keyed by the episode’s first change');
    assert.equal(events[2]?.episode.key, events[0]?.episode.key, 'ending, lost and back: one episode');
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  });

  it('names the customer as the directory knows it (name and domain), Graph’s name and no domain only when it does not', () => {
    const diff = diffAccess({ previous: () => undefined, knownCustomerIds: [], relationships: [rel({ customerName: 'CONTOSO (tenant)', status: 'approvalPending', endDay: null, createdAt: '2026-12-01T00:00:00Z' })], assignments: {}, fetchedAt: '2026-12-17T00:00:00Z', baseline: false, warnDays: 30 });
    const [event] = diff.events;
    assert.ok(event, 'a stuck approval');
    const known = alertEventOf(event, '2026-12-17T00:00:00Z', { id: CUSTOMER, companyName: 'Contoso', domain: 'contoso.com', relationshipToPartner: 'reseller' });
    assert.deepEqual([known.customer, known.title], [{ tenantId: CUSTOMER, name: 'Contoso', domain: 'contoso.com' }, 'Contoso · GDAP access']);
    const unknown = alertEventOf(event, '2026-12-17T00:00:00Z');
    assert.deepEqual(unknown.customer, { tenantId: CUSTOMER, name: 'CONTOSO (tenant)', domain: null });
  });

  it('validates every body, and refuses an access body with another source’s type', () => {
    for (const event of events) assert.deepEqual(schemaErrors(JSON.parse(webhookBody(event))), [], event.type);
    const good = JSON.parse(webhookBody(events[0]!)) as Record<string, unknown>;
    assert.notDeepEqual(schemaErrors({ ...good, type: 'subscription.problem' }), []);
  });
});

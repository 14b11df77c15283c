// The access diff's rules at their edges: UTC calendar days (not hours), the baseline, the 30/7/1 windows
// once each, a later end resetting them and an earlier one not, auto-extend, the 730-day maximum, lost and
// back as one episode, a relationship ending under cover, stuck approvals, relationships nobody can use, and
// malformed dates shown as unknown and never alerted on.
import assert from 'node:assert/strict';
import { diffAccess } from '../../../src/sources/access/diff.js';
import type { AccessEvent, AccessGroup, AccessSnapshot, Relationship } from '../../../src/sources/access/model.js';
import { readRelationship } from '../../../src/sources/access/read.js';

const CUSTOMER = '11111111-1111-4111-8111-111111111111';
const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const EXCHANGE = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const ACTIVE_GROUP: AccessGroup[] = [{ groupId: 'g1', status: 'active', roles: [GLOBAL_READER] }];

function rel(fields: Partial<Relationship> = {}): Relationship {
  return {
    id: 'r1',
    name: 'Contoso support',
    status: 'active',
    customerId: CUSTOMER,
    customerName: 'Contoso',
    createdAt: '2025-01-01T00:00:00Z',
    activatedAt: '2025-01-02T00:00:00Z',
    endDay: '2026-12-14',
    autoExtend: false,
    lastModified: '2025-01-02T00:00:00Z',
    roles: [GLOBAL_READER],
    ...fields,
  };
}

/** Listings in a row against the same remembered snapshots, as the source's ingest keeps them. */
class Listings {
  readonly snapshots = new Map<string, AccessSnapshot>();
  private first = true;

  list(at: string, relationships: Relationship[], assignments: Record<string, AccessGroup[]> = {}): AccessEvent[] {
    const diff = diffAccess({
      previous: (id) => this.snapshots.get(id),
      knownCustomerIds: [...this.snapshots.keys()],
      relationships,
      assignments,
      fetchedAt: at,
      baseline: this.first,
      warnDays: 30,
    });
    this.first = false;
    for (const snapshot of diff.changed) this.snapshots.set(snapshot.customerId, snapshot);
    for (const id of diff.removed) this.snapshots.delete(id);
    return diff.events;
  }
}

const kinds = (events: AccessEvent[]) => events.flatMap((event) => event.changes.map((change) => change.kind));

describe('access diff', () => {
  it('the baseline posts nothing, even for a customer already lost, and a warning already due counts as given', () => {
    const l = new Listings();
    const lost = rel({ id: 'r2', customerId: '22222222-2222-4222-8222-222222222222', customerName: 'Fabrikam', status: 'terminated' });
    assert.deepEqual(l.list('2026-12-06T12:00:00Z', [rel(), lost]), []);
    assert.equal(l.snapshots.get(CUSTOMER)?.warned, 30, '8 days left: the 30-day warning counts as given');
    assert.equal(l.snapshots.get(lost.customerId)?.lost, true);
    assert.deepEqual(l.list('2026-12-06T18:00:00Z', [rel(), lost]), [], 'the same day again: still nothing');
  });

  it('counts calendar days in UTC: 7 days left from 00:00 UTC on the 7th, not at 23:59 on the 6th', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2026-12-14' })]);
    assert.deepEqual(l.list('2026-12-06T23:59:59.999Z', [rel()]), [], '8 calendar days left');
    const [event] = l.list('2026-12-07T00:00:00Z', [rel()]);
    assert.deepEqual(event?.changes.map((c) => [c.kind, c.severity]), [['ending', 'warning']]);
    assert.match(event?.changes[0]?.text ?? '', /^Access ends in 7 days \(14 Dec\)/);
    assert.deepEqual(l.list('2026-12-08T09:00:00Z', [rel()]), [], 'the 7-day warning is given once');
  });

  it('an end written with an offset counts on its UTC day (01:00+02:00 on the 15th is the 14th)', () => {
    const parsed = readRelationship({ id: 'r1', status: 'active', customer: { tenantId: CUSTOMER, displayName: 'Contoso' }, endDateTime: '2026-12-15T01:00:00+02:00', autoExtendDuration: 'PT0S' });
    assert.equal(parsed?.endDay, '2026-12-14');
    assert.equal(readRelationship({ id: 'r1', customer: { tenantId: CUSTOMER }, endDateTime: '2026-12-14T23:59:59.9999999Z' })?.endDay, '2026-12-14', "Graph's seven fractional digits");
  });

  it('warns at 30, 7 and 1 days (critical at 1), each once, and reports the loss as critical in the same episode', () => {
    const l = new Listings();
    l.list('2026-10-01T00:00:00Z', [rel()]);
    const at30 = l.list('2026-11-14T00:00:00Z', [rel()]);
    assert.deepEqual(at30.map((e) => [e.severity, e.episode, e.opens]), [['warning', 1, true]]);
    assert.deepEqual(l.list('2026-11-20T00:00:00Z', [rel()]), []);
    assert.deepEqual(l.list('2026-12-07T00:00:00Z', [rel()]).map((e) => [e.severity, e.episode, e.opens]), [['warning', 1, false]]);
    const at1 = l.list('2026-12-13T00:00:00Z', [rel()]);
    assert.deepEqual(at1.map((e) => [e.severity, e.episode]), [['critical', 1]]);
    const lost = l.list('2026-12-15T00:00:00Z', [rel({ status: 'expired' })]);
    assert.deepEqual(kinds(lost), ['lost']);
    assert.equal(lost[0]?.severity, 'critical');
    assert.equal(lost[0]?.episode, 1, 'ending, then lost: one episode');
    assert.match(lost[0]?.changes[0]?.text ?? '', /the last GDAP relationship “Contoso support” expired on 14 Dec; nothing active is left/);
    const back = l.list('2026-12-20T00:00:00Z', [rel({ status: 'expired' }), rel({ id: 'r9', name: 'Contoso renewed', endDay: '2028-12-19' })]);
    assert.deepEqual(kinds(back), ['back']);
    assert.deepEqual(back.map((e) => [e.episode, e.closes, e.news]), [[1, true, false]], 'access back closes the episode');
    const next = l.list('2028-11-19T00:00:00Z', [rel({ status: 'expired' }), rel({ id: 'r9', name: 'Contoso renewed', endDay: '2028-12-19' })]);
    assert.deepEqual(next.map((e) => [e.episode, e.opens]), [[2, true]], 'a later problem is a new episode');
  });

  it('only a later end resets the warnings; an end moved earlier is not a new term', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2026-12-21' })]); // 20 days: 30 given
    assert.deepEqual(l.list('2026-12-02T00:00:00Z', [rel({ endDay: '2026-12-18' })]), [], 'earlier, still outside 7 days: nothing new');
    const extended = l.list('2026-12-03T00:00:00Z', [rel({ endDay: '2027-03-01' })]);
    assert.deepEqual(kinds(extended), ['extended']);
    assert.equal(extended[0]?.closes, true);
    const again = l.list('2027-01-30T00:00:00Z', [rel({ endDay: '2027-03-01' })]);
    assert.deepEqual(kinds(again), ['ending'], 'the new term is warned at 30 days again');
  });

  it('auto-extend: never warned while one covering relationship auto-extends; turning it on ends the warnings', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2026-12-20' })]);
    assert.deepEqual(l.list('2026-12-13T00:00:00Z', [rel({ endDay: '2026-12-20' }), rel({ id: 'r2', endDay: '2026-12-14', autoExtend: true })]).length, 1, 'auto-extend on: one "extended" event');
    assert.deepEqual(l.list('2026-12-14T00:00:00Z', [rel({ endDay: '2026-12-20' }), rel({ id: 'r2', endDay: '2026-12-14', autoExtend: true })]), []);
    const fresh = new Listings();
    fresh.list('2026-01-01T00:00:00Z', [rel({ endDay: '2026-12-14', autoExtend: true })]);
    assert.deepEqual(fresh.list('2026-12-13T00:00:00Z', [rel({ endDay: '2026-12-14', autoExtend: true })]), []);
  });

  it('the 730-day maximum is far outside any window; a later relationship covers the customer', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-11-30' })]);
    assert.deepEqual(l.list('2026-12-02T00:00:00Z', [rel({ endDay: '2028-11-30' })]), []);
    const covered = new Listings();
    covered.list('2026-12-01T00:00:00Z', [rel({ endDay: '2026-12-20' }), rel({ id: 'r2', endDay: '2028-11-30' })]);
    assert.deepEqual(covered.list('2026-12-19T00:00:00Z', [rel({ endDay: '2026-12-20' }), rel({ id: 'r2', endDay: '2028-11-30' })]), []);
  });

  it('a relationship that ends while others cover the customer is information naming the roles only it held', () => {
    const l = new Listings();
    const other = rel({ id: 'r2', name: 'Contoso readers', endDay: '2028-01-01', roles: [GLOBAL_READER] });
    l.list('2026-12-01T00:00:00Z', [rel({ roles: [GLOBAL_READER, EXCHANGE] }), other]);
    const [event] = l.list('2026-12-15T00:00:00Z', [rel({ status: 'expired', roles: [GLOBAL_READER, EXCHANGE] }), other]);
    assert.deepEqual(event?.changes.map((c) => [c.kind, c.severity]), [['expiredCovered', 'information']]);
    assert.match(event?.changes[0]?.text ?? '', /“Contoso support” expired; others still cover the customer\. The roles no other relationship holds go with it: Exchange Administrator\./);
  });

  it('a stuck approval counts from createdDateTime: more than 7 days; a pending one has no end and is not malformed', () => {
    const pending = (created: string) => rel({ id: 'p1', name: 'Contoso helpdesk', status: 'approvalPending', createdAt: created, activatedAt: null, endDay: null });
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-01-01' })]);
    assert.deepEqual(l.list('2026-12-08T00:00:00Z', [rel({ endDay: '2028-01-01' }), pending('2026-12-01T00:00:00Z')]), [], 'exactly 7 days: not yet');
    const [stuck] = l.list('2026-12-08T00:00:01Z', [rel({ endDay: '2028-01-01' }), pending('2026-12-01T00:00:00Z')]);
    assert.deepEqual(stuck?.changes.map((c) => [c.kind, c.severity]), [['stuck', 'information']]);
    assert.equal(l.snapshots.get(CUSTOMER)?.relationships.find((p) => p.id === 'p1')?.malformed, undefined);
    const parsed = readRelationship({ id: 'p1', status: 'approvalPending', customer: { tenantId: CUSTOMER }, createdDateTime: '2026-12-01T00:00:00.0000000Z', autoExtendDuration: 'PT0S' });
    assert.equal(parsed?.malformed, undefined);
    assert.equal(parsed?.endDay, null);
  });

  it('"nobody can use it" is judged only when the assignments were read (new, changed, or the daily re-read)', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-01-01' })], { r1: ACTIVE_GROUP });
    assert.deepEqual(l.list('2026-12-02T00:00:00Z', [rel({ endDay: '2028-01-01' })]), [], 'not read: nothing judged');
    const [unused] = l.list('2026-12-03T00:00:00Z', [rel({ endDay: '2028-01-01' })], { r1: [{ groupId: 'g1', status: 'deleted', roles: [] }] });
    assert.deepEqual(unused?.changes.map((c) => [c.kind, c.severity]), [['unused', 'warning']]);
    assert.deepEqual(l.list('2026-12-04T00:00:00Z', [rel({ endDay: '2028-01-01' })], { r1: [] }), [], 'said once');
    const [used] = l.list('2026-12-05T00:00:00Z', [rel({ endDay: '2028-01-01' })], { r1: ACTIVE_GROUP });
    assert.deepEqual(used?.changes.map((c) => c.kind), ['used']);
    assert.equal(used?.closes, true);
  });

  it('a malformed end or duration is shown as unknown and never alerted on; an unknown status is a word, not a crash', () => {
    const bad = readRelationship({ id: 'r1', displayName: 'Odd', status: 'somethingNew', customer: { tenantId: CUSTOMER, displayName: 'Contoso' }, endDateTime: '2026-02-30T00:00:00Z', autoExtendDuration: 'soon' });
    assert.ok(bad);
    assert.equal(bad.malformed, true);
    assert.equal(bad.endDay, null);
    assert.equal(bad.autoExtend, null);
    assert.equal(bad.status, 'somethingNew');
    const l = new Listings();
    const malformed = rel({ endDay: null, malformed: true });
    l.list('2026-12-01T00:00:00Z', [malformed]);
    assert.deepEqual(l.list('2026-12-13T00:00:00Z', [malformed]), []);
    assert.equal(readRelationship({ displayName: 'no id' }), null, 'a relationship without an id or customer cannot be tracked');
  });

  it('a customer first seen after the baseline: what already is counts as known, its relationships\' own news is said', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-01-01' })]);
    const other = '33333333-3333-4333-8333-333333333333';
    const newcomer = (fields: Partial<Relationship>) => rel({ id: `n-${fields.id ?? 'x'}`, customerId: other, customerName: 'Tailspin Toys', ...fields });
    assert.deepEqual(l.list('2026-12-02T00:00:00Z', [rel({ endDay: '2028-01-01' }), newcomer({ endDay: '2026-12-05' })]), [], 'ending in 3 days when first seen: known, not news');
    assert.deepEqual(kinds(l.list('2026-12-04T00:00:00Z', [rel({ endDay: '2028-01-01' }), newcomer({ endDay: '2026-12-05' })])), ['ending'], 'the next window is news');
    const third = '44444444-4444-4444-8444-444444444444';
    const stuck = rel({ id: 'p9', customerId: third, customerName: 'Litware', status: 'approvalPending', endDay: null, createdAt: '2026-11-20T00:00:00Z' });
    const lostOne = rel({ id: 'x9', customerId: third, customerName: 'Litware', status: 'expired', endDay: '2026-10-01' });
    assert.deepEqual(kinds(l.list('2026-12-05T00:00:00Z', [rel({ endDay: '2028-01-01' }), newcomer({ endDay: '2026-12-05' }), stuck, lostOne])), ['stuck'], 'lost before it was seen: not news; its stuck approval is');
  });

  it('a role changed in place (same count) is a change of the relationship', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-01-01' })]);
    const before = l.snapshots.get(CUSTOMER);
    l.list('2026-12-02T00:00:00Z', [rel({ endDay: '2028-01-01', roles: [EXCHANGE] })]);
    assert.notEqual(l.snapshots.get(CUSTOMER), before);
    assert.deepEqual(l.snapshots.get(CUSTOMER)?.relationships[0]?.roles, [EXCHANGE]);
  });

  it('unchanged listings keep each snapshot object as it was (nothing to write)', () => {
    const l = new Listings();
    l.list('2026-12-01T00:00:00Z', [rel({ endDay: '2028-01-01' })]);
    const before = l.snapshots.get(CUSTOMER);
    const diff = diffAccess({ previous: (id) => l.snapshots.get(id), knownCustomerIds: [CUSTOMER], relationships: [rel({ endDay: '2028-01-01' })], assignments: {}, fetchedAt: '2026-12-02T00:00:00Z', baseline: false, warnDays: 30 });
    assert.deepEqual(diff.changed, []);
    assert.equal(l.snapshots.get(CUSTOMER), before);
  });
});

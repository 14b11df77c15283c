// The access source inside a batch's write, as data: a listing's events routed to the access watches that
// cover them (one thread per customer episode per conversation, edits after the first card), each routed
// change handed once to the outbound destinations as an AlertEvent (type, severity, episode key and change,
// the Partner Center link), Graph's refusal told once per watching conversation and changing nothing, the
// digest section, and what pruning forgets.
import assert from 'node:assert/strict';
import type { AlertEvent } from '../../../src/domain/alertEvent.js';
import { GraphClient } from '../../../src/graph/client.js';
import { accessSource, type AccessSource } from '../../../src/sources/access/index.js';
import type { AccessListing, Relationship } from '../../../src/sources/access/model.js';
import { ACCESS_ITEM_KEY, accessItems, type AccessItem } from '../../../src/sources/access/plan.js';
import { emptyState, type State } from '../../../src/store/state.js';
import { draftGroup } from '../../../src/store/draft.js';
import { Touched, trackedDraft } from '../../../src/store/records.js';
import { target } from '../../support/sampleState.js';
import { watch } from '../../support/samples.js';

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const FABRIKAM = '22222222-2222-4222-8222-222222222222';

const graph = new GraphClient({ settings: { baseUrl: 'http://127.0.0.1:1', authorityHost: 'http://127.0.0.1:1', tenantId: 't', clientId: 'c', clientSecret: 's', timeoutMs: 100 } });

function rel(fields: Partial<Relationship> = {}): Relationship {
  return { id: 'r1', name: 'Contoso support', status: 'active', customerId: CONTOSO, customerName: 'Contoso', createdAt: '2025-01-01T00:00:00Z', activatedAt: '2025-01-02T00:00:00Z', endDay: '2026-12-14', autoExtend: false, lastModified: '2025-01-02T00:00:00Z', roles: [], ...fields };
}

const fabrikam = (status: string) => rel({ id: 'f1', name: 'Fabrikam support', customerId: FABRIKAM, customerName: 'Fabrikam', status, endDay: '2028-01-01' });

function stateWithWatches(): State {
  const state = emptyState();
  state.targets.A = target('A');
  state.targets.B = target('B');
  state.watches.push(watch({ id: 'w1', targetKey: 'A', kind: 'access', customerId: null, customerName: null }), watch({ id: 'w2', targetKey: 'B', kind: 'access', customerId: FABRIKAM, customerName: 'Fabrikam' }));
  return state;
}

const item = (state: State): AccessItem => accessItems(state, Date.parse('2026-12-01T00:00:00Z'), { pollMinutes: 60 })[0] as AccessItem;

function ingest(source: AccessSource, state: State, at: string, listing: AccessListing, emitted: AlertEvent[] = []) {
  return source.ingest(state, item(state), listing, { now: new Date(at), customerName: (id) => id, emit: (event) => emitted.push(event) });
}

const listing = (...relationships: Relationship[]): AccessListing => ({ kind: 'listing', relationships, assignments: {} });

describe('access source', () => {
  it('plans one partner-wide item while access is watched, due every GDAP_POLL_MINUTES or when a poll now asks', () => {
    const state = stateWithWatches();
    const [first] = accessItems(state, Date.parse('2026-12-01T00:00:00Z'), { pollMinutes: 60 });
    assert.equal(first?.key, ACCESS_ITEM_KEY);
    assert.equal(first?.customer, null, 'not a customer: one listing for every customer');
    state.accessListing.fetchedAt = '2026-12-01T00:00:00Z';
    assert.deepEqual(accessItems(state, Date.parse('2026-12-01T00:59:00Z'), { pollMinutes: 60 }), []);
    assert.equal(accessItems(state, Date.parse('2026-12-01T01:00:00Z'), { pollMinutes: 60 }).length, 1);
    state.sweep.summaryTo.push('A');
    assert.equal(accessItems(state, Date.parse('2026-12-01T00:01:00Z'), { pollMinutes: 60 }).length, 1, '"poll now" includes a listing');
    assert.deepEqual(accessItems({ ...state, watches: [] }, Date.parse('2026-12-01T02:00:00Z'), { pollMinutes: 60 }), [], 'no access watch, no listing');
  });

  it('routes an episode to the watches covering it, one thread per conversation, and emits each change once', () => {
    const source = accessSource(graph);
    const state = stateWithWatches();
    const emitted: AlertEvent[] = [];
    assert.deepEqual(ingest(source, state, '2026-12-01T00:00:00Z', listing(rel(), fabrikam('active')), emitted), { events: 0, queued: 0 }, 'the baseline');
    const lost = ingest(source, state, '2026-12-02T00:00:00Z', listing(rel({ endDay: '2028-01-01' }), fabrikam('terminated')), emitted);
    assert.deepEqual(lost, { events: 2, queued: 2 }, 'Contoso extended (nobody saw its episode begin: no card), Fabrikam lost in A and B');
    assert.deepEqual(state.outbox.map((d) => [d.kind, d.targetKey]), [['access', 'A'], ['access', 'B']]);
    assert.deepEqual(Object.keys(state.accessThreads).sort(), [`A|access|${FABRIKAM}|1`, `B|access|${FABRIKAM}|1`]);
    assert.equal(emitted.length, 1, 'one AlertEvent for Fabrikam, however many conversations');
    const [event] = emitted;
    assert.equal(event?.type, 'access.lost');
    assert.equal(event?.severity, 'critical');
    assert.equal(event?.source, 'access');
    assert.deepEqual(event?.episode, { key: `access|${FABRIKAM}|2026-12-02T00:00:00.000Z`, change: 'opened', previousKey: null });
    assert.match(event?.id ?? '', /^evt_[0-9a-f]{32}$/);
    assert.deepEqual(event?.customer, { tenantId: FABRIKAM, name: 'Fabrikam', domain: null });
    assert.deepEqual(event?.links, [{ title: 'Open in Partner Center', url: `https://partner.microsoft.com/dashboard/v2/customers/${FABRIKAM}/adminrelationships` }]);

    // The first cards are still queued: "back" merges into them rather than queueing another delivery.
    const back = ingest(source, state, '2026-12-03T00:00:00Z', listing(rel({ endDay: '2028-01-01' }), fabrikam('terminated'), rel({ id: 'f2', name: 'Fabrikam renewed', customerId: FABRIKAM, customerName: 'Fabrikam', endDay: '2028-12-01' })), emitted);
    assert.deepEqual(back, { events: 1, queued: 0 });
    assert.deepEqual(emitted.slice(1).map((e) => [e.type, e.severity, e.episode.change, e.episode.key]), [['access.back', 'information', 'resolved', `access|${FABRIKAM}|2026-12-02T00:00:00.000Z`]]);
    assert.ok(state.accessThreads[`A|access|${FABRIKAM}|1`]?.closedAt);

    // Delivered, then the same listing ingested again (a crash before the write was recorded): nothing queued twice.
    for (const delivery of state.outbox) state.deliveryLog[delivery.id] = '2026-12-03T00:00:01Z';
    state.outbox = [];
    const stuck = ingest(source, state, '2026-12-20T00:00:00Z', listing(rel({ endDay: '2028-01-01' }), fabrikam('terminated'), rel({ id: 'f2', customerId: FABRIKAM, customerName: 'Fabrikam', endDay: '2028-12-01' }), rel({ id: 'f3', name: 'Fabrikam helpdesk', customerId: FABRIKAM, customerName: 'Fabrikam', status: 'approvalPending', endDay: null, createdAt: '2026-12-10T00:00:00Z' })), emitted);
    assert.deepEqual(stuck, { events: 1, queued: 2 }, 'a stuck approval: a new episode, a new card in each conversation');
    assert.deepEqual(emitted.at(-1)?.type, 'access.stuck_approval');
    assert.ok(state.accessThreads[`A|access|${FABRIKAM}|2`]);
  });

  it('reads the previous snapshots where they were written, not through the draft: only changed customers are touched there', () => {
    const written = stateWithWatches();
    const source = accessSource(graph);
    ingest(source, written, '2026-12-01T00:00:00Z', listing(rel(), fabrikam('active')));
    // As a store runs it: on a draft of the written state, which notes every record it reaches.
    const touched = new Touched();
    const { results } = draftGroup(written, [(draft) => ingest(source, draft, '2026-12-02T00:00:00Z', listing(rel(), fabrikam('terminated')))], (draft) => trackedDraft(draft, touched));
    assert.deepEqual(results, [{ ok: true, value: { events: 1, queued: 2 } }]);
    assert.deepEqual([...(touched.keys.get('accessSnapshots') as Set<string>)], [FABRIKAM], 'Contoso, unchanged, was read where it was written');
  });

  it('Graph refused: one notice per watching conversation, once until Graph answers, and nothing else changes', () => {
    const source = accessSource(graph);
    const state = stateWithWatches();
    const refused: AccessListing = { kind: 'refused', message: 'Microsoft Graph answered 403' };
    assert.deepEqual(ingest(source, state, '2026-12-01T00:00:00Z', refused), { events: 0, queued: 2 });
    assert.deepEqual(ingest(source, state, '2026-12-01T01:00:00Z', refused), { events: 0, queued: 0 }, 'told once');
    assert.match(state.outbox[0]?.kind === 'notice' ? state.outbox[0].text : '', /DelegatedAdminRelationship\.Read\.All/);
    assert.equal(state.accessListing.fetchedAt, null, 'no listing taken: the next one is still the baseline');
    assert.deepEqual(state.accessSnapshots, {});
    assert.deepEqual(accessItems(state, Date.parse('2026-12-01T01:30:00Z'), { pollMinutes: 60 }), [], 'a refused listing is asked again after GDAP_POLL_MINUTES too');
    assert.equal(accessItems(state, Date.parse('2026-12-01T02:00:00Z'), { pollMinutes: 60 }).length, 1);
    assert.deepEqual(ingest(source, state, '2026-12-01T02:00:00Z', listing(rel())), { events: 0, queued: 2 }, 'one "restored" line each; the listing is the baseline');
    assert.equal(state.accessListing.refusedSince, null);
  });

  it('the digest section lists the covered customers whose access ends within ACCESS_WARN_DAYS, and the lost ones', () => {
    const source = accessSource(graph);
    const state = stateWithWatches();
    ingest(source, state, '2026-12-01T00:00:00Z', listing(rel(), fabrikam('terminated')));
    const forA = source.digestSection(state, 'A', { now: new Date('2026-12-07T08:00:00Z') });
    assert.equal(forA?.heading, 'Access ending within 30 days');
    assert.deepEqual(forA?.items.map((row) => [row.badge, row.title, row.detail]), [
      ['Lost', 'Fabrikam', 'No active GDAP relationship is left'],
      ['Ending soon', 'Contoso', 'Access ends 14 Dec (in 7 days)'],
    ]);
    assert.deepEqual(forA?.items[1]?.open, { title: 'Access', verb: 'customer.access', data: { customerId: CONTOSO } });
    assert.deepEqual(source.digestSection(state, 'B', { now: new Date('2026-12-07T08:00:00Z') })?.items.map((row) => row.title), ['Fabrikam'], 'B watches Fabrikam only');
    assert.equal(source.digestSection(state, 'C', { now: new Date('2026-12-07T08:00:00Z') }), null, 'no access watch: no section');
  });

  it('pruning forgets old closed cards, and everything once nobody watches access (the next listing is a baseline)', () => {
    const source = accessSource(graph);
    const state = stateWithWatches();
    ingest(source, state, '2026-12-01T00:00:00Z', listing(rel(), fabrikam('active')));
    ingest(source, state, '2026-12-02T00:00:00Z', listing(rel(), fabrikam('terminated')));
    source.prune(state, new Date('2026-12-03T00:00:00Z'));
    assert.equal(Object.keys(state.accessThreads).length, 2, 'open episodes stay');
    state.watches = [];
    source.prune(state, new Date('2027-02-01T00:00:00Z'));
    assert.deepEqual(state.accessThreads, {}, 'unchanged for 30 days and nobody watches');
    assert.deepEqual(state.accessSnapshots, {});
    assert.equal(state.accessListing.fetchedAt, null);
  });
});

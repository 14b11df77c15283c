// The digest's and the quiet summary's contents, read from the state alone, and the card they become.
import assert from 'node:assert/strict';
import { digestCard, MAX_CARD_BYTES, cardSizeBytes, VERBS } from '../../src/cards.js';
import type { IncidentFingerprint } from '../../src/domain/incidentRecords.js';
import type { Incident } from '../../src/domain/types.js';
import { buildDigest, buildQuietSummary, SUMMARY_LIMITS } from '../../src/engine/digest.js';
import { emptyState, type HeldAlert, type IncidentThread, type State } from '../../src/store/state.js';
import { allText, assertGoodCard, objects } from '../support/cardChecks.js';
import { customer, incident, target, watch } from '../support/samples.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
const batchSources = { incidents: incidentSource(), provisioning: provisioningSource() };

const NOW = new Date('2026-03-03T07:00:00Z'); // 08:00 in Amsterdam
const ZONE = 'Europe/Amsterdam';
const CONTOSO = customer(1, { companyName: 'Contoso' });
const FABRIKAM = customer(2, { companyName: 'Fabrikam' });
const NORTHWIND = customer(3, { companyName: 'Northwind Traders' });
const TAILSPIN = customer(4, { companyName: 'Tailspin Toys' });
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

const print = (fields: Partial<IncidentFingerprint> = {}): IncidentFingerprint => ({
  severity: 'warning',
  status: 'warning',
  resolved: false,
  messageCount: 1,
  lastMessageAt: hoursAgo(5),
  ...fields,
});

function thread(targetKey: string, copy: Incident, customers: Record<string, string>, fields: Partial<IncidentThread> = {}): IncidentThread {
  return {
    key: `${targetKey}|${copy.id}`,
    targetKey,
    incidentId: copy.id,
    activityId: `activity-${targetKey}-${copy.id}`,
    incident: copy,
    customers: Object.fromEntries(Object.entries(customers).map(([id, name]) => [id, { name, resolved: false, vanished: false }])),
    openedAt: hoursAgo(30),
    updatedAt: hoursAgo(30),
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: hoursAgo(30),
    ...fields,
  };
}

/** Conversation A watches Contoso, Fabrikam (Teams only), Tailspin and one order; B watches everything. */
function sampleState(): State {
  const state = emptyState();
  state.targets = { A: target('A'), B: target('B') };
  state.watches = [
    watch({ id: 'w1', customerId: CONTOSO.id, customerName: 'Contoso' }),
    watch({ id: 'w2', customerId: FABRIKAM.id, customerName: 'Fabrikam', workloads: ['teams'] }),
    watch({ id: 'w3', customerId: TAILSPIN.id, customerName: 'Tailspin Toys' }),
    watch({ id: 'w4', kind: 'order', customerId: CONTOSO.id, customerName: 'Contoso', orderId: 'order-1' }),
    watch({ id: 'w5', targetKey: 'B', kind: 'all', customerId: null, customerName: null }),
  ];
  state.incidentSnapshots = {
    [CONTOSO.id]: {
      fetchedAt: hoursAgo(1),
      incidents: { EX100: print(), EX200: print({ severity: 'critical', status: 'critical' }), EX300: print({ resolved: true }) },
    },
    [FABRIKAM.id]: { fetchedAt: hoursAgo(1), incidents: { EX100: print(), TM500: print() } },
    [NORTHWIND.id]: { fetchedAt: hoursAgo(1), incidents: { EX200: print({ severity: 'critical', status: 'critical' }) } },
  };
  state.threads = {
    'A|EX200': thread('A', incident('EX200', { severity: 'critical', status: 'critical', title: 'Mail flow stops' }), { [CONTOSO.id]: 'Contoso' }, { openedAt: hoursAgo(3), updatedAt: hoursAgo(2) }),
    'A|EX300': thread('A', incident('EX300', { title: 'Slow search', resolved: true }), { [CONTOSO.id]: 'Contoso' }, { updatedAt: hoursAgo(4), resolvedAt: hoursAgo(4) }),
    'B|EX100': thread('B', incident('EX100', { title: 'Delays in the admin centre' }), { [CONTOSO.id]: 'Contoso', [FABRIKAM.id]: 'Fabrikam' }),
    // Seen when A started watching, never posted: not news for the digest.
    'A|EX400': thread('A', incident('EX400'), { [CONTOSO.id]: 'Contoso' }, { activityId: null, lastSentAt: null, updatedAt: hoursAgo(1) }),
  };
  state.orderSnapshots = {
    [`${CONTOSO.id}/order-1`]: { fetchedAt: hoursAgo(1), lines: { '1': 'fulfilled|5 fulfilled', '2': 'prefulfillmentpending|5 prefulfillmentpending' } },
  };
  state.lastCycle = {
    correlationId: 'r1',
    startedAt: hoursAgo(1),
    endedAt: hoursAgo(0.9),
    customersFetched: 2,
    customersFailed: [
      { customerId: FABRIKAM.id, name: 'Fabrikam', error: 'Partner Center answered 500' },
      { customerId: NORTHWIND.id, name: 'Northwind Traders', error: 'timeout' },
    ],
    ordersFetched: 1,
    ordersFailed: [],
    events: 0,
    deliveriesQueued: 0,
  };
  state.accessDenied = { [TAILSPIN.id]: hoursAgo(48) };
  return state;
}

const digestOf = (state: State, key = 'A', since: string | null = hoursAgo(24)) =>
  buildDigest(state, key, { batchSources, now: NOW, timeZone: ZONE, since, dueAt: NOW.toISOString(), late: false });

/** The verb and data of every clickable row, in order. */
function clicks(card: object): { verb: unknown; data: unknown }[] {
  return objects(card)
    .filter((el) => el.type === 'ColumnSet' && el.selectAction)
    .map((el) => {
      const action = el.selectAction as { verb: unknown; data: unknown };
      return { verb: action.verb, data: action.data };
    });
}

describe('digest contents', () => {
  it('groups active incidents of the watched customers by incident, most severe first, from threads and snapshots', () => {
    const report = digestOf(sampleState());
    assert.deepEqual(
      report.incidents.items.map((item) => [item.incidentId, item.severity, item.customers.map((c) => c.name)]),
      [
        ['EX200', 'critical', ['Contoso']],
        ['EX100', 'warning', ['Contoso']],
      ],
      'Northwind is not watched here; Fabrikam is watched for Teams only, so neither its EX100 nor its unknown TM500 count',
    );
    assert.equal(report.incidents.items[1]?.title, 'Delays in the admin centre', 'the title comes from another conversation’s card');
  });

  it('"watch all" covers every customer with a snapshot, and what it excludes stays out', () => {
    const state = sampleState();
    const all = state.watches.find((w) => w.kind === 'all');
    assert.ok(all);
    let report = digestOf(state, 'B');
    assert.deepEqual(report.incidents.items.map((item) => [item.incidentId, item.customerCount]), [
      ['EX200', 2],
      ['EX100', 2],
      ['TM500', 1],
    ]);
    assert.equal(report.incidents.items[2]?.title, null, 'nothing but the snapshot is known of TM500');
    all.excluded = [{ customerId: NORTHWIND.id, name: 'Northwind Traders' }];
    report = digestOf(state, 'B');
    assert.equal(report.incidents.items[0]?.customerCount, 1);
  });

  it('lists watched orders still provisioning, changes since the last digest, and customers that could not be checked', () => {
    const report = digestOf(sampleState(), 'A', hoursAgo(5));
    assert.deepEqual(report.orders.items.map((o) => [o.orderId, o.linesFinal, o.linesTotal]), [['order-1', 1, 2]]);
    assert.deepEqual(report.changes.items.map((c) => [c.incidentId, c.kind]), [
      ['EX200', 'opened'],
      ['EX300', 'resolved'],
    ]);
    assert.deepEqual(report.unchecked.items.map((u) => [u.name, u.reason]), [
      ['Fabrikam', 'failed'],
      ['Tailspin Toys', 'refused'],
    ]);
    assert.equal(digestOf(sampleState(), 'A', hoursAgo(2.5)).changes.items.length, 1, 'only what changed after `since`');
  });

  it('becomes a card whose every row drills into what it is about, with no parse warnings', () => {
    const card = digestCard({ report: digestOf(sampleState()) });
    assertGoodCard(card);
    const text = allText(card);
    for (const expected of ['Digest for Tue 3 Mar', 'Active incidents (2)', 'Critical', 'Mail flow stops', 'Orders still provisioning (1)', '1 of 2 line items final', 'Customers that could not be checked (2)', 'Partner Center refuses access']) {
      assert.ok(text.includes(expected), `${expected} in\n${text}`);
    }
    assert.deepEqual(clicks(card).map((click) => click.verb), [
      VERBS.history, VERBS.history, // incidents
      VERBS.provisioning, // order
      VERBS.history, VERBS.history, // changes
      VERBS.overview, VERBS.overview, // unchecked
    ]);
    assert.deepEqual(clicks(card)[0]?.data, { customerId: CONTOSO.id, incidentId: 'EX200' });
    assert.deepEqual(clicks(card)[2]?.data, { customerId: CONTOSO.id, orderId: 'order-1' });
  });

  it('says nothing to report in one line, and says when it is late', () => {
    const state = emptyState();
    state.targets = { A: target('A') };
    state.watches = [watch({ customerId: CONTOSO.id })];
    const empty = digestCard({ report: digestOf(state) });
    assertGoodCard(empty);
    assert.equal(empty.body.length, 1);
    assert.match(allText(empty), /^Digest for Tue 3 Mar: nothing to report\./);

    const late = buildDigest(state, 'A', { batchSources, now: new Date('2026-03-03T10:02:00Z'), timeZone: ZONE, since: null, dueAt: NOW.toISOString(), late: true });
    assert.match(allText(digestCard({ report: late })), /nothing to report.*\(Late: due at 08:00\.\)/);
    const full = buildDigest(sampleState(), 'A', { batchSources, now: new Date('2026-03-03T10:02:00Z'), timeZone: ZONE, since: null, dueAt: NOW.toISOString(), late: true });
    assert.match(allText(digestCard({ report: full })), /Late: due at 08:00, sent at 11:02 because the bot was not running then\./);
  });

  it('stays under the size limit with long lists and long names, and counts what it leaves out', () => {
    const state = sampleState();
    const long = 'Fabrikam_名"\u0001 '.repeat(40);
    for (let n = 10; n < 60; n++) {
      const id = customer(n, { companyName: long }).id;
      state.watches.push(watch({ id: `x${n}`, customerId: id, customerName: `${long}${n}` }));
      state.incidentSnapshots[id] = { fetchedAt: hoursAgo(1), incidents: Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`EX9${n}${k}`, print()])) };
      state.accessDenied[id] = hoursAgo(3);
    }
    const report = digestOf(state);
    assert.equal(report.incidents.items.length, SUMMARY_LIMITS.incidents);
    assert.equal(report.incidents.items.length + report.incidents.more, 252);
    const card = digestCard({ report });
    assertGoodCard(card);
    assert.ok(cardSizeBytes(card) < MAX_CARD_BYTES / 2, `${cardSizeBytes(card)} bytes`);
    assert.match(allText(card), /and 237 more/);
  });

  it('gives a row no button when its ids are not of the shape a click may send back', () => {
    const state = sampleState();
    state.watches.push(watch({ id: 'bad', customerId: 'not-a-guid', customerName: 'Odd' }));
    state.incidentSnapshots['not-a-guid'] = { fetchedAt: hoursAgo(1), incidents: { 'EX<b>1': print({ severity: 'critical' }) } };
    const card = digestCard({ report: digestOf(state) });
    assertGoodCard(card);
    assert.ok(!clicks(card).some((click) => JSON.stringify(click.data).includes('not-a-guid')));
    assert.match(allText(card), /Odd/);
  });
});

describe('quiet-hours summary contents', () => {
  const held = (fields: Partial<HeldAlert> & Pick<HeldAlert, 'id' | 'kind' | 'text'>): HeldAlert => ({
    heldAt: hoursAgo(6),
    heldUntil: NOW.toISOString(),
    edited: false,
    ...fields,
  });

  it('sums up held incidents as their cards stand now, with what was held, plus orders and notices', () => {
    const state = sampleState();
    const alerts: HeldAlert[] = [
      held({ id: 'd1', kind: 'incident', text: 'Opened for Contoso.', threadKey: 'A|EX300', incidentId: 'EX300' }),
      held({ id: 'd2', kind: 'incident', text: 'Resolved for Contoso.', threadKey: 'A|EX300', incidentId: 'EX300' }),
      held({ id: 'd3', kind: 'incident', text: 'Update for Contoso (severity critical → warning)', threadKey: 'A|EX200', incidentId: 'EX200', edited: true }),
      held({ id: 'd4', kind: 'provisioning', text: 'Line 1: prefulfillmentpending → fulfilled', customerId: CONTOSO.id, customerName: 'Contoso', orderId: 'order-1' }),
      held({ id: 'd5', kind: 'notice', text: 'Partner Center refused access to Tailspin Toys since 02:00 UTC.' }),
      held({ id: 'd6', kind: 'incident', text: 'Opened.', threadKey: 'A|EX999', incidentId: 'EX999' }),
    ];
    const report = buildQuietSummary(state, 'A', alerts, { batchSources, now: NOW, timeZone: ZONE, startedAt: hoursAgo(11), endedAt: NOW.toISOString() });
    assert.deepEqual(report.incidents.items.map((item) => [item.incidentId, item.notes]), [
      ['EX200', ['Update for Contoso (severity critical → warning)']],
      ['EX999', ['Opened.']],
      ['EX300', ['Opened for Contoso.', 'Resolved for Contoso.']],
    ]);
    const card = digestCard({ report });
    assertGoodCard(card);
    const text = allText(card);
    assert.ok(text.indexOf('EX999') < text.indexOf('EX300'), 'a row without a button keeps its place');
    for (const expected of ['While it was quiet', 'Incidents held (3)', 'Provisioning held (1)', 'Line 1: prefulfillmentpending → fulfilled', 'Notices held (1)', 'Tailspin Toys', 'Mon 2 Mar 21:00 to 08:00 (Europe/Amsterdam)']) {
      assert.ok(text.includes(expected), `${expected} in\n${text}`);
    }
  });

  it('is one line when nothing was held', () => {
    const report = buildQuietSummary(sampleState(), 'A', [], { batchSources, now: NOW, timeZone: ZONE, startedAt: null, endedAt: NOW.toISOString() });
    const card = digestCard({ report });
    assertGoodCard(card);
    assert.deepEqual(card.body.length, 1);
  });
});

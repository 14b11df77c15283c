// A digest and an end-of-quiet-hours summary read only the snapshots they may show (engine/digestReads.ts):
// with many customers of which a few have something going on, the scheduled digest, "digest now" and the
// summary are exactly what they would be from the whole state, and the store is asked only for those few
// snapshots by key — never for every one. On both stores (PostgreSQL: the keys are found by a query).
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import type { BotServices } from '../../src/bot/services.js';
import { digestCommand } from '../../src/bot/scheduleCommands.js';
import { digestCard } from '../../src/cards.js';
import { buildDigest, buildQuietSummary } from '../../src/engine/digest.js';
import { DigestScheduler } from '../../src/engine/digestScheduler.js';
import type { AccessSnapshot } from '../../src/domain/accessRecords.js';
import type { CustomerIncidentSnapshot } from '../../src/domain/incidentRecords.js';
import type { SubscriptionSnapshot } from '../../src/domain/subscriptionRecords.js';
import type { GraphClient } from '../../src/graph/client.js';
import { accessSource } from '../../src/sources/access/index.js';
import { subscriptionSource } from '../../src/sources/subscriptions/index.js';
import { wholeState, type LoadList, type Loads } from '../../src/store/paged.js';
import { emptySchedule, orderKey, type HeldAlert, type State, type SummaryDelivery } from '../../src/store/state.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { postgresForSuite } from '../support/postgres.js';
import { thread } from '../support/sampleState.js';
import { target, watch } from '../support/samples.js';
import { backends } from '../support/storeBackends.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
const batchSources = { incidents: incidentSource(), provisioning: provisioningSource() };

const NOW = Date.parse('2026-03-04T08:00:00.000Z');
const SINCE = '2026-03-03T08:00:00.000Z';
const CUSTOMERS = 300;
const OLD = '2026-02-01T00:00:00.000Z';
const HELD: HeldAlert = { id: 'held-1', kind: 'provisioning', heldAt: '2026-03-04T01:00:00.000Z', heldUntil: '2026-03-04T07:00:00.000Z', text: 'Line 1 failed', edited: false, customerId: 'c7', customerName: 'Customer 7', orderId: 'o7' };
// The GDAP listing is never asked for by a digest: the access source only needs a client to exist.
const sources = [subscriptionSource(), accessSource({} as GraphClient)];
const customerName = (id: string) => `Customer ${id.slice(1)}`;

const incidents = (open: boolean, changedAt = OLD): CustomerIncidentSnapshot => ({
  fetchedAt: NOW_ISO(),
  changedAt,
  incidents: { [`EX${open ? 'OPEN' : 'OLD'}`]: { severity: 'warning', status: 'warning', resolved: !open, messageCount: 1, lastMessageAt: OLD } },
});
function NOW_ISO() {
  return new Date(NOW - 3_600_000).toISOString();
}
const subscriptions = (fields: Partial<SubscriptionSnapshot['subscriptions'][number]>): SubscriptionSnapshot => ({
  fetchedAt: NOW_ISO(),
  subscriptions: [{ id: 'sub', name: 'Microsoft 365 E3', quantity: 10, status: 'active', ...fields }],
});
const access = (customerId: string, fields: Partial<AccessSnapshot['relationships'][number]>): AccessSnapshot => ({
  customerId,
  customerName: customerName(customerId),
  relationships: [{ id: `r-${customerId}`, name: 'Support', status: 'active', roles: [], ...fields }],
});

/**
 * 300 customers under A's "watch all" (of incidents, subscriptions and access) and its order watch: c1, c2
 * with an incident open, c3 changed since the last digest, c4 open but excluded; c10 suspended, c11 ending in
 * 16 days, c12 in 7 months; c20 lost access, c21 ending in 10 days, c22 in 9 months; c400 only on A's card.
 * Q has a provisioning alert of c7's order held. B watches c5 and has no digest.
 */
function seed(state: State): void {
  state.targets.A = { ...target('A'), schedule: { ...emptySchedule(), digest: { days: 'daily', time: '08:00', timeZone: 'UTC', setBy: 'Ana', setAt: OLD }, lastDigest: { localDate: '2026-03-03', dueAt: SINCE, queuedAt: SINCE } } };
  state.targets.Q = { ...target('Q'), schedule: { ...emptySchedule(), held: [HELD] } };
  state.targets.B = target('B');
  state.watches.push(
    watch({ id: 'all', kind: 'all', customerId: null, customerName: null, excluded: [{ customerId: 'c4', name: 'Customer 4' }] }),
    watch({ id: 'subs', kind: 'subscriptions', customerId: null, customerName: null }),
    watch({ id: 'gdap', kind: 'access', customerId: null, customerName: null }),
    watch({ id: 'order', kind: 'order', customerId: 'c1', customerName: 'Customer 1', orderId: 'o1' }),
    watch({ id: 'b', targetKey: 'B', customerId: 'c5', customerName: 'Customer 5' }),
  );
  for (let n = 0; n < CUSTOMERS; n++) {
    const id = `c${n}`;
    state.incidentSnapshots[id] = incidents(false);
    state.subscriptionSnapshots[id] = subscriptions({ autoRenew: true, endDay: '2026-06-01' });
    state.accessSnapshots[id] = access(id, { autoExtend: true });
    state.orderSnapshots[orderKey(id, `o${n}`)] = { fetchedAt: NOW_ISO(), lines: { '1': 'pending|10 pending' } };
  }
  state.incidentSnapshots.c1 = incidents(true);
  state.incidentSnapshots.c2 = incidents(true);
  state.incidentSnapshots.c3 = incidents(false, '2026-03-03T12:00:00.000Z');
  state.incidentSnapshots.c4 = incidents(true);
  state.subscriptionSnapshots.c10 = subscriptions({ status: 'suspended' });
  state.subscriptionSnapshots.c11 = subscriptions({ endDay: '2026-03-20' });
  state.subscriptionSnapshots.c12 = subscriptions({ endDay: '2026-09-30' });
  state.accessSnapshots.c20 = access('c20', { status: 'terminated' });
  state.accessSnapshots.c21 = access('c21', { endDay: '2026-03-14' });
  state.accessSnapshots.c22 = access('c22', { endDay: '2026-12-01' });
  state.threads['A|OPEN'] = {
    ...thread('A|OPEN', 'A'),
    incidentId: 'EXOPEN',
    incident: { ...thread('A|OPEN', 'A').incident, id: 'EXOPEN' },
    activityId: 'activity-1',
    customers: { c1: { name: 'Customer 1', resolved: false, vanished: false }, c400: { name: 'Customer 400', resolved: false, vanished: false }, c9: { name: 'Customer 9', resolved: true, vanished: false } },
    updatedAt: '2026-03-03T10:00:00.000Z',
  };
}

/** The card threads a digest names by key: none (it selects a conversation's, conversationsSelected). */
const CARDS_BY_KEY = { threads: [], subscriptionThreads: [], accessThreads: [] };

/** The conversations whose cards the loads select (by conversation), over every card field. */
function conversationsSelected(loads: readonly (LoadList | undefined)[]): string[] {
  const found = new Set<string>();
  for (const list of loads) {
    for (const one of (Array.isArray(list) ? list : [list]) as (Loads | undefined)[]) {
      for (const load of Object.values(one ?? {})) {
        if (typeof load === 'object' && !(Symbol.iterator in load)) for (const key of load.conversations ?? []) found.add(key);
      }
    }
  }
  return [...found].sort();
}

/** The keys asked for, by field, of every load given ('all' and 'keys' as such). */
function keysAsked(loads: readonly (LoadList | undefined)[]): Record<string, string[] | string> {
  const asked = new Map<string, Set<string> | string>();
  for (const list of loads) {
    for (const one of (Array.isArray(list) ? list : [list]) as (Loads | undefined)[]) {
      for (const [field, load] of Object.entries(one ?? {})) {
        const before = asked.get(field);
        if (typeof load === 'string') asked.set(field, load);
        else if (typeof before !== 'string') asked.set(field, new Set([...(before ?? []), ...(Symbol.iterator in load ? (load as Iterable<string>) : (load.keys ?? []))]));
      }
    }
  }
  return Object.fromEntries([...asked].map(([field, keys]) => [field, typeof keys === 'string' ? keys : [...keys].sort()]));
}

const EXPECTED_KEYS = {
  incidentSnapshots: ['c1', 'c2', 'c3', 'c400'],
  orderSnapshots: [orderKey('c1', 'o1'), orderKey('c7', 'o7')].sort(),
  subscriptionSnapshots: ['c10', 'c11'],
  accessSnapshots: ['c20', 'c21'],
};

for (const backend of backends) {
  describe(`the digest reads only the snapshots it may show: ${backend.name}`, () => {
    let store: StateStore | undefined;
    before(async function () {
      if (backend.postgres) await postgresForSuite(this);
    });
    afterEach(async () => {
      sinon.restore();
      await store?.close();
      store = undefined;
    });

    it('the scheduled digest and the quiet-hours summary are those of the whole state, from the few snapshots they show, loaded by key', async () => {
      const opened = (store = await backend.open(await backend.place()));
      await opened.update(seed, { load: { incidentSnapshots: 'keys', subscriptionSnapshots: 'keys', accessSnapshots: 'keys', orderSnapshots: 'keys' } });
      const whole = await wholeState(opened);
      const update = sinon.spy(opened, 'update');
      const view = sinon.spy(opened, 'view');
      const scheduler = new DigestScheduler({ batchSources, store: opened, clock: { now: () => NOW, sleep: async () => undefined }, log: pino({ level: 'silent' }), onQueued: () => undefined, customerName, sources });

      const report = await scheduler.tick(NOW);
      assert.deepEqual(report, { digests: ['digest|A|2026-03-04'], summaries: [report.summaries[0]] });
      const queued = opened.read().outbox.filter((delivery): delivery is SummaryDelivery => delivery.kind === 'summary');
      const digest = queued.find((delivery) => delivery.targetKey === 'A')?.report;
      const expected = buildDigest(whole, 'A', { batchSources, now: new Date(NOW), timeZone: 'UTC', since: SINCE, dueAt: '2026-03-04T08:00:00.000Z', late: false, customerName, sources });
      assert.deepEqual(digest, expected);
      // Not an empty digest that would equal any other: what the few snapshots say is in it.
      assert.deepEqual(expected.incidents.items.map((incident) => [incident.incidentId, incident.customers.map((c) => c.id)]), [['EXOPEN', ['c1', 'c2', 'c400']]]);
      assert.deepEqual(expected.orders.items.map((order) => [order.orderId, order.unchecked]), [['o1', false]]);
      assert.deepEqual(expected.sections?.map((section) => section.items.length), [1 + 1, 1 + 1], 'c10 and c11; c20 and c21');
      const summary = queued.find((delivery) => delivery.targetKey === 'Q')?.report;
      const expectedSummary = buildQuietSummary(whole, 'Q', [HELD], { batchSources, now: new Date(NOW), timeZone: 'UTC', startedAt: HELD.heldAt, endedAt: HELD.heldUntil, customerName });
      assert.deepEqual(summary, expectedSummary);
      assert.deepEqual(expectedSummary.orders.items.map((order) => [order.orderId, order.linesTotal, order.unchecked]), [['o7', 1, false]]);

      assert.deepEqual(keysAsked(view.getCalls().map((call) => call.args[0])), CARDS_BY_KEY, 'views only of the conversation\'s cards (paged), by conversation');
      assert.deepEqual(conversationsSelected(view.getCalls().map((call) => call.args[0])), ['A'], "the digest's conversation's cards, to know which snapshots it shows");
      const loads = update.getCalls().map((call) => call.args[1]?.load);
      assert.deepEqual(keysAsked(loads), { ...EXPECTED_KEYS, ...CARDS_BY_KEY }, `one write, loading only these of ${CUSTOMERS} customers' snapshots`);
      assert.deepEqual(conversationsSelected(loads), ['A', 'Q'], 'and the cards of the two conversations it writes a digest or summary for');
    });

    it('a card that comes between the facts read and the write: the write loads afresh and the digest shows it', async () => {
      const opened = (store = await backend.open(await backend.place()));
      await opened.update(seed, { load: { incidentSnapshots: 'keys', subscriptionSnapshots: 'keys', accessSnapshots: 'keys', orderSnapshots: 'keys' } });
      const facts = opened.facts.bind(opened);
      let cardAdded = false;
      // Another change commits while the scheduler reads the facts: a card of c500, watched, with no snapshot.
      sinon.stub(opened, 'facts').callsFake(async (field, filter) => {
        if (!cardAdded) {
          cardAdded = true;
          await opened.update((state) => {
            state.threads['A|NEW'] = {
              ...thread('A|NEW', 'A'),
              incidentId: 'EXNEW',
              incident: { ...thread('A|NEW', 'A').incident, id: 'EXNEW' },
              activityId: 'activity-2',
              customers: { c500: { name: 'Customer 500', resolved: false, vanished: false } },
            };
          });
        }
        return facts(field, filter);
      });
      const scheduler = new DigestScheduler({ batchSources, store: opened, clock: { now: () => NOW, sleep: async () => undefined }, log: pino({ level: 'silent' }), onQueued: () => undefined, customerName, sources });

      assert.deepEqual((await scheduler.tick(NOW)).digests, ['digest|A|2026-03-04']);
      const digest = opened.read().outbox.find((delivery): delivery is SummaryDelivery => delivery.kind === 'summary' && delivery.targetKey === 'A')?.report;
      assert.deepEqual(
        digest?.incidents.items.map((incident) => [incident.incidentId, incident.customers.map((c) => c.id)]),
        [['EXOPEN', ['c1', 'c2', 'c400']], ['EXNEW', ['c500']]],
        'the wider incident first',
      );
    });

    it('"digest now" answers with the digest of the whole state, viewing only the snapshots it shows', async () => {
      const opened = (store = await backend.open(await backend.place()));
      await opened.update(seed, { load: { incidentSnapshots: 'keys', subscriptionSnapshots: 'keys', accessSnapshots: 'keys', orderSnapshots: 'keys' } });
      const whole = await wholeState(opened);
      const view = sinon.spy(opened, 'view');
      const services = { store: opened, directory: { find: (id: string) => ({ companyName: customerName(id) }), prefetch: async () => undefined }, engine: { sources, batchSources } } as unknown as BotServices;
      const ctx = { correlationId: 'c', target: target('A'), user: { id: 'u', name: 'Ana' }, now: new Date(NOW) };

      const [reply] = await digestCommand(services, ctx, { kind: 'digest', action: 'now' });
      const expected = buildDigest(whole, 'A', { batchSources, now: new Date(NOW), timeZone: 'UTC', since: SINCE, dueAt: null, late: false, customerName, sources });
      assert.deepEqual(reply, { kind: 'card', card: digestCard({ report: expected }) });
      assert.equal(expected.incidents.items.length, 1);
      const { orderSnapshots, ...rest } = EXPECTED_KEYS;
      assert.deepEqual(keysAsked(view.getCalls().map((call) => call.args[0])), { ...rest, orderSnapshots: [orderKey('c1', 'o1')], ...CARDS_BY_KEY }, 'one view of only these');
    });
  });
}

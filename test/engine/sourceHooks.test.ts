// The engine plans, fetches, ingests and counts every item through the sources' hooks (issue 22, point 6):
// incidents (`c|`) and orders (`o|`) through their BatchSource, a fourth source through AlertSource, none
// of them by kind. Partner Center is never asked here: each source's own `fetch` answers, so a round that
// reaches the client directly (as the engine once did for customers and orders) fails its items.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { DeliveryPipeline } from '../../src/engine/delivery.js';
import { AlertEngine } from '../../src/engine/engine.js';
import type { PartnerCenterClient } from '../../src/partnerCenter/client.js';
import type { CustomerDirectory } from '../../src/partnerCenter/customerDirectory.js';
import { PartnerCenterError } from '../../src/partnerCenter/errors.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
import { batchSourceList, registerable, threadKindRegistry, type AlertSource, type BatchSource, type SourceItem } from '../../src/sources/source.js';
import { fastLaneItems } from '../../src/engine/sweepPlan.js';
import type { PlanFacts, SnapshotFacts } from '../../src/store/paged.js';
import { emptyState, type State } from '../../src/store/state.js';
import type { OrderProvisioning } from '../../src/domain/types.js';
import { MemoryStore } from '../support/memoryStore.js';
import { incident, target, watch } from '../support/samples.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

/** A fourth source: one partner-wide item a round, fetched and ingested by its own hooks. */
function fakeSource(seen: string[]): AlertSource<string, SourceItem> {
  return {
    name: 'fake',
    noun: 'fake listing',
    records: [],
    wantsListing: () => false,
    loads: () => ({}),
    roundItems: () => [{ key: 'f|listing', kind: 'source', source: 'fake', customer: null, subject: 'every fake thing' }],
    fetch: async (_client, _ctx, item) => `fetched ${item.key}`,
    ingest: (_state, item, data) => {
      seen.push(`ingest ${item.key}: ${data}`);
      return { events: 0, queued: 0 };
    },
    prune: () => undefined,
    digestSection: () => null,
  };
}

function setup() {
  const fetched: string[] = [];
  const seen: string[] = [];
  /** What each customer's incidents are now (the first round is a watch's baseline: no alert). */
  const open: { incidents: ReturnType<typeof incident>[] } = { incidents: [] };
  const refused = new PartnerCenterError(403, null, 'no GDAP role', { requestId: 'r', correlationId: 'c' });
  const incidents: BatchSource = {
    ...incidentSource(),
    fetch: async (_client, _ctx, item) => {
      fetched.push(item.key);
      if (item.customer?.id === 'c2') throw refused;
      return open.incidents.map((found) => ({ ...found, customerId: item.customer?.id ?? '' }));
    },
  };
  const provisioning: BatchSource = {
    ...provisioningSource(),
    fetch: async (_client, _ctx, item) => {
      fetched.push(item.key);
      const order: OrderProvisioning = { customerId: 'c1', orderId: 'order-1', lines: [{ lineItemNumber: 0, status: 'fulfilled', quantities: [] }] } as unknown as OrderProvisioning;
      return order;
    },
  };
  const store = new MemoryStore({
    targets: { A: target('A') },
    watches: [
      watch({ id: 'w1', customerId: 'c1', customerName: 'Contoso' }),
      watch({ id: 'w2', customerId: 'c2', customerName: 'Fabrikam' }),
      watch({ id: 'w3', kind: 'order', customerId: 'c1', customerName: 'Contoso', orderId: 'order-1' }),
    ],
  });
  const clock = { now: () => NOW, sleep: async () => undefined };
  const log = pino({ level: 'silent' });
  const posted: string[] = [];
  const sender = {
    post: async (...args: unknown[]) => {
      posted.push(JSON.stringify(args));
      return 'x';
    },
    update: async () => undefined, reply: async () => undefined,
    say: async (...args: unknown[]) => void posted.push(JSON.stringify(args)),
  };
  const delivery = new DeliveryPipeline({ store, sender, cards: { provisioning: () => ({}) }, threadKinds: threadKindRegistry([incidentThreadKind(() => ({}))]), clock, log });
  const directory = { find: () => undefined, known: async () => null, prefetch: async () => undefined, customersById: async () => new Map() } as unknown as CustomerDirectory;
  // The client is never asked: every item is fetched by its source.
  const client = {} as PartnerCenterClient;
  const engine = new AlertEngine({ client, directory, store, delivery, clock, log, schedule: '* * * * *', requestsPerMinute: 500, auto: false, sources: [registerable(fakeSource(seen))], batchSources: { incidents, provisioning } });
  return { engine, store, fetched, seen, open, posted };
}

describe('the engine and the sources\' hooks', () => {
  it('plans, fetches, ingests and counts incidents, orders and a fourth source through their hooks, with the same keys', async () => {
    const { engine, store, fetched, seen, open, posted } = setup();
    await engine.sweepNow();
    // The refusal is told once, to the conversation watching that customer.
    assert.equal(posted.filter((text) => /refused access to Fabrikam/.test(text)).length, 1);
    fetched.length = 0;
    seen.length = 0;
    open.incidents = [incident('i1')];
    const { cycle } = await engine.sweepNow();
    // Keys as ever (a stored cursor goes by them), in key order.
    assert.deepEqual(fetched, ['c|c1', 'c|c2', 'o|c1/order-1']);
    assert.deepEqual(seen, ['ingest f|listing: fetched f|listing']);
    assert.equal(cycle.customersFetched, 1);
    assert.equal(cycle.customersRefused, 1, 'a 403 is a refusal, not a failure');
    assert.deepEqual(cycle.customersFailed, []);
    assert.equal(cycle.ordersFetched, 1);
    assert.deepEqual(cycle.ordersFailed, []);
    assert.deepEqual(cycle.sources?.fake, { noun: 'fake listing', fetched: 1, refused: 0, failed: [] });
    const state = await store.view({ threads: 'all' });
    // The incidents source diffed and routed what its fetch returned.
    assert.ok(Object.values(state.threads).some((thread) => thread.incidentId === 'i1' && thread.targetKey === 'A'));
    assert.ok(state.accessDenied.c2, 'c2 is recorded as refusing access');
    assert.equal(posted.filter((text) => /refused access to Fabrikam/.test(text)).length, 1, 'and not again');
  });

  it('answers "poll now" with the items each source plans, counted as the source says', async () => {
    const { engine } = setup();
    const answer = await engine.pollNow('A');
    assert.equal(answer.customers, 2);
    assert.equal(answer.orders, 1);
    assert.deepEqual(answer.others, [{ noun: 'fake listing', count: 1 }]);
    await engine.stop();
  });

  it('keeps in the fast lane what the sources\' lane hooks say: watched one by one in key order, then what has something going on', () => {
    const [incidents, provisioning] = batchSourceList({ incidents: incidentSource(), provisioning: provisioningSource() }) as [BatchSource, BatchSource];
    const state: State = {
      ...emptyState(),
      targets: { A: target('A') },
      watches: [
        watch({ id: 'all', kind: 'all', customerId: null, customerName: null }),
        watch({ id: 'own', customerId: 'c9', customerName: 'Northwind' }),
        watch({ id: 'order', kind: 'order', customerId: 'c1', customerName: 'Contoso', orderId: 'order-1' }),
      ],
    };
    const facts = (active: boolean, changedAt: string | null): SnapshotFacts => ({ fetchedAt: new Date(NOW - 60_000).toISOString(), changedAt, active });
    const planFacts: PlanFacts = new Map([
      ['incidentSnapshots', new Map([['c1', facts(true, null)], ['c2', facts(false, new Date(NOW - 10 * 60_000).toISOString())], ['c3', facts(false, new Date(NOW - 5 * 3_600_000).toISOString())], ['c9', facts(false, null)]])],
      ['orderSnapshots', new Map()],
    ]);
    const lane = incidents.fastLane.items(state, NOW, 3_600_000, () => undefined, planFacts);
    assert.deepEqual(lane.watched.map((item) => item.key), ['c|c9']);
    assert.deepEqual(lane.lively.map((item) => item.key), ['c|c1', 'c|c2'], 'an active incident, a change within the hour; not one five hours old');
    assert.deepEqual(provisioning.fastLane.items(state, NOW, 3_600_000, () => undefined, planFacts).watched.map((item) => item.key), ['o|c1/order-1']);
    // Put together as the engine ever did: everything watched one by one first, in key order.
    assert.deepEqual(fastLaneItems(state, NOW, 3_600_000, () => undefined, planFacts, [incidents, provisioning]).map((item) => item.key), ['c|c9', 'o|c1/order-1', 'c|c1', 'c|c2']);
    // Its facts come from the records each lane names, filtered by what it watches one by one.
    assert.equal(incidents.fastLane.field, 'incidentSnapshots');
    assert.deepEqual([...incidents.fastLane.filter(state, 'since').keys], ['c9']);
    assert.deepEqual([...provisioning.fastLane.filter(state, 'since').keys], ['c1/order-1']);
  });
});

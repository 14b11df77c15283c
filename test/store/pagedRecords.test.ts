// The snapshots are paged records (src/store/paged.ts): a change reads only those it names, readers ask for
// them, and with PostgreSQL no instance holds them in memory. Both backends keep the same contract.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { CustomerIncidentSnapshot } from '../../src/domain/incidentRecords.js';
import { PagedRecordError, type Loads } from '../../src/store/paged.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { IncidentThread, State } from '../../src/store/state.js';
import { target, thread, watch } from '../support/sampleState.js';
import { pruneIncidents } from '../../src/sources/incidents/index.js';
import { retentionLoads } from '../../src/engine/retention.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { postgresForSuite, type PostgresServer } from '../support/postgres.js';
import { backends } from '../support/storeBackends.js';

const AT = '2026-12-01T10:00:00.000Z';
const snapshot = (open: boolean, changedAt?: string): CustomerIncidentSnapshot => ({
  fetchedAt: AT,
  ...(changedAt ? { changedAt } : {}),
  incidents: { EX1: { severity: 'warning', status: 'warning', resolved: !open, messageCount: 1, lastMessageAt: AT } },
});
const seed = (store: StateStore) =>
  store.update((state) => {
    state.incidentSnapshots.c1 = snapshot(true, AT);
    state.incidentSnapshots.c2 = snapshot(false);
    state.orderCustomers.o1 = 'c1';
  });

for (const backend of backends) {
  describe(`paged records (the snapshots): ${backend.name}`, () => {
    const open: StateStore[] = [];
    let place: string;
    const openStore = async () => {
      const store = await backend.open(place);
      open.push(store);
      return store;
    };

    before(async function () {
      if (backend.postgres) await postgresForSuite(this);
    });
    beforeEach(async () => {
      place = await backend.place();
    });
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it('a change reads only the snapshots it names: another throws, and nothing of that change is written', async () => {
      const store = await openStore();
      await seed(store);
      const names = await store.update((state) => [state.incidentSnapshots.c1?.fetchedAt, state.incidentSnapshots.c9, Object.keys(state.incidentSnapshots)], {
        load: { incidentSnapshots: ['c1', 'c9'] },
      });
      assert.deepEqual(names, [AT, undefined, ['c1']], 'the named ones (c9: none stored), and only those when it looks at them all');
      const unnamed = store.update((state) => {
        state.orderCustomers.o2 = 'c2';
        return state.incidentSnapshots.c2;
      });
      await assert.rejects(unnamed, PagedRecordError);
      assert.equal(store.read().orderCustomers.o2, undefined, 'the change that failed wrote nothing');
    });

    it("a change that names only the keys ('keys') deletes what it no longer needs without reading a snapshot", async () => {
      const store = await openStore();
      await seed(store);
      const seen = await store.update(
        (state) => {
          const keys = Object.keys(state.incidentSnapshots);
          for (const key of keys) if (key !== 'c1') delete state.incidentSnapshots[key];
          return keys;
        },
        { load: { incidentSnapshots: 'keys' } },
      );
      assert.deepEqual(seen.sort(), ['c1', 'c2']);
      await assert.rejects(store.update((state) => state.incidentSnapshots.c1, { load: { incidentSnapshots: 'keys' } }), PagedRecordError, 'keys, not the snapshots');
      await assert.rejects(store.update((state) => void (state.incidentSnapshots = {})), /must load its keys/, 'a whole field is replaced only knowing what it held');
      await store.close();
      const reopened = await openStore();
      assert.deepEqual([...(await reopened.facts('incidentSnapshots')).keys()], ['c1']);
    });

    it('read() holds none; view() shows what it was asked for; facts() give what planning and health go by', async () => {
      const store = await openStore();
      await seed(store);
      assert.throws(() => store.read().incidentSnapshots.c1, PagedRecordError);
      assert.throws(() => Object.keys(store.read().orderSnapshots), PagedRecordError);
      const view = await store.view({ incidentSnapshots: ['c2'] });
      assert.equal(view.incidentSnapshots.c2?.incidents.EX1?.resolved, true);
      assert.throws(() => view.incidentSnapshots.c1, PagedRecordError);
      assert.equal(view.orderCustomers.o1, 'c1', 'the rest of the state as read() has it');
      const facts = await store.facts('incidentSnapshots');
      assert.deepEqual(Object.fromEntries(facts), {
        c1: { fetchedAt: AT, changedAt: AT, active: true },
        c2: { fetchedAt: AT, changedAt: null, active: false },
      });
      // The fast lane's question: active, changed since, or named.
      assert.deepEqual([...(await store.facts('incidentSnapshots', { changedSince: AT, keys: [] })).keys()], ['c1']);
      assert.deepEqual([...(await store.facts('incidentSnapshots', { changedSince: '2027-01-01T00:00:00.000Z', keys: ['c2'] })).keys()].sort(), ['c1', 'c2']);
    });

    it('a card thread not named reads throw; named by key, customer, conversation or quiet time, those are read', async () => {
      const store = await openStore();
      const card = (key: string, targetKey: string, customers: string[], updatedAt = AT): IncidentThread => ({
        ...thread(key, targetKey),
        incidentId: key.split('|')[1] as string,
        updatedAt,
        customers: Object.fromEntries(customers.map((id) => [id, { name: id, resolved: false, vanished: false }])),
      });
      await store.update((state) => {
        state.threads['A|EX1'] = card('A|EX1', 'A', ['c1', 'c2']);
        state.threads['B|EX1'] = card('B|EX1', 'B', ['c2']);
        state.threads['B|EX2'] = card('B|EX2', 'B', ['c3'], '2026-01-01T00:00:00.000Z');
        state.subscriptionThreads['A|c3|s1|1'] = { key: 'A|c3|s1|1', targetKey: 'A', customerId: 'c3', updatedAt: AT, closedAt: null } as unknown as State['subscriptionThreads'][string];
      });
      assert.throws(() => store.read().threads['A|EX1'], PagedRecordError, 'read() holds no card thread');
      assert.throws(() => Object.keys(store.read().subscriptionThreads), PagedRecordError);
      await assert.rejects(store.update((state) => state.threads['A|EX1']?.mutedBy), PagedRecordError, 'a change that did not name it');
      await assert.rejects(store.update((state) => state.threads['B|EX1'], { load: { threads: ['A|EX1'] } }), PagedRecordError, 'nor one it did not name');
      const keys = (load: Loads) => store.update((state) => Object.keys(state.threads).sort(), { load });
      assert.deepEqual(await keys({ threads: { customers: ['c2'] } }), ['A|EX1', 'B|EX1'], 'the threads that list c2');
      assert.deepEqual(await keys({ threads: { conversations: ['B'] } }), ['B|EX1', 'B|EX2'], "conversation B's");
      assert.deepEqual(await keys({ threads: { incidents: ['EX2'] } }), ['B|EX2'], "incident EX2's, in every conversation");
      assert.deepEqual(await keys({ threads: { quietBefore: '2026-06-01T00:00:00.000Z' } }), ['B|EX2'], 'those quiet since before June');
      const partial = await store.update((state) => Object.keys(state.threads['A|EX1']?.customers ?? {}), { load: { threads: { customers: ['c2'], only: ['c2'] } } });
      // lowdb holds every customer; PostgreSQL reads only those named.
      assert.ok(partial.includes('c2') && (backend.postgres ? partial.length === 1 : true), `the customers a change named (${partial.join(', ')})`);
      assert.equal(await store.update((state) => state.threads['A|EX9'], { load: { threads: { customers: ['c2'] } } }), undefined, 'a key not stored reads as absent under a selection');
      const unselected = store.update((state) => state.threads['B|EX2'], { load: { threads: { customers: ['c2'] } } });
      // lowdb holds it, so a change that looks beyond its selection fails in every test; PostgreSQL never read it.
      if (backend.postgres) assert.equal(await unselected, undefined);
      else await assert.rejects(unselected, PagedRecordError, 'one stored but not selected throws where it is held');
      const view = await store.view({ subscriptionThreads: { customers: ['c3'] }, threads: ['A|EX1'] });
      assert.equal(view.subscriptionThreads['A|c3|s1|1']?.customerId, 'c3');
      assert.equal(Object.keys(view.threads['A|EX1']?.customers ?? {}).length, 2, 'a card named by key is read whole');
      assert.throws(() => view.threads['B|EX1'], PagedRecordError);
    });

    it('retention forgets the cards quiet for 30 days by a query of those alone, keeping a card still seen', async () => {
      const store = await openStore();
      const now = new Date('2026-12-01T00:00:00.000Z');
      const old = '2026-10-01T00:00:00.000Z';
      const card = (key: string, customerId: string, updatedAt: string, resolvedAt: string | null): IncidentThread => ({
        ...thread(key, key.split('|')[0] as string),
        updatedAt,
        resolvedAt,
        customers: { [customerId]: { name: customerId, resolved: resolvedAt !== null, vanished: false } },
      });
      await store.update((state) => {
        state.targets.A = target('A');
        state.watches.push(watch('w1', 'A', 'c1'));
        state.threads['A|OLD'] = card('A|OLD', 'c9', old, old); // resolved long ago
        state.threads['A|SEEN'] = card('A|SEEN', 'c1', old, null); // quiet, open, watched here
        state.threads['A|GONE'] = card('A|GONE', 'c8', old, null); // quiet, open, nobody watches c8
        state.threads['A|NEW'] = card('A|NEW', 'c9', AT, null);
      });
      // The round's last write: the sources' prune reads only the threads retention selects (a read of another throws).
      await store.update((state) => pruneIncidents(state, now), { load: retentionLoads(store.ports.watches.all(), now) });
      assert.deepEqual(Object.keys((await store.view({ threads: 'all' })).threads).sort(), ['A|NEW', 'A|SEEN']);
    });

    it("fetchSpread() says how fresh each group is, as /healthz reports its lanes: count, oldest, 95th percentile", async () => {
      const store = await openStore();
      const minutesAgo = (m: number) => new Date(Date.parse(AT) - m * 60_000).toISOString();
      await store.update((state) => {
        for (let i = 1; i <= 40; i++) state.incidentSnapshots[`c${i}`] = { fetchedAt: minutesAgo(i), incidents: {} };
      });
      const fast = new Set(['c1', 'c2', 'c3', 'c4']);
      assert.deepEqual(await store.fetchSpread('incidentSnapshots', fast), {
        among: { count: 4, oldest: minutesAgo(4), p95: minutesAgo(4) },
        // 36 others, 5 to 40 minutes old: the 95th percentile of their ages is the 35th youngest, 39 minutes.
        rest: { count: 36, oldest: minutesAgo(40), p95: minutesAgo(39) },
      });
      assert.deepEqual(await store.fetchSpread('orderSnapshots', fast), { among: { count: 0, oldest: null, p95: null }, rest: { count: 0, oldest: null, p95: null } });
    });
  });
}

describe('paged records on PostgreSQL: in no instance\'s memory', () => {
  let server: PostgresServer;
  const open: PostgresStateStore[] = [];
  before(async function () {
    server = await postgresForSuite(this);
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  const resident = (store: PostgresStateStore) => (store as unknown as { copy: { state: State } }).copy.state;

  it('the writer keeps none after its commit, and another instance none after reading it, yet both view it', async () => {
    const url = await server.createDatabase();
    const writer = await PostgresStateStore.open(url);
    const other = await PostgresStateStore.open(url);
    open.push(writer, other);
    await seed(writer);
    await writer.update((state) => void (state.incidentSnapshots.c1 = snapshot(false)), { load: { incidentSnapshots: ['c1'] } });
    await writer.update((state) => void (state.accessSnapshots.c1 = { customerId: 'c1', customerName: 'Contoso', relationships: [] }), { load: { accessSnapshots: 'all' } });
    await other.refresh();
    for (const store of [writer, other]) {
      assert.equal(resident(store).orderCustomers.o1, 'c1', 'the rest of the state is held as before');
      assert.deepEqual(resident(store).incidentSnapshots, {}, 'no snapshot in memory');
      assert.deepEqual(resident(store).accessSnapshots, {}, 'no access snapshot either');
      assert.equal((await store.view({ incidentSnapshots: ['c1'] })).incidentSnapshots.c1?.incidents.EX1?.resolved, true);
    }
  });

  it("a database of the previous release gets its snapshots' facts at start (migration 7)", async () => {
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
      for (const migration of MIGRATIONS.filter((m) => m.version < 7)) {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      }
      await client.query('insert into incident_snapshots (customer_id, body, rev) values ($1, $2, 1), ($3, $4, 1)', ['c1', snapshot(true, AT), 'c2', snapshot(false)]);
      await client.query('insert into subscription_snapshots (customer_id, body, rev) values ($1, $2, 1)', ['c1', { fetchedAt: AT, subscriptions: [] }]);
    } finally {
      await client.end();
    }
    const store = await PostgresStateStore.open(url);
    open.push(store);
    assert.deepEqual(Object.fromEntries(await store.facts('incidentSnapshots')), {
      c1: { fetchedAt: AT, changedAt: AT, active: true },
      c2: { fetchedAt: AT, changedAt: null, active: false },
    });
    assert.deepEqual(Object.fromEntries(await store.facts('subscriptionSnapshots')), { c1: { fetchedAt: AT, changedAt: null, active: false } });
  });
  it("a database of the previous release gets its cards' counts and columns at start (migration 12), and serves them by customer", async () => {
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
      for (const migration of MIGRATIONS.filter((m) => m.version < 12)) {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      }
      const head = { ...thread('A|EX1', 'A'), customers: undefined };
      await client.query('insert into incident_threads (key, target_key, incident_id, body, rev) values ($1, $2, $3, $4, 1)', ['A|EX1', 'A', 'EX1', head]);
      await client.query(
        `insert into incident_thread_customers (thread_key, customer_id, name, resolved, vanished, rev) values ('A|EX1', 'c1', 'One', false, false, 1), ('A|EX1', 'c2', 'Two', true, false, 1), ('A|EX1', 'c3', 'Three', false, false, 1)`,
      );
      await client.query('insert into subscription_threads (key, target_key, body, rev) values ($1, $2, $3, 1)', ['A|c9|s1|1', 'A', { key: 'A|c9|s1|1', targetKey: 'A', customerId: 'c9', updatedAt: AT, closedAt: null }]);
    } finally {
      await client.end();
    }
    const store = await PostgresStateStore.open(url);
    open.push(store);
    const view = await store.view({ threads: { customers: ['c2'] }, subscriptionThreads: { customers: ['c9'] } });
    assert.equal(view.threads['A|EX1']?.open, 2, 'two of its three customers still affected');
    assert.equal(Object.keys(view.threads['A|EX1']?.customers ?? {}).length, 3);
    assert.equal(view.subscriptionThreads['A|c9|s1|1']?.customerId, 'c9', 'found by its customer');
    assert.deepEqual(Object.keys(resident(store).threads), [], 'and held by no instance');
  });
});

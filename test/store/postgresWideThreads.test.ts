// An incident card's customers on the PostgreSQL store, when a change touches a few of many: the store skips
// the compare of a card whose customers map the change left as published (postgresStore.ts changesOf), so
// each way a change can alter them must still reach the database and the other instance, and a change that
// only reads them must write none. Card threads are paged (pagedThreads.ts): no instance holds them, a
// change names the ones it reads, and of a wide card only the customers it names. Real PostgreSQL.
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { IncidentThread, State } from '../../src/store/state.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { routeIncidentEvents, routingLoad } from '../../src/sources/incidents/routing.js';
import { changeThread, forgottenAlert, type ActionContext, type AlertThreadRef } from '../../src/bot/actions/kit.js';
import type { BotServices } from '../../src/bot/services.js';
import type { AdaptiveCardJson } from '../../src/cards.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';
import { target, thread } from '../support/sampleState.js';
import { incident } from '../support/samples.js';

const CUSTOMERS = 2_000;
const KEY = 't1|EX1';
const LOAD = { load: { threads: [KEY] } };

describe('PostgreSQL store: a wide incident card, changed a few customers at a time', () => {
  const db = instancesOnFreshDatabases();
  const { stores } = db;
  const open = () => db.open();
  /** What a fresh instance reads from the database. */
  const stored = async (key = KEY): Promise<IncidentThread | undefined> => {
    const fresh = await PostgresStateStore.open(db.url, { instance: false });
    try {
      return structuredClone((await fresh.view({ threads: [key] })).threads[key]);
    } finally {
      await fresh.close();
    }
  };
  const card = (state: State) => state.threads[KEY] as IncidentThread;
  const sql = db.sql;
  /** The card threads an instance holds in memory between commits (none: they are paged). */
  const held = (store: PostgresStateStore) => (store as unknown as { copy: { state: State } }).copy.state.threads;

  beforeEach(async () => {
    const a = await open();
    await a.update((state) => {
      const wide = thread(KEY, 't1');
      for (let i = 0; i < CUSTOMERS; i++) wide.customers[`c${i}`] = { name: `Customer ${i}`, resolved: false, vanished: false };
      state.threads[KEY] = wide;
    }, LOAD);
  });

  it("a reader's view pairs a card with its customers of one moment, though a commit comes between reading the card and its customers", async () => {
    const [a] = stores as [PostgresStateStore];
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query(`update incident_threads set body = jsonb_set(body, '{open}', to_jsonb($2::int)) where key = $1`, [KEY, CUSTOMERS]);
      // The customers' table is held, so the view reads the card and then waits; meanwhile every customer recovers.
      await writer.query('begin');
      await writer.query('lock table incident_thread_customers in access exclusive mode');
      const viewing = a.view({ threads: [KEY] });
      for (let waited = 0; ; waited += 20) {
        const [row] = await sql(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%incident_thread_customers%' and pid <> $1`, [(writer as unknown as { processID: number }).processID]);
        if ((row as { n: number }).n > 0) break;
        assert.ok(waited < 10_000, 'the view never came to read the customers');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await writer.query('update incident_thread_customers set resolved = true where thread_key = $1', [KEY]);
      await writer.query(`update incident_threads set body = jsonb_set(body, '{open}', '0'), open_customers = 0 where key = $1`, [KEY]);
      await writer.query('commit');
      const seen = (await viewing).threads[KEY] as IncidentThread;
      const affected = Object.values(seen.customers).filter((customer) => !customer.resolved).length;
      assert.equal(seen.open, affected, 'the card and its customers of one moment');
      assert.equal(affected, CUSTOMERS);
    } finally {
      await writer.end();
    }
  });

  it('a customer replaced, one edited in place, one added and one deleted all reach the database and the other instance', async () => {
    const [a] = stores as [PostgresStateStore];
    const b = await open();
    await a.update((state) => {
      const customers = card(state).customers;
      customers.c1 = { name: 'Customer 1', resolved: true, vanished: false };
      // Edited where it stands, not replaced: reading the entry is what tells the store to compare it.
      (customers.c2 as { resolved: boolean }).resolved = true;
      customers.newcomer = { name: 'Newcomer', resolved: false, vanished: false };
      delete customers.c3;
    }, LOAD);
    await b.refresh();
    for (const [where, seen] of [['the database', await stored()], ['the other instance', (await b.view({ threads: [KEY] })).threads[KEY]]] as const) {
      assert.equal(seen?.customers.c1?.resolved, true, `c1 replaced, in ${where}`);
      assert.equal(seen?.customers.c2?.resolved, true, `c2 edited in place, in ${where}`);
      assert.equal(seen?.customers.newcomer?.name, 'Newcomer', `added, in ${where}`);
      assert.equal(seen?.customers.c3, undefined, `deleted, in ${where}`);
      assert.equal(Object.keys(seen?.customers ?? {}).length, CUSTOMERS, `the others kept, in ${where}`);
    }
  });

  it('a change that reads customers and the card but changes only the card writes no customer row', async () => {
    const [a] = stores as [PostgresStateStore];
    const rev = async () => Number((await sql('select max(rev) as rev from incident_thread_customers'))[0]?.rev);
    const before = await rev();
    await a.update((state) => {
      const wide = card(state);
      if (wide.customers.c1?.resolved === false && Object.values(wide.customers).length === CUSTOMERS) wide.updatedAt = '2026-12-01T00:00:00.000Z';
    }, LOAD);
    assert.equal((await stored())?.updatedAt, '2026-12-01T00:00:00.000Z', 'the card was written');
    assert.equal(await rev(), before, 'none of its customers');
  });

  it('a change that walks every customer and edits one where it stands is written', async () => {
    const [a] = stores as [PostgresStateStore];
    await a.update((state) => {
      for (const customer of Object.values(card(state).customers)) if (customer.name === 'Customer 1500') customer.vanished = true;
    }, LOAD);
    assert.equal((await stored())?.customers.c1500?.vanished, true);
  });

  it('a card whose customers map is replaced, or copied into a new card, is written whole', async () => {
    const [a] = stores as [PostgresStateStore];
    await a.update((state) => {
      const old = card(state);
      const kept = Object.fromEntries(Object.entries(old.customers).filter(([id]) => id !== 'c5'));
      state.threads[KEY] = { ...old, customers: { ...kept, c6: { name: 'Renamed', resolved: false, vanished: false } } };
      state.threads['t2|EX1'] = { ...old, key: 't2|EX1', targetKey: 't2' };
    }, { load: { threads: [KEY, 't2|EX1'] } });
    const seen = await stored();
    assert.equal(seen?.customers.c5, undefined, 'dropped with the old map');
    assert.equal(seen?.customers.c6?.name, 'Renamed');
    assert.equal(Object.keys((await stored('t2|EX1'))?.customers ?? {}).length, CUSTOMERS, 'the copy has every customer of the map it shares');
  });

  it('a change that throws writes none of the customers it touched', async () => {
    const [a] = stores as [PostgresStateStore];
    await assert.rejects(
      a.update((state) => {
        card(state).customers.c1 = { name: 'Never', resolved: true, vanished: false };
        throw new Error('the change fails');
      }, LOAD),
      /the change fails/,
    );
    await a.update((state) => void (card(state).customers.c2 = { name: 'Customer 2', resolved: true, vanished: false }), LOAD);
    assert.equal((await a.view({ threads: [KEY] })).threads[KEY]?.customers.c1?.name, 'Customer 1', 'readers never saw it');
    const seen = await stored();
    assert.equal(seen?.customers.c1?.name, 'Customer 1', 'the failed change wrote nothing');
    assert.equal(seen?.customers.c2?.resolved, true, 'the next change went through');
  });

  it('a follower holds no card thread after the leader wrote one, yet serves a click on it', async () => {
    const [leader] = stores as [PostgresStateStore];
    const follower = await open();
    await leader.update((state) => void (card(state).updatedAt = '2026-12-02T00:00:00.000Z'), LOAD);
    await follower.refresh();
    assert.deepEqual(Object.keys(held(leader)), [], 'the leader keeps none after its commits');
    assert.deepEqual(Object.keys(held(follower)), [], 'the follower holds none after catching up');
    const now = new Date('2026-12-02T10:00:00.000Z');
    const ref: AlertThreadRef<IncidentThread> = {
      threads: (state) => state.threads,
      field: 'threads',
      key: KEY,
      card: (wide) => ({ type: 'AdaptiveCard', mutedBy: wide.mutedBy, customers: Object.keys(wide.customers).length }) as unknown as AdaptiveCardJson,
      forgotten: () => forgottenAlert('the alert', 'they are resolved', []),
    };
    const services = { store: follower as StateStore } as BotServices;
    const result = await changeThread(services, { user: { id: 'u1', name: 'Dana' }, now } as ActionContext, ref, (wide) => {
      wide.mutedUntil = '2026-12-02T12:00:00.000Z';
      wide.mutedBy = 'Dana';
    });
    assert.deepEqual(result.card, { type: 'AdaptiveCard', mutedBy: 'Dana', customers: CUSTOMERS }, 'the card rendered from the database, every customer on it');
    assert.equal((await stored())?.mutedBy, 'Dana', 'the mute reached the database');
    assert.deepEqual(Object.keys(held(follower)), [], 'and the follower still holds none');
  });

  it('"all customers recovered" resolves a wide card by its count, reading only the batch\'s customers', async () => {
    const [a] = stores as [PostgresStateStore];
    // Every customer but c0 recovered: the card counts one affected.
    await a.update((state) => {
      const wide = card(state);
      for (let i = 1; i < CUSTOMERS; i++) wide.customers[`c${i}`] = { name: `Customer ${i}`, resolved: true, vanished: false };
      wide.open = 1;
      state.targets.t1 = target('t1');
    }, LOAD);
    assert.equal((await sql('select open_customers from incident_threads where key = $1', [KEY]))[0]?.open_customers, 1);
    const ex1 = incident('EX1', { resolved: true });
    const events = [{ id: 'e1', kind: 'resolved' as const, customerId: 'c0', incident: ex1, changes: [], vanished: false }];
    let read = -1;
    await a.update(
      (state) => {
        read = Object.keys(card(state).customers).length;
        routeIncidentEvents(state, events, { customerName: (id) => id, now: new Date('2026-12-03T00:00:00.000Z') });
      },
      { load: { threads: routingLoad([{ customerId: 'c0', incidents: [ex1] }]) } },
    );
    assert.equal(read, 1, 'the commit read one customer row of the card, not 2,000');
    const seen = await stored();
    assert.equal(seen?.resolvedAt, '2026-12-03T00:00:00.000Z', 'the card is resolved');
    assert.equal(seen?.open, 0);
    assert.equal((await sql('select open_customers from incident_threads where key = $1', [KEY]))[0]?.open_customers, 0, 'the count column, written in the same commit');
    assert.equal(Object.values(seen?.customers ?? {}).filter((customer) => !customer.resolved).length, 0, 'and the count says what the rows say');
  });
});

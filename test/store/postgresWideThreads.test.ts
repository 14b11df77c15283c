// An incident card's customers on the PostgreSQL store, when a change touches a few of many: the store skips
// the compare of a card whose customers map the change left as published (postgresStore.ts changesOf), so
// each way a change can alter them must still reach the database and the other instance, and a change that
// only reads them must write none. Real PostgreSQL.
import assert from 'node:assert/strict';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { IncidentThread, State } from '../../src/store/state.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';
import { thread } from '../support/sampleState.js';

const CUSTOMERS = 2_000;
const KEY = 't1|EX1';

describe('PostgreSQL store: a wide incident card, changed a few customers at a time', () => {
  const db = instancesOnFreshDatabases();
  const { stores } = db;
  const open = () => db.open();
  /** What a fresh instance reads from the database. */
  const stored = async (): Promise<IncidentThread | undefined> => {
    const fresh = await PostgresStateStore.open(db.url, { instance: false });
    try {
      return structuredClone(fresh.read().threads[KEY]);
    } finally {
      await fresh.close();
    }
  };
  const card = (state: State) => state.threads[KEY] as IncidentThread;
  const sql = db.sql;

  beforeEach(async () => {
    const a = await open();
    await a.update((state) => {
      const wide = thread(KEY, 't1');
      for (let i = 0; i < CUSTOMERS; i++) wide.customers[`c${i}`] = { name: `Customer ${i}`, resolved: false, vanished: false };
      state.threads[KEY] = wide;
    });
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
    });
    await b.refresh();
    for (const [where, seen] of [['the database', await stored()], ['the other instance', b.read().threads[KEY]]] as const) {
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
    });
    assert.equal((await stored())?.updatedAt, '2026-12-01T00:00:00.000Z', 'the card was written');
    assert.equal(await rev(), before, 'none of its customers');
  });

  it('a change that walks every customer and edits one where it stands is written', async () => {
    const [a] = stores as [PostgresStateStore];
    await a.update((state) => {
      for (const customer of Object.values(card(state).customers)) if (customer.name === 'Customer 1500') customer.vanished = true;
    });
    assert.equal((await stored())?.customers.c1500?.vanished, true);
  });

  it('a card whose customers map is replaced, or copied into a new card, is written whole', async () => {
    const [a] = stores as [PostgresStateStore];
    await a.update((state) => {
      const old = card(state);
      const kept = Object.fromEntries(Object.entries(old.customers).filter(([id]) => id !== 'c5'));
      state.threads[KEY] = { ...old, customers: { ...kept, c6: { name: 'Renamed', resolved: false, vanished: false } } };
      state.threads['t2|EX1'] = { ...old, key: 't2|EX1', targetKey: 't2' };
    });
    const seen = await stored();
    assert.equal(seen?.customers.c5, undefined, 'dropped with the old map');
    assert.equal(seen?.customers.c6?.name, 'Renamed');
    const fresh = await PostgresStateStore.open(db.url, { instance: false });
    try {
      assert.equal(Object.keys(fresh.read().threads['t2|EX1']?.customers ?? {}).length, CUSTOMERS, 'the copy has every customer of the map it shares');
    } finally {
      await fresh.close();
    }
  });

  it('a change that throws writes none of the customers it touched', async () => {
    const [a] = stores as [PostgresStateStore];
    await assert.rejects(
      a.update((state) => {
        card(state).customers.c1 = { name: 'Never', resolved: true, vanished: false };
        throw new Error('the change fails');
      }),
      /the change fails/,
    );
    await a.update((state) => void (card(state).customers.c2 = { name: 'Customer 2', resolved: true, vanished: false }));
    assert.equal(a.read().threads[KEY]?.customers.c1?.name, 'Customer 1', 'readers never saw it');
    const seen = await stored();
    assert.equal(seen?.customers.c1?.name, 'Customer 1', 'the failed change wrote nothing');
    assert.equal(seen?.customers.c2?.resolved, true, 'the next change went through');
  });
});

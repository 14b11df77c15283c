// Migration 11 works out in SQL the facts that factsOf works out for each snapshot written from then on
// (domain/digestFacts.ts): a database of the previous release must get the same facts for its rows, or a
// digest would leave out a subscription in trouble or an access about to end that was stored before.
import assert from 'node:assert/strict';
import pg from 'pg';
import { factsOf } from '../../src/store/paged.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { printLists, RELATIONSHIP_PRINTS, SUBSCRIPTION_PRINTS } from '../support/attentionCases.js';
import { postgresForSuite, type PostgresServer } from '../support/postgres.js';

const AT = '2026-03-01T00:00:00.000Z';

describe('snapshot facts of a database of the previous release (migration 11)', () => {
  let server: PostgresServer;
  let store: PostgresStateStore | undefined;
  before(async function () {
    server = await postgresForSuite(this);
  });
  after(async () => {
    await store?.close();
  });

  it('gives every subscription and GDAP access snapshot stored before the facts factsOf gives it', async () => {
    const subscriptions = printLists(SUBSCRIPTION_PRINTS, 97).map((list, i) => [`s${i}`, { fetchedAt: AT, ...(i % 2 ? { changedAt: AT } : {}), subscriptions: list }] as const);
    const access = printLists(RELATIONSHIP_PRINTS, 7).map((list, i) => [`a${i}`, { customerId: `a${i}`, customerName: 'Contoso', relationships: list }] as const);
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
      for (const migration of MIGRATIONS.filter((m) => m.version < 11)) {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      }
      // As the previous release wrote them: its facts (subscriptions: never active; access: none at all).
      const insert = (table: string, rows: readonly (readonly [string, object])[]) =>
        client.query(`insert into ${table} (customer_id, body, rev, fetched_at, changed_at) select key, body::jsonb, 1, body::jsonb->>'fetchedAt', body::jsonb->>'changedAt' from unnest($1::text[], $2::text[]) as row(key, body)`, [
          rows.map(([key]) => key),
          rows.map(([, body]) => JSON.stringify(body)),
        ]);
      await insert('subscription_snapshots', subscriptions);
      await insert('access_snapshots', access);
    } finally {
      await client.end();
    }
    store = await PostgresStateStore.open(url);
    const expected = (rows: readonly (readonly [string, object])[]) => Object.fromEntries(rows.map(([key, body]) => [key, factsOf(body)]));
    const subscriptionFacts = Object.fromEntries(await store.facts('subscriptionSnapshots'));
    assert.deepEqual(subscriptionFacts, expected(subscriptions));
    assert.deepEqual(Object.fromEntries(await store.facts('accessSnapshots')), expected(access));
    assert.ok(Object.values(subscriptionFacts).some((facts) => facts.active) && Object.values(subscriptionFacts).some((facts) => facts.endsOn), 'not all alike');
  });
});

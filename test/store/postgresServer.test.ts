// The test support's PostgreSQL server (test/support/postgres.ts) is a real server, and each database
// it creates is a world of its own.
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresForSuite, postgresServer, type PostgresServer } from '../support/postgres.js';

const { Client } = pg;

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the PostgreSQL server for tests', function () {
  let server: PostgresServer;

  before(async function () {
    server = await postgresForSuite(this);
  });

  it('is a real PostgreSQL, on loopback', async () => {
    assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const [row] = await query<{ version: string }>(server.url, 'select version()');
    assert.match(row?.version ?? '', /^PostgreSQL \d+/);
  });

  it('is one server per test process', async () => {
    assert.equal(await postgresServer(), server);
  });

  it('creates a new database each time, and a table in one is not seen in the other', async () => {
    const first = await server.createDatabase();
    const second = await server.createDatabase();
    assert.notEqual(first, second);

    const [a] = await query<{ name: string }>(first, 'select current_database() as name');
    const [b] = await query<{ name: string }>(second, 'select current_database() as name');
    assert.ok(a && b);
    assert.notEqual(a.name, b.name);
    assert.equal(first, server.url.replace(/\/postgres$/, `/${a.name}`));

    await query(first, 'create table alerts (id integer primary key, title text not null)');
    await query(first, "insert into alerts values (1, 'Exchange Online degraded')");
    assert.deepEqual(await query(first, 'select id, title from alerts'), [{ id: 1, title: 'Exchange Online degraded' }]);

    const seen = async (url: string) =>
      (await query<{ found: string | null }>(url, "select to_regclass('public.alerts') as found"))[0]?.found ?? null;
    assert.equal(await seen(first), 'alerts');
    assert.equal(await seen(second), null);
    await assert.rejects(query(second, 'select * from alerts'), /relation "alerts" does not exist/);
  });
});

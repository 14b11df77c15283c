// The two state stores, each with a fresh place to keep state: for tests that hold on both backends.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { postgresServer, type PostgresServer } from './postgres.js';

export interface Backend {
  name: string;
  /** Its suite needs a PostgreSQL server. */
  postgres: boolean;
  /** A new, empty place to store state; opening it twice (sequentially) reaches the same state. */
  place(): Promise<string>;
  open(place: string): Promise<StateStore>;
  /** Makes the next writes of orderCustomers fail slowly (the change is in flight for a while), as a full
   * disk or a refusing database would. */
  breakWrites(place: string): Promise<void>;
}

export const backends: Backend[] = [
  {
    name: 'lowdb',
    postgres: false,
    place: async () => path.join(await mkdtemp(path.join(tmpdir(), 'pa-contract-')), 'state.json'),
    open: (file) => LowdbStateStore.open(file),
    // The write's temp file cannot be made where a folder stands (EISDIR), whoever runs the test.
    breakWrites: (file) => mkdir(path.join(path.dirname(file), `.${path.basename(file)}.tmp`)),
  },
  {
    name: 'PostgreSQL',
    postgres: true,
    // The suite's before() found the server (or skipped the suite).
    place: async () => ((await postgresServer()) as PostgresServer).createDatabase(),
    open: (url) => PostgresStateStore.open(url, { leaseSeconds: 30 }),
    breakWrites: async (url) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create function refuse_write() returns trigger language plpgsql as $$
          begin perform pg_sleep(0.2); raise exception 'disk full (injected)'; end $$`);
        await client.query('create trigger refuse_write before insert or update on order_customers for each row execute function refuse_write()');
      } finally {
        await client.end();
      }
    },
  },
];


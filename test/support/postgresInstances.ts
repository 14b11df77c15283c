// Several instances of the PostgreSQL store on one database, for a suite of them: a fresh database before each
// test, and every store `open` made closed after it. Call inside `describe`, before the suite's own hooks.
import { PostgresStateStore, type PostgresOptions } from '../../src/store/postgres/postgresStore.js';
import { postgresForSuite, queryRows, type PostgresServer } from './postgres.js';

export interface Instances {
  /** This test's database. */
  readonly url: string;
  /** The stores opened in this test, closed after it (a test that closes them itself takes them out). */
  readonly stores: PostgresStateStore[];
  open(options?: PostgresOptions): Promise<PostgresStateStore>;
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

export function instancesOnFreshDatabases(defaults: PostgresOptions = {}): Instances {
  let server: PostgresServer;
  let url = '';
  const stores: PostgresStateStore[] = [];
  before(async function () {
    server = await postgresForSuite(this);
  });
  beforeEach(async () => {
    url = await server.createDatabase();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  return {
    get url() {
      return url;
    },
    stores,
    async open(options = {}) {
      const store = await PostgresStateStore.open(url, { ...defaults, ...options });
      stores.push(store);
      return store;
    },
    sql: (text, params = []) => queryRows(url, text, params),
  };
}

// Can the state store be reached right now? Asked by GET /readyz, which load balancers and orchestrators
// probe every few seconds from every replica: the answer is cached briefly so probes cannot hammer the database.
import pg from 'pg';
import type { Config } from '../config.js';
import { connectionConfig } from './postgres/connection.js';

export interface StoreReachability {
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

/** A probe slower than this counts as unreachable: a readiness answer must come quickly. */
const CHECK_TIMEOUT_MS = 2_000;
const CACHE_MS = 2_000;

export function storeReachability(config: Pick<Config, 'databaseUrl'>, now: () => number = Date.now): StoreReachability {
  // lowdb: the file is this process's own (its lock file says so) and lives in memory: always reachable.
  if (!config.databaseUrl) return { reachable: async () => true, close: async () => undefined };

  // Its own single connection, so a probe never waits behind the store's busy pool (that would say
  // "unreachable" under load) and never takes a connection the store needs.
  const pool = new pg.Pool({
    ...connectionConfig(config.databaseUrl),
    max: 1,
    connectionTimeoutMillis: CHECK_TIMEOUT_MS,
    query_timeout: CHECK_TIMEOUT_MS,
    statement_timeout: CHECK_TIMEOUT_MS,
  });
  // A dropped connection is not an error to report (the store's own account logs the outage), and an
  // 'error' without a listener would end the process: the next probe finds out and answers "store".
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  let last: { at: number; answer: Promise<boolean> } | null = null;
  let closed: Promise<void> | null = null;
  return {
    reachable() {
      if (last && now() - last.at < CACHE_MS) return last.answer;
      const answer = pool.query('select 1').then(
        () => true,
        () => false,
      );
      last = { at: now(), answer };
      return answer;
    },
    // The app may be closed twice (a test, a signal during shutdown); pg refuses a second end.
    close: () => (closed ??= pool.end()),
  };
}

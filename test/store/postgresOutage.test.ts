// PostgreSQL going away under the store (a restart, a failover): a commit in flight is refused as "the
// database cannot be reached" without ending the process, the outage is logged in a few lines, and the store
// works again by itself once the server is back. Real PostgreSQL, halted and resumed on the same data.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DatabaseOutage } from '../../src/store/postgres/outage.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { StoreUnavailableError } from '../../src/store/stateStore.js';
import { privatePostgresForSuite, type PostgresServer } from '../support/postgres.js';

interface Line {
  level: 'warn' | 'debug' | 'info';
  message: string;
}

function recordingLog(lines: Line[]) {
  return {
    info: (_note: object, message: string) => void lines.push({ level: 'info', message }),
    warn: (_note: object, message: string) => void lines.push({ level: 'warn', message }),
    debug: (_note: object, message: string) => void lines.push({ level: 'debug', message }),
  };
}

describe('PostgreSQL store: the database goes away and comes back', function () {
  let server: PostgresServer | null = null;
  let store: PostgresStateStore | null = null;

  before(async function () {
    server = await privatePostgresForSuite(this);
  });
  after(async () => server?.stop());
  afterEach(async () => {
    await store?.close().catch(() => undefined);
    store = null;
  });

  it('refuses a commit caught by a restart as unreachable, without an unhandled error, and commits again once it is back', async function () {
    this.timeout(40_000);
    const pgServer = server as PostgresServer;
    const url = await pgServer.createDatabase();
    const lines: Line[] = [];
    store = await PostgresStateStore.open(url, { leaseSeconds: 5, log: recordingLog(lines) });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    // Mocha's own handler would fail the test too; this one lets it say what escaped.
    process.prependListener('uncaughtException', onUncaught);
    try {
      // Another session holds the table the commit writes, so the commit is mid-transaction, waiting, when the
      // server stops.
      const holder = new pg.Client({ connectionString: url });
      holder.on('error', () => undefined);
      await holder.connect();
      await holder.query('begin');
      await holder.query('lock table order_customers in exclusive mode');
      const caught = store.update((state) => void (state.orderCustomers['o-during'] = 'c1'));
      const outcome = caught.then(
        () => 'committed',
        (error: unknown) => error,
      );
      await waitForWaiter(url);
      // The restart reaches the waiting commit's connection first: were the holder's ended first, its lock
      // would pass to the commit, which could commit before its own connection is ended.
      await holder.query(`select pg_terminate_backend(pid) from pg_locks where relation = 'order_customers'::regclass and not granted`);
      await pgServer.halt();

      const error = await outcome;
      assert.ok(error instanceof StoreUnavailableError, `the commit is refused as unreachable, not ${String(error)}`);
      assert.equal(store.read().orderCustomers['o-during'], undefined, 'memory holds only what is stored');
      await sleep(1_500); // the connections' 'end' events, the session's and the lease's retries
      await assert.rejects(
        store.update((state) => void (state.orderCustomers['o-down'] = 'c1')),
        StoreUnavailableError,
        'a change while the server is down is refused the same way',
      );
      // A view that reads no record (delivery's pacing look with nothing to pace) asks nothing of the server:
      // it must not count as the database being back.
      await store.view({});
      assert.ok(!lines.some((line) => /reachable again/.test(line.message)), 'nothing said the database was back while it was down');

      await pgServer.resume();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const done = await store.update((state) => void (state.orderCustomers['o-after'] = 'c1')).then(
          () => true,
          () => false,
        );
        if (done) break;
        assert.ok(Date.now() < deadline, 'the store commits again within 10 s of the server coming back');
        await sleep(200);
      }
      assert.equal(store.read().orderCustomers['o-after'], 'c1');
      assert.deepEqual(uncaught, [], 'nothing escaped as an unhandled error');
      const warnings = lines.filter((line) => line.level === 'warn').map((line) => line.message);
      assert.ok(warnings.some((message) => /lost the connection to PostgreSQL/.test(message)), warnings.join(' | '));
      await waitUntil(() => lines.some((line) => /reachable again/.test(line.message)), 'the store to say the database is back');
      assert.ok(warnings.length <= 3, `a few warn lines, not one per failure: ${warnings.join(' | ')}`);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});

describe('DatabaseOutage: how an outage is logged', () => {
  it('says lost once, reminds once a minute, and says back once with how long it took', () => {
    const lines: Line[] = [];
    let now = 1_000_000;
    const outage = new DatabaseOutage(recordingLog(lines), () => now);
    outage.back(); // nothing was lost: nothing to say
    assert.equal(lines.length, 0);
    outage.lost('a commit', new Error('connect ECONNREFUSED'));
    now += 1_000;
    outage.lost('the sweep lease', new Error('connect ECONNREFUSED'));
    now += 59_000;
    outage.lost('a commit', new Error('connect ECONNREFUSED'));
    now += 2_500;
    outage.back();
    outage.back();
    assert.deepEqual(
      lines.map((line) => `${line.level}: ${line.message}`),
      [
        'warn: lost the connection to PostgreSQL; retrying every second, changes are refused until it is back',
        'debug: PostgreSQL still unreachable',
        'warn: PostgreSQL is still unreachable; retrying',
        'warn: PostgreSQL is reachable again after 62.5 s',
      ],
    );
    assert.equal(outage.down, false);
  });
});

/** Until the store's commit waits for the table it writes (its connection shows up waiting on the table's lock). */
async function waitForWaiter(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await waitUntil(async () => {
      const { rows } = await client.query(`select 1 from pg_locks where relation = 'order_customers'::regclass and not granted`);
      return rows.length > 0;
    }, 'the commit to wait for the table it writes');
  } finally {
    await client.end();
  }
}

async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

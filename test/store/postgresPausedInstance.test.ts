// An instance paused (SIGSTOP) for longer than the deletion log keeps its entries (deleted_rows, pruned by
// the leader): when it resumes, it must not keep in memory what was deleted meanwhile, or it would serve a
// watch that is gone and send a delivery again that another instance already sent. Real PostgreSQL; the
// paused instance is a process of its own (storeChild.ts); the retention is shortened for the test.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PRUNED_MARK } from '../../src/store/postgres/deletionLog.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { postgresForSuite, type PostgresServer, queryRows } from '../support/postgres.js';
import { notice, target, thread, watch } from '../support/sampleState.js';
import { storeProcess, type HeldRecords, type StoreProcess } from '../support/storeChild.js';

/** Deletions are forgotten after this long (a day in production), looked for this often. */
const RETENTION = { deletionsKeptMs: 300, pruneEveryMs: 100 };
const WAIT_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('PostgreSQL store: an instance paused for longer than deletions are kept', () => {
  let server: PostgresServer;
  let url: string;
  let leader: PostgresStateStore | null = null;
  let paused: StoreProcess | null = null;
  const sql = (text: string, params: unknown[] = []) => queryRows(url, text, params);

  before(async function () {
    server = await postgresForSuite(this);
  });
  beforeEach(async () => {
    url = await server.createDatabase();
  });
  afterEach(async () => {
    await paused?.close();
    await leader?.close();
    paused = null;
    leader = null;
  });

  it('sees every deletion made while it was paused, and holds no delivery that was sent meanwhile', async () => {
    leader = await PostgresStateStore.open(url, { retention: RETENTION });
    const a = leader;
    await until('the lease', async () => (a.lease.leading ? true : null));
    await a.update((state) => {
      state.targets.t1 = target('t1');
      state.watches.push(watch('w1', 't1', 'c1'), watch('w2', 't1', 'c2'));
      state.outbox.push(notice('d1', 't1', 'first'), notice('d2', 't1', 'second'));
      const card = thread('t1|EX1', 't1');
      card.customers.c2 = { name: 'Fabrikam', resolved: false, vanished: false };
      state.threads[card.key] = card;
    });
    paused = await storeProcess(url);
    const b = paused;
    const before = await b.held();
    assert.deepEqual([before.watches, before.outbox, before.threadsHeld], [['w1', 'w2'], ['d1', 'd2'], []], 'no card thread held (paged)');

    b.pause();
    // Meanwhile, on the leader: a watch removed, a delivery sent (its row gone, its id in the delivery log),
    // a customer dropped from a card.
    await a.update((state) => {
      state.watches = state.watches.filter((w) => w.id !== 'w1');
      state.outbox = state.outbox.filter((d) => d.id !== 'd1');
      state.deliveryLog.d1 = new Date().toISOString();
      delete state.threads['t1|EX1']?.customers.c1;
    }, { load: { threads: ['t1|EX1'] } });
    // The leader prunes those deletions from the log, leaving its mark, while the other is still paused.
    await until('the deletions pruned', async () => {
      const rows = await sql('select tbl from deleted_rows');
      return rows.length === 1 && rows[0]?.tbl === PRUNED_MARK.tbl ? true : null;
    });
    await a.update((state) => void (state.orderCustomers.after = 'the pause'));
    b.resume();

    const after = await until('the resumed instance to catch up', async () => {
      const held = await b.held();
      return held.orderCustomers.after ? held : null;
    });
    const view = (held: HeldRecords) => ({ watches: held.watches, outbox: held.outbox, sent: held.deliveryLog, cards: held.threadsHeld });
    assert.deepEqual(view(after), { watches: ['w2'], outbox: ['d2'], sent: ['d1'], cards: [] }, 'the deleted watch and the sent delivery are gone; no card is held');
    // A card is read from the database when needed: the customer dropped meanwhile is gone from it.
    assert.deepEqual(Object.keys((await a.view({ threads: ['t1|EX1'] })).threads['t1|EX1']?.customers ?? {}), ['c2']);

    // From then on it follows the log as before: the next deletion reaches it too.
    await a.update((state) => {
      state.outbox = [];
      state.deliveryLog.d2 = new Date().toISOString();
    });
    const later = await until('the next deletion', async () => {
      const held = await b.held();
      return held.outbox.length === 0 ? held : null;
    });
    assert.deepEqual(later.deliveryLog.sort(), ['d1', 'd2']);
  });
});

// Commits of several instances without one lock for all (issue 22, point 3): unrelated commits of two
// instances run at the same time; read-modify-writes of one conversation on both lose nothing; and a commit
// that ends after another instance looked is still read by it. Real PostgreSQL; triggers with pg_sleep hold
// a commit's transaction open at a known point, and log from inside it.
import assert from 'node:assert/strict';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { State } from '../../src/store/state.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';
import { target, watch } from '../support/sampleState.js';

describe('PostgreSQL store: commits of several instances run at the same time, and lose nothing', () => {
  const db = instancesOnFreshDatabases();
  const open = () => db.open();
  const sql = db.sql;

  it("two instances' unrelated commits are open at the same time: neither waits for the other", async () => {
    const a = await open();
    const b = await open();
    // Each write of order_customers notes the time inside its transaction, sleeps, and notes the time again:
    // two commits that take turns give two intervals one after the other.
    await sql(`create table commit_log (key text, at timestamptz, step text);
      create function slow_write() returns trigger language plpgsql as $$
      begin
        insert into commit_log values (new.order_id, clock_timestamp(), 'written');
        perform pg_sleep(0.4);
        insert into commit_log values (new.order_id, clock_timestamp(), 'done');
        return new;
      end $$;
      create trigger slow_write after insert on order_customers for each row execute function slow_write();`);
    await Promise.all([a.update((state) => void (state.orderCustomers.oa = 'ca')), b.update((state) => void (state.orderCustomers.ob = 'cb'))]);
    const log = await sql(`select key, step, extract(epoch from at)::float8 as at from commit_log order by at`);
    const at = (key: string, step: string) => Number(log.find((row) => row.key === key && row.step === step)?.at);
    // Each was written before the other had finished: the two transactions overlapped.
    assert.ok(at('oa', 'written') < at('ob', 'done') && at('ob', 'written') < at('oa', 'done'), `the commits took turns: ${JSON.stringify(log)}`);
    await a.refresh();
    await b.refresh();
    for (const store of [a, b]) assert.deepEqual({ ...store.read().orderCustomers }, { oa: 'ca', ob: 'cb' });
  });

  it("read-modify-writes of one conversation's held alerts on two instances at once lose none", async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => void (state.targets.t1 = { ...target('t1'), schedule: { digest: null, quietHours: null, lastDigest: null, held: [] } }));
    await b.refresh();
    // Every write of the conversation's row waits a little inside its transaction, so the two instances'
    // read-modify-writes overlap rather than take turns by luck.
    await sql(`create function slow_target() returns trigger language plpgsql as $$ begin perform pg_sleep(0.02); return new; end $$;
      create trigger slow_target before update on targets for each row execute function slow_target();`);
    const hold = (id: string) => (state: State) => {
      const schedule = state.targets.t1?.schedule;
      if (!schedule) throw new Error('no schedule');
      schedule.held.push({ id, kind: 'notice', heldAt: '2026-11-30T22:00:00.000Z', heldUntil: '2026-12-01T07:00:00.000Z', text: id, edited: false });
    };
    const runs = (store: PostgresStateStore, name: string) =>
      (async () => {
        for (let i = 0; i < 20; i++) await store.update(hold(`${name}${i}`));
      })();
    await Promise.all([runs(a, 'a'), runs(b, 'b')]);
    await a.refresh();
    await b.refresh();
    const expected = [...Array.from({ length: 20 }, (_, i) => `a${i}`), ...Array.from({ length: 20 }, (_, i) => `b${i}`)].sort();
    for (const store of [a, b]) assert.deepEqual(store.read().targets.t1?.schedule?.held.map((alert) => alert.id).sort(), expected);
    const stored = await sql(`select body from targets where key = 't1'`);
    assert.equal((stored[0]?.body as { schedule: { held: unknown[] } }).schedule.held.length, 40);
  });

  it('a record a change only read, changed meanwhile by another instance, makes the change run again (no write skew)', async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => Object.assign(state.orderCustomers, { x: 'free', y: 'free' }));
    await b.refresh();
    await sql(`create function slow_update() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return new; end $$;
      create trigger slow_update before update on order_customers for each row execute function slow_update();`);
    // At most one of x and y may be taken: each instance takes its own only when it reads both free.
    const take = (mine: 'x' | 'y', other: 'x' | 'y') => (state: State) => {
      if (state.orderCustomers[mine] === 'free' && state.orderCustomers[other] === 'free') state.orderCustomers[mine] = 'taken';
    };
    await Promise.all([a.update(take('x', 'y')), b.update(take('y', 'x'))]);
    const rows = await sql(`select order_id, customer_id from order_customers order by order_id`);
    assert.deepEqual(rows.map((row) => row.customer_id).sort(), ['free', 'taken'], `both read the other free: ${JSON.stringify(rows)}`);
  });

  it('a list a change read whole, added to meanwhile by another instance, makes the change run again', async () => {
    const a = await open();
    const b = await open();
    await sql(`create function slow_insert() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return new; end $$;
      create trigger slow_insert before insert on watches for each row execute function slow_insert();`);
    // One watch per conversation: each adds one only when it sees none.
    const watchOnce = (id: string) => (state: State) => {
      if (!state.watches.some((w) => w.targetKey === 't1')) state.watches.push(watch(id, 't1', 'c1'));
    };
    await Promise.all([a.update(watchOnce('wa')), b.update(watchOnce('wb'))]);
    const rows = await sql(`select id from watches`);
    assert.equal(rows.length, 1, `both added a watch: ${JSON.stringify(rows)}`);
  });

  it('a commit that began before another instance looked and ended after it is still read by that instance', async () => {
    const a = await open();
    const b = await open();
    // The write of 'slow' holds its transaction open for a second after its row is written.
    await sql(`create function slow_key() returns trigger language plpgsql as $$
      begin if new.order_id = 'slow' then perform pg_sleep(1); end if; return new; end $$;
      create trigger slow_key after insert on order_customers for each row execute function slow_key();`);
    const slow = a.update((state) => void (state.orderCustomers.slow = 'c1'));
    await waitFor(async () => (await sql(`select 1 from pg_stat_activity where state = 'active' and query like '%order_customers%' and pid <> pg_backend_pid()`)).length > 0);
    // Meanwhile b commits (a later transaction, committed first) and looks: 'slow' is not committed yet.
    await b.update((state) => void (state.orderCustomers.fast = 'c2'));
    await b.refresh();
    assert.equal(b.read().orderCustomers.slow, undefined);
    await slow;
    await b.refresh();
    assert.equal(b.read().orderCustomers.slow, 'c1', 'the commit that ended after b looked is read');
    assert.equal(b.read().orderCustomers.fast, 'c2');
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

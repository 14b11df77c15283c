// Several instances on one PostgreSQL database: they see each other's changes, lose none of them, agree on
// one sweep leader (whose late commits are refused once it is deposed), and never serve one conversation
// at the same time. Real PostgreSQL, two stores in this process standing for two instances.
import assert from 'node:assert/strict';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { LeaseLostError } from '../../src/store/stateStore.js';
import type { Field } from '../../src/store/records.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';
import { fill, notice, thread, watch } from '../support/sampleState.js';

describe('PostgreSQL store: several instances on one database', () => {
  const db = instancesOnFreshDatabases();
  const { stores, sql } = db;
  const open = (leaseSeconds = 30) => db.open({ leaseSeconds });

  it('two instances starting together migrate the schema once', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    assert.ok(a && b);
    // Each migration once (migrations.ts lists them all).
    assert.deepEqual(await sql('select version from schema_migrations order by version'), MIGRATIONS.map(({ version }) => ({ version })));
  });

  it("one instance's change is seen by the other, without being asked, and told as a change", async () => {
    const a = await open();
    const b = await open();
    const heard: Field[][] = [];
    b.onExternalChange((fields) => heard.push([...fields]));
    await a.update((state) => void (state.orderCustomers.o1 = 'c1'));
    // NOTIFY (or the one-second look) brings it over with no refresh() called.
    const deadline = Date.now() + 3_000;
    while (b.read().orderCustomers.o1 !== 'c1' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(b.read().orderCustomers.o1, 'c1');
    assert.deepEqual(heard.at(-1), ['orderCustomers']);
    await a.update((state) => void delete state.orderCustomers.o1);
    await b.refresh();
    assert.equal(b.read().orderCustomers.o1, undefined, 'a deletion travels too');
  });

  it("an incident card's customers are rows of their own: a batch writes the customers it changed, not the card", async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => {
      const card = thread('t1|EX1', 't1');
      for (let i = 0; i < 500; i++) card.customers[`c${i}`] = { name: `Customer ${i}`, resolved: false, vanished: false };
      state.threads[card.key] = card;
    });
    const before = await sql('select max(rev) as rev from incident_thread_customers');
    await a.update((state) => {
      const card = state.threads['t1|EX1'];
      if (!card) return;
      card.customers.c7 = { name: 'Customer 7', resolved: true, vanished: false };
      card.customers.new = { name: 'Newcomer', resolved: false, vanished: false };
      delete card.customers.c9;
    }, { load: { threads: ['t1|EX1'] } });
    const rewritten = await sql('select customer_id from incident_thread_customers where rev > $1 order by customer_id', [before[0]?.rev]);
    assert.deepEqual(rewritten.map((row) => row.customer_id), ['c7', 'new'], 'only what changed');
    const [head] = await sql(`select body from incident_threads where key = 't1|EX1'`);
    assert.equal((head?.body as Record<string, unknown>).customers, undefined, 'the card row holds no customers');

    await b.refresh();
    const seen = (await b.view({ threads: 'all' })).threads['t1|EX1'];
    assert.equal(Object.keys(seen?.customers ?? {}).length, 500);
    assert.equal(seen?.customers.c7?.resolved, true);
    assert.equal(seen?.customers.new?.name, 'Newcomer');
    assert.equal(seen?.customers.c9, undefined, 'a removed customer is removed there too');
    await b.close();
    stores.splice(stores.indexOf(b), 1);
    const c = await open();
    assert.deepEqual((await c.view({ threads: 'all' })).threads['t1|EX1'], (await a.view({ threads: 'all' })).threads['t1|EX1'], 'and reads back whole from the database');
  });

  it('a record deleted and written again between two looks is there on the other instance', async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => void (state.accessDenied.c1 = '2026-11-30T08:00:00.000Z'));
    await b.refresh();
    // Access flaps: returned, then refused again, both before B looks.
    await a.update((state) => void delete state.accessDenied.c1);
    await a.update((state) => void (state.accessDenied.c1 = '2026-11-30T09:00:00.000Z'));
    await a.update((state) => {
      state.outbox.push({ id: 'd1', kind: 'notice', targetKey: 't1', text: 'once', createdAt: '', attempts: 0, notBefore: '', lastError: null });
    });
    await a.update((state) => void (state.outbox = []));
    await a.update((state) => {
      state.outbox.push({ id: 'd1', kind: 'notice', targetKey: 't1', text: 'again', createdAt: '', attempts: 0, notBefore: '', lastError: null });
    });
    await b.refresh();
    assert.equal(b.read().accessDenied.c1, '2026-11-30T09:00:00.000Z');
    assert.deepEqual(b.read().outbox.map((d) => d.kind === 'notice' && d.text), ['again']);
  });

  it('stores text with a NUL character (which PostgreSQL refuses) as U+FFFD instead of failing the commit', async () => {
    const a = await open();
    await a.update((state) => {
      state.accessDenied['c\u0000'] = 'since\u0000now';
      state.lastCycle = { correlationId: 'r\u0000', startedAt: '', endedAt: '', customersFetched: 0, customersFailed: [{ customerId: 'c', name: 'A\\u0000B\u0000', error: '' }], ordersFetched: 0, ordersFailed: [], events: 0, deliveriesQueued: 0 };
    });
    await a.close();
    stores.splice(0);
    const b = await open();
    assert.equal(b.read().accessDenied['c\ufffd'], 'since\ufffdnow');
    assert.equal(b.read().lastCycle?.correlationId, 'r\ufffd');
    assert.equal(b.read().lastCycle?.customersFailed[0]?.name, 'A\\u0000B\ufffd', 'a backslash followed by "u0000" is text, kept as it was');
  });

  it('a write the database refuses changes nothing, in memory either, and the next one goes through in order', async () => {
    let a = await open();
    await a.update(fill);
    await assert.rejects(
      a.update((state) => {
        state.outbox.push(notice('d9', 't1', 'refused'));
        state.deliveryLog.d1 = '2026-11-30T11:00:00.000Z';
        // NOT NULL in the watches table: the INSERT fails inside the transaction.
        state.watches.push({ ...watch('w9', 't1', 'c9'), workloads: null as unknown as string[] });
      }),
      /null value/,
    );
    assert.deepEqual(a.read().outbox.map((d) => d.id), ['d1', 'd2', 'd3'], 'back to what is stored');
    assert.equal(a.read().deliveryLog.d1, undefined);
    assert.deepEqual(a.read().watches.map((w) => w.id), ['w1', 'w2', 'w3']);
    await a.update((state) => void state.outbox.push(notice('d4', 't1', 'next')));
    await a.close();
    stores.splice(0);
    a = await open();
    assert.deepEqual(a.read().outbox.map((d) => d.id), ['d1', 'd2', 'd3', 'd4']);
    assert.equal(a.read().deliveryLog.d1, undefined);
  });

  it('concurrent updates on two instances lose nothing: each change sees every earlier one', async () => {
    const a = await open();
    const b = await open();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).update((state) => {
          // A read-modify-write of one record: a lost update would show as a missing number.
          const seen = state.orderCustomers.list ? state.orderCustomers.list.split(',') : [];
          state.orderCustomers.list = [...seen, String(i)].join(',');
        }),
      ),
    );
    await a.refresh();
    assert.equal(a.read().orderCustomers.list?.split(',').length, 30);
    const stored = await sql(`select customer_id from order_customers where order_id = 'list'`);
    assert.deepEqual(stored[0]?.customer_id, a.read().orderCustomers.list);
  });

  it('one leader; a deposed leader is refused its late sweep commit, and the new one commits', async () => {
    const a = await open();
    const b = await open();
    assert.equal(a.lease.leading, true, 'the first to start leads');
    assert.equal(b.lease.leading, false);
    await a.update((state) => void (state.sweep.cursor = 'c|1'), { fenced: true });

    // A stalls past its lease (the database's clock says so); B looks and takes over with a higher token.
    await sql(`update leases set expires_at = now() - interval '1 second'`);
    await b.lease.tick();
    assert.equal(b.lease.leading, true);
    assert.ok((b.lease.token ?? 0) > (a.lease.token ?? 0), 'a new fencing token');

    await assert.rejects(a.update((state) => void (state.sweep.cursor = 'c|late'), { fenced: true }), LeaseLostError);
    assert.equal(a.lease.leading, false, 'the refusal deposes it at once');
    assert.equal(a.read().sweep.cursor, 'c|1', 'its memory returns to what is stored');
    await b.update((state) => void (state.sweep.cursor = 'c|2'), { fenced: true });
    assert.deepEqual(await sql('select cursor from sweep_state'), [{ cursor: 'c|2' }]);
    // A follower's plain changes (a watch, a "poll now") are still taken.
    await a.update((state) => void state.sweep.summaryTo.push('t1'));
    await b.refresh();
    assert.deepEqual(b.read().sweep.summaryTo, ['t1']);
    assert.equal(b.read().sweep.cursor, 'c|2');
  });

  it('a leader that stops gives the lease back at once; health lists the other instance', async () => {
    const a = await open();
    const b = await open();
    await b.lease.tick();
    assert.equal(b.lease.report().others?.length, 1);
    assert.equal(b.lease.report().others?.[0]?.leading, true);
    await a.close();
    stores.splice(stores.indexOf(a), 1);
    await b.lease.tick();
    assert.equal(b.lease.leading, true);
    assert.deepEqual(b.lease.report().others, [], 'the stopped instance left');
  });

  it('a conversation is served by one instance at a time, and the sweep sees who serves what', async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => void state.outbox.push(notice('d1', 't1', 'one'), notice('d2', 't2', 'two'), notice('d3', 't1', 'three')));
    await b.refresh();
    const claim = await a.coordination.claims.claim('t1');
    assert.ok(claim);
    assert.deepEqual([claim.covers('d1'), claim.covers('d3'), claim.covers('d2')], [true, true, false], "A's claim covers t1's queue, not t2's");
    assert.equal(await b.coordination.claims.claim('t1'), null, 'B may not serve t1 while A does');
    const other = await b.coordination.claims.claim('t2');
    assert.ok(other, 'another conversation is free');
    // The leader's sweep commit reads the claims in its transaction.
    await a.update(() => undefined, { fenced: true });
    assert.equal(a.coordination.claims.busy('t1'), true);
    assert.equal(a.coordination.claims.busy('t2'), true);
    assert.equal(a.coordination.claims.busy('t3'), false);
    await claim.release();
    await other.release();
    const again = await b.coordination.claims.claim('t1');
    assert.ok(again, 'free again once released');
    await again.release();
  });

  it('a claim is given back when its instance closes', async () => {
    const a = await open();
    const b = await open();
    await a.update((state) => void state.outbox.push(notice('d1', 't1', 'one')));
    assert.ok(await a.coordination.claims.claim('t1'));
    await a.close();
    stores.splice(stores.indexOf(a), 1);
    const claim = await b.coordination.claims.claim('t1');
    assert.ok(claim);
    await claim.release();
  });

  it('refuses a database migrated by a newer release, naming what to do', async () => {
    const a = await open();
    await a.close();
    stores.splice(0);
    await sql(`insert into schema_migrations (version, name) values (99, 'from the future')`);
    await assert.rejects(PostgresStateStore.open(db.url), new RegExp(`newer Partner Alerts \\(schema 99; this one knows up to ${Math.max(...MIGRATIONS.map((m) => m.version))}\\)\\. Upgrade, or point DATABASE_URL elsewhere\\.`));
  });
});

// The outbox as a queue with row claims (issue 22, point 4): an instance delivering to a conversation
// stamps its queued rows with its id and an expiry. A paused instance (SIGSTOP: its connection stays open)
// must not hold a conversation for longer than that expiry, and once another instance took the
// conversation over, the paused one's late record must change nothing. Real PostgreSQL, the real delivery
// pipeline; the paused instance is a process of its own (storeChild.ts). Teams is a recording stand-in.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { DeliveryPipeline } from '../../src/engine/delivery.js';
import { SendFailure, type ConversationSender } from '../../src/engine/teamsSender.js';
import { LOCKS } from '../../src/store/postgres/locks.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { Target } from '../../src/store/state.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';
import { notice, target } from '../support/sampleState.js';
import { storeProcess, type StoreProcess } from '../support/storeChild.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';

const WAIT_MS = 15_000;
/** The paused instance's claims last this long unrenewed (LEASE_SECONDS, shortened for the test). */
const CHILD_LEASE_SECONDS = 3;

interface Sent {
  by: string;
  targetKey: string;
  text: string;
  /** Who the delivery's row was claimed by while it was being sent. */
  claimedBy: string | null;
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('PostgreSQL store: the outbox as a queue with row claims', () => {
  const db = instancesOnFreshDatabases({ pollMs: 100 });
  let child: StoreProcess | null = null;
  const sql = db.sql;
  const open = () => db.open();
  /** The real delivery pipeline on `store`, its sends kept in `sent` (with the claim on the row at that moment). */
  const deliveryOn = (store: PostgresStateStore, sent: Sent[], send: (text: string) => Promise<void> = async () => undefined) => {
    const say = async (to: Target, text: string) => {
      const [row] = await sql(`select to_jsonb(o)->>'locked_by' as locked_by from outbox o where body->>'text' = $1`, [text]);
      sent.push({ by: store.instance, targetKey: to.key, text, claimedBy: (row?.locked_by as string | null | undefined) ?? null });
      await send(text);
    };
    const sender: ConversationSender = { post: async () => 'activity', update: async () => undefined, reply: async (to, _root, text) => say(to, text), say };
    return new DeliveryPipeline({
      store,
      sender,
      cards: { provisioning: () => ({}) },
      threadKinds: threadKindRegistry([incidentThreadKind(() => ({}))]),
      clock: { now: () => Date.now(), sleep: (ms) => sleep(ms) },
      log: pino({ level: 'silent' }),
      threadEditIntervalMs: 0,
    });
  };
  const textsTo = (sent: Sent[], targetKey: string) => sent.filter((s) => s.targetKey === targetKey).map((s) => s.text);

  afterEach(async () => {
    await child?.close();
    child = null;
  });

  it("a paused instance's claim returns after its expiry: another instance delivers that conversation's queue, in order, each once", async () => {
    const b = await open();
    await b.update((state) => {
      state.targets.t1 = target('t1');
      state.targets.t2 = target('t2');
      state.outbox.push(notice('d1', 't1', 'first'), notice('d2', 't1', 'second'), notice('d3', 't1', 'third'), notice('e1', 't2', 'elsewhere'));
    });
    child = await storeProcess(db.url, { leaseSeconds: CHILD_LEASE_SECONDS });
    assert.equal(await child.claim('t1'), true);
    child.pause(); // its connection stays open: an advisory lock would be held for as long as it stays paused
    const pausedAt = Date.now();

    const sent: Sent[] = [];
    const pipeline = deliveryOn(b, sent);
    await pipeline.deliverPending();
    assert.deepEqual(textsTo(sent, 't1'), [], 'the paused instance still holds t1');
    assert.deepEqual(textsTo(sent, 't2'), ['elsewhere'], 'other conversations go meanwhile');

    await until('t1 to be delivered once the claim expired', async () => {
      await pipeline.deliverPending();
      return textsTo(sent, 't1').length === 3;
    });
    console.log(`      t1 delivered by the other instance ${Date.now() - pausedAt} ms after the pause (claims last ${CHILD_LEASE_SECONDS} s unrenewed)`);
    assert.deepEqual(textsTo(sent, 't1'), ['first', 'second', 'third'], 'in order');
    assert.ok(sent.every((s) => s.claimedBy === b.instance), 'each sent under its own claim');

    child.resume();
    await child.held(); // it runs again: its renewals and looks go on
    await pipeline.deliverPending();
    assert.equal(sent.length, 4, 'nothing sent twice');
    assert.deepEqual((await sql('select id from delivery_log order by id')).map((row) => row.id), ['d1', 'd2', 'd3', 'e1']);
    assert.deepEqual(await sql('select id from outbox'), []);
  });

  it('a late record by an instance whose claim expired and was taken over changes nothing, and says so', async () => {
    const b = await open();
    await b.update((state) => {
      state.targets.t1 = target('t1');
      state.outbox.push(notice('d1', 't1', 'first'), notice('d2', 't1', 'second'));
    });
    child = await storeProcess(db.url, { leaseSeconds: CHILD_LEASE_SECONDS });
    child.deliver();
    await child.sending('first');
    child.pause(); // stalled mid-send, its claim unrenewed from now on

    const sent: Sent[] = [];
    const pipeline = deliveryOn(b, sent);
    await until('the other instance to take t1 over', async () => {
      await pipeline.deliverPending();
      return textsTo(sent, 't1').length === 2;
    });
    // "first" goes twice: the stalled instance was sending it (the duplicate window of a stall mid-send).
    assert.deepEqual(textsTo(sent, 't1'), ['first', 'second']);
    const recorded = await sql('select id, sent_at from delivery_log order by id');
    assert.deepEqual(recorded.map((row) => row.id), ['d1', 'd2']);

    child.resume();
    child.release(); // its send of "first" completes now, late
    const stalled = child;
    await until('the stalled instance to give its record up', async () => stalled.warnings.some((line) => /lost its claim/.test(line)));
    assert.deepEqual(await sql('select id, sent_at from delivery_log order by id'), recorded, 'its late record changed nothing');
    assert.deepEqual(await sql('select id from outbox'), []);
    await stalled.held();
    assert.deepEqual(stalled.sent, ['first'], 'and it sent nothing more: the queue is the new owner’s');
  });

  it("two instances deliver different conversations at once, each in order, each delivery once, under the sender's own claim", async () => {
    const a = await open();
    const b = await open();
    const keys = ['t1', 't2', 't3', 't4'];
    await a.update((state) => {
      for (const key of keys) {
        state.targets[key] = target(key);
        for (const n of [1, 2, 3]) state.outbox.push(notice(`${key}-${n}`, key, `${key}-${n}`));
      }
    });
    await b.refresh();
    // Who serves what, decided up front: each instance holds two conversations.
    const held = [await a.coordination.claims.claim('t1'), await a.coordination.claims.claim('t2'), await b.coordination.claims.claim('t3'), await b.coordination.claims.claim('t4')];
    assert.ok(held.every((claim) => claim !== null));

    const sent: Sent[] = [];
    // While A sends t1's second message, B queues a fourth one for t1: queued after A's claim, not covered by it.
    const pipelineA = deliveryOn(a, sent, async (text) => {
      if (text === 't1-2') await b.update((state) => void state.outbox.push(notice('t1-4', 't1', 't1-4')));
      await sleep(20);
    });
    const pipelineB = deliveryOn(b, sent, () => sleep(20));
    await Promise.all([pipelineA.deliverPending(), pipelineB.deliverPending()]);
    await until('everything delivered', async () => {
      await Promise.all([pipelineA.deliverPending(), pipelineB.deliverPending()]);
      return (await sql('select 1 from outbox')).length === 0;
    });
    for (const claim of held) await claim?.release();

    assert.deepEqual(textsTo(sent, 't1'), ['t1-1', 't1-2', 't1-3', 't1-4']);
    for (const key of ['t2', 't3', 't4']) assert.deepEqual(textsTo(sent, key), [`${key}-1`, `${key}-2`, `${key}-3`], `${key} in order`);
    assert.equal(sent.length, 13, 'each delivery once');
    const byWhom = (key: string) => [...new Set(sent.filter((s) => s.targetKey === key && !s.text.endsWith('-4')).map((s) => (s.by === a.instance ? 'A' : 'B')))];
    assert.deepEqual(keys.map(byWhom), [['A'], ['A'], ['B'], ['B']], 'each conversation by the instance that claimed it');
    const unclaimed = sent.filter((s) => s.claimedBy !== s.by);
    assert.deepEqual(unclaimed, [], 'every send went out under its own instance’s claim on that row');
  });

  it("a claim waits out a sweep commit that read the claims before it, and the sweep's next read sees it", async () => {
    const a = await open();
    await a.update((state) => {
      state.targets.t1 = target('t1');
      state.outbox.push(notice('d1', 't1', 'first'));
    });
    // As a sweep commit does from its read of the claims to its commit (merging into unclaimed queues).
    const sweep = new pg.Client({ connectionString: db.url });
    await sweep.connect();
    try {
      await sweep.query('begin');
      await sweep.query('select pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS.merges]);
      let settled = false;
      const claiming = a.coordination.claims.claim('t1').finally(() => void (settled = true));
      await sleep(300);
      assert.equal(settled, false, 'the claim waits for the commit that may be merging into t1');
      await sweep.query('commit');
      const claim = await claiming;
      assert.ok(claim?.covers('d1'));
      await a.update(() => undefined, { fenced: true }); // the sweep's next commit (A leads: it is alone)
      assert.equal(a.coordination.claims.busy('t1'), true, 'the sweep sees t1 claimed and merges nothing into it');
      const [row] = await sql(`select locked_by, locked_until > now() as live from outbox where id = 'd1'`);
      assert.deepEqual(row, { locked_by: a.instance, live: true });
      await claim?.release();
      assert.deepEqual(await sql(`select locked_by, locked_until from outbox where id = 'd1'`), [{ locked_by: null, locked_until: null }], 'released: unclaimed');
    } finally {
      await sweep.end();
    }
  });

  it('a long Retry-After is a retry time on the row: no instance sends the conversation before it, and nobody keeps it claimed', async () => {
    const a = await open();
    await a.update((state) => {
      state.targets.t1 = target('t1');
      state.outbox.push(notice('d1', 't1', 'first'), notice('d2', 't1', 'second'));
    });
    const sent: Sent[] = [];
    const throttled = deliveryOn(a, sent, async () => {
      throw new SendFailure('transient', 429, null, 3_600_000, 'Teams answered 429');
    });
    const before = Date.now();
    assert.deepEqual(await throttled.deliverPending(), { sent: 0, deferred: 1, dropped: 0 });
    const [row] = await sql(`select not_before, locked_by, (body->>'attempts')::int as attempts from outbox where id = 'd1'`);
    const retryAt = Date.parse(String(row?.not_before));
    assert.ok(retryAt >= before + 3_600_000 && retryAt <= Date.now() + 3_600_000, `retry time ${row?.not_before}`);
    assert.deepEqual([row?.attempts, row?.locked_by], [1, null], 'one attempt counted; the claim given back');

    const b = await open();
    const laterSent: Sent[] = [];
    assert.deepEqual(await deliveryOn(b, laterSent).deliverPending(), { sent: 0, deferred: 0, dropped: 0 });
    assert.deepEqual(laterSent, [], 'the other instance waits for the retry time too, and "second" keeps its place behind "first"');
  });
});

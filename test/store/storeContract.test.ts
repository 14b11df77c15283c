// One contract, both backends: the same tests run against the lowdb file and a real PostgreSQL database.
// What one store wrote, a store opened afresh on the same place reads back record for record.
import assert from 'node:assert/strict';
import { wholeState } from '../../src/store/paged.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { backends } from '../support/storeBackends.js';
import { fill, watch } from '../support/sampleState.js';
import { postgresForSuite } from '../support/postgres.js';

for (const backend of backends) {
  describe(`state store contract: ${backend.name}`, () => {
    let place: string;
    const open: StateStore[] = [];
    const openStore = async () => {
      const store = await backend.open(place);
      open.push(store);
      return store;
    };
    const reopen = async (store: StateStore) => {
      await store.close();
      return openStore();
    };

    before(async function () {
      if (backend.postgres) await postgresForSuite(this);
    });
    beforeEach(async () => {
      place = await backend.place();
    });
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it('shows a change to readers only once it is stored, never while its write is in flight', async () => {
      const store = await openStore();
      const stored = store.update((state) => void (state.orderCustomers.o1 = 'c1'));
      const seen = watchFor(store, 'o1');
      await stored;
      assert.equal(seen.stop(), false, 'the change was seen before its write resolved');
      assert.equal(store.read().orderCustomers.o1, 'c1');
    });

    it('never shows a change whose write fails', async () => {
      const store = await openStore();
      await store.update((state) => void (state.orderCustomers.kept = 'c0'));
      await backend.breakWrites(place);
      const lost = store.update((state) => void (state.orderCustomers.lost = 'c1'));
      const seen = watchFor(store, 'lost');
      await assert.rejects(lost);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(seen.stop(), false, 'a change that was never stored was seen by a reader');
      assert.equal(store.read().orderCustomers.kept, 'c0');
    });

    it('starts empty and reads back every kind of record after a reopen, in order', async () => {
      let store = await openStore();
      assert.deepEqual(store.read().watches, []);
      assert.deepEqual(store.read().outbox, []);
      await store.update(fill);
      const written = await wholeState(store);
      store = await reopen(store);
      const read = await wholeState(store);
      assert.deepEqual(read.auth, written.auth);
      assert.deepEqual(read.targets, written.targets);
      assert.deepEqual(read.watches, written.watches);
      assert.deepEqual(read.outbox.map((d) => d.id), ['d1', 'd2', 'd3']);
      assert.deepEqual(read.outbox, written.outbox);
      assert.deepEqual(read.threads, written.threads);
      assert.deepEqual(read.orderCustomers, written.orderCustomers);
      assert.deepEqual(read.incidentSnapshots, written.incidentSnapshots);
      assert.deepEqual(read.orderSnapshots, written.orderSnapshots);
      assert.deepEqual(read.deliveryLog, written.deliveryLog);
      assert.deepEqual(read.accessDenied, written.accessDenied);
      assert.deepEqual(read.sweep, written.sweep);
      assert.deepEqual(read.lastCycle, written.lastCycle);
      assert.deepEqual(read.subscriptionSnapshots, written.subscriptionSnapshots);
      assert.deepEqual(read.subscriptionThreads, written.subscriptionThreads);
    });

    it('keeps changes, removals and replacements of records, nested ones included', async () => {
      let store = await openStore();
      await store.update(fill);
      await store.update((state) => {
        const t1 = state.targets.t1;
        if (t1) t1.schedule = { digest: null, quietHours: null, lastDigest: null, held: [] };
        delete state.targets.t2;
        state.watches = state.watches.filter((w) => w.id !== 'w2');
        state.watches.push(watch('w4', 't1', 'c4'));
        state.outbox = state.outbox.filter((d) => d.id !== 'd1');
        const d2 = state.outbox.find((d) => d.id === 'd2');
        if (d2) Object.assign(d2, { attempts: 2, lastError: 'HTTP 503' });
        state.deliveryLog.d1 = '2026-11-30T10:01:00.000Z';
        const t = state.threads['t1|EX1'];
        if (t) t.customers.c2 = { name: 'Fabrikam', resolved: true, vanished: false };
        state.incidentSnapshots = {}; // a whole collection replaced
        state.sweep.cursor = 'c|c2';
        state.auth.refreshToken = null;
      }, { load: { incidentSnapshots: 'keys', threads: ['t1|EX1'] } });
      const written = await wholeState(store);
      store = await reopen(store);
      const read = await wholeState(store);
      assert.deepEqual(Object.keys(read.targets), ['t1']);
      assert.deepEqual(read.targets.t1?.schedule, written.targets.t1?.schedule);
      assert.deepEqual(read.watches.map((w) => w.id), ['w1', 'w3', 'w4']);
      assert.deepEqual(read.outbox.map((d) => [d.id, d.attempts, d.lastError]), [
        ['d2', 2, 'HTTP 503'],
        ['d3', 0, null],
      ]);
      assert.equal(read.deliveryLog.d1, '2026-11-30T10:01:00.000Z');
      assert.deepEqual(read.threads['t1|EX1']?.customers, written.threads['t1|EX1']?.customers);
      assert.deepEqual(read.incidentSnapshots, {});
      assert.equal(read.sweep.cursor, 'c|c2');
      assert.equal(read.auth.refreshToken, null);
    });

    it('serialises concurrent updates so none is lost, and resolves each with its own result', async () => {
      let store = await openStore();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.update((state) => {
            state.deliveryLog[`d${i}`] = `2026-11-30T10:00:${String(i).padStart(2, '0')}.000Z`;
            return Object.keys(state.deliveryLog).length;
          }),
        ),
      );
      assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
      store = await reopen(store);
      assert.equal(Object.keys(store.read().deliveryLog).length, 40);
    });

    it('writes nothing of a change that throws, and still writes the others of its group', async () => {
      let store = await openStore();
      await store.update(fill);
      const outcomes = await Promise.allSettled([
        store.update((state) => {
          state.deliveryLog.kept = '2026-11-30T11:00:00.000Z';
        }),
        store.update((state) => {
          delete state.targets.t1;
          state.outbox.length = 0;
          throw new Error('half way');
        }),
        store.update((state) => {
          state.orderCustomers.o2 = 'c2';
        }),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.ok(store.read().targets.t1, 'in memory too, the thrown change left nothing');
      assert.equal(store.read().outbox.length, 3);
      store = await reopen(store);
      assert.ok(store.read().targets.t1);
      assert.equal(store.read().outbox.length, 3);
      assert.equal(store.read().deliveryLog.kept, '2026-11-30T11:00:00.000Z');
      assert.equal(store.read().orderCustomers.o2, 'c2');
    });

    it('writes what was asked before close, and refuses changes after it', async () => {
      const store = await openStore();
      const pending = store.update((state) => void (state.orderCustomers.o9 = 'c9'));
      await store.close();
      await pending;
      await assert.rejects(store.update(() => undefined), /closed/);
      const again = await openStore();
      assert.equal(again.read().orderCustomers.o9, 'c9');
    });

    it('a sweep commit (fenced) is taken from the instance that leads', async () => {
      const store = await openStore();
      assert.equal(store.coordination.leadership.leading, true, 'the only instance leads');
      await store.update((state) => void (state.sweep.cursor = 'c|c5'), { fenced: true });
      assert.equal(store.read().sweep.cursor, 'c|c5');
    });
  });
}

/** Reads the store at every turn of the event loop until stopped: was `orderId` ever there? */
function watchFor(store: StateStore, orderId: string): { stop(): boolean } {
  let seen = Object.hasOwn(store.read().orderCustomers, orderId);
  let running = true;
  const look = () => {
    if (!running) return;
    if (Object.hasOwn(store.read().orderCustomers, orderId)) seen = true;
    setImmediate(look);
  };
  setImmediate(look);
  return {
    stop() {
      running = false;
      return seen;
    },
  };
}

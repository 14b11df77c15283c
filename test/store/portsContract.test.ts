// The storage ports' contract, on both backends (as storeContract.test.ts): what a transaction writes
// through the ports is read back through them after a reopen; a port shows a change only once it is
// durable; a failed commit or a rolled-back transaction leaves every port as it was.
import assert from 'node:assert/strict';
import { emptySweep } from '../../src/store/state.js';
import { LeaseLostError, type StateStore } from '../../src/store/stateStore.js';
import type { TxPorts } from '../../src/store/ports/index.js';
import { backends } from '../support/storeBackends.js';
import { fill, notice, target, watch } from '../support/sampleState.js';
import { postgresForSuite } from '../support/postgres.js';
import { instancesOnFreshDatabases } from '../support/postgresInstances.js';

const AT = '2026-11-30T12:00:00.000Z';
const ticket = (episodeKey: string) => ({
  episodeKey, customerId: 'c1', customerName: 'Contoso', psa: 'autotask', reference: episodeKey, state: 'open' as const,
  ticketId: 1002, number: 'T20261130.0002', url: null, companyId: 100, createdAt: AT, updatedAt: AT,
});

/** One transaction that writes through every port. */
function writeThroughPorts(tx: TxPorts): void {
  tx.conversations.put({ ...target('t3'), name: 'Ops' });
  tx.conversations.deactivate('t2', 'uninstalled', AT);
  tx.conversations.schedule('t1')!.quietHours = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris', setBy: 'Ana', setAt: AT };
  tx.watches.add(watch('w4', 't3', 'c1'));
  tx.watches.removeWhere((w) => w.id === 'w2');
  tx.outbox.enqueue(notice('d4', 't3', 'fourth'));
  tx.outbox.remove('d2');
  Object.assign(tx.outbox.find('d3')!, { attempts: 1, lastError: 'HTTP 502' });
  tx.deliveryLog.record('d2', AT);
  tx.sweep.position().cursor = 'c|c2';
  tx.accessRefusals.refuse('c8', AT);
  tx.accessRefusals.allow('c7');
  tx.partnerCenterToken.replace('rotated-token', AT);
  tx.tickets.put(ticket('incident|EX2|c1|0'));
  tx.tickets.remove('incident|EX1|c1|0');
  tx.ticketCompanies.remove('c9');
  tx.ticketCompanies.put({ customerId: 'c1', customerName: 'Contoso', companyId: 100, companyName: 'Contoso Ltd', setBy: 'Ana', setAt: AT });
  tx.outbound.get('webhook|https://hooks.example/a|evt_1')!.attempts = 2;
  const next = { ...tx.outbound.get('webhook|https://hooks.example/a|evt_1')!, id: 'webhook|https://hooks.example/b|evt_1', endpoint: 'https://hooks.example/b', seq: tx.outbound.lastSeq() + 1, attempts: 0 };
  tx.outbound.enqueue(next);
  tx.deliveryLog.forgetBefore('2026-11-30T10:00:00.000Z');
  tx.orderCustomers.remember('o2', 'c2');
}

for (const backend of backends) {
  describe(`storage ports contract: ${backend.name}`, () => {
    let place: string;
    const open: StateStore[] = [];
    const openStore = async () => {
      const store = await backend.open(place);
      open.push(store);
      return store;
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

    it('reads every kind of record through its port, as stored, after a reopen', async () => {
      let store = await openStore();
      assert.equal(store.ports.watches.any(), false);
      assert.deepEqual(store.ports.outbox.all(), []);
      await store.update(fill);
      await store.transaction(writeThroughPorts);
      await store.close();
      store = await openStore();
      const { conversations, watches, outbox, deliveryLog, sweep, accessRefusals, accessListing, partnerCenterToken, tickets, ticketCompanies, outbound, orderCustomers } = store.ports;

      assert.deepEqual(conversations.all().map((t) => t.key).sort(), ['t1', 't2', 't3']);
      assert.deepEqual(conversations.active().map((t) => t.key).sort(), ['t1', 't3']);
      assert.equal(conversations.get('t2')?.inactiveReason, 'uninstalled');
      assert.equal(conversations.get('t3')?.name, 'Ops');
      assert.equal(conversations.get('nope'), undefined);
      assert.equal(conversations.schedule('t1')?.quietHours?.start, '22:00');
      assert.deepEqual(conversations.schedule('t1')?.held, []);
      assert.equal(conversations.schedule('t3'), undefined, 'a reader never gives a conversation a schedule');

      assert.deepEqual(watches.all().map((w) => w.id), ['w1', 'w3', 'w4']);
      assert.deepEqual(watches.forConversation('t1').map((w) => w.id), ['w1', 'w3']);
      assert.deepEqual(watches.forCustomer('c1').map((w) => w.id), ['w1', 'w4']);
      assert.equal(watches.any(), true);

      assert.deepEqual(outbox.all().map((d) => d.id), ['d1', 'd3', 'd4']);
      assert.deepEqual(outbox.queuedFor('t1').map((d) => d.id), ['d1']);
      assert.deepEqual(outbox.heads().map((d) => d.id), ['d1', 'd3', 'd4']);
      assert.deepEqual([...outbox.conversations()], ['t1', 't2', 't3']);
      assert.deepEqual([...outbox.ids()], ['d1', 'd3', 'd4']);
      assert.equal(outbox.has('d2'), false);
      assert.equal(outbox.all().find((d) => d.id === 'd3')?.lastError, 'HTTP 502');

      assert.equal(deliveryLog.has('d2'), true);
      assert.equal(deliveryLog.has('d0'), false, 'forgotten: it went out before the cutoff');
      assert.equal(deliveryLog.has('d1'), false);
      assert.equal(sweep.position().cursor, 'c|c2');
      assert.equal(sweep.position().roundId, 'r1');
      assert.equal(sweep.lastRound()?.correlationId, 'r0');
      assert.deepEqual([...accessRefusals.all()], [['c8', AT]]);
      assert.equal(accessRefusals.since('c7'), undefined);
      assert.equal((await accessListing.get()).fetchedAt, '2026-11-30T10:00:00.000Z');
      assert.equal(partnerCenterToken.refreshToken(), 'rotated-token');
      assert.equal(partnerCenterToken.usedAt(), AT);
      assert.deepEqual(tickets.all().map((t) => t.episodeKey), ['incident|EX2|c1|0']);
      assert.equal(tickets.get('incident|EX2|c1|0')?.number, 'T20261130.0002');
      assert.equal(await ticketCompanies.get('c9'), undefined);
      assert.equal((await ticketCompanies.get('c1'))?.companyName, 'Contoso Ltd');
      assert.equal(outbound.queue()[0]?.attempts, 2);
      assert.equal((await outbound.head('webhook', 'https://hooks.example/a'))?.id, 'webhook|https://hooks.example/a|evt_1');
      assert.equal((await outbound.head('webhook', 'https://hooks.example/b'))?.seq, 2, 'queued after the last');
      assert.equal(await outbound.head('webhook', 'https://hooks.example/c'), undefined);
      assert.equal(await orderCustomers.customerOf('o2'), 'c2');
      assert.equal(await orderCustomers.customerOf('o1'), 'c1');
    });

    it('shows a transaction through a port only once it is stored, never while its commit is in flight', async () => {
      const store = await openStore();
      const stored = store.transaction((tx) => tx.orderCustomers.remember('o1', 'c1'));
      const seen = lookFor(store, 'o1');
      await stored;
      assert.equal(seen.stop(), false, 'the change was seen through the port before its commit resolved');
      assert.equal(await store.ports.orderCustomers.customerOf('o1'), 'c1');
      const looker = lookFor(store, 'o1');
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(looker.stop(), true, 'the looker sees what is stored (it is no blind eye)');
    });

    it('never shows a transaction whose commit fails, through any port', async () => {
      const store = await openStore();
      await store.transaction((tx) => tx.orderCustomers.remember('kept', 'c0'));
      await backend.breakWrites(place);
      const lost = store.transaction((tx) => {
        tx.orderCustomers.remember('lost', 'c1');
        tx.watches.add(watch('w9', 't1', 'c1'));
      });
      const seen = lookFor(store, 'lost');
      await assert.rejects(lost);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(seen.stop(), false, 'a transaction that was never stored was seen through a port');
      assert.equal(await store.ports.orderCustomers.customerOf('kept'), 'c0');
      assert.equal(store.ports.watches.any(), false, 'what the failed transaction wrote through another port is not seen either');
    });

    it('rolls back a transaction whose work throws: every port as it was, now and after a reopen; the others of its group are kept', async () => {
      let store = await openStore();
      await store.update(fill);
      const outcomes = await Promise.allSettled([
        store.transaction((tx) => tx.deliveryLog.record('kept', AT)),
        store.transaction((tx) => {
          tx.conversations.deactivate('t1', 'gone', AT);
          tx.outbox.removeFor('t1');
          tx.watches.removeWhere(() => true);
          tx.partnerCenterToken.markUsed(AT);
          throw new Error('half way');
        }),
        store.transaction((tx) => tx.orderCustomers.remember('o2', 'c2')),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      for (const reading of [store, (await store.close(), (store = await openStore()))]) {
        const { conversations, outbox, watches, partnerCenterToken, deliveryLog, orderCustomers } = reading.ports;
        assert.equal(conversations.get('t1')?.active, true);
        assert.deepEqual(outbox.queuedFor('t1').map((d) => d.id), ['d1', 'd2']);
        assert.equal(watches.all().length, 3);
        assert.equal(partnerCenterToken.usedAt(), '2026-11-20T08:00:00.000Z');
        assert.equal(deliveryLog.has('kept'), true);
        assert.equal(await orderCustomers.customerOf('o2'), 'c2');
      }
    });

    it('hands a transaction its ports only, never the whole draft', async () => {
      const store = await openStore();
      await store.update(fill);
      const shape = await store.transaction((tx) => ({ keys: Object.keys(tx).sort(), fields: Object.values(tx).some((port) => 'watches' in port || 'targets' in port) }));
      assert.deepEqual(shape.keys, Object.keys(store.ports).sort());
      assert.equal(shape.fields, false, 'no port is a State');
    });

    it('refuses async work with a clear reason and writes nothing of it', async () => {
      const store = await openStore();
      const refused = store.transaction(async (tx) => tx.orderCustomers.remember('o1', 'c1'));
      await assert.rejects(refused, /must not be async/);
      assert.equal(await store.ports.orderCustomers.customerOf('o1'), undefined);
    });

    it('passes the sweep fencing through: a fenced transaction commits from the instance that leads, and returns its result', async () => {
      const store = await openStore();
      const result = await store.transaction((tx) => {
        tx.sweep.setPosition({ ...emptySweep(), roundId: 'r2', total: 4 });
        tx.sweep.setLastRound({ correlationId: 'r1', startedAt: AT, endedAt: AT, customersFetched: 4, customersFailed: [], ordersFetched: 0, ordersFailed: [], events: 0, deliveriesQueued: 0 });
        return tx.sweep.position().total;
      }, { fenced: true });
      assert.equal(result, 4);
      assert.equal(store.ports.sweep.position().roundId, 'r2');
      assert.equal(store.ports.sweep.lastRound()?.customersFetched, 4);
    });
  });
}

/** Asks the order port at every turn of the event loop until stopped: was `orderId` ever there? */
function lookFor(store: StateStore, orderId: string): { stop(): boolean } {
  let seen = false;
  let running = true;
  void (async () => {
    while (running) {
      if ((await store.ports.orderCustomers.customerOf(orderId)) !== undefined) seen = true;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    stop() {
      running = false;
      return seen;
    },
  };
}

describe('storage ports on two PostgreSQL instances', () => {
  const db = instancesOnFreshDatabases();

  it('a fenced transaction from an instance that does not lead is refused, and no port shows it', async () => {
    const leader = await db.open({ leaseSeconds: 30 });
    const follower = await db.open({ leaseSeconds: 30 });
    assert.equal(follower.lease.leading, false);
    await assert.rejects(follower.transaction((tx) => void (tx.sweep.position().cursor = 'c|late'), { fenced: true }), LeaseLostError);
    await leader.refresh();
    assert.equal(leader.ports.sweep.position().cursor, null);
    assert.equal(follower.ports.sweep.position().cursor, null);
    // Its plain transactions (a "poll now") are still taken, and seen by the leader.
    await follower.transaction((tx) => void tx.sweep.position().summaryTo.push('t1'));
    await leader.refresh();
    assert.deepEqual(leader.ports.sweep.position().summaryTo, ['t1']);
  });
});

// The customer directory on PostgreSQL (tableDirectory.ts over customerTable.ts), on a real server and with
// the Partner Center simulator over HTTP: the same answers as the in-memory directory, listings written a page
// at a time that delete nothing unless complete, a bounded cache that a listing's NOTIFY empties, and a second
// app that answers a chat command from the table without listing Partner Center.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { startApp } from '../../src/app.js';
import { createDataset } from '../../src/sandbox/dataset.js';
import { MemoryCustomerDirectory } from '../../src/partnerCenter/memoryDirectory.js';
import { TableCustomerDirectory } from '../../src/partnerCenter/tableDirectory.js';
import { CustomerTable } from '../../src/store/postgres/customerTable.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { message, sendToBot, TENANT } from '../support/activities.js';
import { simulatorConfig } from '../support/appConfig.js';
import { generatedCustomers, prng, queriesFor, summary } from '../support/customerLists.js';
import { startHarness } from '../support/harness.js';
import { postgresForSuite, privatePostgresForSuite, type PostgresServer } from '../support/postgres.js';
import { startRig, type Rig } from './kit.js';

const silent = { warn: () => undefined, debug: () => undefined };
/** Requests that list or search customers (not one customer's resources). */
const listings = (rig: { sim: { requests: { path: string }[] } }) => rig.sim.requests.filter((r) => r.path === '/v1/customers').length;

describe('customer directory on PostgreSQL', function () {
  let server: PostgresServer;
  const opened: { close(): Promise<void> }[] = [];
  before(async function () {
    server = await postgresForSuite(this);
  });
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
  });

  /** A fresh database with the schema (the state store migrates it), and an instance's directory on it. */
  async function freshDatabase(): Promise<string> {
    const url = await server.createDatabase();
    const store = await PostgresStateStore.open(url, { instance: false });
    await store.close();
    return url;
  }

  async function directoryOn(url: string, rig: Rig, cacheBound?: number): Promise<TableCustomerDirectory> {
    const directory = await TableCustomerDirectory.open(rig.client, await CustomerTable.open(url, silent), { clock: rig.clock, ...(cacheBound ? { cacheBound } : {}) });
    opened.push(directory);
    return directory;
  }

  /** A simulator whose customers are these (in this listing order), several pages of them. */
  async function rigWith(count: number, seed: number): Promise<Rig> {
    const data = createDataset({ customerCount: 0 });
    for (const customer of generatedCustomers(count, prng(seed))) data.addCustomer(customer);
    const rig = await startRig({ sim: { data } });
    opened.push(rig);
    return rig;
  }

  it('answers every query exactly as the in-memory directory does, for a varied list listed in pages', async () => {
    const rig = await rigWith(1_200, 7);
    const table = await directoryOn(await freshDatabase(), rig);
    const memory = new MemoryCustomerDirectory(rig.client, { clock: rig.clock });
    await Promise.all([table.reload(rig.ctx), memory.reload(rig.ctx)]);
    assert.ok(rig.sim.requests.filter((r) => r.query.seekOperation === 'Next').length >= 2, 'each listing took more than one page');

    const listed = (await memory.known()) ?? [];
    const kinds = new Set<string>();
    for (const query of queriesFor(listed, prng(8))) {
      const expected = await memory.resolve(rig.ctx, query);
      kinds.add(expected.kind);
      assert.deepEqual(summary(await table.resolve(rig.ctx, query)), summary(expected), `query ${JSON.stringify(query)}`);
    }
    assert.deepEqual([...kinds].sort(), ['many', 'none', 'one'], 'the queries reach every outcome');
    assert.deepEqual((await table.all(rig.ctx)).map((c) => c.id), listed.map((c) => c.id), 'the same list, in the same order');
    assert.equal(await table.count(rig.ctx), listed.length);
    const some = listed[321];
    assert.deepEqual(await table.lookup(rig.ctx, some?.id.toUpperCase() ?? ''), some);
  });

  it('deletes nothing after a listing that failed midway, and the vanished customer after a complete one', async () => {
    const rig = await rigWith(1_200, 11);
    const directory = await directoryOn(await freshDatabase(), rig);
    await directory.reload(rig.ctx);
    const gone = rig.sim.data.customers.splice(700, 1)[0];
    assert.ok(gone);

    // The second page fails (every retry of it): the first page was written again, nothing was deleted.
    const fault = rig.sim.faults.add({ path: 'seekOperation=Next', status: 500, times: Infinity });
    await assert.rejects(directory.reload(rig.ctx));
    fault.remove();
    assert.equal(await directory.count(rig.ctx), 1_200, 'a partial listing deletes nothing');
    assert.equal((await directory.lookup(rig.ctx, gone.id))?.companyName, gone.companyName);

    await directory.reload(rig.ctx);
    assert.equal(await directory.count(rig.ctx), 1_199);
    assert.equal(await directory.lookup(rig.ctx, gone.id), undefined, 'gone once a listing saw every customer without it');
  });

  it('keeps no more customers in memory than its cache bound, and still answers for every one', async () => {
    const rig = await rigWith(600, 12);
    const directory = await directoryOn(await freshDatabase(), rig, 50);
    const listed = await directory.reload(rig.ctx);
    assert.equal(directory.cached, 0, 'a listing leaves nothing in memory');
    await directory.prefetch(listed.map((c) => c.id));
    assert.equal(directory.cached, 50);
    for (const customer of listed.slice(0, 200)) assert.equal((await directory.lookup(rig.ctx, customer.id))?.companyName, customer.companyName);
    assert.equal(directory.cached, 50);
    // The ones looked up last are at hand; the first ones were let go.
    assert.equal(directory.find(listed[199]?.id ?? '')?.id, listed[199]?.id);
    assert.equal(directory.find(listed[0]?.id ?? ''), undefined);
  });

  it('drops what another instance cached when a listing changes a name (NOTIFY), and that instance lists nothing', async () => {
    const rig = await rigWith(30, 13);
    const url = await freshDatabase();
    const leader = await directoryOn(url, rig);
    await leader.reload(rig.ctx);
    const follower = await directoryOn(url, rig);
    const renamed = rig.sim.data.customers[5];
    assert.ok(renamed);
    const before = listings(rig);
    assert.equal((await follower.lookup(rig.ctx, renamed.id))?.companyName, renamed.companyName);
    assert.equal(follower.find(renamed.id)?.companyName, renamed.companyName, 'cached');

    renamed.companyName = 'Zava Renamed Holdings';
    await leader.reload(rig.ctx);
    for (let i = 0; i < 200 && follower.find(renamed.id); i++) await sleep(10);
    assert.equal(follower.find(renamed.id), undefined, 'the stale entry is dropped');
    assert.equal((await follower.lookup(rig.ctx, renamed.id))?.companyName, 'Zava Renamed Holdings');
    const match = await follower.resolve(rig.ctx, 'zava renamed');
    assert.equal(match.kind === 'one' && match.customer.id, renamed.id);
    assert.equal(listings(rig) - before, 1, 'only the leader listed');
  });

  it('still resolves a name while the database is down, through Partner Center\'s own filter', async function () {
    const own = await privatePostgresForSuite(this);
    try {
      const rig = await rigWith(40, 14);
      const url = await own.createDatabase();
      await (await PostgresStateStore.open(url, { instance: false })).close();
      const wanted = rig.sim.data.addCustomer({ companyName: 'Zava Outage Works', domain: 'zavaoutage.onmicrosoft.com' });
      const directory = await directoryOn(url, rig);
      await directory.reload(rig.ctx);
      await own.halt();
      const before = listings(rig);
      const match = await directory.resolve(rig.ctx, 'zava outage');
      assert.equal(match.kind === 'one' && match.customer.id, wanted.id);
      assert.ok(listings(rig) > before, 'answered by Partner Center\'s filter');
      await assert.rejects(directory.lookup(rig.ctx, wanted.id), { name: 'StoreUnavailableError' });
      await own.resume();
    } finally {
      for (const thing of opened.splice(0).reverse()) await thing.close();
      await own.stop();
    }
  });

  it('lets a second app answer "status for contoso" from the table, without listing Partner Center', async () => {
    const url = await freshDatabase();
    const h = await startHarness({ config: { databaseUrl: url } });
    opened.push(h);
    await h.app.directory.reload();
    const config = await simulatorConfig(h.sim, { allowedTenantIds: [TENANT], databaseUrl: url });
    const second = await startApp({ config, log: pino({ level: 'silent' }), schedule: false, clock: h.clock });
    opened.push(second);
    const before = listings(h);
    assert.equal(second.directory.isWarm, true, 'the table has a complete listing');

    const sent = h.connector.calls.length;
    const { status } = await sendToBot(second.url, message('status for contoso', { serviceUrl: h.connector.url }));
    assert.equal(status, 200);
    await h.connector.waitFor((calls) => calls.length > sent);
    const reply = h.connector.calls.slice(sent).map((call) => JSON.stringify(call.activity)).join('\n');
    assert.match(reply, /Incidents for Contoso/);
    assert.equal(listings(h), before, 'no customer listing or search for the answer');
  });
});

// Each PSA connector against its fake over HTTP: the calls, paging, and how refusals come back (401, 429, 500).
import assert from 'node:assert/strict';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { PsaError } from '../../src/tickets/connector.js';
import { autotaskSettings, COMPLETE_STATUS, connectorFor, connectWiseSettings, startPsaSimulator, VENDORS } from './support.js';

for (const vendor of VENDORS) {
  describe(`${vendor} connector against the fake`, () => {
    let sim: Simulator;
    beforeEach(async () => {
      sim = await startPsaSimulator();
    });
    afterEach(() => sim.close());

    it('creates a ticket under a company with its reference, adds a note, completes it, and finds it by reference', async () => {
      const connector = connectorFor(vendor, sim);
      const company = sim.psa.companies[0]!;
      const ticket = await connector.create({ companyId: company.id, title: 'EX1 · Mail down', description: 'It is down.', severity: 'critical', reference: 'incident|EX1|t1|1' });
      const held = sim.psa.ticket(vendor, ticket.id)!;
      assert.equal(held.companyId, company.id);
      assert.equal(held.reference, 'incident|EX1|t1|1');
      if (vendor === 'autotask') {
        // Autotask's create answers only the id: the number is read afterwards, many tickets at once.
        assert.equal(ticket.number, null);
        assert.deepEqual(await connector.numbers!([ticket.id, 424_242]), new Map([[ticket.id, held.number]]));
      } else {
        assert.equal(ticket.number, held.number);
      }
      assert.match(ticket.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\//);
      await connector.addNote(ticket.id, { title: 'Update', text: 'Still down.' });
      assert.deepEqual(held.notes.map((n) => [n.title, n.text]), [['Update', 'Still down.']]);
      await connector.complete(ticket.id);
      assert.equal(held.status, COMPLETE_STATUS[vendor]);
      assert.deepEqual(await connector.findByReference('incident|EX1|t1|1'), { ...ticket, number: held.number });
      assert.equal(await connector.findByReference('incident|EX1|t1|2'), null);
    });

    it('reads every page of the companies', async function () {
      const big = await (await import('../../src/sandbox/simulator.js')).startSimulator({ seed: 1, customerCount: 1_234 });
      try {
        const companies = await connectorFor(vendor, big).companies();
        assert.equal(companies.length, 1_234);
        assert.deepEqual(new Set(companies.map((c) => c.id)).size, 1_234);
        const pages = big.psa.requests.filter((r) => /companies/i.test(r.path) && r.status === 200).length;
        assert.ok(pages >= 2, `one page only (${pages})`);
      } finally {
        await big.close();
      }
    });

    it('finds a company by id, and says null for one that does not exist', async () => {
      const connector = connectorFor(vendor, sim);
      assert.equal((await connector.company(sim.psa.companies[3]!.id))?.name, sim.psa.companies[3]!.name);
      assert.equal(await connector.company(999_999), null);
    });

    it('a 401 is an auth error of one sentence, without the secret', async () => {
      const error = await connectorFor(vendor, sim, { wrongSecret: true }).companies().catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.doesNotMatch(error.message, /not-it|sandboxprivate|sandbox-autotask-secret/);
      assert.equal(error.message.split(/\.\s/).length <= 3 && !error.message.includes('\n'), true);
    });

    it('waits out a short 429 (Retry-After 1) and goes on', async () => {
      const connector = connectorFor(vendor, sim);
      await connector.companies(); // zone and names looked up first
      sim.psa.failNext(vendor, { status: 429, retryAfterSeconds: 1 });
      const ticket = await connector.create({ companyId: sim.psa.companies[0]!.id, title: 't', description: 'd', severity: 'warning', reference: 'r-429' });
      assert.ok(sim.psa.ticket(vendor, ticket.id));
      assert.equal(sim.psa.requests.filter((r) => r.status === 429).length, 1);
    });

    it('a long 429 comes back as throttled with its Retry-After, for the queue to wait', async () => {
      const connector = connectorFor(vendor, sim);
      await connector.companies();
      sim.psa.failNext(vendor, { status: 429, retryAfterSeconds: 600 });
      const error = await connector.findByReference('x').catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      assert.equal(error.kind, 'throttled');
      assert.equal(error.retryAfterMs, 600_000);
    });

    it('a 500 is unavailable, with the vendor\'s message in one sentence', async () => {
      const connector = connectorFor(vendor, sim);
      await connector.companies();
      sim.psa.failNext(vendor, { status: 500 });
      const error = await connector.findByReference('x').catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.message, /answered 500 .*Injected failure 500\.$/);
    });

    it('a PSA that does not answer in time is unavailable (retried later), not a hang', async () => {
      const connector = vendor === 'autotask'
        ? new (await import('../../src/tickets/autotask.js')).AutotaskConnector(autotaskSettings(sim), { requestsPerMinute: 60_000, timeoutMs: 200 })
        : new (await import('../../src/tickets/connectwise.js')).ConnectWiseConnector(connectWiseSettings(sim), { requestsPerMinute: 60_000, timeoutMs: 200 });
      sim.psa.latencyMs = 1_000;
      const error = await connector.companies().catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      assert.deepEqual([error.kind, error.message], ['unavailable', `${vendor === 'autotask' ? 'Autotask' : 'ConnectWise PSA'} did not answer within 200 ms.`]);
    });

    it('an answer of an unexpected shape is one sentence (retried later), not a crash', async () => {
      const connector = connectorFor(vendor, sim);
      await connector.companies();
      await connector.create({ companyId: sim.psa.companies[0]!.id, title: 'first', description: 'd', severity: 'critical', reference: 'r0' }); // names looked up
      sim.psa.failNext(vendor, { status: 200, body: { surprise: true } });
      const error = await connector.create({ companyId: sim.psa.companies[0]!.id, title: 't', description: 'd', severity: 'critical', reference: 'r' }).catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      assert.equal(error.kind, 'unavailable');
      assert.match(error.message, /answered a ticket create in a shape the bot does not know \(.* at (itemId|id)\)\.$/);
    });

    it('a refused create says why, in the vendor\'s words', async () => {
      const error = await connectorFor(vendor, sim).create({ companyId: 424_242, title: 't', description: 'd', severity: 'critical', reference: 'r' }).catch((e: unknown) => e);
      assert.ok(error instanceof PsaError);
      // Autotask answers a refusal with 500, which cannot be told from an outage: retried (and logged) like one.
      assert.equal(error.kind, vendor === 'autotask' ? 'unavailable' : 'refused');
      assert.match(error.message, vendor === 'autotask' ? /answered 500 on POST .*Tickets: Value 424242 does not exist for the field companyID\.$/ : /refused POST .*tickets \(400\): company: the company was not found\.$/);
    });
  });
}

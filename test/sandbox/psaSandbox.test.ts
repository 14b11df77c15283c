// TICKETS=autotask or connectwise without credentials in the sandbox: the bot is pointed at the simulator's
// fake of that PSA, and tickets open there; GET /sandbox/tickets lists them; given credentials are kept.
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { sandboxTicketSettings } from '../../src/sandbox/psaFakeWire.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { ticketConnector } from '../../src/tickets/ticketSetup.js';

describe('sandbox PSA tickets', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  for (const psa of ['autotask', 'connectwise'] as const) {
    it(`TICKETS=${psa} without credentials reaches the simulator's fake and its ticket is listed at /sandbox/tickets`, async () => {
      const loaded = loadConfig({ TICKETS: psa });
      assert.ok(loaded.ok, JSON.stringify(loaded));
      const settings = sandboxTicketSettings(loaded.config.tickets ?? null, sim.url);
      assert.ok(settings);
      const connector = ticketConnector(settings);
      const contoso = (await connector.companies()).find((company) => company.name === 'Contoso')!;
      const ticket = await connector.create({ companyId: contoso.id, title: 'EX1 · Mail', description: 'd', severity: 'critical', reference: 'ref-1' });
      const listed = (await (await fetch(`${sim.url}/sandbox/tickets`)).json()) as { tickets: { psa: string; number: string; reference: string }[] };
      assert.deepEqual(listed.tickets.map((t) => [t.psa, t.reference]), [[psa, 'ref-1']]);
      assert.equal(ticket.number ?? (await connector.numbers!([ticket.id])).get(ticket.id), listed.tickets[0]!.number);
    });
  }

  it('keeps the credentials an operator gave, and refuses TICKETS outside the sandbox without them', () => {
    const given = loadConfig({ TICKETS: 'connectwise', CONNECTWISE_COMPANY: 'contoso', CONNECTWISE_URL: 'https://api-eu.myconnectwise.net' });
    assert.ok(given.ok);
    const kept = sandboxTicketSettings(given.config.tickets ?? null, sim.url)?.psa;
    assert.deepEqual(kept?.kind === 'connectwise' ? [kept.url, kept.company] : null, ['https://api-eu.myconnectwise.net', 'contoso']);
    const production = loadConfig({ TICKETS: 'autotask', PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1', PARTNER_CENTER_CLIENT_ID: 'c', PARTNER_CENTER_CLIENT_SECRET: 's' });
    assert.equal(production.ok, false);
    assert.ok(!production.ok && production.problems.includes('TICKETS=autotask needs AUTOTASK_USERNAME, AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE, AUTOTASK_QUEUE_ID.'), JSON.stringify(production));
  });

  it('refuses a PSA URL that is not https, except on loopback, in one sentence', () => {
    const plain = loadConfig({ TICKETS: 'autotask', AUTOTASK_ZONE_URL: 'http://webservices.autotask.net/ATServicesRest/' });
    assert.ok(!plain.ok && plain.problems.some((p) => /^AUTOTASK_ZONE_URL: .* must be an https URL/.test(p)), JSON.stringify(plain));
    assert.ok(loadConfig({ TICKETS: 'connectwise', CONNECTWISE_URL: 'http://127.0.0.1:8080' }).ok);
    const bad = loadConfig({ TICKETS: 'halopsa', TICKET_MIN_SEVERITY: 'urgent', AUTOTASK_PRIORITIES: 'critical:high' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, [
      'AUTOTASK_PRIORITIES: the priority of critical must be an Autotask priority id, a whole number (got "high").',
      'TICKET_MIN_SEVERITY must be one of information, warning, critical (got "urgent").',
      'TICKETS must be autotask or connectwise (got "halopsa"), or empty for no tickets.',
    ]);
  });
});

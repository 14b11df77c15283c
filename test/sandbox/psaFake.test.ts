// The PSA fakes refuse what the real services refuse, in each vendor's error shape, and tell the sandbox's
// terminal what happens to each ticket.
import assert from 'node:assert/strict';
import { PSA_SANDBOX_CREDENTIALS } from '../../src/sandbox/psaFakeWire.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { ConnectWiseConnector } from '../../src/tickets/connectwise.js';
import { connectWiseSettings } from '../tickets/support.js';

const AT = PSA_SANDBOX_CREDENTIALS.autotask;
const CW = PSA_SANDBOX_CREDENTIALS.connectwise;

describe('PSA fakes', () => {
  let sim: Simulator;
  const lines: string[] = [];
  beforeEach(async () => {
    lines.length = 0;
    sim = await startSimulator({ psa: { log: (line) => lines.push(line) } });
  });
  afterEach(() => sim.close());

  const autotask = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/autotask/zone1/ATServicesRest/V1.0/${path}`, {
      method,
      headers: { ApiIntegrationCode: AT.integrationCode, UserName: AT.username, Secret: AT.secret, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const connectwise = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}/connectwise/v4_6_release/apis/3.0/${path}`, {
      method,
      headers: {
        Authorization: `Basic ${Buffer.from(`${CW.company}+${CW.publicKey}:${CW.privateKey}`).toString('base64')}`,
        clientId: CW.clientId,
        'Content-Type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('Autotask refuses a ticket without its required fields, an externalID over 50 characters, and a note without noteType, with 500 as Autotask does', async () => {
    const company = sim.psa.companies[0]!.id;
    const missing = await autotask('POST', 'Tickets', { companyID: company, title: 'x', status: 1, priority: 1 });
    assert.equal(missing.status, 500);
    assert.deepEqual(await missing.json(), { errors: ['Missing required field(s): dueDateTime.'] });
    const noQueue = await autotask('POST', 'Tickets', { companyID: company, title: 'x', status: 1, priority: 1, dueDateTime: '2026-12-07T00:00:00Z' });
    assert.deepEqual(await noQueue.json(), { errors: ['A ticket needs a queueID or an assigned resource.'] });
    const long = await autotask('POST', 'Tickets', { companyID: company, title: 'x', status: 1, priority: 1, dueDateTime: '2026-12-07T00:00:00Z', queueID: 8, externalID: 'x'.repeat(51) });
    assert.equal(long.status, 500);
    const made = (await (await autotask('POST', 'Tickets', { companyID: company, title: 'x', status: 1, priority: 1, dueDateTime: '2026-12-07T00:00:00Z', queueID: 8 })).json()) as { itemId: number };
    const note = await autotask('POST', `Tickets/${made.itemId}/Notes`, { title: 't', description: 'd', publish: 1 });
    assert.deepEqual([note.status, await note.json()], [500, { errors: ['Missing required field(s): noteType.'] }]);
    assert.equal(sim.psa.tickets.length, 1);
    assert.match(lines[0] ?? '', /^\[autotask\] ticket T\d{8}\.\d{4} opened \(Contoso\): x$/);
  });

  it('ConnectWise refuses a summary over 100 characters, a note with none of its flags, a patch that is not JSON Patch, and a missing clientId', async () => {
    const company = { id: sim.psa.companies[0]!.id };
    const long = await connectwise('POST', 'service/tickets', { summary: 'x'.repeat(101), company, board: { id: 1 } });
    assert.deepEqual([long.status, ((await long.json()) as { message: string }).message], [400, 'summary: summary may not exceed 100 characters.']);
    const made = (await (await connectwise('POST', 'service/tickets', { summary: 'x', company, board: { id: 1 } })).json()) as { id: number };
    const note = await connectwise('POST', `service/tickets/${made.id}/notes`, { text: 'hello' });
    assert.equal(note.status, 400);
    const patch = await connectwise('PATCH', `service/tickets/${made.id}`, { status: { id: 20 } });
    assert.equal(patch.status, 400);
    const anonymous = await connectwise('GET', 'company/companies', undefined, { clientId: '' });
    assert.equal(anonymous.status, 400);
    assert.deepEqual(lines, [`[connectwise] ticket #${made.id} opened (Contoso): x`]);
  });

  it('ConnectWise takes the board and statuses by id as well as by name', async () => {
    const connector = new ConnectWiseConnector(connectWiseSettings(sim, { board: { id: 1 }, statusNew: { id: 17 }, statusComplete: { id: 20 }, priorities: {} }), { requestsPerMinute: 60_000 });
    const ticket = await connector.create({ companyId: sim.psa.companies[0]!.id, title: 't', description: 'd', severity: 'critical', reference: 'r' });
    assert.equal(sim.psa.ticket('connectwise', ticket.id)?.status, 17);
    await connector.complete(ticket.id);
    assert.equal(sim.psa.ticket('connectwise', ticket.id)?.status, 20);
    assert.ok(!sim.psa.requests.some((request) => /boards|priorities/.test(request.path)), 'ids need no look-up');
  });
});

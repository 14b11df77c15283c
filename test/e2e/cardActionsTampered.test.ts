// Card data is untrusted input: forged, stale or oversized payloads and Partner Center failures each get a
// 200 with an error card that says what happened and offers a way on, never an empty answer, never a stack
// trace, and invalid data never reaches Partner Center.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { askForCard, buttonIn, buttonsOf, click, clickRaw, invokeRaw, type Clicked } from '../support/clicks.js';

const STACK_TRACE = /at .*\.js:\d+/;

function assertErrorCard(answer: Clicked, title: RegExp, offers: string[]): void {
  const header = (answer.card.body as { style?: string; items?: { text?: string }[] }[])[0];
  assert.match(String(header?.items?.[0]?.text), title);
  assert.equal(header?.style, 'attention', 'an error card');
  const titles = buttonsOf(answer.card).map((b) => b.title);
  for (const offer of offers) assert.ok(titles.includes(offer), `offers ${offer}: ${JSON.stringify(titles)}`);
  assert.doesNotMatch(JSON.stringify(answer.body), STACK_TRACE);
}

describe('card buttons with forged, stale or failing data', () => {
  let h: Harness;
  let contosoId: string;
  before(async () => {
    h = await startHarness();
    await h.app.directory.reload();
    contosoId = h.sim.data.requireCustomer('Contoso').id;
  });
  after(async () => {
    await h.close();
  });
  afterEach(() => h.sim.faults.clear());

  /** Clicks and checks that Partner Center was not asked anything. */
  async function refused(verb: string, data: unknown): Promise<Clicked> {
    const requests = h.sim.requestCount;
    const answer = await clickRaw(h, verb, data);
    assert.equal(h.sim.requestCount, requests, `no Partner Center request for ${verb} ${String(JSON.stringify(data)).slice(0, 80)}`);
    return answer;
  }

  it('answers an unknown verb with a card that offers Help', async () => {
    assertErrorCard(await refused('customer.delete', { customerId: contosoId }), /Unknown button/, ['Help']);
    assertErrorCard(await refused('x'.repeat(5000), {}), /Unknown button/, ['Help']);
  });

  it('refuses data of the wrong type, missing fields, bad ids and oversize strings', async () => {
    const forged: [string, unknown][] = [
      ['customer.overview', { customerId: 42 }],
      ['customer.overview', {}],
      ['customer.overview', undefined],
      ['customer.overview', 'customerId'],
      ['customer.overview', [contosoId]],
      ['customer.overview', { customerId: '../../customers' }],
      ['customer.overview', { customerId: `${contosoId}${'a'.repeat(10_000)}` }],
      ['customer.subscriptions', { customerId: contosoId }],
      ['customer.subscriptions', { customerId: contosoId, filter: 'deleted', page: 1 }],
      ['customer.subscriptions', { customerId: contosoId, filter: 'all', page: 1001 }],
      ['customers.list', { prefix: 'a', page: '2' }],
      ['customers.list', { prefix: 'a', page: 0 }],
      ['customers.list', { prefix: 'a', page: 1.5 }],
      ['customers.list', { prefix: 'x'.repeat(121), page: 1 }],
      ['incident.history', { incidentId: 'EX123456' }],
      ['incident.history', { customerId: contosoId, incidentId: 'EX123456; DROP' }],
      ['incident.mute', { incidentId: 'EX123456', hours: 5 }],
      ['incident.mute', { incidentId: 'EX123456', hours: '4' }],
      ['incident.acknowledge', { incidentId: null }],
      ['incident.customers', {}],
      ['incident.customers', { incidentId: 'EX123456; DROP' }],
      ['order.provisioning', { customerId: contosoId, orderId: 'a/b' }],
      ['order.watch', { customerId: contosoId, orderId: 'x'.repeat(65) }],
    ];
    for (const [verb, data] of forged) {
      const answer = await refused(verb, data);
      assertErrorCard(answer, /That button did not work/, ['Help', 'Customers']);
      assert.match(answer.text, /I did nothing/);
    }
  });

  it('answers an invoke without an action, or with an Action.Submit, instead of failing it', async () => {
    assertErrorCard(await invokeRaw(h, {}), /Unknown button/, ['Help']);
    assertErrorCard(await invokeRaw(h, { action: null }), /Unknown button/, ['Help']);
    const help = await invokeRaw(h, { action: { type: 'Action.Submit', verb: 'help', data: {} } });
    assert.match(help.text, /status for/);
  });

  it('refuses a customer that is not one of the partner\'s customers, without asking Partner Center', async () => {
    const answer = await refused('customer.overview', { customerId: '11111111-2222-4333-8444-555555555555' });
    assertErrorCard(answer, /Customer not found/, ['Customers', 'Help']);
    assertErrorCard(await refused('incident.history', { customerId: '11111111-2222-4333-8444-555555555555', incidentId: 'EX123456' }), /Customer not found/, ['Help']);
  });

  it('says an incident is gone when the card is stale, and offers the customer\'s current incidents', async () => {
    const answer = await clickRaw(h, 'incident.history', { customerId: contosoId, incidentId: 'EX999999' });
    assertErrorCard(answer, /Incident not found/, ['Incidents', 'Customer']);
    assert.match(answer.text, /no longer lists incident EX999999 for Contoso/);
  });

  it('says an alert is no longer tracked when muting an incident this conversation has no card for', async () => {
    const before = JSON.stringify((await h.app.store.view({ threads: 'all' })).threads);
    assertErrorCard(await refused('incident.mute', { incidentId: 'EX123456', hours: 4 }), /Alert no longer tracked/, ['Help']);
    assertErrorCard(await refused('incident.acknowledge', { incidentId: 'EX123456' }), /Alert no longer tracked/, ['Help']);
    assertErrorCard(await refused('incident.customers', { incidentId: 'EX123456' }), /Alert no longer tracked/, ['Help']);
    assert.equal(JSON.stringify((await h.app.store.view({ threads: 'all' })).threads), before);
  });

  it('turns a Partner Center failure into a sentence with Refresh, which works once Partner Center is back', async () => {
    h.sim.faults.add({ path: '/serviceincidents/office', status: 500, times: Infinity });
    const failed = await clickRaw(h, 'customer.status', { customerId: contosoId.toUpperCase() });
    assertErrorCard(failed, /Partner Center is having trouble/, ['Refresh', 'Help']);
    assert.match(failed.text, /Partner Center failed while reading the incidents of this customer/);
    h.sim.faults.clear();
    const again = await click(h, buttonIn(failed.card, 'Refresh'), 'activity-0');
    assert.match(again.text, /Incidents for Contoso/);
  });

  it('names the order Partner Center does not know', async () => {
    const answer = await clickRaw(h, 'order.provisioning', { customerId: contosoId, orderId: 'does-not-exist' });
    assertErrorCard(answer, /Order not found/, ['Refresh']);
    assert.match(answer.text, /order does-not-exist does not exist for Contoso/);
  });

  it('shows hostile incident text inert in the History card', async () => {
    const status = await askForCard(h, 'status for contoso');
    const history = buttonIn(status.card, 'History');
    const incident = h.sim.data.incidentsOf(contosoId).find((i) => i.id === history.data.incidentId);
    assert.ok(incident);
    const hostile = 'Read <a href="http://evil">x</a> and [x](http://evil) <at>Everyone</at> ${user} now';
    incident.messages.push({ publishedTime: new Date().toISOString(), messageText: hostile });
    const answer = await click(h, history, status.id);
    const shown = answer.text.split('\n').find((line) => line.startsWith('Read '));
    assert.ok(shown, answer.text);
    assert.doesNotMatch(shown, /href|<at>|\]\(|\$\{user\}/);
    assert.equal(shown.replaceAll('\u200B', ''), 'Read x and [x](http://evil) Everyone ${user} now');
    assert.doesNotMatch(JSON.stringify(answer.card), /<at>|"mention"|"msteams":\{"entities"/);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app.js';
import { COMMANDS } from '../../src/cardData/help.js';
import { parseCommand } from '../../src/domain/commands.js';
import { terminalLogStream } from '../../src/sandbox/terminalLog.js';
import { startHarness, type Harness } from '../support/harness.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { FOREIGN_TENANT, message, sendToBot } from '../support/activities.js';

/** Says something and returns the text of the card (or message) the bot answered with. */
async function ask(h: Harness, text: string, options = {}): Promise<string> {
  const before = h.connector.calls.length;
  assert.equal(await h.say(text, options), 200);
  await h.connector.waitFor((calls) => calls.length > before);
  const reply = h.connector.calls[before];
  assert.ok(reply);
  return cardOf(reply) ? cardText(cardOf(reply)) : String(reply.activity.text);
}

describe('chat commands end to end (HTTP → bot → simulator → fake connector)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('answers "status for contoso" with its active incidents, most severe first', async () => {
    const text = await ask(h, 'status for contoso');
    assert.match(text, /Contoso/);
    const contoso = h.sim.data.customers.find((c) => c.companyName === 'Contoso');
    assert.ok(contoso);
    const active = h.sim.data.incidentsOf(contoso.id).filter((incident) => !incident.resolved && incident.messageType !== 'message_center');
    assert.ok(active.length >= 2);
    for (const incident of active) assert.match(text, new RegExp(incident.id));
    assert.match(text, /resolved/i);
  });

  it('lists customers by name or domain prefix', async () => {
    const text = await ask(h, 'customers con');
    assert.match(text, /Contoso Electronics/);
    assert.match(text, /Contoso Pharmaceuticals/);
    assert.doesNotMatch(text, /Fabrikam/);
  });

  it('answers "subscriptions for fabrikam" with a suspended one flagged', async () => {
    const text = await ask(h, 'subscriptions for fabrikam');
    assert.match(text, /Fabrikam/);
    assert.match(text, /Suspended/);
  });

  it('shows an order\'s provisioning and remembers which customer it belongs to', async () => {
    const contoso = h.sim.data.customers.find((c) => c.companyName === 'Contoso');
    assert.ok(contoso);
    const order = h.sim.data.ordersOf(contoso.id).map((o) => o.order).find((o) => !/^\d+$/.test(o.id));
    assert.ok(order);
    const text = await ask(h, `provisioning order ${order.id} for contoso`);
    assert.match(text, new RegExp(order.id));
    assert.match(text, /fulfilled|pending|unfulfilled/i);
    // Now the bot knows the order: the customer may be left out.
    const again = await ask(h, `provisioning order ${order.id}`);
    assert.match(again, new RegExp(order.id));
  });

  it("answers the help card's provisioning example with that order's line items", async () => {
    const example = COMMANDS.find((help) => help.syntax.startsWith('provisioning order'))?.example ?? '';
    const parsed = parseCommand(example);
    assert.ok(parsed.ok && parsed.command.kind === 'provisioning', example);
    const text = await ask(h, example);
    assert.doesNotMatch(text, /not found|does not exist/i);
    assert.ok(text.includes(parsed.command.orderId), text);
    assert.match(text, /pending/i);
  });

  it('asks for the customer of an unknown order, showing the command to type', async () => {
    const text = await ask(h, 'provisioning order 123456789');
    assert.match(text, /provisioning order 123456789 for <customer>/);
  });

  it('says plainly when Partner Center does not know an order', async () => {
    const text = await ask(h, 'provisioning order does-not-exist for contoso');
    assert.match(text, /Partner Center says order does-not-exist does not exist for Contoso \(code 20000\)/);
  });

  it('offers a choice when a name is ambiguous, and suggestions when unknown', async () => {
    const choice = await ask(h, 'status for con');
    assert.match(choice, /Contoso Electronics\n[^\n]+\nContoso Electronics\n/);
    const unknown = await ask(h, 'status for contsoo');
    assert.match(unknown, /Did you mean “Contoso/);
  });

  it('answers an unknown command with help, and refuses oversized text', async () => {
    assert.match(await ask(h, 'make coffee'), /didn’t understand/);
    assert.match(await ask(h, `status for ${'x'.repeat(600)}`), /at most 500/);
  });

  it('works in personal chat without a mention', async () => {
    assert.match(await ask(h, 'help', { conversation: 'personal' }), /status for/);
  });

  it('turns Partner Center failures into a sentence, never a stack trace', async () => {
    h.sim.faults.add({ path: '/serviceincidents/office', status: 500, times: Infinity });
    try {
      const text = await ask(h, 'status for fabrikam');
      assert.match(text, /Partner Center failed while reading the incidents of fabrikam/);
      assert.doesNotMatch(text, /at .*\.js:\d+/);
    } finally {
      h.sim.faults.clear();
    }
  });

  it('refuses a tenant outside the allow-list and gives no data', async () => {
    const before = h.connector.calls.length;
    const requestsBefore = h.sim.requestCount;
    const { status } = await sendToBot(h.app.url, message('status for contoso', { serviceUrl: h.connector.url, tenantId: FOREIGN_TENANT }));
    assert.equal(status, 200);
    await h.connector.waitFor((calls) => calls.length > before);
    assert.match(String(h.connector.calls[before]?.activity.text), /only for the partner organisation/);
    assert.equal(h.sim.requestCount, requestsBefore);
    const foreignTargets = Object.values(h.app.store.read().targets).filter((target) => target.tenantId === FOREIGN_TENANT);
    assert.deepEqual(foreignTargets, []);
  });
});

describe('a Partner Center failure of one command, as logged', () => {
  /** Runs "status for contoso" against a simulator that answers 500 (code 800003), with the given logger. */
  async function failStatus(log: ReturnType<typeof createLogger>): Promise<void> {
    const h = await startHarness({ app: { log } });
    try {
      h.sim.faults.add({ path: '/serviceincidents/office', status: 500, times: Infinity });
      assert.match(await ask(h, 'status for contoso'), /Partner Center failed while reading the incidents of/);
    } finally {
      await h.close();
    }
  }

  it('is one readable line in the sandbox terminal', async () => {
    const out: string[] = [];
    await failStatus(createLogger('warn', terminalLogStream((text) => out.push(text))));
    assert.deepEqual(out, ['  [bot] status for contoso failed: Partner Center answered 500 (code 800003); the user was told.\n']);
  });

  it('is one JSON warning without a stack in production', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    await failStatus(createLogger('warn', sink));
    assert.equal(lines.length, 1, lines.join('\n'));
    const record = JSON.parse(lines[0]!) as { msg: string; summary: string; err: Record<string, unknown> };
    assert.equal(record.msg, 'command failed');
    assert.equal(record.summary, 'status for contoso failed: Partner Center answered 500 (code 800003); the user was told.');
    assert.deepEqual([record.err['type'], record.err['status'], record.err['code'], record.err['customer']], ['PartnerCenterError', 500, 800003, 'Contoso']);
    assert.ok(!('stack' in record.err), 'no stack for Partner Center saying no');
    assert.ok(lines[0]!.length < 1000, `${lines[0]!.length} bytes`);
  });
});

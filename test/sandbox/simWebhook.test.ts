// The sandbox's webhook receiver over real HTTP: the webhook destination's bodies arrive, their signature is
// checked as the README's receiver checks it, and one line per event is printed for the user to see.
import assert from 'node:assert/strict';
import { WebhookDestination } from '../../src/destinations/webhook.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import type { AlertEvent } from '../../src/domain/alertEvent.js';
import { sandboxWebhookSettings } from '../../src/sandbox/simWebhook.js';

const EVENT: AlertEvent = {
  id: 'evt_00000000000000000000000000000001',
  source: 'incidents',
  type: 'incident.opened',
  severity: 'critical',
  customer: { tenantId: 't1', name: 'Contoso', domain: 'contoso.onmicrosoft.com' },
  episode: { key: 'incident|EX1|t1|0', change: 'opened', previousKey: null },
  title: 'EX1 · Mail delayed (Exchange Online)',
  text: 'New incident.',
  occurredAt: '2026-12-07T10:00:00.000Z',
  links: [],
  data: {},
};

describe('sandbox webhook receiver', () => {
  let sim: Simulator;
  const lines: string[] = [];
  beforeEach(async () => {
    lines.length = 0;
    sim = await startSimulator({ webhookLog: (line) => lines.push(line) });
    sim.webhooks.secret = 'sandbox-secret';
  });
  afterEach(() => sim.close());

  const send = (secret: string | null) => {
    const destination = new WebhookDestination({ urls: [`${sim.url}/sandbox/webhook`], secret });
    return destination.deliver(destination.endpoints()[0] ?? '', EVENT, AbortSignal.timeout(5_000));
  };

  it('takes a signed event, says its signature checked out, and lists it', async () => {
    assert.deepEqual(await send('sandbox-secret'), { kind: 'done' });
    assert.deepEqual(lines, ['[webhook] incident.opened · Contoso · EX1 · Mail delayed (Exchange Online) (signature ok)']);
    const listed = (await (await fetch(`${sim.url}/sandbox/webhook`)).json()) as { received: { delivery: string; signature: string; body: { id: string } }[] };
    assert.deepEqual(listed.received.map((r) => [r.delivery, r.signature, r.body.id]), [[EVENT.id, 'ok', EVENT.id]]);
  });

  it('says so when the signature does not match, or there is none', async () => {
    await send('another-secret');
    await send(null);
    assert.deepEqual(lines.map((line) => /\(signature (\w+)\)$/.exec(line)?.[1]), ['wrong', 'unsigned']);
  });

  it('is where the sandbox sends its webhooks when WEBHOOK_URLS is empty, signed with a secret it knows', async () => {
    sim.webhooks.secret = null;
    const settings = sandboxWebhookSettings({ urls: [], secret: null }, sim.webhooks, sim.url);
    assert.deepEqual(settings.urls, [`${sim.url}/sandbox/webhook`]);
    const destination = new WebhookDestination(settings);
    assert.deepEqual(await destination.deliver(destination.endpoints()[0] ?? '', EVENT, AbortSignal.timeout(5_000)), { kind: 'done' });
    assert.match(lines[0] ?? '', /\(signature ok\)$/);
    const own = { urls: ['https://hooks.example/x'], secret: 'mine' };
    assert.equal(sandboxWebhookSettings(own, sim.webhooks, sim.url), own, 'WEBHOOK_URLS, when set, is used as it is');
  });
});

// The webhook destination against a real HTTP receiver: the body, the headers and the signature, and what
// each answer means (done, retry with Retry-After, stop on 410, drop on other 4xx). And WEBHOOK_URLS'
// rules at start: https, or http on loopback only, refused in one sentence that shows no query secret.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { WebhookDestination } from '../../src/destinations/webhook.js';
import { safeUrlName } from '../../src/destinations/outboundUrl.js';
import { incidentAlertEvent } from '../../src/sources/incidents/alertEvents.js';
import { startReceiver, type TestReceiver } from '../support/webhookReceiver.js';

const EVENT = incidentAlertEvent(
  {
    id: 'cust-1|EX1|opened|critical|critical|1|2026-12-07T10:00:00.000Z',
    kind: 'opened',
    customerId: 'cust-1',
    incident: {
      id: 'EX1', customerId: 'cust-1', kind: 'incident', workload: 'Exchange Online', title: 'Mail delayed', severity: 'critical', status: 'critical',
      startTime: '2026-12-07T10:00:00.000Z', endTime: null, resolved: false, messages: [{ publishedTime: '2026-12-07T10:00:00.000Z', text: 'Investigating.' }],
    },
    changes: [],
    vanished: false,
  },
  0,
  { tenantId: 'cust-1', name: 'Contoso', domain: 'contoso.onmicrosoft.com' },
  '2026-12-07T10:01:00.000Z',
);

const NOW = Date.parse('2026-12-07T10:02:03.000Z');

describe('webhook destination', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  const deliver = (secret: string | null, signal = AbortSignal.timeout(5_000)) => {
    const destination = new WebhookDestination({ urls: [receiver.url], secret }, { now: () => NOW });
    return destination.deliver(destination.endpoints()[0] ?? '', EVENT, signal);
  };

  it('POSTs schemaVersion 1 and the event, with the delivery id, the Unix timestamp and the HMAC signature', async () => {
    assert.deepEqual(await deliver('s3cret'), { kind: 'done' });
    const [request] = receiver.received;
    assert.ok(request);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.json.schemaVersion, 1);
    assert.equal(request.json.id, EVENT.id);
    assert.equal(request.headers['x-partner-alerts-delivery'], EVENT.id, 'the delivery header is the body id');
    assert.equal(request.headers['x-partner-alerts-timestamp'], String(NOW / 1000));
    const expected = createHmac('sha256', 's3cret').update(`${NOW / 1000}.${request.body}`).digest('hex');
    assert.equal(request.headers['x-partner-alerts-signature'], `sha256=${expected}`);
  });

  it('sends no signature header without a secret', async () => {
    assert.deepEqual(await deliver(null), { kind: 'done' });
    assert.equal(receiver.received[0]?.headers['x-partner-alerts-signature'], undefined);
    assert.ok(receiver.received[0]?.headers['x-partner-alerts-timestamp']);
  });

  it('retries 408, 429 and 5xx, honouring Retry-After in seconds or as a date, on 5xx too', async () => {
    receiver.answers.push(
      { status: 408 },
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': '120' } },
      { status: 500, headers: { 'retry-after': new Date(NOW + 30_000).toUTCString() } },
      { status: 502 },
    );
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'HTTP 408' });
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'HTTP 429', afterMs: 7_000 });
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'HTTP 503', afterMs: 120_000 });
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'HTTP 500', afterMs: 30_000 });
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'HTTP 502' });
    const ids = receiver.received.map((request) => request.headers['x-partner-alerts-delivery']);
    assert.deepEqual(ids, Array(5).fill(EVENT.id), 'a retry carries the same delivery id');
  });

  it('stops the URL on 410 with a notice, and drops other 4xx without retrying', async () => {
    receiver.answers.push({ status: 410 }, { status: 404 }, { status: 400 });
    const gone = await deliver(null);
    assert.equal(gone.kind, 'stop');
    assert.match(gone.kind === 'stop' ? gone.notice : '', /^The webhook http:\/\/127\.0\.0\.1:\d+\/hook answered 410 Gone: alerts are no longer sent there until Partner Alerts restarts\./);
    assert.deepEqual(await deliver(null), { kind: 'drop', reason: 'HTTP 404' });
    assert.deepEqual(await deliver(null), { kind: 'drop', reason: 'HTTP 400' });
  });

  it('retries a receiver that does not answer in time, or cannot be reached', async () => {
    receiver.answers.push({ hang: true });
    assert.deepEqual(await deliver(null, AbortSignal.timeout(200)), { kind: 'retry', reason: 'no answer in time' });
    await receiver.close();
    assert.deepEqual(await deliver(null), { kind: 'retry', reason: 'the URL could not be reached' });
    receiver = await startReceiver();
  });
});

describe('WEBHOOK_URLS and WEBHOOK_SECRET', () => {
  const load = (env: Record<string, string>) => loadConfig({ PARTNER_TENANT_ID: '00000000-0000-0000-0000-000000000001', PARTNER_CENTER_CLIENT_ID: 'c', PARTNER_CENTER_CLIENT_SECRET: 's', ...env });

  it('takes comma-separated https URLs, and http on loopback (127.0.0.1, localhost, [::1])', () => {
    const urls = ['https://hooks.example.com/a', 'http://127.0.0.1:9000/b', 'http://localhost/c', 'http://[::1]:8080/d'];
    const result = load({ WEBHOOK_URLS: ` ${urls.join(' , ')} `, WEBHOOK_SECRET: 'k' });
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.webhooks, { urls, secret: 'k' });
  });

  it('refuses a plain http URL beyond loopback, or no URL at all, in one sentence each that never shows the query', () => {
    const result = load({ WEBHOOK_URLS: 'http://hooks.example.com/x?sig=TOPSECRET,not a url,ftp://127.0.0.1/y' });
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    assert.deepEqual(problems, [
      `WEBHOOK_URLS: ${safeUrlName('http://hooks.example.com/x?sig=TOPSECRET')} must be an https URL (plain http only on loopback: 127.0.0.1, localhost or [::1]).`,
      'WEBHOOK_URLS: "not a url" is not a URL.',
      'WEBHOOK_URLS: ftp://127.0.0.1/y must be an https URL (plain http only on loopback: 127.0.0.1, localhost or [::1]).',
    ]);
    assert.doesNotMatch(problems.join(' '), /TOPSECRET/);
  });

  it('names a URL in logs and /healthz without its query, two such URLs still apart', () => {
    const a = safeUrlName('https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=AAA');
    const b = safeUrlName('https://prod.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=BBB');
    assert.match(a, /^https:\/\/prod\.logic\.azure\.com\/workflows\/1\/triggers\/manual\/paths\/invoke\?…[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    assert.doesNotMatch(a + b, /AAA|BBB/);
  });
});

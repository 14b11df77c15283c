// The outbound queue and its workers, on a real lowdb file and real HTTP receivers: one ordered queue per
// webhook URL with its own retries (Retry-After honoured, else a growing back-off), a give-up after 24 h,
// 410 stopping one URL with one notice to every watching conversation, other 4xx dropped, and one hanging
// URL holding up no other. The clock is the test's, so retry times are read from the state, not waited for.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertEvent } from '../../src/domain/alertEvent.js';
import { WebhookDestination } from '../../src/destinations/webhook.js';
import { backoffMs, OutboundPipeline, type OutboundResult } from '../../src/engine/outbound.js';
import { outboundEmitter } from '../../src/engine/outboundQueue.js';
import { commitBatch, type FetchResult } from '../../src/engine/ingest.js';
import { contoso, incident } from '../support/samples.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { capturedLog } from '../support/capturedLog.js';
import { target, watch } from '../support/samples.js';
import { startReceiver, type TestReceiver } from '../support/webhookReceiver.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';

const START = Date.parse('2026-12-07T10:00:00.000Z');

function event(n: number): AlertEvent {
  return {
    id: `evt_${String(n).padStart(32, '0')}`,
    source: 'incidents',
    type: 'incident.updated',
    severity: 'warning',
    customer: { tenantId: 'c1', name: 'Contoso', domain: null },
    episode: { key: 'incident|EX1|c1|0', change: 'updated', previousKey: null },
    title: `change ${n}`,
    text: '',
    occurredAt: new Date(START).toISOString(),
    links: [],
    data: {},
  };
}

describe('outbound delivery (webhooks)', () => {
  let store: LowdbStateStore;
  let receivers: TestReceiver[];
  let pipeline: OutboundPipeline | undefined;
  let now: number;
  let results: { id: string; result: OutboundResult }[];
  let logged: ReturnType<typeof capturedLog>;

  beforeEach(async () => {
    store = await LowdbStateStore.open(path.join(await mkdtemp(path.join(tmpdir(), 'pa-outbound-')), 'state.json'));
    receivers = [await startReceiver(), await startReceiver()];
    now = START;
    results = [];
    logged = capturedLog('info');
  });
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
    await store.close();
    for (const receiver of receivers) await receiver.close();
  });

  function start(options: { auto?: boolean; attemptTimeoutMs?: number } = {}): OutboundPipeline {
    const destination = new WebhookDestination({ urls: receivers.map((r) => r.url), secret: 'k' }, { now: () => now });
    pipeline = new OutboundPipeline({
      store,
      destinations: [destination],
      clock: { now: () => now, sleep: async () => undefined },
      log: logged.log,
      auto: options.auto ?? false,
      attemptTimeoutMs: options.attemptTimeoutMs,
      onOutcome: (delivery, result) => results.push({ id: delivery.event.id, result }),
    });
    return pipeline;
  }

  const queue = (p: OutboundPipeline, ...ns: number[]) =>
    store.transaction((tx) => {
      const emit = outboundEmitter(tx, p, new Date(now));
      return ns.reduce((sum, n) => sum + emit(event(n)), 0);
    });
  const queued = () => store.ports.outbound.queue();
  const ids = (receiver: TestReceiver | undefined) => receiver?.received.map((r) => r.json.id);

  it('sends each URL its events in order, logs them as delivered, and never queues a delivered event again', async () => {
    const p = start();
    assert.equal(await queue(p, 1, 2), 4, 'two events for each of two URLs');
    await p.settle();
    assert.deepEqual(ids(receivers[0]), [event(1).id, event(2).id]);
    assert.deepEqual(ids(receivers[1]), [event(1).id, event(2).id]);
    assert.deepEqual(queued(), []);
    assert.equal(Object.keys(store.read().deliveryLog).filter((id) => id.startsWith('webhook|')).length, 4);
    assert.equal(await queue(p, 1, 2), 0, 'the same changes found again (a batch fetched again) queue nothing');
    assert.deepEqual(results.map((r) => r.result), ['sent', 'sent', 'sent', 'sent']);
  });

  it('retries 5xx at its Retry-After, else after a growing back-off, holding that URL\'s later events while the other URL goes on', async () => {
    const p = start();
    receivers[0]?.answers.push({ status: 503, headers: { 'retry-after': '42' } }, { status: 500 }, { status: 429 });
    await queue(p, 1, 2);
    await p.settle();
    assert.deepEqual(ids(receivers[0]), [event(1).id], 'the second event waits behind the first');
    assert.deepEqual(ids(receivers[1]), [event(1).id, event(2).id], 'the other URL is not held up');
    const head = () => queued().find((item) => item.event.id === event(1).id && item.endpoint === p.destinations[0]?.endpoints()[0]);
    assert.equal(head()?.notBefore, new Date(START + 42_000).toISOString(), 'Retry-After honoured on a 503');
    assert.equal(head()?.lastError, 'HTTP 503');

    now = START + 41_000;
    await p.settle();
    assert.equal(receivers[0]?.received.length, 1, 'not before its Retry-After');
    now = START + 42_000;
    await p.settle();
    assert.equal(head()?.notBefore, new Date(now + 10_000).toISOString(), 'a second failure without Retry-After: the back-off has grown to 10 s');
    now += 10_000;
    await p.settle();
    assert.equal(head()?.notBefore, new Date(now + 20_000).toISOString(), 'a 429 without Retry-After: 20 s');
    now += 20_000;
    await p.settle();
    assert.deepEqual(ids(receivers[0]), [1, 1, 1, 1, 2].map((n) => event(n).id), 'the same event until it got through, then the next');
    assert.deepEqual(queued(), []);
    assert.deepEqual(receivers[0]?.received.slice(0, 4).map((r) => r.headers['x-partner-alerts-delivery']), Array(4).fill(event(1).id));
  });

  it('gives an event up 24 hours after it was queued, with a log line and a count', async () => {
    const p = start();
    receivers[0]!.otherwise = { status: 500, headers: { 'retry-after': '3600' } };
    await queue(p, 1);
    for (let hour = 0; hour < 30 && queued().some((item) => item.endpoint === p.destinations[0]?.endpoints()[0]); hour++) {
      await p.settle();
      now += 3_600_000;
    }
    assert.equal(receivers[0]?.received.length, 25, 'tried hourly from hour 0 to hour 24, then no more');
    assert.deepEqual(queued(), []);
    assert.equal(results.filter((r) => r.result === 'expired').length, 1);
    assert.ok(logged.entries().some((entry) => /given up: still failing 24 h after it was queued/.test(String(entry.msg))));
  });

  it('stops a URL that answers 410 until restart: one notice to each conversation that watches anything, nothing more queued for it', async () => {
    await store.update((state) => {
      state.targets.A = target('A');
      state.targets.B = target('B');
      state.targets.C = target('C'); // watches nothing: not told
      state.watches.push(watch({ id: 'w1', targetKey: 'A' }), watch({ id: 'w2', targetKey: 'B', kind: 'all', customerId: null }), watch({ id: 'w3', targetKey: 'A', customerId: 'c2' }));
    });
    let noticesKicked = 0;
    const p = start();
    (p as unknown as { deps: { onNotice: () => void } }).deps.onNotice = () => noticesKicked++;
    receivers[0]?.answers.push({ status: 410 });
    await queue(p, 1, 2);
    await p.settle();
    assert.deepEqual(ids(receivers[0]), [event(1).id], 'nothing more is sent to a stopped URL');
    const notices = store.read().outbox.filter((delivery) => delivery.kind === 'notice');
    assert.deepEqual(notices.map((notice) => notice.targetKey).sort(), ['A', 'B']);
    assert.match(notices[0]?.kind === 'notice' ? notices[0].text : '', /answered 410 Gone: alerts are no longer sent there until Partner Alerts restarts/);
    assert.equal(noticesKicked, 1);
    const [stoppedUrl] = p.destinations[0]?.endpoints() ?? [];
    assert.equal(await queue(p, 3), 1, 'a new event goes to the other URL only');
    await p.settle();
    assert.deepEqual(ids(receivers[1]), [1, 2, 3].map((n) => event(n).id));
    const report = p.report().find((entry) => entry.endpoint === stoppedUrl);
    assert.equal(report?.stopped, 'HTTP 410 Gone');
    assert.equal(report?.pending, 2, 'what was queued stays for the next start');
    assert.equal(store.read().outbox.length, 2, 'told once, not once per event');

    // Another instance (or a restart) tries the URL again and meets the same 410: not told twice that day.
    receivers[0]?.answers.push({ status: 410 });
    const again = start();
    await again.settle();
    assert.equal(receivers[0]?.received.length, 2, 'tried again after the restart');
    assert.equal(store.read().outbox.length, 2, 'the same day: no second notice');
    now += 24 * 3_600_000;
    receivers[0]?.answers.push({ status: 410 });
    await start().settle();
    assert.equal(store.read().outbox.length, 4, 'still gone a day later: told again');
    await again.stop();
  });

  it('drops an event another 4xx refused: not retried, recorded, logged and counted', async () => {
    const p = start();
    receivers[0]?.answers.push({ status: 422 });
    await queue(p, 1, 2);
    await p.settle();
    assert.deepEqual(ids(receivers[0]), [event(1).id, event(2).id], 'the next event goes on');
    assert.deepEqual(queued(), []);
    assert.deepEqual(results.filter((r) => r.result === 'dropped').map((r) => r.id), [event(1).id]);
    assert.ok(logged.entries().some((entry) => /refused and dropped/.test(String(entry.msg)) && (entry as { reason?: string }).reason === 'HTTP 422'));
    assert.equal(await queue(p, 1), 0, 'a dropped event is not queued again');
  });

  it('keeps delivering to a healthy URL while another never answers', async () => {
    receivers[0]!.otherwise = { hang: true };
    const p = start({ auto: true, attemptTimeoutMs: 60_000 });
    await queue(p, 1, 2, 3);
    p.kick();
    await receivers[1]?.waitFor(3);
    assert.deepEqual(ids(receivers[1]), [1, 2, 3].map((n) => event(n).id));
    assert.equal(receivers[0]?.received.length, 1, 'the hanging URL still has its first request open');
    assert.equal(p.report().find((entry) => entry.pending === 3)?.endpoint, p.destinations[0]?.endpoints()[0]);
  });

  it('queues a batch\'s events in the batch\'s own write: none when it fails, once when it is made again', async () => {
    const p = start();
    const fetched = (incidents: ReturnType<typeof incident>[]): FetchResult[] => [{ item: { key: `c|${contoso.id}`, kind: 'source', source: 'incidents', customer: contoso }, ok: true, data: incidents, rolling: false }];
    const commit = (incidents: ReturnType<typeof incident>[]) => commitBatch(fetched(incidents), { store, now: new Date(now), customerName: () => 'Contoso', outbound: p, batchSources: { incidents: incidentSource(), provisioning: provisioningSource() }, sweep: null });
    await commit([]); // the baseline: no events
    const realUpdate = store.update.bind(store);
    store.update = (() => Promise.reject(new Error('stopped before the write'))) as typeof store.update;
    await assert.rejects(commit([incident('EX1')]));
    store.update = realUpdate;
    assert.deepEqual(queued(), [], 'a batch that was not written queued nothing');
    await commit([incident('EX1')]); // fetched again after the restart
    assert.deepEqual(queued().map((item) => item.event.type), ['incident.opened', 'incident.opened'], 'one per URL');
    assert.equal(queued()[0]?.event.customer.domain, 'contoso.onmicrosoft.com');
    const snapshot = structuredClone((await store.view({ incidentSnapshots: [contoso.id] })).incidentSnapshots[contoso.id]!);
    await store.update((state) => void (state.incidentSnapshots[contoso.id] = { ...snapshot, incidents: {} }));
    await commit([incident('EX1')]); // the same change found again
    assert.equal(queued().length, 2, 'never queued twice');
  });

  it('backs off from a few seconds, doubling, up to its ceiling', () => {
    assert.deepEqual([1, 2, 3, 4, 20].map((attempts) => backoffMs(attempts, 5_000, 3_600_000)), [5_000, 10_000, 20_000, 40_000, 3_600_000]);
  });
});

// Webhooks end to end over real HTTP (simulator, app, fake Bot Connector, a node:http receiver): the
// scripted incident reaches the webhook as signed bodies valid against docs/webhook.schema.json, one per
// change, beside the Teams card; /healthz and /metrics show the backlog and the count; an event queued in
// the batch's write and not yet delivered when the app stops goes out once after the restart.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CHANNEL_ID } from '../support/activities.js';
import { customerId, incidentCards, install, stateOnDisk, watch } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { capturedLog } from '../support/capturedLog.js';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '../support/webhookReceiver.js';
import { schemaErrors } from '../support/webhookSchema.js';

const SECRET = 'e2e-webhook-secret';

function signatureOk(request: ReceivedRequest): boolean {
  const timestamp = request.headers['x-partner-alerts-timestamp'] ?? '';
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
  return request.headers['x-partner-alerts-signature'] === expected;
}

describe('webhooks, end to end', () => {
  let h: Harness | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  const start = async (command = 'watch contoso') => {
    receiver = await startReceiver();
    h = await startHarness({ config: { webhooks: { urls: [receiver.url], secret: SECRET }, subscriptionPollMinutes: 0 } });
    await install(h);
    await watch(h, command);
    return { t: h, r: receiver };
  };

  it('sends each change of the scripted incident, signed and valid against the schema, beside the Teams card', async () => {
    const { t, r } = await start();
    let incidentId = '';
    for (let step = 0; step < 4; step++) {
      incidentId = t.sim.scenario.step().incidentId;
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
    }
    const bodies = r.received.map((request) => request.json as { id: string; type: string; customer: { tenantId: string; name: string }; episode: { key: string; change: string } });
    assert.equal(bodies[0]?.type, 'incident.opened');
    assert.equal(bodies.at(-1)?.type, 'incident.resolved');
    assert.ok(bodies.length >= 3, `opened, updates and resolved (got ${bodies.map((b) => b.type).join(', ')})`);
    assert.ok(bodies.every((body) => body.customer.name === 'Contoso' && body.customer.tenantId === customerId(t, 'Contoso')), 'only the watched customer');
    assert.deepEqual(new Set(bodies.map((body) => body.episode.key)), new Set([`incident|${incidentId}|${customerId(t, 'Contoso')}|0`]), 'one episode');
    assert.equal(new Set(bodies.map((body) => body.id)).size, bodies.length, 'each change its own id');
    for (const request of r.received) {
      assert.deepEqual(schemaErrors(request.json), [], request.body);
      assert.ok(signatureOk(request), 'signed with WEBHOOK_SECRET');
      assert.equal(request.headers['x-partner-alerts-delivery'], request.json.id);
      assert.match(request.headers['x-partner-alerts-timestamp'] ?? '', /^\d{10}$/);
    }
    assert.equal(incidentCards(t, incidentId, CHANNEL_ID).length, 1, 'Teams got its card as before');

    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { status: string; outbound: { pending: number; endpoints: { destination: string; endpoint: string; pending: number }[] } };
    assert.equal(health.status, 'ok');
    assert.deepEqual(health.outbound.endpoints, [{ destination: 'webhook', endpoint: r.url, pending: 0, failing: 0, oldestQueuedAt: null, nextAttemptAt: null, lastError: null, stopped: null }]);
    const metrics = await (await fetch(`${t.app.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`partner_alerts_deliveries_total\\{destination="webhook",source="incidents",result="sent"\\} ${bodies.length}\\n`));
    assert.match(metrics, /partner_alerts_deliveries_total\{destination="teams",source="incident",result="sent"\} \d+/);
    assert.match(metrics, /partner_alerts_outbound_backlog\{destination="webhook",endpoint="http:\/\/127\.0\.0\.1:\d+\/hook"\} 0/);
  });

  it('an event queued with its batch but not delivered when the app stops goes out exactly once after the restart', async () => {
    const { t, r } = await start();
    r.otherwise = { status: 503 };
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    await t.app.outbound.settle();
    const disk = await stateOnDisk(t);
    const queued = Object.values(disk.outbound);
    assert.equal(queued.length, 1, 'queued in the same write as the batch, on disk');
    assert.equal(queued[0]?.event.type, 'incident.opened');
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { status: string; outbound: { pending: number; failing: number } };
    assert.deepEqual([health.status, health.outbound.pending, health.outbound.failing], ['ok', 1, 1], 'the backlog is visible; Teams is not held up, so not "stalled"');

    const app = await t.restart();
    r.otherwise = { status: 200 };
    await app.store.update((state) => {
      for (const item of Object.values(state.outbound)) item.notBefore = new Date(Date.now() - 1000).toISOString();
    });
    await app.outbound.settle();
    await app.outbound.settle();
    await app.engine.sweepNow(); // the same incident, fetched again: nothing new
    await app.outbound.settle();
    const eventId = queued[0]?.event.id;
    assert.deepEqual(r.received.map((request) => request.json.id), [eventId, eventId], 'one refused attempt before the stop, one delivery after it');
    assert.deepEqual((await stateOnDisk(t)).outbound, {});
  });

  it('sends the changes of a watched order and of watched subscriptions too, each valid against the schema', async () => {
    const { t, r } = await start(`watch order ${CONTOSO_ORDERS.pending} for contoso`);
    await watch(t, 'watch subscriptions all');
    await t.app.engine.sweepNow(); // the subscriptions' baseline
    for (let step = 0; step < 4; step++) {
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
    }
    const bodies = r.received.map((request) => request.json as { source: string; type: string; customer: { name: string }; episode: { change: string } });
    assert.deepEqual(bodies.filter((b) => b.source === 'provisioning').map((b) => b.type), ['provisioning.changed', 'provisioning.changed', 'provisioning.completed']);
    const subscriptions = bodies.filter((b) => b.source === 'subscriptions');
    assert.ok(subscriptions.some((b) => b.customer.name === 'Fabrikam' && b.type === 'subscription.problem' && b.episode.change === 'opened'), JSON.stringify(subscriptions.map((b) => b.type)));
    assert.ok(subscriptions.some((b) => b.customer.name === 'Contoso'), 'Contoso\'s term end or quantity change');
    assert.deepEqual(bodies.filter((b) => b.source === 'incidents'), [], 'no incident watch, no incident events');
    for (const request of r.received) assert.deepEqual(schemaErrors(request.json), [], request.body);
  });

  it('a URL answering 410 is stopped with one notice in the channel and shown in /healthz; no secret or URL query is ever logged', async () => {
    receiver = await startReceiver();
    const logged = capturedLog('trace');
    const url = `${receiver.url}?sig=QUERYSECRET`;
    const t = (h = await startHarness({ config: { webhooks: { urls: [url], secret: 'SIGNINGSECRET' } }, app: { log: logged.log } }));
    await install(t);
    await watch(t, 'watch contoso');
    receiver.answers.push({ status: 503 }, { status: 410 });
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    await t.app.outbound.settle();
    await t.app.store.update((state) => {
      for (const item of Object.values(state.outbound)) item.notBefore = new Date(Date.now() - 1000).toISOString();
    });
    await t.app.outbound.settle();
    await t.app.delivery.deliverPending();
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    await t.app.outbound.settle();
    await t.app.delivery.deliverPending();

    assert.equal(receiver.received.length, 2, 'a 503, then the 410; nothing after the stop');
    const notices = t.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && /answered 410 Gone/.test(call.activity.text ?? ''));
    assert.equal(notices.length, 1, 'told once');
    assert.match(notices[0]?.activity.text ?? '', /^The webhook http:\/\/127\.0\.0\.1:\d+\/hook\?…[0-9a-f]{8} answered 410 Gone: alerts are no longer sent there until Partner Alerts restarts\./);
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { status: string; reasons: string[]; outbound: { stopped: { endpoint: string; stopped: string; pending: number }[] } };
    assert.equal(health.status, 'ok', 'Teams alerts go on: not a reason for 503');
    assert.deepEqual(health.outbound.stopped.map((e) => [e.stopped, e.pending]), [['HTTP 410 Gone', 1]]);
    // Named among the reasons until restart, by the URL's log-safe name.
    assert.deepEqual(health.reasons, [`webhook ${health.outbound.stopped[0]!.endpoint} is stopped until restart: HTTP 410 Gone`]);
    assert.doesNotMatch(health.reasons[0]!, /QUERYSECRET/);
    const log = logged.lines.join('\n');
    assert.match(log, /an outbound endpoint is stopped until restart/);
    assert.doesNotMatch(log, /QUERYSECRET|SIGNINGSECRET/);
    assert.doesNotMatch(JSON.stringify(await stateOnDisk(t)), /QUERYSECRET|SIGNINGSECRET/, 'nor stored');
  });
});

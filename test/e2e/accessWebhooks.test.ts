// Access alerts reach the outbound destinations too, end to end: with a webhook configured, "watch access
// fabrikam" and the scenario's loss and return of Fabrikam's access post two signed bodies valid against the
// schema — access.lost (opened) and access.back (resolved) of one episode — beside the Teams card.
import assert from 'node:assert/strict';
import { customerId, install, watch } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, type TestReceiver } from '../support/webhookReceiver.js';
import { schemaErrors } from '../support/webhookSchema.js';

describe('access alerts to webhooks, end to end', () => {
  let h: Harness | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  it('sends Fabrikam\'s lost and back as one episode, once each', async () => {
    receiver = await startReceiver();
    const t = (h = await startHarness({ config: { webhooks: { urls: [receiver.url], secret: 'access-secret' }, gdapPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch access fabrikam');
    await t.app.engine.sweepNow();
    for (let step = 0; step < 4; step++) {
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
    }
    await t.app.engine.sweepNow(); // nothing new: nothing sent again
    await t.app.outbound.settle();
    const bodies = receiver.received.map((request) => request.json as { type: string; severity: string; customer: { tenantId: string }; episode: { key: string; change: string }; links: { url: string }[] });
    const fabrikam = customerId(t, 'Fabrikam');
    assert.deepEqual(bodies.map((b) => [b.type, b.severity, b.episode.change]), [['access.lost', 'critical', 'opened'], ['access.back', 'information', 'resolved']]);
    assert.equal(new Set(bodies.map((b) => b.episode.key)).size, 1, 'one episode');
    assert.match(bodies[0]?.episode.key ?? '', new RegExp(`^access\\|${fabrikam}\\|\\d{4}-\\d{2}-\\d{2}T`));
    assert.equal(bodies[0]?.links[0]?.url, `https://partner.microsoft.com/dashboard/v2/customers/${fabrikam}/adminrelationships`);
    for (const request of receiver.received) assert.deepEqual(schemaErrors(request.json), [], request.body);
  });
});

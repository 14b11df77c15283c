// The scripted scenario's subscriptions: within one round of four steps one is suspended and comes back, one
// loses auto-renew and nears its end, one changes quantity; the simulator serves each change.
import assert from 'node:assert/strict';
import { createDataset } from '../../src/sandbox/dataset.js';
import { createScenario, SCENARIO_SUBSCRIPTIONS } from '../../src/sandbox/scenario.js';
import { startSimulator } from '../../src/sandbox/simulator.js';
import { accessToken, get, type Json } from './simClient.js';

const DAY = 86_400_000;

describe('sandbox scenario: subscriptions', () => {
  it('suspends one, brings one near its end without auto-renew, changes the quantity of one, and restores them', () => {
    const data = createDataset({ referenceTime: Date.parse('2026-11-01T12:00:00Z') });
    let now = Date.parse('2026-11-01T12:05:00Z');
    const scenario = createScenario(data, { now: () => new Date(now) });
    const of = (role: keyof typeof SCENARIO_SUBSCRIPTIONS) => {
      const { customer, offer } = SCENARIO_SUBSCRIPTIONS[role];
      const found = data.subscriptionsOf(data.requireCustomer(customer).id).find((s) => s.offerName === offer);
      assert.ok(found, `${customer} has ${offer}`);
      return found;
    };
    const [suspends, ends, quantity] = [of('suspends'), of('ends'), of('quantity')];
    assert.equal(suspends.status, 'active');
    const quantityBefore = quantity.quantity;

    const s1 = scenario.step();
    assert.equal(suspends.status, 'suspended');
    assert.deepEqual(suspends.suspensionReasons, ['CreditCheck']);
    assert.deepEqual(s1.subscriptions.map((change) => change.subscriptionId), [suspends.id]);
    assert.match(s1.description, /Microsoft 365 Business Premium of Fabrikam is suspended/);

    now += 60_000;
    const s2 = scenario.step();
    assert.equal(ends.autoRenewEnabled, false);
    assert.equal(Date.parse(ends.commitmentEndDate), now + 20 * DAY);
    assert.notEqual(quantity.quantity, quantityBefore);
    assert.deepEqual(s2.subscriptions.map((change) => change.subscriptionId), [ends.id, quantity.id]);

    now += 60_000;
    scenario.step();
    assert.equal(Date.parse(ends.commitmentEndDate), now + 5 * DAY);

    const s4 = scenario.step();
    assert.equal(suspends.status, 'active');
    assert.equal(suspends.suspensionReasons, undefined);
    assert.equal(ends.autoRenewEnabled, true);
    assert.match(s4.description, /is active again/);

    scenario.step();
    assert.equal(suspends.status, 'suspended', 'the next round suspends it again');
  });

  it('serves suspensionReasons only while set, so every other subscription keeps its contract fields', async () => {
    const sim = await startSimulator();
    try {
      const token = await accessToken(sim);
      const fabrikam = sim.data.requireCustomer('Fabrikam');
      await fetch(`${sim.url}/_sim/scenario/step`, { method: 'POST' });
      const served = await get(sim, `/v1/customers/${fabrikam.id}/subscriptions`, token);
      const suspended = served.body.items.find((s: Json) => s.offerName === SCENARIO_SUBSCRIPTIONS.suspends.offer);
      assert.equal(suspended?.status, 'suspended');
      assert.deepEqual(suspended?.suspensionReasons, ['CreditCheck']);
      assert.ok(served.body.items.filter((s: Json) => s !== suspended).every((s: Json) => !('suspensionReasons' in s)));
    } finally {
      await sim.close();
    }
  });
});

import assert from 'node:assert/strict';
import { createDataset } from '../../src/sandbox/dataset.js';
import { createScenario, SCENARIO_STEPS } from '../../src/sandbox/scenario.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { startSimulator } from '../../src/sandbox/simulator.js';
import { accessToken, get, type Json } from './simClient.js';

describe('sandbox scenario', () => {
  it('opens, updates, downgrades and resolves one incident while a Contoso order provisions', () => {
    const data = createDataset({ referenceTime: Date.parse('2025-06-01T12:00:00Z') });
    let now = Date.parse('2025-06-01T12:05:00Z');
    const scenario = createScenario(data, { now: () => new Date(now) });
    const contoso = data.requireCustomer('Contoso');
    const fabrikam = data.requireCustomer('Fabrikam');
    const before = data.incidentsOf(contoso.id).length;
    const order = data.findOrder(contoso.id, CONTOSO_ORDERS.pending)!;
    const pending = () => order.provisioning!.filter((l) => l.status === 'PrefulfillmentPending').length;
    assert.equal(pending(), 3);

    const s1 = scenario.step();
    assert.equal(s1.step, 1);
    assert.match(s1.description, /opened critical incident EX\d{6}/);
    const incident = data.incidentsOf(contoso.id).at(-1)!;
    assert.equal(data.incidentsOf(contoso.id).length, before + 1);
    assert.equal(incident.id, s1.incidentId);
    assert.equal(incident.severity, 'critical');
    assert.equal(incident.workload, 'Exchange Online');
    assert.equal(incident.resolved, false);
    assert.equal(incident.endTime, '0001-01-01T00:00:00');
    assert.equal(incident.messages.length, 1);
    assert.ok(data.incidentsOf(fabrikam.id).includes(incident), 'the same incident reaches other customers');
    assert.ok(s1.customerIds.length >= 2);

    now += 600_000;
    const s2 = scenario.step();
    assert.match(s2.description, /update/);
    assert.equal(incident.messages.length, 2);
    assert.equal(incident.messages[1]!.publishedTime, new Date(now).toISOString());
    assert.equal(pending(), 2);

    const s3 = scenario.step();
    assert.match(s3.description, /warning/);
    assert.equal(incident.messages.length, 3);
    assert.equal(incident.severity, 'warning');
    assert.equal(pending(), 1);

    now += 600_000;
    const s4 = scenario.step();
    assert.equal(s4.step, SCENARIO_STEPS);
    assert.match(s4.description, /resolved/);
    assert.equal(incident.resolved, true);
    assert.equal(incident.endTime, new Date(now).toISOString());
    assert.equal(incident.messages.length, 4);
    assert.match(incident.messages[3]!.messageText, /Final status/);
    assert.equal(pending(), 0);
    assert.equal(order.order.status, 'completed');
    assert.deepEqual(s4.order, { customerId: contoso.id, orderId: CONTOSO_ORDERS.pending, status: 'completed' });

    const s5 = scenario.step();
    assert.equal(s5.round, 2);
    assert.equal(s5.step, 1);
    assert.notEqual(s5.incidentId, s1.incidentId);
    assert.notEqual(s5.order?.orderId, CONTOSO_ORDERS.pending, 'a new order provisions in the next round');
    assert.equal(data.findOrder(contoso.id, s5.order!.orderId)?.order.status, 'pending');
    assert.equal(scenario.history.length, 5);
  });

  it('is driven over /_sim/scenario/step and its changes are served on the wire', async () => {
    const sim = await startSimulator();
    try {
      const token = await accessToken(sim);
      const contoso = sim.data.requireCustomer('Contoso');
      const step = async () => (await (await fetch(`${sim.url}/_sim/scenario/step`, { method: 'POST' })).json()) as Json;
      const first = await step();
      assert.equal(typeof first.description, 'string');
      const incidents = await get(sim, `/v1/customers/${contoso.id}/serviceincidents/office`, token);
      const served = incidents.body.items.find((i: Json) => i.id === first.incidentId);
      assert.equal(served?.severity, 'critical');
      await step();
      await step();
      await step();
      const after = await get(sim, `/v1/customers/${contoso.id}/serviceincidents/office`, token);
      assert.equal(after.body.items.find((i: Json) => i.id === first.incidentId)?.resolved, true);
      const provisioning = await get(sim, `/v1/customers/${contoso.id}/orders/${CONTOSO_ORDERS.pending}/provisioningstatus`, token);
      assert.ok(provisioning.body.items.every((l: Json) => l.status === 'fulfilled'));
      const state = (await (await fetch(`${sim.url}/_sim/state`)).json()) as Json;
      assert.equal(state.scenario.step, 4);
      assert.equal(state.contoso.id, contoso.id);
      assert.equal(sim.requests.some((r) => r.path.startsWith('/_sim/')), false, '/_sim/ calls are not recorded');
    } finally {
      await sim.close();
    }
  });
});

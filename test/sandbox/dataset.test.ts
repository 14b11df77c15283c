import assert from 'node:assert/strict';
import { createDataset, NAMED_CUSTOMER_NAMES } from '../../src/sandbox/dataset.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { GUID } from './simClient.js';

describe('sandbox dataset', () => {
  const reference = Date.parse('2025-06-01T12:00:00Z');

  it('is deterministic per seed, and customer i does not depend on the customer count', () => {
    const a = createDataset({ seed: 7, customerCount: 100, referenceTime: reference });
    const b = createDataset({ seed: 7, customerCount: 300, referenceTime: reference });
    const c = createDataset({ seed: 8, customerCount: 100, referenceTime: reference });
    assert.deepEqual(a.customers, b.customers.slice(0, 100));
    assert.notDeepEqual(a.customers.map((x) => x.id), c.customers.map((x) => x.id));
    const fabrikamA = a.requireCustomer('Fabrikam');
    assert.deepEqual(a.subscriptionsOf(fabrikamA.id), b.subscriptionsOf(b.requireCustomer('Fabrikam').id));
    // impactedCustomers scales with the dataset; everything else about customer 60's incidents must match.
    const strip = (list: ReturnType<typeof a.incidentsOf>) => list.map(({ impactedCustomers: _, ...rest }) => rest);
    assert.deepEqual(strip(a.incidentsOf(a.customers[60]!.id)), strip(b.incidentsOf(b.customers[60]!.id)));
  });

  it('defaults to the recognisable named customers with realistic domains and relationships', () => {
    const data = createDataset();
    assert.deepEqual(data.customers.map((c) => c.companyName), NAMED_CUSTOMER_NAMES);
    for (const name of ['Contoso', 'Contoso Pharmaceuticals', 'Contoso Electronics', 'Fabrikam', 'Northwind Traders', "Margie's Travel", 'City Power & Light']) {
      assert.ok(data.customerNamed(name), name);
    }
    assert.equal(data.requireCustomer('Contoso').domain, 'contoso.onmicrosoft.com');
    assert.equal(data.requireCustomer('Northwind Traders').domain, 'northwindtraders.com');
    assert.ok(data.customers.every((c) => GUID.test(c.id)));
    assert.equal(new Set(data.customers.map((c) => c.id)).size, data.customers.length);
    const relationships = data.customers.map((c) => c.relationshipToPartner);
    assert.ok(relationships.filter((r) => r === 'reseller').length > relationships.length / 2);
    assert.ok(relationships.includes('advisor'));
    assert.ok(data.customers.some((c) => c.noRelationship));
  });

  it('gives Contoso at least two active incidents (one critical or warning) and two resolved ones', () => {
    for (const seed of [1, 42, 1234]) {
      const data = createDataset({ seed });
      const incidents = data.incidentsOf(data.requireCustomer('Contoso').id).filter((i) => i.messageType === 'incident');
      const active = incidents.filter((i) => !i.resolved);
      assert.ok(active.length >= 2, `seed ${seed}`);
      assert.ok(active.some((i) => i.severity === 'critical' || i.severity === 'warning'));
      assert.ok(active.every((i) => i.endTime === '0001-01-01T00:00:00'));
      const resolved = incidents.filter((i) => i.resolved);
      assert.ok(resolved.length >= 2);
      assert.ok(resolved.every((i) => !Number.isNaN(Date.parse(i.endTime)) && i.endTime >= i.startTime));
    }
  });

  it('shares one Microsoft incident across many customers and mixes plain and HTML message text', () => {
    const data = createDataset({ customerCount: 2000, referenceTime: reference });
    const counts = new Map<string, number>();
    const texts: string[] = [];
    for (const c of data.customers) {
      for (const i of data.incidentsOf(c.id)) {
        counts.set(i.id, (counts.get(i.id) ?? 0) + 1);
        texts.push(...i.messages.map((m) => m.messageText));
        assert.ok(i.messages.length >= 1 && i.messages.length <= 5);
      }
    }
    const globalExchange = [...counts].find(([id, n]) => id.startsWith('EX') && n > 400);
    assert.ok(globalExchange, 'an EX incident reaches a large share of customers');
    assert.ok(globalExchange[1] > 0.2 * 2000 && globalExchange[1] < 0.4 * 2000);
    for (const prefix of ['EX', 'TM', 'SP', 'IT', 'OD', 'MC']) assert.ok([...counts.keys()].some((id) => id.startsWith(prefix)), prefix);
    assert.ok(texts.some((t) => t.includes('<p>') && t.includes('<br>') && t.includes('&amp;')));
    assert.ok(texts.some((t) => !t.includes('<') && t.includes('\n')));
    const [contoso, fabrikam] = [data.requireCustomer('Contoso'), data.requireCustomer('Fabrikam')];
    const shared = data.incidentsOf(contoso.id).find((i) => data.incidentsOf(fabrikam.id).some((j) => j.id === i.id));
    if (shared) assert.equal(shared, data.incidentsOf(fabrikam.id).find((j) => j.id === shared.id), 'same object, so updates reach both');
  });

  it('gives Fabrikam 5+ subscriptions with one suspended, and the dataset some expired ones', () => {
    const data = createDataset({ customerCount: 300, referenceTime: reference });
    const fabrikam = data.subscriptionsOf(data.requireCustomer('Fabrikam').id);
    assert.ok(fabrikam.length >= 5);
    assert.ok(fabrikam.some((s) => s.status === 'suspended'));
    const statuses = new Set(data.customers.flatMap((c) => data.subscriptionsOf(c.id).map((s) => s.status)));
    for (const status of ['active', 'suspended', 'expired', 'pending']) assert.ok(statuses.has(status as never), status);
    for (const c of data.customers.slice(0, 50)) {
      const orderIds = new Set(data.ordersOf(c.id).map((o) => o.order.id));
      assert.ok(data.subscriptionsOf(c.id).every((s) => orderIds.has(s.orderId)));
    }
  });

  it('gives Contoso orders in every provisioning state', () => {
    const data = createDataset();
    const id = data.requireCustomer('Contoso').id;
    const states = (orderId: string) => data.findOrder(id, orderId)?.provisioning?.map((l) => l.status.toLowerCase()) ?? null;
    assert.deepEqual([...new Set(states(CONTOSO_ORDERS.fulfilled))], ['fulfilled']);
    assert.ok(states(CONTOSO_ORDERS.pending)?.includes('prefulfillmentpending'));
    assert.deepEqual(states(CONTOSO_ORDERS.unfulfilled), ['unfulfilled']);
    assert.ok(data.findOrder(id, CONTOSO_ORDERS.unavailable));
    assert.equal(states(CONTOSO_ORDERS.unavailable), null);
    assert.ok(data.findOrder(id, CONTOSO_ORDERS.fulfilled.toUpperCase()), 'GUID order ids match in any case');
    assert.equal(data.findOrder(id, CONTOSO_ORDERS.pending.toLowerCase()), undefined, 'base64url ids are case-sensitive');
  });

  it('builds 50,000 customers with details generated lazily and cached for mutation', () => {
    const data = createDataset({ customerCount: 50_000, referenceTime: reference });
    assert.equal(data.customers.length, 50_000);
    const last = data.customers[49_999]!;
    assert.match(last.companyName, /^Customer 49999 /);
    assert.equal(last.domain, 'customer49999.onmicrosoft.com');
    assert.equal(data.customer(last.id.toUpperCase()), last);
    assert.equal(new Set(data.customers.map((c) => c.id)).size, 50_000);
    const incidents = data.incidentsOf(last.id);
    assert.equal(data.incidentsOf(last.id), incidents);
    data.subscriptionsOf(last.id)[0]!.quantity = 9999;
    assert.equal(data.subscriptionsOf(last.id)[0]!.quantity, 9999);
    assert.throws(() => data.incidentsOf('not-a-customer'));
  });

  it('adds customers that lookups then find', () => {
    const data = createDataset();
    const added = data.addCustomer({ companyName: 'Zava', domain: 'zava.onmicrosoft.com' });
    assert.equal(data.customer(added.id), added);
    assert.equal(data.customers.at(-1), added);
    assert.ok(Array.isArray(data.ordersOf(added.id)));
  });

  describe('dates, relative to the start of the sandbox', () => {
    const DAY = 86_400_000;
    /** Every date the simulator serves for a dataset's customers, by what it is. */
    function datesOf(data: ReturnType<typeof createDataset>) {
      const dates: Record<string, number> = {};
      for (const customer of data.customers) {
        for (const incident of data.incidentsOf(customer.id)) dates[`${customer.companyName} incident ${incident.id} start`] = Date.parse(incident.startTime);
        for (const { order } of data.ordersOf(customer.id)) dates[`${customer.companyName} order ${order.id} created`] = Date.parse(order.creationDate);
        data.subscriptionsOf(customer.id).forEach((s, n) => {
          dates[`${customer.companyName} subscription ${n} created`] = Date.parse(s.creationDate);
          dates[`${customer.companyName} subscription ${n} (${s.status}) ends`] = Date.parse(s.commitmentEndDate);
        });
      }
      return dates;
    }

    it('gives every subscription still in force a term that ends after the start, and an expired one an end before it', () => {
      for (const seed of [1, 42, 1234]) {
        const start = Date.parse('2026-12-07T15:00:00Z');
        const data = createDataset({ seed, customerCount: 200, referenceTime: start });
        let inForce = 0;
        for (const customer of data.customers) {
          for (const s of data.subscriptionsOf(customer.id)) {
            const end = Date.parse(s.commitmentEndDate);
            if (s.status === 'expired') assert.ok(end < start, `${s.id} expired but ends ${s.commitmentEndDate}`);
            if (s.status === 'active' || s.status === 'suspended' || s.status === 'pending') {
              inForce++;
              assert.ok(end > start, `seed ${seed}: ${s.status} ${s.offerName} (${s.termDuration}) of ${customer.companyName} ended ${s.commitmentEndDate}, before the sandbox started`);
              assert.ok(end <= start + 3 * 366 * DAY, `${s.id} ends too far ahead: ${s.commitmentEndDate}`);
            }
            assert.ok(Date.parse(s.creationDate) <= start);
          }
        }
        assert.ok(inForce > 100, `${inForce} subscriptions in force`);
      }
    });

    it('moves every date with the start: a sandbox started 100 days later has every date 100 days later', () => {
      const start = Date.parse('2026-03-01T09:00:00Z');
      const early = datesOf(createDataset({ seed: 42, referenceTime: start }));
      const late = datesOf(createDataset({ seed: 42, referenceTime: start + 100 * DAY }));
      assert.deepEqual(Object.keys(late), Object.keys(early));
      for (const [what, at] of Object.entries(early)) assert.equal(late[what]! - at, 100 * DAY, what);
      for (const [what, at] of Object.entries(early)) {
        if (!what.endsWith('ends')) assert.ok(at <= start && at > start - 2 * 366 * DAY, `${what}: ${new Date(at).toISOString()}`);
      }
    });
  });
});

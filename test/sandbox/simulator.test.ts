import assert from 'node:assert/strict';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { accessToken, allPages, APP_SCOPE, filterQuery, get, GUID, tokenRequest, type Json } from './simClient.js';

describe('sandbox simulator: Partner Center endpoints', () => {
  let sim: Simulator;
  let token: string;
  let contosoId: string;
  let fabrikamId: string;

  before(async () => {
    sim = await startSimulator();
    token = await accessToken(sim);
    contosoId = sim.data.requireCustomer('Contoso').id;
    fabrikamId = sim.data.requireCustomer('Fabrikam').id;
  });
  after(() => sim.close());

  describe('wire conventions', () => {
    it('starts every Partner Center body with a UTF-8 BOM and sends JSON as utf-8', async () => {
      const res = await fetch(`${sim.url}/v1/customers`, { headers: { authorization: `Bearer ${token}` } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.throws(() => JSON.parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)));
    });

    it('echoes MS-CorrelationId and MS-RequestId, adds MS-CV and MS-ServerId, and records request headers', async () => {
      const ids = { 'MS-CorrelationId': '11111111-2222-3333-4444-555555555555', 'MS-RequestId': '66666666-7777-8888-9999-000000000000' };
      const got = await get(sim, `/v1/customers/${contosoId}`, token, { ...ids, 'X-Locale': 'en-US' });
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('ms-correlationid'), ids['MS-CorrelationId']);
      assert.equal(got.headers.get('ms-requestid'), ids['MS-RequestId']);
      assert.ok(got.headers.get('ms-cv'));
      assert.ok(got.headers.get('ms-serverid'));
      const recorded = sim.requests.at(-1)!;
      assert.equal(recorded.path, `/v1/customers/${contosoId}`);
      assert.equal(recorded.status, 200);
      assert.equal(recorded.headers['ms-requestid'], ids['MS-RequestId']);
      assert.equal(recorded.headers['x-locale'], 'en-US');
      assert.equal(recorded.headers.authorization, `Bearer ${token}`);
    });

    it('answers 401 with code 800001 without a token or with one it did not issue', async () => {
      for (const t of [null, 'not-a-token']) {
        const got = await get(sim, '/v1/customers', t);
        assert.equal(got.status, 401);
        assert.deepEqual(got.body, { code: 800001, description: 'Authorization token is missing or invalid', data: [], source: 'PartnerFD' });
      }
    });

    it('answers 401 to App+User tokens, fresh ones too, while refuseAppUserTokens is set; app-only tokens still work', async () => {
      const appOnly = (await tokenRequest(sim, { grant_type: 'client_credentials', client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret, scope: APP_SCOPE })).body.access_token as string;
      sim.refuseAppUserTokens = true;
      try {
        const got = await get(sim, '/v1/customers', await accessToken(sim));
        assert.equal(got.status, 401);
        assert.equal(got.body.code, 800001);
        assert.equal((await get(sim, '/v1/customers', appOnly)).status, 200);
      } finally {
        sim.refuseAppUserTokens = false;
      }
      assert.equal((await get(sim, '/v1/customers', token)).status, 200, 'the same token works again once lifted');
    });

    it('rejects other methods with 405', async () => {
      const res = await fetch(`${sim.url}/v1/customers`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 405);
      await res.arrayBuffer();
    });
  });

  describe('GET /v1/customers', () => {
    const names = (body: Json): string[] => body.items.map((i: Json) => i.companyProfile.companyName);

    it('lists customers as a ResourceCollection without allowDelegatedAccess', async () => {
      const got = await get(sim, '/v1/customers?size=5', token);
      assert.equal(got.status, 200);
      assert.equal(got.body.totalCount, 5);
      assert.deepEqual(got.body.attributes, { objectType: 'Collection' });
      assert.equal(got.body.links.self.method, 'GET');
      const first = got.body.items[0];
      assert.match(first.id, GUID);
      assert.equal(first.companyProfile.tenantId, first.id);
      assert.equal(first.companyProfile.companyName, 'Contoso');
      assert.equal(first.companyProfile.domain, 'contoso.onmicrosoft.com');
      assert.equal(first.relationshipToPartner, 'reseller');
      assert.deepEqual(first.attributes, { objectType: 'Customer' });
      assert.ok(!('allowDelegatedAccess' in first));
    });

    it('filters by company name prefix, ignoring case: "con" is ambiguous, exact "Contoso" is unique', async () => {
      const con = await get(sim, `/v1/customers?size=50&filter=${filterQuery('CompanyName', 'con')}`, token);
      assert.deepEqual(names(con.body).sort(), ['Consolidated Messenger', 'Contoso', 'Contoso Electronics', 'Contoso Pharmaceuticals']);
      const upper = await get(sim, `/v1/customers?filter=${filterQuery('CompanyName', 'CONTOSO')}`, token);
      assert.equal(upper.body.totalCount, 3);
      assert.equal(names(upper.body).filter((n) => n.toLowerCase() === 'contoso').length, 1);
      assert.equal(upper.body.links.next, undefined);
    });

    it('filters by domain prefix, ignoring case', async () => {
      const nw = await get(sim, `/v1/customers?filter=${filterQuery('Domain', 'NorthwindTraders.COM')}`, token);
      assert.deepEqual(names(nw.body), ['Northwind Traders']);
      const contoso = await get(sim, `/v1/customers?filter=${filterQuery('Domain', 'contoso.')}`, token);
      assert.deepEqual(names(contoso.body), ['Contoso']);
      const none = await get(sim, `/v1/customers?filter=${filterQuery('Domain', 'zzz')}`, token);
      assert.equal(none.body.totalCount, 0);
      assert.deepEqual(none.body.items, []);
    });

    it('rejects a bad filter with 400 and an error body', async () => {
      for (const filter of ['%7Bnot-json', filterQuery('Country', 'x'), filterQuery('CompanyName', 'x', 'contains')]) {
        const got = await get(sim, `/v1/customers?filter=${filter}`, token);
        assert.equal(got.status, 400, filter);
        assert.equal(typeof got.body.code, 'number');
        assert.equal(typeof got.body.description, 'string');
        assert.equal(got.body.source, 'PartnerFD');
      }
      assert.equal((await get(sim, '/v1/customers?size=abc', token)).status, 400);
    });

    it('caps a page at 500 customers', async () => {
      const big = await startSimulator({ customerCount: 700 });
      try {
        const got = await get(big, '/v1/customers?size=2000', await accessToken(big));
        assert.equal(got.body.totalCount, 500);
        assert.ok(got.body.links.next);
      } finally {
        await big.close();
      }
    });

    for (const style of ['with-v1', 'without-v1', 'alternate'] as const) {
      it(`pages across 3+ pages with the continuation header (next links ${style})`, async () => {
        const paged = await startSimulator({ customerCount: 250, nextLinkStyle: style });
        try {
          const { pages, nextUris } = await allPages(paged, await accessToken(paged), '/v1/customers?size=100');
          assert.equal(pages.length, 3);
          assert.deepEqual(pages.map((p) => p.totalCount), [100, 100, 50]);
          const ids = pages.flatMap((p) => p.items.map((i: Json) => i.id));
          assert.equal(new Set(ids).size, 250);
          assert.deepEqual(ids, paged.data.customers.map((c) => c.id));
          const withV1 = nextUris.map((u) => u.startsWith('/v1/'));
          if (style === 'with-v1') assert.deepEqual(withV1, [true, true]);
          if (style === 'without-v1') assert.deepEqual(withV1, [false, false]);
          if (style === 'alternate') assert.deepEqual(new Set(withV1), new Set([true, false]));
          assert.ok(nextUris.every((u) => u.includes('seekOperation=Next')));
          assert.ok(pages.slice(0, 2).every((p) => typeof p.continuationToken === 'string'));
          const seeks = paged.requests.filter((r) => r.query.seekOperation === 'Next');
          assert.equal(seeks.length, 2);
          assert.ok(seeks.every((r) => r.headers['ms-continuationtoken'] && r.query.filter === undefined));
        } finally {
          await paged.close();
        }
      });
    }

    it('serves 50,000 customers in 100 pages of 500, each exactly once', async () => {
      const big = await startSimulator({ customerCount: 50_000 });
      try {
        const { pages } = await allPages(big, await accessToken(big), '/v1/customers?size=500');
        assert.equal(pages.length, 100);
        const ids = new Set(pages.flatMap((p) => p.items.map((i: Json) => i.id)));
        assert.equal(ids.size, 50_000);
        const last = pages.at(-1).items.at(-1);
        assert.equal(last.companyProfile.domain, 'customer49999.onmicrosoft.com');
        const filtered = await get(big, `/v1/customers?filter=${filterQuery('Domain', 'customer4999')}`, await accessToken(big));
        assert.equal(filtered.body.totalCount, 10, 'customer49990 to customer49999');
      } finally {
        await big.close();
      }
    });

    it('keeps the filter inside the continuation token', async () => {
      const { pages } = await allPages(sim, token, `/v1/customers?size=2&filter=${filterQuery('CompanyName', 'con')}`);
      assert.deepEqual(pages.map((p) => p.totalCount), [2, 2]);
      assert.deepEqual(pages.flatMap(names).sort(), ['Consolidated Messenger', 'Contoso', 'Contoso Electronics', 'Contoso Pharmaceuticals']);
    });

    it('rejects a next-page request without the header, with a filter, or with a forged token', async () => {
      const first = await get(sim, '/v1/customers?size=10', token);
      const header = first.body.links.next.headers[0];
      assert.equal(header.key, 'MS-ContinuationToken');
      const cases: [string, Record<string, string>][] = [
        ['/v1/customers?size=10&seekOperation=Next', {}],
        [`/v1/customers?size=10&seekOperation=Next&filter=${filterQuery('CompanyName', 'con')}`, { [header.key]: header.value }],
        ['/v1/customers?size=10&seekOperation=Next', { [header.key]: 'AQAAAA==' }],
      ];
      for (const [path, headers] of cases) {
        const got = await get(sim, path, token, headers);
        assert.equal(got.status, 400, path);
        assert.equal(got.body.source, 'PartnerFD');
      }
      assert.equal((await get(sim, '/v1/customers?size=10&seekOperation=Next', token, { [header.key]: header.value })).status, 200);
    });
  });

  describe('one customer and its resources', () => {
    it('GET /v1/customers/{id} includes allowDelegatedAccess; unknown ids answer 404 / 60003', async () => {
      const got = await get(sim, `/v1/customers/${contosoId.toUpperCase()}`, token);
      assert.equal(got.status, 200);
      assert.equal(got.body.id, contosoId);
      assert.equal(got.body.allowDelegatedAccess, true);
      const missing = await get(sim, '/v1/customers/00000000-0000-0000-0000-000000000000', token);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 60003);
      const sub = await get(sim, '/v1/customers/00000000-0000-0000-0000-000000000000/serviceincidents/office', token);
      assert.equal(sub.body.code, 60003);
    });

    it('serves ServiceIncidentDetail with every field and snake_case enums', async () => {
      const got = await get(sim, `/v1/customers/${contosoId}/serviceincidents/office`, token);
      assert.equal(got.status, 200);
      assert.equal(got.body.totalCount, got.body.items.length);
      const fields = ['actionType', 'affectedWorkloadNames', 'category', 'endTime', 'id', 'impactedArea', 'impactedCustomers',
        'messageType', 'messages', 'requiredBy', 'resolved', 'severity', 'startTime', 'status', 'workload'];
      for (const incident of got.body.items) {
        assert.deepEqual(Object.keys(incident).sort(), fields);
        assert.match(incident.id, /^(EX|TM|SP|IT|OD|MO|MC)\d{6}$/);
        assert.ok(['normal', 'information', 'warning', 'critical'].includes(incident.severity));
        assert.ok(['incident', 'message_center'].includes(incident.messageType));
        assert.ok(incident.messages.length >= 1 && incident.messages.length <= 5);
        assert.equal(incident.resolved, incident.endTime !== '0001-01-01T00:00:00');
      }
      const active = got.body.items.filter((i: Json) => !i.resolved && i.messageType === 'incident');
      assert.ok(active.length >= 2);
      assert.ok(active.some((i: Json) => i.severity === 'critical' || i.severity === 'warning'));
      assert.ok(got.body.items.filter((i: Json) => i.resolved).length >= 2);
      assert.ok(got.body.items.some((i: Json) => i.messageType === 'message_center'));
    });

    it('can serve incidents in the grouped shape', async () => {
      const grouped = await startSimulator({ incidentShape: 'grouped' });
      try {
        const id = grouped.data.requireCustomer('Contoso').id;
        const got = await get(grouped, `/v1/customers/${id}/serviceincidents/office`, await accessToken(grouped));
        const groups = got.body.items as Json[];
        assert.ok(groups.length >= 2);
        for (const g of groups) {
          assert.deepEqual(Object.keys(g).sort(), ['incidents', 'messageCenterMessages', 'status', 'workload']);
          assert.ok([...g.incidents, ...g.messageCenterMessages].every((i: Json) => i.workload === g.workload));
        }
        const teams = groups.find((g) => g.workload === 'Microsoft Teams');
        assert.equal(teams?.status, 'critical');
        assert.ok(teams.messageCenterMessages.length >= 1);
        const flatCount = grouped.data.incidentsOf(id).length;
        assert.equal(groups.reduce((n, g) => n + g.incidents.length + g.messageCenterMessages.length, 0), flatCount);
      } finally {
        await grouped.close();
      }
    });

    it('serves subscriptions with every contract field; Fabrikam has 5+ with one suspended', async () => {
      const got = await get(sim, `/v1/customers/${fabrikamId}/subscriptions`, token);
      const fields = ['attributes', 'autoRenewEnabled', 'billingCycle', 'billingType', 'commitmentEndDate', 'contractType', 'creationDate',
        'friendlyName', 'id', 'isTrial', 'links', 'offerId', 'offerName', 'orderId', 'productType', 'publisherName', 'quantity',
        'status', 'termDuration', 'unitType'];
      assert.ok(got.body.items.length >= 5);
      for (const s of got.body.items) {
        assert.deepEqual(Object.keys(s).sort(), fields);
        assert.equal(s.attributes.objectType, 'Subscription');
        assert.match(s.termDuration, /^P(1M|1Y|3Y)$/);
        assert.ok(typeof s.productType.displayName === 'string');
      }
      assert.ok(got.body.items.some((s: Json) => s.status === 'suspended'));
      const orderId = got.body.items[0].orderId as string;
      const byOrder = await get(sim, `/v1/customers/${fabrikamId}/subscriptions?order_id=${encodeURIComponent(orderId)}`, token);
      assert.ok(byOrder.body.items.length >= 1);
      assert.ok(byOrder.body.items.every((s: Json) => s.orderId === orderId));
    });

    it('serves orders in all three id forms, each retrievable by its URL-encoded id', async () => {
      const got = await get(sim, `/v1/customers/${contosoId}/orders`, token);
      const ids = got.body.items.map((o: Json) => o.id as string);
      assert.ok(ids.some((id: string) => GUID.test(id)));
      assert.ok(ids.some((id: string) => /^[A-Za-z0-9_-]{33}$/.test(id) && !GUID.test(id)));
      assert.ok(ids.some((id: string) => /^\d+$/.test(id)));
      for (const order of got.body.items) {
        assert.deepEqual(Object.keys(order).sort(), ['attributes', 'billingCycle', 'creationDate', 'id', 'lineItems', 'links', 'referenceCustomerId', 'status']);
        assert.equal(order.referenceCustomerId, contosoId);
        const one = await get(sim, `/v1/customers/${contosoId}/orders/${encodeURIComponent(order.id)}`, token);
        assert.equal(one.status, 200);
        assert.deepEqual(one.body, order);
        for (const line of order.lineItems) assert.deepEqual(Object.keys(line).sort(), ['friendlyName', 'lineItemNumber', 'offerId', 'quantity']);
      }
      const missing = await get(sim, `/v1/customers/${contosoId}/orders/no-such-order`, token);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 20000);
    });

    it('serves provisioning status: fulfilled, pending, unfulfilled, and 404 / 800007 when unavailable', async () => {
      const status = async (orderId: string) =>
        get(sim, `/v1/customers/${contosoId}/orders/${encodeURIComponent(orderId)}/provisioningstatus`, token);
      const lineStates = (body: Json) => body.items.map((l: Json) => String(l.status).toLowerCase());

      const fulfilled = await status(CONTOSO_ORDERS.fulfilled);
      assert.equal(fulfilled.status, 200);
      assert.ok(lineStates(fulfilled.body).every((s: string) => s === 'fulfilled'));
      const line = fulfilled.body.items[0];
      assert.deepEqual(Object.keys(line).sort(), ['lineItemNumber', 'orderLineItemId', 'quantityProvisioningInformation', 'status']);
      assert.equal(line.status, 'fulfilled');

      const pending = await status(CONTOSO_ORDERS.pending);
      assert.ok(pending.body.items.some((l: Json) => l.status === 'PrefulfillmentPending'));
      const partly = await status(CONTOSO_ORDERS.partlyPending);
      assert.deepEqual(lineStates(partly.body), ['fulfilled', 'prefulfillmentpending']);
      assert.equal(partly.body.items[1].quantityProvisioningInformation.length, 2);
      const unfulfilled = await status(CONTOSO_ORDERS.unfulfilled);
      assert.deepEqual(lineStates(unfulfilled.body), ['unfulfilled']);

      const unavailable = await status(CONTOSO_ORDERS.unavailable);
      assert.equal(unavailable.status, 404);
      assert.equal(unavailable.body.code, 800007);
      const unknown = await status('424242');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 20000);
    });

    it('answers 403 / 20002 on the sub-resources of a customer without relationship', async () => {
      const former = sim.data.requireCustomer('Former Customer Inc');
      assert.equal((await get(sim, `/v1/customers/${former.id}`, token)).status, 200);
      for (const sub of ['serviceincidents/office', 'subscriptions', 'orders']) {
        const got = await get(sim, `/v1/customers/${former.id}/${sub}`, token);
        assert.equal(got.status, 403, sub);
        assert.equal(got.body.code, 20002);
      }
    });

    it('serves without a BOM when told to', async () => {
      const plain = await startSimulator({ bom: false });
      try {
        const got = await get(plain, '/v1/customers?size=1', await accessToken(plain), {}, false);
        assert.equal(got.status, 200);
      } finally {
        await plain.close();
      }
    });
  });
});

// The Partner Center client against the simulator over real HTTP: paging, filters, BOM, headers, retries,
// throttling, timeouts, unreadable bodies, incident shapes and the shared rate budget.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CustomerPage } from '../../src/domain/types.js';
import { PartnerCenterClient } from '../../src/partnerCenter/client.js';
import { MemoryCustomerDirectory } from '../../src/partnerCenter/memoryDirectory.js';
import {
  PartnerCenterError,
  PartnerCenterUnavailableError,
  ThrottledError,
} from '../../src/partnerCenter/errors.js';
import { PartnerCenterPipeline, type RequestContext } from '../../src/partnerCenter/http.js';
import { nodeHttpGet, type HttpAnswer, type HttpGet } from '../../src/partnerCenter/transport.js';
import { createDataset } from '../../src/sandbox/dataset.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import type { NextLinkStyle } from '../../src/sandbox/simulator.js';
import { GUID, rejection, startRig, type Rig } from './kit.js';

const INCIDENTS = '/serviceincidents/office';

/** Wraps the pipeline's own transport: records every Partner Center response body as decoded text (BOM kept). */
function spyingTransport(rewrite?: (url: string, answer: HttpAnswer) => HttpAnswer) {
  const seen: { url: string; status: number; text: string }[] = [];
  const spy: HttpGet = async (url, init) => {
    let answer = await nodeHttpGet(url, init);
    if (rewrite) answer = rewrite(url, answer);
    seen.push({ url, status: answer.status, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(answer.body) });
    return answer;
  };
  return { seen, transport: spy };
}

/** An answer with this status and body text, and the given headers. */
function answer(status: number, text: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, body: Buffer.from(text, 'utf8'), header: (name) => headers[name.toLowerCase()] ?? null };
}

/** Follows links.next by hand from a first-page request. */
async function walkPages(
  client: PartnerCenterClient,
  ctx: RequestContext,
  first: Parameters<PartnerCenterClient['customersPage']>[1],
): Promise<CustomerPage[]> {
  const pages = [await client.customersPage(ctx, first)];
  for (let page = pages[0]; page?.next; ) {
    page = await client.customersPage(ctx, { next: page.next });
    pages.push(page);
    assert.ok(pages.length < 100, 'paging does not end');
  }
  return pages;
}

/** Checks the recorded customer requests of one walk: one first page, then only continuation requests. */
function assertPagingRequests(rig: Rig, expectedPages: number, firstQuery: Record<string, string>): void {
  const requests = rig.api();
  assert.equal(requests.length, expectedPages);
  for (const r of requests) {
    assert.equal(r.status, 200, `${r.path} answered ${r.status}`);
    assert.ok(!r.path.includes('/v1/v1'), `requested ${r.path}`);
    assert.equal(r.path, '/v1/customers');
  }
  const [first, ...rest] = requests;
  assert.deepEqual(first?.query, firstQuery);
  assert.equal(first?.headers['ms-continuationtoken'], undefined);
  const tokens = new Set<string>();
  for (const r of rest) {
    assert.equal(r.query.seekOperation, 'Next');
    assert.equal(r.query.filter, undefined, 'a next-page request must not repeat the filter');
    const token = r.headers['ms-continuationtoken'];
    assert.ok(token, 'a next-page request carries MS-ContinuationToken');
    tokens.add(token);
  }
  assert.equal(tokens.size, rest.length, 'every next page has its own continuation token');
}

describe('Partner Center client against the simulator (real HTTP)', () => {
  describe('customer paging', () => {
    for (const style of ['with-v1', 'without-v1', 'alternate'] as NextLinkStyle[]) {
      describe(`next links ${style}`, () => {
        let rig: Rig;
        beforeEach(async () => {
          rig = await startRig({ sim: { customerCount: 1200, nextLinkStyle: style } });
        });
        afterEach(() => rig.close());

        it('lists every customer exactly once over 3 pages of 500', async () => {
          const pages: string[][] = [];
          for await (const page of rig.client.allCustomers(rig.ctx)) pages.push(page.map((c) => c.id));
          assert.deepEqual(pages.map((p) => p.length), [500, 500, 200]);
          const ids = pages.flat();
          assert.equal(new Set(ids).size, 1200);
          assert.deepEqual(ids, rig.sim.data.customers.map((c) => c.id));
          assertPagingRequests(rig, 3, { size: '500' });
        });

        it('lists every customer exactly once over 12 pages of 100', async () => {
          const pages = await walkPages(rig.client, rig.ctx, { size: 100 });
          assert.equal(pages.length, 12);
          const ids = pages.flatMap((p) => p.customers.map((c) => c.id));
          assert.equal(new Set(ids).size, 1200);
          assert.deepEqual(ids, rig.sim.data.customers.map((c) => c.id));
          assert.equal(pages.at(-1)?.next, null);
          assertPagingRequests(rig, 12, { size: '100' });
        });

        it('keeps a filter inside the continuation token across pages (and never resends it)', async () => {
          const pages = await walkPages(rig.client, rig.ctx, { size: 100, filter: { field: 'Domain', prefix: 'CUSTOMER0' } });
          const customers = pages.flatMap((p) => p.customers);
          const expected = rig.sim.data.customers.filter((c) => c.domain.startsWith('customer0'));
          assert.equal(expected.length, 1169);
          assert.deepEqual(customers.map((c) => c.id), expected.map((c) => c.id));
          assert.equal(pages.length, 12);
          assertPagingRequests(rig, 12, {
            size: '100',
            filter: JSON.stringify({ Field: 'Domain', Value: 'CUSTOMER0', Operator: 'starts_with' }),
          });
        });
      });
    }
  });

  describe('order paging', () => {
    it('lists every order of a customer over pages of 2, sending only what links.next says', async () => {
      const rig = await startRig();
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        const expected = rig.sim.data.ordersOf(contoso.id).map((o) => o.order);
        assert.ok(expected.length >= 5);
        const orders = await rig.client.orders(rig.ctx, contoso.id, 2);
        assert.deepEqual(orders.map((o) => o.id), expected.map((o) => o.id));
        assert.deepEqual(orders.map((o) => o.creationDate), expected.map((o) => o.creationDate), 'the date each was placed');
        const asked = rig.sim.requests.filter((r) => r.path.endsWith(`/customers/${contoso.id}/orders`));
        assert.equal(asked.length, Math.ceil(expected.length / 2));
        assert.deepEqual(asked[0]?.query, { size: '2' });
        for (const next of asked.slice(1)) {
          assert.deepEqual(next.query, { seekOperation: 'Next' }, 'no size on a next page: the token holds it');
          assert.ok(next.headers['ms-continuationtoken'], 'the continuation header of links.next');
        }
      } finally {
        await rig.close();
      }
    });

    it('is refused by the simulator without a continuation token on a next page', async () => {
      const rig = await startRig();
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        const error = await rejection(() => rig.client.customersPage(rig.ctx, { next: { uri: `/v1/customers/${contoso.id}/orders?seekOperation=Next`, headers: [] } }));
        assert.ok(error instanceof PartnerCenterError);
        assert.equal(error.status, 400);
      } finally {
        await rig.close();
      }
    });
  });

  describe('customer search (CustomerDirectory.search)', () => {
    let rig: Rig;
    let directory: MemoryCustomerDirectory;
    before(async () => {
      rig = await startRig();
      directory = new MemoryCustomerDirectory(rig.client, { clock: rig.clock });
    });
    after(() => rig.close());
    beforeEach(() => {
      rig.sim.requests.length = 0;
    });

    const names = (customers: { companyName: string }[]) => customers.map((c) => c.companyName);

    it('filters by company name and by domain, ignoring case, and merges both without duplicates', async () => {
      const found = await directory.search(rig.ctx, 'CoNtOsO');
      assert.deepEqual(names(found), ['Contoso', 'Contoso Electronics', 'Contoso Pharmaceuticals']);
      const filters = rig.api().map((r) => JSON.parse(r.query.filter ?? 'null') as unknown);
      assert.deepEqual(filters, [
        { Field: 'CompanyName', Value: 'CoNtOsO', Operator: 'starts_with' },
        { Field: 'Domain', Value: 'CoNtOsO', Operator: 'starts_with' },
      ]);
    });

    it('finds a customer through its domain only', async () => {
      // "A. Datum Corporation" does not start with "adatum"; its domain adatum.onmicrosoft.com does.
      assert.deepEqual(names(await directory.search(rig.ctx, 'ADATUM')), ['A. Datum Corporation']);
      assert.deepEqual(names(await directory.search(rig.ctx, 'contosoPHARMA')), ['Contoso Pharmaceuticals']);
    });

    it('finds a customer through its company name only', async () => {
      assert.deepEqual(names(await directory.search(rig.ctx, 'a. DATUM')), ['A. Datum Corporation']);
      assert.deepEqual(names(await directory.search(rig.ctx, 'wide world')), ['Wide World Importers']);
    });

    it('answers an empty list when nothing matches', async () => {
      assert.deepEqual(await directory.search(rig.ctx, 'zzz-nobody'), []);
    });

    it('searches through a paged result (filter kept in the token)', async () => {
      const big = await startRig({ sim: { customerCount: 1200, nextLinkStyle: 'without-v1' } });
      try {
        const found = await new MemoryCustomerDirectory(big.client, { clock: big.clock }).search(big.ctx, 'customer 00');
        // "Customer 00031 Ltd" … "Customer 00999 Inc": more than one page of 500 for CompanyName.
        assert.equal(found.length, 969);
        const customerPages = big.api().filter((r) => r.query.seekOperation === 'Next');
        assert.ok(customerPages.length >= 1);
        for (const r of customerPages) assert.equal(r.query.filter, undefined);
      } finally {
        await big.close();
      }
    });
  });

  describe('byte-order mark', () => {
    for (const bom of [true, false]) {
      it(`reads every resource and error body ${bom ? 'with' : 'without'} a leading BOM`, async () => {
        const spy = spyingTransport();
        const rig = await startRig({ sim: { bom }, pipeline: { transport: spy.transport } });
        try {
          const contoso = rig.sim.data.requireCustomer('Contoso');
          const fabrikam = rig.sim.data.requireCustomer('Fabrikam');
          const pages = await walkPages(rig.client, rig.ctx, { size: 10 });
          assert.equal(pages.flatMap((p) => p.customers).length, rig.sim.data.customers.length);
          const incidents = await rig.client.incidents(rig.ctx, contoso.id);
          assert.deepEqual(incidents.map((i) => i.id).sort(), rig.sim.data.incidentsOf(contoso.id).map((i) => i.id).sort());
          const subscriptions = await rig.client.subscriptions(rig.ctx, fabrikam.id);
          assert.deepEqual(subscriptions.map((s) => s.id), rig.sim.data.subscriptionsOf(fabrikam.id).map((s) => s.id));
          assert.ok(subscriptions.some((s) => s.status === 'suspended'));
          const orders = await rig.client.orders(rig.ctx, contoso.id);
          assert.deepEqual(orders.map((o) => o.id), rig.sim.data.ordersOf(contoso.id).map((o) => o.order.id));
          const provisioning = await rig.client.provisioning(rig.ctx, contoso.id, CONTOSO_ORDERS.pending);
          assert.deepEqual(provisioning.lines.map((l) => l.status), ['prefulfillmentpending', 'prefulfillmentpending', 'prefulfillmentpending']);
          // An error body with a BOM still yields its code.
          const error = await rejection(() => rig.client.provisioning(rig.ctx, contoso.id, 'no-such-order'));
          assert.ok(error instanceof PartnerCenterError);
          assert.equal(error.code, 20000);

          const partnerBodies = spy.seen.filter((s) => new URL(s.url).pathname.startsWith('/v1/'));
          assert.equal(partnerBodies.length, pages.length + 5);
          for (const body of partnerBodies) {
            assert.equal(body.text.charCodeAt(0) === 0xfeff, bom, `BOM ${bom ? 'missing' : 'present'} on ${body.url}`);
          }
        } finally {
          await rig.close();
        }
      });
    }
  });

  describe('request headers', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig();
    });
    afterEach(() => rig.close());

    it('sends Authorization, Accept, X-Locale, the caller\'s MS-CorrelationId and a fresh MS-RequestId per request', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      await walkPages(rig.client, rig.ctx, { size: 10 });
      await rig.client.incidents(rig.ctx, contoso.id);
      await rig.client.subscriptions(rig.ctx, contoso.id);
      await rig.client.incidents(rig.ctx, contoso.id);
      const requests = rig.api();
      assert.equal(requests.length, 4 + 3);
      const requestIds = new Set<string>();
      for (const r of requests) {
        assert.equal(r.headers['ms-correlationid'], rig.ctx.correlationId);
        assert.match(r.headers['ms-requestid'] ?? '', GUID);
        requestIds.add(r.headers['ms-requestid'] ?? '');
        assert.equal(r.headers.accept, 'application/json');
        assert.equal(r.headers['x-locale'], 'en-US');
        assert.match(r.headers.authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      }
      assert.equal(requestIds.size, requests.length, 'every logical request has its own MS-RequestId');
      assert.equal(new Set(requests.map((r) => r.headers.authorization)).size, 1);

      const other: RequestContext = { correlationId: randomUUID() };
      await rig.client.incidents(other, contoso.id);
      const last = rig.api().at(-1);
      assert.equal(last?.headers['ms-correlationid'], other.correlationId);
      assert.ok(!requestIds.has(last?.headers['ms-requestid'] ?? ''));
    });

    it('sends the configured locale', async () => {
      const pipeline = new PartnerCenterPipeline({ baseUrl: `${rig.sim.url}/v1/`, tokens: rig.tokens, budget: rig.budget, clock: rig.clock, locale: 'de-DE' });
      await new PartnerCenterClient(pipeline).customersPage(rig.ctx, { size: 5 });
      const last = rig.api().at(-1);
      assert.equal(last?.headers['x-locale'], 'de-DE');
      assert.equal(last?.path, '/v1/customers', 'a base URL ending in /v1/ does not double the prefix');
    });

    it('reuses the MS-RequestId (and correlation id) on every retry of one request', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 500, times: 1 });
      rig.sim.faults.add({ path: INCIDENTS, status: 429, retryAfterSeconds: 1, times: 1 });
      rig.sim.faults.add({ path: INCIDENTS, status: 503, times: 1 });
      await rig.client.incidents(rig.ctx, contoso.id);
      const attempts = rig.api();
      assert.deepEqual(attempts.map((r) => r.status), [500, 429, 503, 200]);
      assert.equal(new Set(attempts.map((r) => r.headers['ms-requestid'])).size, 1);
      assert.equal(new Set(attempts.map((r) => r.headers['ms-correlationid'])).size, 1);

      await rig.client.incidents(rig.ctx, contoso.id);
      assert.notEqual(rig.api().at(-1)?.headers['ms-requestid'], attempts[0]?.headers['ms-requestid']);
    });
  });

  describe('throttling (429)', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig({ pipeline: { maxRetryAfterSeconds: 60 } });
    });
    afterEach(() => rig.close());

    it('waits Retry-After, then retries once and succeeds', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 429, retryAfterSeconds: 2, times: 1 });
      const incidents = await rig.client.incidents(rig.ctx, contoso.id);
      assert.ok(incidents.length > 0);
      const attempts = rig.api();
      assert.deepEqual(attempts.map((r) => r.status), [429, 200]);
      assert.equal(rig.clock.sleeps.length, 1, `waits: ${rig.clock.sleeps.join(', ')}`);
      const [wait] = rig.clock.sleeps;
      assert.ok(wait !== undefined && wait >= 2000 && wait < 2300, `waited ${wait} ms`);
      // The retry left only after the wait (simulator time is the same virtual clock).
      assert.ok((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0) >= 2000);
    });

    it('holds back other requests of the process until Retry-After has passed', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 429, retryAfterSeconds: 300, times: 1 });
      const error = await rejection(() => rig.client.incidents(rig.ctx, contoso.id));
      assert.ok(error instanceof ThrottledError);
      const before = rig.clock.now();
      await rig.client.subscriptions(rig.ctx, contoso.id);
      assert.ok(rig.clock.now() - before >= 300_000, 'the shared budget paused for the whole Retry-After');
      assert.deepEqual(rig.clock.sleeps, [300_000]);
    });

    it('surfaces a Retry-After longer than maxRetryAfterSeconds as ThrottledError, without retrying', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 429, retryAfterSeconds: 120, times: 1 });
      const error = await rejection(() => rig.client.incidents(rig.ctx, contoso.id));
      assert.ok(error instanceof ThrottledError, String(error));
      assert.equal(error.retryAfterSeconds, 120);
      assert.equal(error.ids.correlationId, rig.ctx.correlationId);
      assert.match(error.ids.requestId, GUID);
      assert.equal(rig.api().length, 1);
      assert.deepEqual(rig.clock.sleeps, []);
    });

    it('honours a smaller maxRetryAfterSeconds', async () => {
      const strict = new PartnerCenterClient(
        new PartnerCenterPipeline({ baseUrl: rig.sim.url, tokens: rig.tokens, budget: rig.budget, clock: rig.clock, maxRetryAfterSeconds: 5 }),
      );
      rig.sim.faults.add({ path: INCIDENTS, status: 429, retryAfterSeconds: 6, times: 1 });
      const error = await rejection(() => strict.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id));
      assert.ok(error instanceof ThrottledError);
      assert.equal(error.retryAfterSeconds, 6);
      assert.equal(rig.api().length, 1);
    });
  });

  describe('server errors and client errors', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig({ pipeline: { maxRetries: 3 } });
    });
    afterEach(() => rig.close());

    it('retries a 500 with backoff and succeeds', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 500, times: 1 });
      const incidents = await rig.client.incidents(rig.ctx, contoso.id);
      assert.equal(incidents.length, rig.sim.data.incidentsOf(contoso.id).length);
      assert.deepEqual(rig.api().map((r) => r.status), [500, 200]);
      assert.equal(rig.clock.sleeps.length, 1);
      const [wait] = rig.clock.sleeps;
      assert.ok(wait !== undefined && wait >= 250 && wait <= 500, `backoff ${wait} ms`);
    });

    it('gives up after maxRetries + 1 attempts of 500 with the service\'s status and code', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, status: 500, times: Infinity });
      const error = await rejection(() => rig.client.incidents(rig.ctx, contoso.id));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 500);
      assert.equal(error.code, 800003);
      assert.equal(error.ids.correlationId, rig.ctx.correlationId);
      assert.equal(rig.api().length, 4);
      // Exponential backoff with jitter: [250, 500], [500, 1000], [1000, 2000].
      const sleeps = rig.clock.sleeps;
      assert.equal(sleeps.length, 3);
      sleeps.forEach((ms, n) => assert.ok(ms >= 250 * 2 ** n && ms <= 500 * 2 ** n, `backoff ${n}: ${ms} ms`));
    });

    it('respects maxRetries', async () => {
      const once = new PartnerCenterClient(
        new PartnerCenterPipeline({ baseUrl: rig.sim.url, tokens: rig.tokens, budget: rig.budget, clock: rig.clock, maxRetries: 1 }),
      );
      rig.sim.faults.add({ path: INCIDENTS, status: 502, times: Infinity });
      const error = await rejection(() => once.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id));
      assert.ok(error instanceof PartnerCenterError);
      assert.equal(error.status, 502);
      assert.equal(rig.api().length, 2);
    });

    it('does not retry 404 for an unknown order (20000)', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      const error = await rejection(() => rig.client.provisioning(rig.ctx, contoso.id, 'does-not-exist'));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, 20000);
      assert.equal(rig.api().length, 1);
      assert.deepEqual(rig.clock.sleeps, []);
    });

    it('does not retry 404 for an unknown customer (60003)', async () => {
      const error = await rejection(() => rig.client.incidents(rig.ctx, randomUUID()));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, 60003);
      assert.equal(rig.api().length, 1);
      assert.deepEqual(rig.clock.sleeps, []);
    });

    it('does not retry 403 for a former customer (20002)', async () => {
      const former = rig.sim.data.requireCustomer('Former Customer Inc');
      const error = await rejection(() => rig.client.incidents(rig.ctx, former.id));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.code, 20002);
      assert.equal(rig.api().length, 1);
      assert.deepEqual(rig.clock.sleeps, []);
    });

    it('does not retry 400', async () => {
      rig.sim.faults.add({ path: '/customers', status: 400, times: Infinity });
      const error = await rejection(() => rig.client.customersPage(rig.ctx, { size: 10 }));
      assert.ok(error instanceof PartnerCenterError);
      assert.equal(error.status, 400);
      assert.equal(rig.api().length, 1);
    });

    it('encodes an opaque order id into one path segment', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      const error = await rejection(() => rig.client.provisioning(rig.ctx, contoso.id, 'a/b?c#d'));
      assert.ok(error instanceof PartnerCenterError);
      assert.equal(error.code, 20000);
      assert.equal(rig.api()[0]?.path, `/v1/customers/${contoso.id}/orders/a%2Fb%3Fc%23d/provisioningstatus`);
    });
  });

  describe('timeouts', () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await startRig({ pipeline: { timeoutMs: 200, maxRetries: 2 } });
    });
    afterEach(() => rig.close());

    it('retries a request that does not answer in time, and succeeds when the next one answers', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, hang: true, times: 1 });
      const incidents = await rig.client.incidents(rig.ctx, contoso.id);
      assert.ok(incidents.length > 0);
      const attempts = rig.api();
      assert.deepEqual(attempts.map((r) => r.status), [0, 200]);
      assert.equal(attempts[0]?.headers['ms-requestid'], attempts[1]?.headers['ms-requestid']);
      assert.equal(rig.clock.sleeps.length, 1);
    });

    it('fails with PartnerCenterUnavailableError(timeout) when every attempt hangs', async () => {
      const contoso = rig.sim.data.requireCustomer('Contoso');
      rig.sim.faults.add({ path: INCIDENTS, hang: true, times: Infinity });
      const error = await rejection(() => rig.client.incidents(rig.ctx, contoso.id));
      assert.ok(error instanceof PartnerCenterUnavailableError, String(error));
      assert.equal(error.reason, 'timeout');
      // What the round summary and the logs say: the abort's own words, never a DOMException's legacy number.
      assert.equal(error.message, 'Partner Center did not answer in time: timed out');
      assert.equal(error.ids.correlationId, rig.ctx.correlationId);
      const attempts = rig.api();
      assert.equal(attempts.length, 3);
      assert.ok(attempts.every((r) => r.status === 0));
      assert.equal(new Set(attempts.map((r) => r.headers['ms-requestid'])).size, 1);
    });
  });

  describe('unreadable answers', () => {
    it('turns a 200 whose body is not JSON into PartnerCenterUnavailableError(bad-response), not retried', async () => {
      // The simulator always JSON-encodes fault bodies, so the raw HTML is put in place by a fetch wrapper
      // around the real HTTP answer (status and headers as the simulator sent them).
      const spy = spyingTransport((url, response) => {
        if (!url.includes(INCIDENTS)) return response;
        return answer(response.status, '\uFEFF<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' });
      });
      const rig = await startRig({ pipeline: { transport: spy.transport } });
      try {
        const error = await rejection(() => rig.client.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id));
        assert.ok(error instanceof PartnerCenterUnavailableError, String(error));
        assert.equal(error.reason, 'bad-response');
        assert.equal(rig.api().length, 1);
      } finally {
        await rig.close();
      }
    });

    it('retries a 502 whose body is an HTML gateway page, then succeeds', async () => {
      let first = true;
      const spy = spyingTransport((url, response) => {
        if (!url.includes(INCIDENTS) || !first) return response;
        first = false;
        return answer(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
      });
      const rig = await startRig({ pipeline: { transport: spy.transport } });
      try {
        const incidents = await rig.client.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id);
        assert.ok(incidents.length > 0);
        assert.equal(rig.api().length, 2);
      } finally {
        await rig.close();
      }
    });

    it('turns JSON of the wrong shape (a simulator fault body) into bad-response', async () => {
      const rig = await startRig();
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        rig.sim.faults.add({ path: INCIDENTS, status: 200, body: '<html>Service Unavailable</html>' });
        const error = await rejection(() => rig.client.incidents(rig.ctx, contoso.id));
        assert.ok(error instanceof PartnerCenterUnavailableError, String(error));
        assert.equal(error.reason, 'bad-response');
        rig.sim.faults.add({ path: '/customers', status: 200, body: { items: [{ companyProfile: {} }] } });
        const bad = await rejection(() => rig.client.customersPage(rig.ctx, { size: 5 }));
        assert.ok(bad instanceof PartnerCenterUnavailableError, String(bad));
        assert.equal(bad.reason, 'bad-response');
        assert.equal(rig.api().length, 2);
        // A customer without relationshipToPartner is still a customer.
        rig.sim.faults.add({ path: '/customers', status: 200, body: { items: [{ id: 'c1', companyProfile: { companyName: 'Lean Co', domain: 'lean.example' } }] } });
        const lean = await rig.client.customersPage(rig.ctx, { size: 5 });
        assert.deepEqual(lean.customers, [{ id: 'c1', companyName: 'Lean Co', domain: 'lean.example', relationshipToPartner: 'unknown' }]);
      } finally {
        await rig.close();
      }
    });
  });

  describe('incidents', () => {
    it('parses the grouped shape into the same incidents as the flat shape', async () => {
      const data = createDataset({ seed: 7 });
      const flatSpy = spyingTransport();
      const groupedSpy = spyingTransport();
      const flat = await startRig({ sim: { data, incidentShape: 'flat' }, pipeline: { transport: flatSpy.transport } });
      const grouped = await startRig({ sim: { data, incidentShape: 'grouped' }, pipeline: { transport: groupedSpy.transport } });
      try {
        let kinds = new Set<string>();
        for (const name of ['Contoso', 'Fabrikam', 'Northwind Traders', 'Litware']) {
          const id = data.requireCustomer(name).id;
          const a = (await flat.client.incidents(flat.ctx, id)).sort((x, y) => x.id.localeCompare(y.id));
          const b = (await grouped.client.incidents(grouped.ctx, id)).sort((x, y) => x.id.localeCompare(y.id));
          assert.ok(a.length > 0, `${name} has incidents`);
          assert.deepEqual(b, a);
          assert.deepEqual(a.map((i) => i.id), data.incidentsOf(id).map((i) => i.id).sort());
          kinds = new Set([...kinds, ...a.map((i) => i.kind)]);
        }
        assert.ok(kinds.has('incident') && kinds.has('message_center'), `kinds: ${[...kinds].join(', ')}`);
        // The simulators really served the two shapes.
        const firstItem = (text: string) => (JSON.parse(text.replace(/^\uFEFF/, '')) as { items: Record<string, unknown>[] }).items[0];
        const flatBody = flatSpy.seen.find((s) => s.url.includes(INCIDENTS));
        const groupedBody = groupedSpy.seen.find((s) => s.url.includes(INCIDENTS));
        assert.ok(flatBody && groupedBody);
        assert.ok('id' in (firstItem(flatBody.text) ?? {}));
        assert.ok('incidents' in (firstItem(groupedBody.text) ?? {}));
      } finally {
        await flat.close();
        await grouped.close();
      }
    });

    it('accepts enums sent as ints (and unknown values) and reads "0001-01-01" as not ended', async () => {
      const rig = await startRig();
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        const base = {
          workload: 'Exchange Online', impactedArea: 'Mail flow', startTime: '2025-05-12T08:00:00Z',
          endTime: '0001-01-01T00:00:00', resolved: false,
          messages: [{ publishedTime: '2025-05-12T08:30:00Z', messageText: 'Second' }, { publishedTime: '2025-05-12T08:05:00Z', messageText: 'First' }],
        };
        rig.sim.faults.add({
          path: INCIDENTS,
          status: 200,
          body: {
            totalCount: 5,
            items: [
              { ...base, id: 'EX900001', messageType: 1, severity: 3, status: 2 },
              { ...base, id: 'MC900002', messageType: 2, severity: 1, status: 0, endTime: '2025-05-13T00:00:00Z', resolved: true },
              { ...base, id: 'TM900003', messageType: 'messageCenter', severity: 'Critical', status: 'WARNING' },
              { ...base, id: 'SP900004', messageType: 99, severity: 'catastrophic', status: -1 },
              { id: 'EX900005', workload: 'Exchange Online', startTime: '2025-05-12T09:00:00Z' },
            ],
            links: { self: { uri: `/customers/${contoso.id}/serviceincidents/office`, method: 'GET', headers: [] } },
            attributes: { objectType: 'Collection' },
          },
        });
        const incidents = await rig.client.incidents(rig.ctx, contoso.id);
        const brief = incidents.map((i) => [i.id, i.kind, i.severity, i.status, i.endTime, i.resolved]);
        assert.deepEqual(brief, [
          ['EX900001', 'incident', 'critical', 'warning', null, false],
          ['MC900002', 'message_center', 'information', 'normal', '2025-05-13T00:00:00Z', true],
          ['TM900003', 'message_center', 'critical', 'warning', null, false],
          ['SP900004', 'incident', 'normal', 'normal', null, false],
          // Enum fields left out entirely get the same safe defaults.
          ['EX900005', 'incident', 'normal', 'normal', null, false],
        ]);
        assert.deepEqual(incidents[0]?.messages.map((m) => m.text), ['First', 'Second']);
        assert.ok(incidents.every((i) => i.customerId === contoso.id));
      } finally {
        await rig.close();
      }
    });
  });

  describe('shared rate budget', () => {
    it('spaces sequential requests at 600/min: 100 ms apart', async () => {
      const rig = await startRig({ budget: { requestsPerMinute: 600, burst: 1, headroom: 0 } });
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        for (let i = 0; i < 5; i++) await rig.client.incidents(rig.ctx, contoso.id);
        assert.deepEqual(rig.clock.sleeps, [100, 100, 100, 100]);
        const at = rig.api().map((r) => r.at);
        for (let i = 1; i < at.length; i++) assert.ok((at[i] ?? 0) - (at[i - 1] ?? 0) >= 100, `request ${i} only ${(at[i] ?? 0) - (at[i - 1] ?? 0)} ms after the previous`);
      } finally {
        await rig.close();
      }
    });

    it('spaces a concurrent burst from two pipelines sharing one budget', async () => {
      const rig = await startRig({ budget: { requestsPerMinute: 600, burst: 1, headroom: 0 } });
      try {
        const contoso = rig.sim.data.requireCustomer('Contoso');
        // A poll cycle and a chat command: two pipelines, one budget (Partner Center throttles per tenant).
        const chat = new PartnerCenterClient(
          new PartnerCenterPipeline({ baseUrl: rig.sim.url, tokens: rig.tokens, budget: rig.budget, clock: rig.clock }),
        );
        const start = rig.clock.now();
        await Promise.all([
          ...Array.from({ length: 5 }, () => rig.client.incidents(rig.ctx, contoso.id)),
          ...Array.from({ length: 5 }, () => chat.subscriptions({ correlationId: randomUUID() }, contoso.id)),
        ]);
        assert.equal(rig.api().length, 10);
        assert.equal(rig.clock.sleeps.length, 9);
        assert.equal(rig.clock.sleeps.reduce((a, b) => a + b, 0), 900);
        assert.equal(rig.clock.now() - start, 900);
      } finally {
        await rig.close();
      }
    });
  });
});

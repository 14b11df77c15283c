import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { accessToken, get, refreshGrant } from './simClient.js';

describe('sandbox simulator: faults and rate limits', () => {
  let sim: Simulator;
  let token: string;
  beforeEach(async () => {
    sim = await startSimulator();
    token = await accessToken(sim);
  });
  afterEach(() => sim.close());

  it('injects a 500 with the contract body once, then serves normally; the retry is visible with its MS-RequestId', async () => {
    const handle = sim.faults.add({ path: '/serviceincidents/office', status: 500 });
    const id = sim.data.requireCustomer('Contoso').id;
    const headers = { 'MS-RequestId': 'aaaaaaaa-0000-0000-0000-000000000001' };
    const failed = await get(sim, `/v1/customers/${id}/serviceincidents/office`, token, headers);
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.body, { code: 800003, description: 'Unexpected service error', data: [], source: 'PartnerFD' });
    assert.equal(handle.remaining, 0);
    const retried = await get(sim, `/v1/customers/${id}/serviceincidents/office`, token, headers);
    assert.equal(retried.status, 200);
    const attempts = sim.requests.filter((r) => r.path.endsWith('/serviceincidents/office'));
    assert.deepEqual(attempts.map((r) => r.status), [500, 200]);
    assert.deepEqual(new Set(attempts.map((r) => r.headers['ms-requestid'])), new Set([headers['MS-RequestId']]));
  });

  it('injects 429 with Retry-After and the throttling body', async () => {
    sim.faults.add({ path: /\/v1\/customers\?/, status: 429, retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const got = await get(sim, '/v1/customers?size=1', token);
      assert.equal(got.status, 429);
      assert.equal(got.headers.get('retry-after'), '7');
      assert.deepEqual(got.body, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' });
    }
    assert.equal((await get(sim, '/v1/customers?size=1', token)).status, 200);
  });

  it('matches rules in order, by method and path, and supports Infinity, custom bodies and remove()', async () => {
    const forever = sim.faults.add({ path: '/orders', status: 503, body: { code: 1, description: 'custom' }, times: Infinity });
    sim.faults.add({ method: 'POST', path: '/customers', status: 500 });
    const id = sim.data.requireCustomer('Fabrikam').id;
    for (let i = 0; i < 3; i++) {
      const got = await get(sim, `/v1/customers/${id}/orders`, token);
      assert.equal(got.status, 503);
      assert.deepEqual(got.body, { code: 1, description: 'custom' });
    }
    assert.equal((await get(sim, '/v1/customers?size=1', token)).status, 200, 'a POST-only rule must not catch a GET');
    forever.remove();
    assert.equal((await get(sim, `/v1/customers/${id}/orders`, token)).status, 200);
    assert.equal(sim.faults.pending.length, 1);
    sim.faults.clear();
    assert.equal(sim.faults.pending.length, 0);
  });

  it('can fail the token endpoint in Entra shape', async () => {
    sim.faults.add({ path: '/oauth2/v2.0/token', status: 503 });
    const got = await refreshGrant(sim);
    assert.equal(got.status, 503);
    assert.equal(got.body.error, 'temporarily_unavailable');
  });

  it('delays an answer by a latency rule and still serves it', async () => {
    sim.faults.add({ path: '/v1/customers', latencyMs: 30 });
    const got = await get(sim, '/v1/customers?size=1', token);
    assert.equal(got.status, 200);
  });

  it('leaves a hung request open until close(), which releases it', async () => {
    sim.faults.add({ path: '/v1/customers', hang: true });
    const pending = fetch(`${sim.url}/v1/customers`, { headers: { authorization: `Bearer ${token}` } });
    const outcome = pending.then((res) => `status ${res.status}`, () => 'rejected');
    while (!sim.requests.some((r) => r.path === '/v1/customers')) await new Promise((r) => setImmediate(r));
    const race = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still open'), 50))]);
    assert.equal(race, 'still open');
    assert.equal(sim.requests.at(-1)?.status, 0);
    await sim.close();
    assert.equal(await outcome, 'rejected');
  });

  it('throttles with 429 and Retry-After beyond rateLimitPerSecond, and recovers in the next second', async () => {
    let now = Date.parse('2025-03-01T12:00:00.250Z');
    const limited = await startSimulator({ rateLimitPerSecond: 3, clock: { now: () => new Date(now) } });
    try {
      const t = await accessToken(limited);
      const statuses: number[] = [];
      let throttled;
      for (let i = 0; i < 5; i++) {
        const got = await get(limited, '/v1/customers?size=1', t);
        statuses.push(got.status);
        if (got.status === 429) throttled = got;
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.equal(throttled?.headers.get('retry-after'), '1');
      assert.deepEqual(throttled?.body, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' });
      now += 1000;
      assert.equal((await get(limited, '/v1/customers?size=1', t)).status, 200);
    } finally {
      await limited.close();
    }
  });

  it('accepts fault rules and clears them over /_sim/faults', async () => {
    const res = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pathPattern: '/subscriptions$', status: 500, times: 'Infinity' }),
    });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { remaining: unknown }).remaining, 'Infinity');
    const id = sim.data.requireCustomer('Contoso').id;
    assert.equal((await get(sim, `/v1/customers/${id}/subscriptions`, token)).status, 500);
    assert.equal((await get(sim, `/v1/customers/${id}/subscriptions`, token)).status, 500);
    const cleared = await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    assert.deepEqual(await cleared.json(), { cleared: 1 });
    assert.equal((await get(sim, `/v1/customers/${id}/subscriptions`, token)).status, 200);
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{"status":500}' });
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
  });
});

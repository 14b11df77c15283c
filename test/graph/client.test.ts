// The Graph client against the simulator over real HTTP: the token by client credentials for Graph's
// .default scope, paging by @odata.nextLink (and a next link to another host never followed), $filter on
// the customer, a failed page failing the whole listing, and 429: Retry-After pauses every Graph call.
import assert from 'node:assert/strict';
import { GraphClient, GraphError } from '../../src/graph/client.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { recordingClock } from '../support/harness.js';

function clientFor(sim: Simulator, options: { fetch?: typeof fetch; clock?: ReturnType<typeof recordingClock> } = {}): GraphClient {
  return new GraphClient({
    settings: { baseUrl: sim.url, authorityHost: sim.authorityHost, tenantId: sim.credentials.tenantId, clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret, timeoutMs: 5_000 },
    fetch: options.fetch,
    clock: options.clock,
  });
}

const LISTING = '/v1.0/tenantRelationships/delegatedAdminRelationships';

describe('Graph client (GDAP)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('signs in by client credentials for https://graph.microsoft.com/.default, never with the refresh token', async () => {
    const s = (sim = await startSimulator());
    const bodies: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      if (String(input).includes('/oauth2/v2.0/token')) bodies.push(String(init?.body));
      return fetch(input, init);
    };
    await clientFor(s, { fetch: spy }).relationships();
    assert.equal(bodies.length, 1);
    const form = new URLSearchParams(bodies[0]);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'https://graph.microsoft.com/.default');
    assert.equal(form.get('refresh_token'), null);
  });

  it('follows @odata.nextLink through every page, and $filter narrows to one customer', async () => {
    const s = (sim = await startSimulator({ customerCount: 130 }));
    const all = await clientFor(s).relationships();
    assert.equal(all.length, s.gdap.relationships.length);
    assert.ok(all.length > 100, `${all.length} relationships: several pages of 50`);
    const pages = s.requests.filter((r) => r.path === LISTING);
    assert.equal(pages.length, Math.ceil(all.length / 50));
    assert.deepEqual(Object.keys(pages[1]?.query ?? {}), ['$skiptoken'], 'a next link carries only $skiptoken');
    const contoso = s.data.customerNamed('Contoso')?.id ?? '';
    const one = (await clientFor(s).relationships(undefined, contoso)) as { customer: { tenantId: string } }[];
    assert.deepEqual(one.map((r) => r.customer.tenantId), [contoso]);
  });

  it('a failed page fails the whole listing', async () => {
    const s = (sim = await startSimulator({ customerCount: 130 }));
    s.faults.add({ path: /skiptoken/, status: 503, times: 1 });
    await assert.rejects(clientFor(s).relationships(), (error: unknown) => error instanceof GraphError && error.status === 503);
  });

  it('a 403 is a GraphError with its code (the permission is not granted)', async () => {
    const s = (sim = await startSimulator());
    s.faults.add({ path: LISTING, status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } });
    await assert.rejects(clientFor(s).relationships(), (error: unknown) => error instanceof GraphError && error.status === 403 && error.code === 'Authorization_RequestDenied');
  });

  it('a 429 pauses every Graph call until Retry-After has passed, then goes on', async () => {
    const s = (sim = await startSimulator());
    const clock = recordingClock();
    const client = clientFor(s, { clock });
    s.faults.add({ path: LISTING, status: 429, retryAfterSeconds: 7, times: 1 });
    const relationships = await client.relationships();
    assert.ok(relationships.length > 0);
    assert.deepEqual(clock.sleeps.filter((ms) => ms > 5_000).length, 1, 'waited out the Retry-After');
    // Another call made while the pause lasts (the recording clock cut the sleep short) waits too.
    const [first] = relationships as { id: string }[];
    await client.accessAssignments(first?.id ?? '');
    assert.equal(clock.sleeps.filter((ms) => ms > 5_000).length, 2, 'the next call waited for the same pause');
  });

  it('a Retry-After longer than a minute fails the call at once, and every call until it has passed, without asking Graph', async () => {
    const s = (sim = await startSimulator());
    const clock = recordingClock();
    const client = clientFor(s, { clock });
    s.faults.add({ path: LISTING, status: 429, retryAfterSeconds: 3600, times: 1 });
    await assert.rejects(client.relationships(), (error: unknown) => error instanceof GraphError && error.status === 429 && /try again in 3600 s/.test(error.message));
    const asked = s.requests.filter((r) => r.path.startsWith('/v1.0/')).length;
    await assert.rejects(client.accessAssignments('r1'), (error: unknown) => error instanceof GraphError && error.status === 429);
    assert.equal(s.requests.filter((r) => r.path.startsWith('/v1.0/')).length, asked, 'paused: Graph was not asked');
    assert.deepEqual(clock.sleeps, [], 'nothing waited in place');
  });

  it('gives up after repeated 429s with a GraphError, and never follows a next link to another host', async () => {
    const s = (sim = await startSimulator());
    s.faults.add({ path: LISTING, status: 429, retryAfterSeconds: 1, times: 10 });
    await assert.rejects(clientFor(s, { clock: recordingClock() }).relationships(), (error: unknown) => error instanceof GraphError && error.status === 429);
    const elsewhere: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes(LISTING)) return response;
      return new Response(JSON.stringify({ value: [], '@odata.nextLink': 'https://attacker.example/v1.0/steal' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    await assert.rejects(clientFor(s, { fetch: elsewhere }).relationships(), /another host \(attacker\.example\)/);
  });
});

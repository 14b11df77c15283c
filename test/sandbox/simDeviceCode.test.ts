// The simulator's device-code endpoints on the wire: Entra's error shapes for a wrong app or an unknown code,
// one outcome per code, the /_sim/device-sign-in lever, and the tokens a sign-in earns (amr, admin agent).
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { get, tokenRequest, USER_SCOPE, type Got, type Json } from './simClient.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function deviceCode(sim: Simulator, fields: Record<string, string> = {}, tenant = sim.credentials.tenantId): Promise<Got<Json>> {
  const res = await fetch(`${sim.authorityHost}/${tenant}/oauth2/v2.0/devicecode`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: sim.credentials.clientId, scope: USER_SCOPE, ...fields }),
  });
  const raw = await res.text();
  return { status: res.status, headers: res.headers, raw, body: JSON.parse(raw) };
}

const poll = (sim: Simulator, code: string) => tokenRequest(sim, { grant_type: DEVICE_CODE_GRANT, client_id: sim.credentials.clientId, device_code: code });

function claims(accessToken: string): Json {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('sandbox simulator: device-code sign-in', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  it('answers a device code as Entra does, then pending until the sign-in, then tokens once', async () => {
    sim.deviceSignIn.plan({ outcome: 'approve', pendingPolls: 1 });
    const started = await deviceCode(sim);
    assert.equal(started.status, 200, started.raw);
    assert.equal(started.body.interval, 5);
    assert.equal(started.body.expires_in, 900);
    assert.match(started.body.message, /enter the code [A-Z0-9]{9} to authenticate/);
    const pending = await poll(sim, started.body.device_code);
    assert.equal(pending.body.error, 'authorization_pending');
    const done = await poll(sim, started.body.device_code);
    assert.equal(done.status, 200, done.raw);
    assert.deepEqual(claims(done.body.access_token).amr, ['pwd', 'mfa']);
    assert.equal((await get(sim, '/v1/customers?size=1', done.body.access_token)).status, 200);
    const again = await poll(sim, started.body.device_code);
    assert.equal(again.body.error, 'bad_verification_code', 'a code answers its outcome once');
  });

  it('earns tokens Partner Center refuses for a user who is not an admin agent, and without mfa in amr for a password sign-in', async () => {
    sim.deviceSignIn.plan({ outcome: 'not-admin-agent', pendingPolls: 0 });
    const agentless = await poll(sim, (await deviceCode(sim)).body.device_code);
    assert.equal((await get(sim, '/v1/customers?size=1', agentless.body.access_token)).status, 403);
    sim.deviceSignIn.plan({ outcome: 'no-mfa', pendingPolls: 0 });
    const passwordOnly = await poll(sim, (await deviceCode(sim)).body.device_code);
    assert.deepEqual(claims(passwordOnly.body.access_token).amr, ['pwd']);
  });

  it("refuses an unknown app or tenant with Entra's codes", async () => {
    const app = await deviceCode(sim, { client_id: 'someone-else' });
    assert.equal(app.status, 400);
    assert.deepEqual(app.body.error_codes, [700016]);
    const tenant = await deviceCode(sim, {}, 'nowhere.onmicrosoft.com');
    assert.deepEqual(tenant.body.error_codes, [90002]);
  });

  it('POST /_sim/device-sign-in plans the next sign-ins, and refuses an unknown outcome', async () => {
    const bad = await fetch(`${sim.url}/_sim/device-sign-in`, { method: 'POST', body: JSON.stringify({ outcome: 'maybe' }) });
    assert.equal(bad.status, 400);
    const planned = await fetch(`${sim.url}/_sim/device-sign-in`, { method: 'POST', body: JSON.stringify({ outcome: 'no-public-client' }) });
    assert.equal(planned.status, 200);
    const refused = await poll(sim, (await deviceCode(sim)).body.device_code);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body.error_codes, [7000218]);
  });
});

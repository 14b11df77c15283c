import assert from 'node:assert/strict';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { SANDBOX_CREDENTIALS, startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { APP_SCOPE, get, refreshGrant, tokenRequest } from './simClient.js';

describe('sandbox simulator: token authority', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  it('uses the documented sandbox credentials by default', () => {
    assert.deepEqual(sim.credentials, SANDBOX_CREDENTIALS);
    assert.equal(sim.authorityHost, sim.url);
  });

  it('exchanges the refresh token for an access token and a rotated refresh token; the old one stays valid', async () => {
    const first = await refreshGrant(sim);
    assert.equal(first.status, 200, first.raw);
    assert.equal(first.body.token_type, 'Bearer');
    assert.equal(first.body.expires_in, 3600);
    assert.equal(typeof first.body.access_token, 'string');
    assert.notEqual(first.body.refresh_token, SANDBOX_CREDENTIALS.refreshToken);
    assert.ok(first.raw.charCodeAt(0) !== 0xfeff, 'Entra sends no BOM');

    const second = await refreshGrant(sim, { refresh_token: first.body.refresh_token });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
    assert.equal((await refreshGrant(sim)).status, 200);
    assert.equal(sim.tokensIssued, 3);
    assert.equal((await get(sim, '/v1/customers?size=1', second.body.access_token)).status, 200);
  });

  it('revokes used refresh tokens when configured', async () => {
    const strict = await startSimulator({ revokeUsedRefreshTokens: true });
    try {
      const first = await refreshGrant(strict);
      assert.equal(first.status, 200);
      const replay = await refreshGrant(strict);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.match(replay.body.error_description, /^AADSTS70000:/);
      assert.equal((await refreshGrant(strict, { refresh_token: first.body.refresh_token })).status, 200);
    } finally {
      await strict.close();
    }
  });

  it('keeps the same refresh token when rotation is off', async () => {
    const fixed = await startSimulator({ rotateRefreshTokens: false });
    try {
      const got = await refreshGrant(fixed);
      assert.equal(got.body.refresh_token, SANDBOX_CREDENTIALS.refreshToken);
    } finally {
      await fixed.close();
    }
  });

  it('issues App-only tokens by client credentials; they list customers but not provisioning status', async () => {
    const c = sim.credentials;
    const got = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: APP_SCOPE });
    assert.equal(got.status, 200, got.raw);
    assert.equal(got.body.refresh_token, undefined);
    const token = got.body.access_token as string;
    assert.equal((await get(sim, '/v1/customers', token)).status, 200);
    const contoso = sim.data.requireCustomer('Contoso');
    const denied = await get(sim, `/v1/customers/${contoso.id}/orders/${CONTOSO_ORDERS.fulfilled}/provisioningstatus`, token);
    assert.equal(denied.status, 403);
  });

  it('answers bad requests in Entra error shape', async () => {
    const secret = await refreshGrant(sim, { client_secret: 'wrong' });
    assert.equal(secret.status, 401);
    assert.equal(secret.body.error, 'invalid_client');
    assert.match(secret.body.error_description, /^AADSTS7000215:/);
    assert.deepEqual(secret.body.error_codes, [7000215]);

    const client = await refreshGrant(sim, { client_id: 'someone-else' });
    assert.equal(client.status, 400);
    assert.equal(client.body.error, 'unauthorized_client');

    const grant = await refreshGrant(sim, { refresh_token: 'stolen' });
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'invalid_grant');

    const scope = await refreshGrant(sim, { scope: 'https://api.partnercenter.microsoft.com/.default' });
    assert.equal(scope.status, 400);
    assert.equal(scope.body.error, 'invalid_scope');

    const tenant = await tokenRequest(sim, { grant_type: 'refresh_token' }, 'unknown-tenant.onmicrosoft.com');
    assert.equal(tenant.status, 400);
    assert.match(tenant.body.error_description, /^AADSTS90002:/);

    const grantType = await refreshGrant(sim, { grant_type: 'password' });
    assert.equal(grantType.body.error, 'unsupported_grant_type');
    assert.equal(sim.tokensIssued, 0);
  });

  it('accepts the tenant domain as well as its id', async () => {
    const got = await tokenRequest(sim, {
      grant_type: 'refresh_token', client_id: SANDBOX_CREDENTIALS.clientId, client_secret: SANDBOX_CREDENTIALS.clientSecret,
      refresh_token: SANDBOX_CREDENTIALS.refreshToken, scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
    }, SANDBOX_CREDENTIALS.tenantDomain);
    assert.equal(got.status, 200);
  });

  it('expires access tokens by the injected clock', async () => {
    let now = Date.parse('2025-03-01T12:00:00Z');
    const timed = await startSimulator({ clock: { now: () => new Date(now) }, tokenLifetimeSeconds: 60 });
    try {
      const got = await refreshGrant(timed);
      assert.equal(got.body.expires_in, 60);
      const path = '/v1/customers?size=1';
      assert.equal((await get(timed, path, got.body.access_token)).status, 200);
      now += 61_000;
      assert.equal((await get(timed, path, got.body.access_token)).status, 401);
    } finally {
      await timed.close();
    }
  });

  it('publishes an OpenID configuration pointing at itself', async () => {
    const res = await fetch(`${sim.url}/${SANDBOX_CREDENTIALS.tenantId}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, string>;
    assert.equal(doc.token_endpoint, `${sim.url}/${SANDBOX_CREDENTIALS.tenantId}/oauth2/v2.0/token`);
    assert.ok(doc.issuer?.startsWith(sim.url));
  });
});

// Entra tokens for Partner Center against the simulator's token endpoint over real HTTP: caching,
// renewal before expiry, rotated refresh tokens kept in the real lowdb store, app-only, bad secrets, 401.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntraTokenProvider, type RefreshTokenStore } from '../../src/partnerCenter/auth.js';
import { AuthenticationError, PartnerCenterError } from '../../src/partnerCenter/errors.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { credentialsFor, rejection, startRig, type Rig } from './kit.js';

const INCIDENTS = '/serviceincidents/office';

/** The adapter app.ts uses between the token provider and the state store. */
function storeAdapter(store: LowdbStateStore): RefreshTokenStore {
  return {
    loadRefreshToken: async () => store.read().auth.refreshToken,
    saveRefreshToken: (token) => store.update((state) => void (state.auth.refreshToken = token)),
  };
}

const bearer = (authorization: string | undefined) => (authorization ?? '').replace(/^Bearer /, '');

describe('Partner Center tokens (Entra against the simulator)', () => {
  describe('App+User', () => {
    let rig: Rig;
    afterEach(() => rig.close());

    it('fetches one token and reuses it for many requests', async () => {
      rig = await startRig();
      assert.equal(rig.tokens.mode, 'app+user');
      const contoso = rig.sim.data.requireCustomer('Contoso');
      for (let i = 0; i < 10; i++) await rig.client.incidents(rig.ctx, contoso.id);
      await rig.client.provisioning(rig.ctx, contoso.id, rig.sim.data.ordersOf(contoso.id)[0]?.order.id ?? '');
      assert.equal(rig.sim.tokensIssued, 1);
      assert.equal(rig.tokenRequests().length, 1);
      assert.equal(new Set(rig.api().map((r) => r.headers.authorization)).size, 1);
      assert.equal(rig.api().length, 11);
    });

    it('asks Entra once for concurrent first requests (single flight)', async () => {
      rig = await startRig();
      const contoso = rig.sim.data.requireCustomer('Contoso');
      await Promise.all(Array.from({ length: 8 }, () => rig.client.incidents(rig.ctx, contoso.id)));
      assert.equal(rig.sim.tokensIssued, 1);
      assert.equal(rig.tokenRequests().length, 1);
    });

    it('renews the token shortly before it expires, not after', async () => {
      rig = await startRig({ sim: { tokenLifetimeSeconds: 600 } });
      const contoso = rig.sim.data.requireCustomer('Contoso');
      await rig.client.incidents(rig.ctx, contoso.id);
      rig.clock.advance(200_000);
      await rig.client.incidents(rig.ctx, contoso.id);
      assert.equal(rig.sim.tokensIssued, 1, 'still well within its lifetime');
      // 350 s of 600: inside the renewal margin, but the old token is still valid at the server.
      rig.clock.advance(150_000);
      await rig.client.incidents(rig.ctx, contoso.id);
      assert.equal(rig.sim.tokensIssued, 2);
      const api = rig.api();
      assert.deepEqual(api.map((r) => r.status), [200, 200, 200], 'renewed proactively, not after a 401');
      assert.equal(api[0]?.headers.authorization, api[1]?.headers.authorization);
      assert.notEqual(api[1]?.headers.authorization, api[2]?.headers.authorization);
      // And the renewed one lasts: no new token until near its own expiry.
      rig.clock.advance(200_000);
      await rig.client.incidents(rig.ctx, contoso.id);
      assert.equal(rig.sim.tokensIssued, 2);
    });

    it('recovers from a token Partner Center rejects (401): one refresh, then success', async () => {
      rig = await startRig();
      const contoso = rig.sim.data.requireCustomer('Contoso');
      await rig.client.incidents(rig.ctx, contoso.id);
      rig.sim.faults.add({ path: INCIDENTS, status: 401, times: 1 });
      const incidents = await rig.client.incidents(rig.ctx, contoso.id);
      assert.ok(incidents.length > 0);
      assert.equal(rig.sim.tokensIssued, 2);
      const [, rejected, retried] = rig.api();
      assert.equal(rejected?.status, 401);
      assert.equal(retried?.status, 200);
      assert.notEqual(rejected?.headers.authorization, retried?.headers.authorization);
      assert.equal(rejected?.headers['ms-requestid'], retried?.headers['ms-requestid']);
      assert.deepEqual(rig.clock.sleeps, []);
    });

    it('refreshes only once when Partner Center keeps answering 401', async () => {
      rig = await startRig();
      rig.sim.faults.add({ path: INCIDENTS, status: 401, times: Infinity });
      const error = await rejection(() => rig.client.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.code, 800001);
      assert.equal(rig.api().length, 2);
      assert.equal(rig.sim.tokensIssued, 2);
    });
  });

  describe('rotated refresh tokens in the state store', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'pa-auth-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('keeps the rotated refresh token in lowdb and uses it after a restart', async () => {
      const file = path.join(dir, 'state.json');
      const first = await LowdbStateStore.open(file);
      const rig = await startRig({
        sim: { rotateRefreshTokens: true, revokeUsedRefreshTokens: true },
        refreshTokenStore: storeAdapter(first),
      });
      try {
        const initial = rig.sim.credentials.refreshToken;
        const contoso = rig.sim.data.requireCustomer('Contoso');
        await rig.client.incidents(rig.ctx, contoso.id);
        const onDisk = () => readFile(file, 'utf8').then((text) => (JSON.parse(text) as { auth: { refreshToken: string | null } }).auth.refreshToken);
        const rotated = await onDisk();
        assert.ok(rotated && rotated !== initial, 'the rotated refresh token was written to the state file');

        // The environment's refresh token has been spent: on its own it no longer works.
        const stale = new EntraTokenProvider({ credentials: credentialsFor(rig.sim), clock: rig.clock });
        const refused = await rejection(() => stale.getToken());
        assert.ok(refused instanceof AuthenticationError, String(refused));
        assert.equal(refused.entraError, 'invalid_grant');

        // "Restart": a new store on the same file (the old one closed: one store per file) and a new
        // provider, configured with the old token.
        await first.close();
        const store = await LowdbStateStore.open(file);
        assert.equal(store.read().auth.refreshToken, rotated);
        const restarted = new EntraTokenProvider({ credentials: credentialsFor(rig.sim), refreshTokenStore: storeAdapter(store), clock: rig.clock });
        const issuedBefore = rig.sim.tokensIssued;
        const token = await restarted.getToken();
        assert.ok(token);
        assert.equal(rig.sim.tokensIssued, issuedBefore + 1);
        const rotatedAgain = await onDisk();
        assert.ok(rotatedAgain && rotatedAgain !== rotated && rotatedAgain !== initial);
        assert.equal(store.read().auth.refreshToken, rotatedAgain);

        // Proof that the restart presented the stored token: it is now spent too.
        const replay = new EntraTokenProvider({ credentials: credentialsFor(rig.sim, { refreshToken: rotated }), clock: rig.clock });
        const spent = await rejection(() => replay.getToken());
        assert.ok(spent instanceof AuthenticationError);
        assert.equal(spent.entraError, 'invalid_grant');
      } finally {
        await rig.close();
      }
    });

    it('falls back to the configured refresh token when the stored one is refused (new consent, restarted sandbox)', async () => {
      const file = path.join(dir, 'state.json');
      const store = await LowdbStateStore.open(file);
      await store.update((state) => {
        state.auth.refreshToken = 'rotated-by-a-simulator-that-no-longer-exists';
      });
      const rig = await startRig({ sim: { rotateRefreshTokens: true }, refreshTokenStore: storeAdapter(store) });
      try {
        await rig.client.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id);
        const kept = store.read().auth.refreshToken;
        assert.ok(kept && kept !== 'rotated-by-a-simulator-that-no-longer-exists' && kept !== rig.sim.credentials.refreshToken);
        assert.equal(rig.sim.tokensIssued, 1);
      } finally {
        await rig.close();
      }
    });

    it('keeps the environment\'s token when Entra does not rotate it', async () => {
      const file = path.join(dir, 'state.json');
      const store = await LowdbStateStore.open(file);
      const rig = await startRig({ sim: { rotateRefreshTokens: false }, refreshTokenStore: storeAdapter(store) });
      try {
        await rig.tokens.getToken();
        // Entra echoed the same token back: storing it is harmless, and it must still be the valid one.
        const kept = store.read().auth.refreshToken;
        assert.ok(kept === null || kept === rig.sim.credentials.refreshToken);
      } finally {
        await rig.close();
      }
    });
  });

  describe('app-only and failures', () => {
    let rig: Rig;
    afterEach(() => rig.close());

    it('uses client credentials when there is no refresh token', async () => {
      rig = await startRig({ appOnly: true });
      assert.equal(rig.tokens.mode, 'app-only');
      const contoso = rig.sim.data.requireCustomer('Contoso');
      const incidents = await rig.client.incidents(rig.ctx, contoso.id);
      assert.ok(incidents.length > 0);
      assert.equal(rig.sim.tokensIssued, 1);
      // Provisioning status needs App+User: the simulator tells an app-only token apart.
      const error = await rejection(() => rig.client.provisioning(rig.ctx, contoso.id, rig.sim.data.ordersOf(contoso.id)[0]?.order.id ?? ''));
      assert.ok(error instanceof PartnerCenterError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.code, 1002);
      assert.equal(rig.api().length, 2, 'a 403 is not retried');
    });

    it('reports a wrong client secret as AuthenticationError without the secret, and does not retry', async () => {
      const wrongSecret = 'wr0ng-S3cret~value.Zq8';
      rig = await startRig({ credentials: { clientSecret: wrongSecret } });
      const error = await rejection(() => rig.client.incidents(rig.ctx, rig.sim.data.requireCustomer('Contoso').id));
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.equal(error.entraError, 'invalid_client');
      const shown = `${error.message}\n${String(error.stack)}\n${JSON.stringify(error)}`;
      for (const secret of [wrongSecret, rig.sim.credentials.clientSecret, rig.sim.credentials.refreshToken]) {
        assert.ok(!shown.includes(secret), `the error shows ${secret}`);
      }
      assert.equal(rig.tokenRequests().length, 1);
      assert.equal(rig.api().length, 0);
      assert.equal(rig.sim.tokensIssued, 0);
    });

    it('reports an unknown refresh token as AuthenticationError(invalid_grant)', async () => {
      rig = await startRig({ credentials: { refreshToken: 'not-a-refresh-token' } });
      const error = await rejection(() => rig.tokens.getToken());
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.entraError, 'invalid_grant');
      assert.ok(!error.message.includes('not-a-refresh-token'));
    });

    it('does not cache a failure: the next call asks Entra again', async () => {
      rig = await startRig();
      rig.sim.faults.add({ path: '/oauth2/v2.0/token', status: 503, times: 1 });
      const error = await rejection(() => rig.tokens.getToken());
      assert.ok(error instanceof AuthenticationError);
      assert.ok(await rig.tokens.getToken());
      assert.equal(rig.tokenRequests().length, 2);
    });

    it('sends the token it got from Entra as the bearer', async () => {
      rig = await startRig();
      const token = await rig.tokens.getToken();
      await rig.client.customersPage(rig.ctx, { size: 1 });
      assert.equal(bearer(rig.api()[0]?.headers.authorization), token);
    });
  });
});

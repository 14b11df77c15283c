// The refresh token's condition (RefreshTokenWatch) as the token provider's exchanges against the simulator
// and the clock make it: a stored consent is App+User without PARTNER_CENTER_REFRESH_TOKEN, a refused token
// reads "refused" once however often it fails (by Entra, or by Partner Center through the request pipeline),
// and a token unused for 76 days reads "expiring".
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntraTokenProvider } from '../../src/partnerCenter/auth.js';
import { PartnerCenterPipeline } from '../../src/partnerCenter/http.js';
import { RateBudget } from '../../src/partnerCenter/rateBudget.js';
import { RefreshTokenWatch, type TokenCondition } from '../../src/partnerCenter/tokenStatus.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { refreshGrant } from '../sandbox/simClient.js';

const DAY = 86_400_000;

describe('the refresh token condition (tokenStatus.ts) with the token provider against the simulator', () => {
  let sim: Simulator;
  let store: LowdbStateStore;
  let now: number;
  let heard: TokenCondition[];

  beforeEach(async () => {
    sim = await startSimulator();
    store = await LowdbStateStore.open(path.join(await mkdtemp(path.join(tmpdir(), 'pa-token-')), 'state.json'));
    now = Date.parse('2026-12-01T09:00:00Z');
    heard = [];
  });
  afterEach(async () => {
    await store.close();
    await sim.close();
  });

  /** As app.ts wires them: no PARTNER_CENTER_REFRESH_TOKEN, only what the consent stored. */
  function rig() {
    const watch = new RefreshTokenWatch({
      record: { hasToken: () => Boolean(store.read().auth.refreshToken), usedAt: () => store.read().auth.usedAt ?? null },
      now: () => now,
    });
    watch.onChange((condition) => heard.push(condition));
    const stamp = () => new Date(now).toISOString();
    const tokens = new EntraTokenProvider({
      credentials: { authorityHost: sim.authorityHost, tenantId: sim.credentials.tenantId, clientId: sim.credentials.clientId, clientSecret: sim.credentials.clientSecret, resource: 'https://api.partnercenter.microsoft.com' },
      refreshTokenStore: {
        loadRefreshToken: async () => store.read().auth.refreshToken,
        saveRefreshToken: (token) =>
          store.update((state) => {
            state.auth.refreshToken = token;
            state.auth.usedAt = stamp();
          }),
        markUsed: () => store.update((state) => void (state.auth.usedAt = stamp())),
      },
      observer: watch,
      clock: { now: () => now, sleep: async () => undefined },
    });
    // As app.ts wires it: every Partner Center call goes through the pipeline with these tokens.
    const clock = { now: () => now, sleep: async () => undefined };
    const pipeline = new PartnerCenterPipeline({ baseUrl: sim.url, tokens, budget: new RateBudget({ requestsPerMinute: 6000, burst: 1000, clock }), clock, maxRetries: 0 });
    const customers = () => pipeline.getJson('customers', { correlationId: 'token-status-test' });
    return { watch, tokens, customers };
  }

  async function consent(usedAt: string): Promise<void> {
    const granted = await refreshGrant(sim);
    await store.update((state) => {
      state.auth.refreshToken = granted.body.refresh_token as string;
      state.auth.usedAt = usedAt;
    });
  }

  it('exchanges a stored consent as App+User, keeps the rotated token and when it was used', async () => {
    await consent('2026-11-01T00:00:00.000Z');
    const { watch, tokens } = rig();
    const contoso = sim.data.requireCustomer('Contoso');
    const order = sim.data.ordersOf(contoso.id)[0]?.order.id ?? '';
    const answer = await fetch(`${sim.url}/v1/customers/${contoso.id}/orders/${order}/provisioningstatus`, { headers: { Authorization: `Bearer ${await tokens.getToken()}` } });
    assert.equal(answer.status, 200, 'provisioning status needs App+User: an app-only token gets 403');
    assert.equal(store.read().auth.usedAt, new Date(now).toISOString());
    assert.equal(watch.condition(), 'ok');
    assert.deepEqual(heard, []);
  });

  it('reads "refused" once when Entra refuses the stored token, and "ok" once a new consent works', async () => {
    await store.update((state) => {
      state.auth.refreshToken = 'revoked-long-ago';
      state.auth.usedAt = '2026-11-30T00:00:00.000Z';
    });
    const { watch, tokens } = rig();
    for (let i = 0; i < 3; i++) await assert.rejects(tokens.getToken(), /invalid_grant/);
    assert.equal(watch.condition(), 'refused');
    assert.match(watch.detail() ?? '', /^Microsoft Entra ID refused the stored Partner Center refresh token \(invalid_grant\)\.$/);
    assert.deepEqual(heard, ['refused'], 'told once, not per failed request');

    await consent(new Date(now).toISOString());
    await tokens.getToken();
    assert.equal(watch.condition(), 'ok');
    assert.deepEqual(heard, ['refused', 'ok']);
  });

  it('reads "refused" once when Partner Center answers 401 even to a fresh App+User token, and "ok" once a call works', async () => {
    await consent('2026-11-30T00:00:00.000Z');
    const { watch, customers } = rig();
    await customers();
    assert.equal(watch.condition(), 'ok');

    sim.refuseAppUserTokens = true; // the admin agent lost the role, or signed in without MFA
    for (let i = 0; i < 3; i++) await assert.rejects(customers(), (error: Error & { status?: number }) => error.status === 401);
    assert.equal(watch.condition(), 'refused', 'Entra keeps exchanging the token; Partner Center refuses what it gives');
    assert.equal(
      watch.detail(),
      'Partner Center refused the access tokens of the stored refresh token (HTTP 401): the admin agent who signed in may have lost that role, or signed in without MFA.',
    );
    assert.deepEqual(heard, ['refused'], 'told once, although every call exchanged the token again');

    sim.refuseAppUserTokens = false;
    await customers();
    assert.equal(watch.condition(), 'ok');
    assert.deepEqual(heard, ['refused', 'ok']);
  });

  it('does not count an app-only 401 against a refresh token stored afterwards', async () => {
    const { watch, customers } = rig();
    sim.faults.add({ path: '/v1/customers', status: 401, times: Infinity });
    await assert.rejects(customers(), (error: Error & { status?: number }) => error.status === 401);
    await consent(new Date(now).toISOString());
    assert.equal(watch.condition(), 'ok', 'the 401 was about the app-only token, not the consent stored since');
    assert.deepEqual(heard, []);
  });

  it('reads "expiring" two weeks before 90 days unused, and "ok" again once it is used', async () => {
    await consent(new Date(now - 75 * DAY).toISOString());
    const { watch, tokens } = rig();
    watch.look();
    assert.equal(watch.condition(), 'ok', '75 days: not yet');
    now += 1 * DAY;
    watch.look();
    assert.equal(watch.condition(), 'expiring');
    assert.match(watch.detail() ?? '', /^The stored Partner Center refresh token was last used on 2026-09-17 and lapses unused on 2026-12-16\.$/);
    watch.look();
    assert.deepEqual(heard, ['expiring'], 'once');

    await tokens.getToken();
    assert.equal(watch.condition(), 'ok');
    assert.deepEqual(heard, ['expiring', 'ok']);
  });

  it('is "none" without any refresh token (app-only)', async () => {
    const { watch, tokens } = rig();
    await tokens.getToken();
    assert.equal(watch.condition(), 'none');
  });
});

// When Entra refuses the stored refresh token, every conversation that watches anything is told once, with
// the command to run, and /healthz shows it; more refused requests, more rounds and a restart add nothing.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { install, OTHER_CHANNEL_ID, stateOnDisk, watch } from '../support/alertSteps.js';
import { recordingClock, startHarness, type Harness } from '../support/harness.js';

const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description: 'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-01 and was inactive for 90.00:00:00.',
  error_codes: [700082],
};

function tokenNotices(h: Harness, channelId: string): string[] {
  return h.connector
    .ok('post')
    .filter((call) => call.conversationId.startsWith(channelId))
    .map((call) => String(call.activity.text ?? ''))
    .filter((text) => text.includes('connect-partner-center'));
}

describe('refresh token refused: the notice, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('tells each watching conversation once and shows it in /healthz, however often the token is refused', async () => {
    // The app's clock runs ahead on demand, so its cached access token is due for renewal without waiting.
    const real = recordingClock();
    let ahead = 0;
    const clock = { ...real, now: () => real.now() + ahead };
    const t = (h = await startHarness({ app: { clock } }));
    await install(t);
    await watch(t, 'watch contoso');
    await watch(t, 'watch all', OTHER_CHANNEL_ID);
    assert.ok((await stateOnDisk(t)).auth.usedAt, 'the first exchange recorded its use');

    t.sim.faults.add({ method: 'POST', path: '/oauth2/v2.0/token', status: 400, body: INVALID_GRANT, times: Infinity });
    ahead += 2 * 3_600_000;
    await t.app.engine.sweepNow().catch(() => undefined);
    await t.connector.waitFor(() => tokenNotices(t, CHANNEL_ID).length > 0 && tokenNotices(t, OTHER_CHANNEL_ID).length > 0);
    ahead += 2 * 3_600_000;
    await t.app.engine.sweepNow().catch(() => undefined);
    await t.app.delivery.whenIdle();

    for (const channel of [CHANNEL_ID, OTHER_CHANNEL_ID]) {
      const notices = tokenNotices(t, channel);
      assert.equal(notices.length, 1, `one notice in ${channel}`);
      assert.match(notices[0] ?? '', /^Microsoft Entra ID refused the stored Partner Center refresh token \(invalid_grant\)\. .*run `npm run connect-partner-center` where Partner Alerts runs\.$/);
      assert.doesNotMatch(notices[0] ?? '', /AADSTS|at .*\.js/, 'no raw error in chat');
    }
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { partnerCenterToken: { condition: string; detail: string } };
    assert.deepEqual(health.partnerCenterToken, { condition: 'refused', detail: 'Microsoft Entra ID refused the stored Partner Center refresh token (invalid_grant).' });

    // A restart finds the same token refused: still no second notice (the notice id names the token's last use).
    const app = await t.restart();
    await app.engine.sweepNow().catch(() => undefined);
    await app.delivery.whenIdle();
    assert.equal(app.tokenStatus.condition(), 'refused');
    assert.equal(tokenNotices(t, CHANNEL_ID).length, 1);
    assert.equal(tokenNotices(t, OTHER_CHANNEL_ID).length, 1);
  });
});

describe('refresh token refused by Partner Center (401 to fresh App+User tokens): the notice, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads "refused": /readyz says "token", each watching conversation is told once, /healthz shows it; a working call ends it', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    await watch(t, 'watch all', OTHER_CHANNEL_ID);
    assert.equal(t.app.tokenStatus.condition(), 'ok');

    // Entra still exchanges the refresh token; Partner Center refuses every access token it gives.
    t.sim.refuseAppUserTokens = true;
    await t.app.engine.sweepNow().catch(() => undefined);
    await t.connector.waitFor(() => tokenNotices(t, CHANNEL_ID).length > 0 && tokenNotices(t, OTHER_CHANNEL_ID).length > 0);
    await t.app.engine.sweepNow().catch(() => undefined);
    await t.app.delivery.whenIdle();

    const detail = 'Partner Center refused the access tokens of the stored refresh token (HTTP 401): the admin agent who signed in may have lost that role, or signed in without MFA.';
    assert.equal(t.app.tokenStatus.condition(), 'refused');
    for (const channel of [CHANNEL_ID, OTHER_CHANNEL_ID]) {
      const notices = tokenNotices(t, channel);
      assert.equal(notices.length, 1, `one notice in ${channel}, although each round exchanged the token again`);
      assert.ok(notices[0]?.startsWith(`${detail} `), notices[0]);
      assert.match(notices[0] ?? '', /run `npm run connect-partner-center` where Partner Alerts runs\.$/);
    }
    const ready = await fetch(`${t.app.url}/readyz`);
    assert.deepEqual({ status: ready.status, body: await ready.text() }, { status: 503, body: 'token' });
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { partnerCenterToken: { condition: string; detail: string } };
    assert.deepEqual(health.partnerCenterToken, { condition: 'refused', detail });

    t.sim.refuseAppUserTokens = false; // the role is back
    await t.app.engine.sweepNow();
    assert.equal(t.app.tokenStatus.condition(), 'ok');
    assert.equal((await fetch(`${t.app.url}/readyz`)).status, 200);
  });
});

// Security end to end: Bot Framework authentication refuses unsigned activities, the unauthenticated
// app listens on loopback only, and nothing secret reaches the log.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import sinon from 'sinon';
import { loadConfig } from '../../src/config.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { message, sendToBot } from '../support/activities.js';

describe('security', () => {
  describe('with Bot Framework authentication on', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({
        config: {
          bot: { appId: randomUUID(), appPassword: 'x', appType: 'SingleTenant', appTenantId: randomUUID() },
          host: '127.0.0.1',
        },
      });
      // Let the start-up customer listing finish so it is not mistaken for a request caused by the activity.
      await h.app.directory.reload();
    });
    after(() => h.close());

    it('answers an unsigned Teams message with 401 and does nothing with it', async () => {
      const callsBefore = h.connector.calls.length;
      const requestsBefore = h.sim.requestCount;
      // botbuilder prints each refused request with console.error; keep the test output clean.
      const consoleError = sinon.stub(console, 'error');
      try {
        const activity = message('status for contoso', { serviceUrl: h.connector.url });
        const { status } = await sendToBot(h.app.url, activity);
        assert.equal(status, 401);
        const forged = await sendToBot(h.app.url, message('status for contoso', { serviceUrl: h.connector.url }), { Authorization: 'Basic eDp4' });
        assert.equal(forged.status, 401);
      } finally {
        consoleError.restore();
      }
      // A request that could have been processed would have produced something by now; check after a round trip.
      const health = await fetch(`${h.app.url}/healthz`);
      assert.equal(health.status, 200);
      await health.arrayBuffer();
      assert.equal(h.connector.calls.length, callsBefore, 'the fake connector received nothing');
      assert.equal(h.sim.requestCount, requestsBefore, 'the simulator received no request');
      assert.match(h.app.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  describe('without a Microsoft app id', () => {
    it('binds to loopback by default', () => {
      const result = loadConfig({});
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.config.bot, null);
      assert.equal(result.config.host, '127.0.0.1');
    });

    it('serves the app on 127.0.0.1', async () => {
      const h = await startHarness();
      try {
        assert.ok(h.app.url.startsWith('http://127.0.0.1:'), h.app.url);
        const health = await fetch(`${h.app.url}/healthz`);
        assert.equal(health.status, 200);
        await health.arrayBuffer();
      } finally {
        await h.close();
      }
    });
  });

  describe('logging', () => {
    it('logs no client secret, refresh token or access token, even at trace level', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const log = pino({ level: 'trace' }, sink);
      const h = await startHarness({ app: { log } });
      try {
        await h.app.directory.reload();
        // Partner Center rejects the first token once: the app must refresh it (and log the 401).
        h.sim.faults.add({ path: '/serviceincidents/office', status: 401, times: 1 });
        const before = h.connector.calls.length;
        assert.equal(await h.say('status for contoso'), 200);
        await h.connector.waitFor((calls) => calls.length > before);
        const reply = h.connector.calls[before];
        assert.ok(reply);
        const card = cardOf(reply);
        assert.match(card ? cardText(card) : String(reply.activity.text), /Contoso/);
        assert.ok(h.sim.tokensIssued >= 2, 'the 401 made the app fetch a new token');

        const accessTokens = new Set(
          h.sim.requests.map((r) => r.headers.authorization).filter((a): a is string => !!a?.startsWith('Bearer ')).map((a) => a.slice(7)),
        );
        assert.ok(accessTokens.size >= 2, `access tokens seen: ${accessTokens.size}`);
        const storedRefreshToken = h.app.store.read().auth.refreshToken;
        assert.ok(storedRefreshToken, 'the rotated refresh token was stored');
        const secrets = [
          h.sim.credentials.clientSecret,
          h.sim.credentials.refreshToken,
          storedRefreshToken,
          ...accessTokens,
          // The random signature alone is as secret as the whole token (header and claims are guessable).
          ...[...accessTokens].map((token) => token.split('.')[2] ?? token),
        ];

        const text = lines.join('');
        assert.match(text, /Partner Center error/, 'the log captured the 401');
        assert.match(text, /"status":401/);
        for (const secret of secrets) assert.ok(!text.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`);
      } finally {
        await h.close();
      }
    });
  });
});

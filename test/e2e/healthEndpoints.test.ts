// /livez, /readyz, /healthz and /metrics over real HTTP: the probes are open in every mode and answer one
// word; the details are guarded by HEALTH_TOKEN, always in production (an app id set), on loopback only when set.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { emptySweep } from '../../src/store/state.js';
import { recordingClock, startHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { privatePostgresForSuite, type PostgresServer } from '../support/postgres.js';
import { capturedLog } from '../support/capturedLog.js';

const MAIN = new URL('../../src/main.js', import.meta.url).pathname;
const TOKEN = randomBytes(24).toString('hex'); // 48 characters
const WRONG = randomBytes(24).toString('hex');
const INVALID_GRANT = { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.', error_codes: [700082] };
const PRODUCTION = { bot: { appId: randomUUID(), appPassword: 'x', appType: 'SingleTenant' as const, appTenantId: randomUUID() }, host: '127.0.0.1' };

async function get(url: string, bearer?: string): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(url, bearer === undefined ? {} : { headers: { Authorization: `Bearer ${bearer}` } });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}


/** Polls until `probe` holds (the readiness answer is cached for a moment); fails after `ms`. */
async function eventually(probe: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('health endpoints', () => {
  let harnesses: Harness[] = [];
  const start = async (options: HarnessOptions) => {
    const h = await startHarness(options);
    harnesses.push(h);
    return h;
  };
  afterEach(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    harnesses = [];
  });

  describe('without an app id (loopback)', () => {
    it('answers /livez and /readyz, and without HEALTH_TOKEN /healthz and /metrics, to anyone', async () => {
      const h = await start({});
      assert.deepEqual(await get(`${h.app.url}/livez`), { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
      assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
      const health = await get(`${h.app.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).status, 'ok');
      const metrics = await get(`${h.app.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /^partner_alerts_outbox_depth 0$/m);
    });

    it('with HEALTH_TOKEN set, guards /healthz and /metrics (401 without or with a wrong bearer) but not the probes', async () => {
      const h = await start({ config: { healthToken: TOKEN } });
      for (const path of ['/healthz', '/metrics']) {
        const without = await get(`${h.app.url}${path}`);
        assert.equal(without.status, 401, `${path} without a bearer`);
        assert.deepEqual(JSON.parse(without.body), { error: 'unauthorized' });
        assert.equal((await get(`${h.app.url}${path}`, WRONG)).status, 401, `${path} with a wrong bearer`);
        assert.equal((await get(`${h.app.url}${path}`, TOKEN)).status, 200, `${path} with HEALTH_TOKEN`);
        const other = await fetch(`${h.app.url}${path}`, { headers: { Authorization: `Basic ${TOKEN}` } });
        assert.equal(other.status, 401, `${path}: the token under another scheme`);
        await other.arrayBuffer();
        const lowercase = await fetch(`${h.app.url}${path}`, { headers: { Authorization: `bearer ${TOKEN}` } });
        assert.equal(lowercase.status, 200, `${path}: the scheme's name is case-insensitive`);
        await lowercase.arrayBuffer();
      }
      assert.equal((await get(`${h.app.url}/livez`)).status, 200);
      assert.equal((await get(`${h.app.url}/readyz`)).status, 200);
    });
  });

  describe('in production (an app id set)', () => {
    it('answers /healthz and /metrics 401 to everyone while HEALTH_TOKEN is not set; /livez and /readyz stay open', async () => {
      const { lines, log } = capturedLog();
      const h = await start({ config: PRODUCTION, app: { log } });
      for (const path of ['/healthz', '/metrics']) {
        assert.equal((await get(`${h.app.url}${path}`)).status, 401, `${path} without a bearer`);
        assert.equal((await get(`${h.app.url}${path}`, WRONG)).status, 401, `${path} with some bearer`);
      }
      assert.deepEqual(await get(`${h.app.url}/livez`), { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
      assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
      assert.ok(
        lines.some((line) => JSON.parse(line).level === 40 && /HEALTH_TOKEN is not set/.test(JSON.parse(line).msg)),
        'the start warns that the details are closed to everyone',
      );
    });

    it('answers them 200 only with HEALTH_TOKEN as bearer, and logs a wrong bearer as a warning without it', async () => {
      const { lines, log } = capturedLog();
      const h = await start({ config: { ...PRODUCTION, healthToken: TOKEN }, app: { log } });
      for (const path of ['/healthz', '/metrics']) {
        assert.equal((await get(`${h.app.url}${path}`)).status, 401, `${path} without a bearer`);
        assert.equal((await get(`${h.app.url}${path}`, `${TOKEN}x`)).status, 401, `${path} with a longer bearer`);
        assert.equal((await get(`${h.app.url}${path}`, TOKEN.slice(0, -1))).status, 401, `${path} with a shorter bearer`);
        const before = lines.length;
        assert.equal((await get(`${h.app.url}${path}`, WRONG)).status, 401, `${path} with a wrong bearer`);
        const warned = lines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string; path?: string });
        assert.ok(warned.some((entry) => entry.level === 40 && /wrong HEALTH_TOKEN/.test(entry.msg) && entry.path === path), `${path}: a warning`);
        assert.equal((await get(`${h.app.url}${path}`, TOKEN)).status, 200, `${path} with HEALTH_TOKEN`);
      }
      const text = lines.join('\n');
      assert.ok(!text.includes(WRONG), 'the wrong bearer is not logged');
      assert.ok(!text.includes(TOKEN.slice(0, -1)), 'HEALTH_TOKEN is not logged');
    });
  });

  it('refuses a HEALTH_TOKEN shorter than 32 characters at start, in one sentence that does not echo it', async () => {
    const short = 'short-but-secret-health-token';
    const env = { PATH: process.env.PATH ?? '', HEALTH_TOKEN: short };
    const cwd = await mkdtemp(path.join(tmpdir(), 'pa-health-')); // no .env there
    const failure = await promisify(execFile)(process.execPath, ['--no-deprecation', MAIN], { env, cwd, timeout: 15_000 }).then(
      () => assert.fail('the app started'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(failure.code, 1);
    assert.equal(
      failure.stderr,
      `Partner Alerts cannot start; fix the configuration:\n  - HEALTH_TOKEN is ${short.length} characters long; use at least 32 random ones (e.g. openssl rand -hex 32).\n`,
    );
    assert.ok(!`${failure.stdout}${failure.stderr}`.includes(short));
  });

  describe('/readyz when not ready', () => {
    it('answers 503 "stalled" when the sweep has committed nothing for HEALTH_STALL_MINUTES, and 200 once it moves', async () => {
      const h = await start({});
      const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
      await h.app.store.update((state) => {
        state.sweep = { ...emptySweep(), roundId: 'r1', roundStartedAt: minutesAgo(40), lastCommitAt: minutesAgo(16), done: 3, total: 10 };
      });
      assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 503, body: 'stalled', contentType: 'text/plain; charset=utf-8' });
      assert.equal((await get(`${h.app.url}/livez`)).status, 200, 'alive all the same');
      await h.app.store.update((state) => void (state.sweep.lastCommitAt = minutesAgo(0)));
      assert.equal((await get(`${h.app.url}/readyz`)).body, 'ok');
    });

    it('answers 503 "token" while Entra refuses the stored refresh token, and 200 once an exchange works again', async () => {
      // The app's clock runs ahead on demand, so its cached access token is due for renewal without waiting.
      const real = recordingClock();
      let ahead = 0;
      const h = await start({ app: { clock: { ...real, now: () => real.now() + ahead } } });
      await h.app.directory.reload();
      assert.equal((await get(`${h.app.url}/readyz`)).body, 'ok');

      const refusal = h.sim.faults.add({ method: 'POST', path: '/oauth2/v2.0/token', status: 400, body: INVALID_GRANT, times: Infinity });
      ahead += 2 * 3_600_000;
      // A Partner Center call needs a new access token now: the exchange is refused.
      await h.app.directory.reload().catch(() => undefined);
      assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 503, body: 'token', contentType: 'text/plain; charset=utf-8' });

      refusal.remove(); // an admin agent consented again
      ahead += 2 * 3_600_000;
      await h.app.directory.reload();
      assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 200, body: 'ok', contentType: 'text/plain; charset=utf-8' });
    });

    describe('on PostgreSQL', () => {
      let server: PostgresServer | null = null;
      before(async function () {
        // A server of this test's own: it is shut down and started again, which others must not see.
        server = await privatePostgresForSuite(this);
      });
      after(async () => server?.stop());

      it('answers 503 "store" while PostgreSQL is down, and 200 again once it is back', async () => {
        const db = server as PostgresServer;
        const h = await start({ config: { databaseUrl: await db.createDatabase() } });
        assert.equal((await get(`${h.app.url}/readyz`)).body, 'ok');

        await db.halt(); // as an operator's restart does: every connection is cut, none is taken
        try {
          await eventually(async () => (await get(`${h.app.url}/readyz`)).body === 'store', '/readyz says "store"');
          assert.deepEqual(await get(`${h.app.url}/readyz`), { status: 503, body: 'store', contentType: 'text/plain; charset=utf-8' });
          assert.equal((await get(`${h.app.url}/livez`)).status, 200, 'alive all the same');
        } finally {
          await db.resume();
        }
        await eventually(async () => (await get(`${h.app.url}/readyz`)).status === 200, '/readyz is ready again');
      });
    });
  });
});

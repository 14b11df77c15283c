// Secrets at rest, end to end: the whole bot against the simulator with STATE_ENCRYPTION_KEY keeps the
// refresh token Entra hands out sealed at rest and signs in with it after a restart; a production start
// without a key warns once; `npm start`'s entry point stops on a key that does not open the stored secret.
// (PA_TEST_STORE=postgres runs the first two on PostgreSQL.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createLogger } from '../../src/app.js';
import { startSimulator } from '../../src/sandbox/simulator.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { keyId, SecretBox, type StateEncryptionKeys } from '../../src/store/secretBox.js';
import { TENANT } from '../support/activities.js';
import { startHarness, type Harness } from '../support/harness.js';
import { refreshGrant } from '../sandbox/simClient.js';
import { lineSink } from '../support/capturedLog.js';

const MAIN = new URL('../../src/main.js', import.meta.url).pathname;
const CONNECT = new URL('../../scripts/connectPartnerCenter.js', import.meta.url).pathname;
const KEY = randomBytes(32);
const PRODUCTION_BOT = { appId: randomUUID(), appPassword: 'x', appType: 'SingleTenant' as const, appTenantId: randomUUID() };

/** What the harness's store holds at rest, as text, read around the store. */
async function atRest(h: Harness): Promise<string> {
  if (!h.databaseUrl) return readFile(h.dataFile, 'utf8');
  const client = new pg.Client({ connectionString: h.databaseUrl });
  await client.connect();
  try {
    return JSON.stringify((await client.query('select * from auth')).rows);
  } finally {
    await client.end();
  }
}

/** A logger made as the app makes it, at `level`, whose lines land in `lines`. */
function capturingLogger(lines: string[], level = 'warn') {
  return createLogger(level, lineSink(lines));
}

describe('secrets at rest (end to end)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('keeps the refresh token Entra hands out sealed at rest, and signs in with it after a restart', async () => {
    const stateEncryption: StateEncryptionKeys = { current: KEY, previous: null };
    // Each refresh token works once: after the restart only the one the bot stored can sign in.
    h = await startHarness({ sim: { rotateRefreshTokens: true, revokeUsedRefreshTokens: true }, config: { stateEncryption } });
    await h.app.directory.reload();
    const stored = h.app.store.read().auth.refreshToken;
    assert.ok(stored && stored !== h.sim.credentials.refreshToken, 'the bot stored the token Entra rotated');
    const raw = await atRest(h);
    assert.ok(!raw.includes(stored), 'the stored token is not in plain text at rest');
    assert.ok(raw.includes(keyId(KEY)), 'it is sealed under the key, named by its id');

    await h.restart();
    const requestsBefore = h.sim.requestCount;
    await h.app.directory.reload();
    assert.ok(h.sim.requestCount > requestsBefore, 'Partner Center was asked, with a token from the stored one');
    assert.notEqual(h.app.store.read().auth.refreshToken, stored, 'the sealed token was used (and rotated again)');
  });

  it('rotating: a start with the new key and the previous one re-encrypts the token under the new key and says so once', async () => {
    const newKey = randomBytes(32);
    h = await startHarness({ config: { stateEncryption: { current: KEY, previous: null } } });
    await h.app.directory.reload();
    const token = h.app.store.read().auth.refreshToken;
    const { dataFile, databaseUrl } = h;
    await h.close();

    const lines: string[] = [];
    const rotating = { stateEncryption: { current: newKey, previous: KEY }, databaseUrl };
    h = await startHarness({ config: rotating, dataFile, app: { log: capturingLogger(lines, 'info') } });
    assert.equal(h.app.store.read().auth.refreshToken, token);
    const raw = await atRest(h);
    assert.ok(raw.includes(keyId(newKey)) && !raw.includes(keyId(KEY)), 'sealed under the new key only');
    assert.ok(token && !raw.includes(token));
    await h.restart();
    const told = lines.filter((line) => line.includes('STATE_ENCRYPTION_KEY')).map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.deepEqual(told, [`the stored Partner Center refresh token is now encrypted under STATE_ENCRYPTION_KEY (id ${keyId(newKey)})`], 'once: the restart had nothing left to do');
    assert.ok(!lines.some((line) => line.includes(newKey.toString('base64')) || line.includes(KEY.toString('base64'))), 'no key is logged');
  });

  it('a production start without a key warns once, naming what is kept in plain text and never the token', async () => {
    const lines: string[] = [];
    h = await startHarness({ config: { bot: PRODUCTION_BOT, host: '127.0.0.1' }, app: { log: capturingLogger(lines) } });
    await h.app.directory.reload();
    await h.restart();
    await h.app.directory.reload();
    const warnings = lines.filter((line) => line.includes('STATE_ENCRYPTION_KEY'));
    assert.equal(warnings.length, 2, `one per start:\n${lines.join('\n')}`);
    const messages = warnings.map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.match(messages[0]!, /^STATE_ENCRYPTION_KEY is not set: the Partner Center refresh token will be stored in plain text in (the state file|the database)\. Set STATE_ENCRYPTION_KEY/);
    assert.match(messages[1]!, /^STATE_ENCRYPTION_KEY is not set: the Partner Center refresh token is stored in plain text in (the state file|the database)\. Set STATE_ENCRYPTION_KEY/);
    const token = h.app.store.read().auth.refreshToken;
    assert.ok(token && !lines.some((line) => line.includes(token)), 'the token itself is never logged');
  });

  it('no warning with a key, nor without an app id (the sandbox and local runs)', async () => {
    for (const config of [{ bot: PRODUCTION_BOT, host: '127.0.0.1', stateEncryption: { current: KEY, previous: null } }, { bot: null }]) {
      const lines: string[] = [];
      h = await startHarness({ config, app: { log: capturingLogger(lines) } });
      assert.deepEqual(lines.filter((line) => line.includes('STATE_ENCRYPTION_KEY')), []);
      await h.close();
      h = undefined;
    }
  });

  it('`npm start` with a key that does not open the stored token stops with one sentence, exit 1, the file untouched [state file]', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'pa-secrets-start-')), 'state.json');
    const store = await LowdbStateStore.open(file, { secrets: new SecretBox({ current: KEY, previous: null }) });
    await store.update((state) => void (state.auth.refreshToken = 'the-stored-refresh-token'));
    await store.close();
    const before = await readFile(file, 'utf8');

    const wrongKey = randomBytes(32).toString('base64');
    const start = (extra: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['--no-deprecation', MAIN], {
        env: {
          PATH: process.env.PATH ?? '',
          PARTNER_TENANT_ID: TENANT,
          PARTNER_CENTER_CLIENT_ID: 'client',
          PARTNER_CENTER_CLIENT_SECRET: 'client-secret',
          PARTNER_CENTER_URL: 'http://127.0.0.1:1',
          PARTNER_CENTER_AUTHORITY_HOST: 'http://127.0.0.1:1',
          DATA_FILE: file,
          PORT: '1', // never reached: the store is opened first
          LOG_LEVEL: 'silent',
          ...extra,
        },
        cwd: path.dirname(file),
        timeout: 15_000,
      }).then(
        () => assert.fail('Partner Alerts started'),
        (error: { code: number; stderr: string }) => error,
      );

    const wrong = await start({ STATE_ENCRYPTION_KEY: wrongKey });
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /^Partner Alerts cannot start: The stored Partner Center refresh token is encrypted with a key \(id \S+\) that is not STATE_ENCRYPTION_KEY \(id \S+\): set STATE_ENCRYPTION_KEY to the key it was encrypted with .*Nothing was changed\.\n$/,
    );
    assert.ok(!wrong.stderr.includes(wrongKey), 'the key is never echoed');
    const none = await start({});
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Partner Alerts cannot start: The stored Partner Center refresh token is encrypted \(key id \S+\), but STATE_ENCRYPTION_KEY is not set/);
    assert.equal(await readFile(file, 'utf8'), before, 'the stored secret was not overwritten');
  });

  it('`npm run connect-partner-center` with the key stores the consented token sealed, and refuses a wrong key leaving the file as it was [state file]', async () => {
    const sim = await startSimulator({ deviceCodeIntervalSeconds: 0 });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), 'pa-secrets-consent-'));
      const file = path.join(dir, 'state.json');
      const connect = (key: Buffer) =>
        promisify(execFile)(process.execPath, ['--no-deprecation', CONNECT], {
          env: {
            PATH: process.env.PATH ?? '',
            PARTNER_TENANT_ID: sim.credentials.tenantId,
            PARTNER_CENTER_CLIENT_ID: sim.credentials.clientId,
            PARTNER_CENTER_URL: sim.url,
            PARTNER_CENTER_AUTHORITY_HOST: sim.authorityHost,
            DATA_FILE: file,
            STATE_ENCRYPTION_KEY: key.toString('base64'),
          },
          cwd: dir,
          timeout: 20_000,
        }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => error,
        );

      sim.deviceSignIn.plan({ outcome: 'approve' });
      const run = await connect(KEY);
      assert.equal(run.code, 0, run.stderr);
      const raw = await readFile(file, 'utf8');
      const sealed = (JSON.parse(raw) as { auth: { refreshToken: { kid: string } } }).auth.refreshToken;
      assert.equal(sealed.kid, keyId(KEY), 'the script, unaware, stored it sealed');
      const store = await LowdbStateStore.open(file, { secrets: new SecretBox({ current: KEY, previous: null }) });
      const token = store.read().auth.refreshToken ?? '';
      await store.close();
      assert.ok(token && !raw.includes(token));
      assert.equal((await refreshGrant(sim, { refresh_token: token })).status, 200, 'the bot can exchange the token it will open');

      sim.deviceSignIn.plan({ outcome: 'approve' });
      const wrong = await connect(randomBytes(32));
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /^The stored Partner Center refresh token is encrypted with a key \(id \S+\) that is not STATE_ENCRYPTION_KEY/);
      assert.equal(await readFile(file, 'utf8'), raw, 'nothing signed in over it');
    } finally {
      await sim.close();
    }
  });
});

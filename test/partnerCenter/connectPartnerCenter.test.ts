// `npm run connect-partner-center`, run as a user would: the built script in its own process, against the
// simulator over HTTP (device code, token, then the proving Partner Center call), storing into a real lowdb
// file or a real PostgreSQL. Every failure is one sentence, exit code 1, and the state file byte for byte
// as before.
import assert from 'node:assert/strict';
import { wholeState } from '../../src/store/paged.js';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startSimulator, type SignInPlan, type Simulator } from '../../src/sandbox/simulator.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { SecretBox } from '../../src/store/secretBox.js';
import type { State } from '../../src/store/state.js';
import { postgresForSuite, type PostgresServer } from '../support/postgres.js';
import { fill } from '../support/sampleState.js';
import { refreshGrant } from '../sandbox/simClient.js';

/** A STATE_ENCRYPTION_KEY (32 bytes, base64) for the runs that seal the stored token. */
const KEY = Buffer.alloc(32, 7).toString('base64');
/** The token sealed under KEY: a run without STATE_ENCRYPTION_KEY cannot open it. */
const sealing = () => new SecretBox({ current: Buffer.from(KEY, 'base64'), previous: null });
const NO_KEY_SENTENCE = /^The stored Partner Center refresh token is encrypted \(key id \S+\), but STATE_ENCRYPTION_KEY is not set/;

const SCRIPT = new URL('../../scripts/connectPartnerCenter.js', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function connect(env: Record<string, string>, cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--no-deprecation', SCRIPT], { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function settings(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PARTNER_TENANT_ID: sim.credentials.tenantId,
    PARTNER_CENTER_CLIENT_ID: sim.credentials.clientId,
    PARTNER_CENTER_URL: sim.url,
    PARTNER_CENTER_AUTHORITY_HOST: sim.authorityHost,
    ...extra,
  };
}

/** Exactly one line on stderr, matching `pattern`, exit code 1. */
function assertOneSentence(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(run.stderr, /\bat .*\.js:\d+/, 'no stack trace');
}

describe('npm run connect-partner-center: the device-code consent, against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let file: string;
  let original: string;

  beforeEach(async () => {
    sim = await startSimulator({ deviceCodeIntervalSeconds: 0 });
    dir = await mkdtemp(path.join(tmpdir(), 'pa-consent-'));
    file = path.join(dir, 'state.json');
    const store = await LowdbStateStore.open(file);
    await store.update(fill);
    await store.close();
    original = await readFile(file, 'utf8');
  });
  afterEach(() => sim.close());

  const plan = (signIn: SignInPlan) => sim.deviceSignIn.plan(signIn);

  it('shows the code, waits through pending answers, proves the token and stores it where the bot reads it', async () => {
    plan({ outcome: 'approve', pendingPolls: 2 });
    const run = await connect(settings(sim, { DATA_FILE: file }), dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`open ${sim.url}/_sim/devicelogin and enter the code [A-Z0-9]{9} \\(within 15 min\\)`));
    assert.match(run.stdout, /^Connected: Partner Center answered, and the refresh token is stored in .*state\.json\./m);
    // Only the configured hosts: the simulator stands for both, and saw these requests, in this order.
    const paths = sim.requests.map((request) => `${request.method} ${request.path.replace(sim.credentials.tenantId, '<tenant>')}`);

    const state = JSON.parse(await readFile(file, 'utf8')) as State;
    const stored = state.auth.refreshToken ?? '';
    assert.notEqual(stored, 'refresh-token', 'the new token replaced the old one');
    assert.ok(stored && !run.stdout.includes(stored) && !run.stderr.includes(stored), 'the token is never printed');
    assert.ok(Date.now() - Date.parse(state.auth.usedAt ?? '') < 60_000, 'usedAt is now');
    assert.equal((await refreshGrant(sim, { refresh_token: stored })).status, 200, 'the bot can exchange the stored token');
    assert.equal(state.watches.length, 3, 'nothing else changed');
    assert.deepEqual(paths, [
      'POST /<tenant>/oauth2/v2.0/devicecode',
      'POST /<tenant>/oauth2/v2.0/token',
      'POST /<tenant>/oauth2/v2.0/token',
      'POST /<tenant>/oauth2/v2.0/token',
      'GET /v1/customers',
    ]);
  });

  it('declined or expired at the sign-in: one sentence each, exit code 1, the state file untouched', async () => {
    plan({ outcome: 'decline' });
    assertOneSentence(await connect(settings(sim, { DATA_FILE: file }), dir), /^The sign-in was declined, so nothing was stored: run this again and accept the request\.$/);
    assert.equal(await readFile(file, 'utf8'), original);

    plan({ outcome: 'expire', pendingPolls: 3 });
    assertOneSentence(await connect(settings(sim, { DATA_FILE: file }), dir), /^The code expired before the sign-in finished \(it lasts 15 min\), so nothing was stored: run this again/);
    assert.equal(await readFile(file, 'utf8'), original);
  });

  it('says which part of the set-up is wrong, and changes nothing', async () => {
    const cases: [SignInPlan['outcome'], RegExp][] = [
      ['no-public-client', /"Allow public client flows" to Yes/],
      ['no-admin-consent', /^Admin consent for Partner Center's user_impersonation permission is missing: .*grant admin consent/],
      ['no-mfa', /^The sign-in did not use multi-factor authentication, which Partner Center requires/],
      ['not-admin-agent', /^Partner Center refused the signed-in user \(403\): sign in as a user with the Admin agent role/],
    ];
    for (const [outcome, sentence] of cases) {
      plan({ outcome });
      assertOneSentence(await connect(settings(sim, { DATA_FILE: file }), dir), sentence);
      assert.equal(await readFile(file, 'utf8'), original, outcome);
    }
    assertOneSentence(
      await connect(settings(sim, { DATA_FILE: file, PARTNER_TENANT_ID: '00000000-0000-4000-8000-000000000000' }), dir),
      /^Microsoft Entra ID does not know the tenant "00000000-0000-4000-8000-000000000000": set PARTNER_TENANT_ID/,
    );
    assertOneSentence(await connect(settings(sim, { DATA_FILE: file, PARTNER_CENTER_CLIENT_ID: '' }), dir), /^PARTNER_CENTER_CLIENT_ID is not set/);
    assert.equal(await readFile(file, 'utf8'), original);
  });

  it('refuses a state file a running Partner Alerts holds, before anyone signs in', async () => {
    plan({ outcome: 'approve' });
    const running = await LowdbStateStore.open(file);
    try {
      const run = await connect(settings(sim, { DATA_FILE: file }), dir);
      assertOneSentence(run, /^The state file .*state\.json is in use by process \d+ on host .* since [^.]+: stop that Partner Alerts first, then run this again/);
      assert.deepEqual(sim.requests, [], 'no sign-in started');
    } finally {
      await running.close();
    }
    assert.equal(await readFile(file, 'utf8'), original);
  });

  it('a Partner Alerts that takes the file during the sign-in: one sentence saying the sign-in was not used, nothing stored', async () => {
    plan({ outcome: 'wait' });
    const child = spawn(process.execPath, ['--no-deprecation', SCRIPT], { env: { PATH: process.env.PATH ?? '', ...settings(sim, { DATA_FILE: file }) }, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const userCode = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const shown = /enter the code ([A-Z0-9]{9})/.exec(stdout);
        if (shown?.[1]) resolve(shown[1]);
      });
      void exited.then(() => reject(new Error(`it ended before showing a code: ${stdout}${stderr}`)));
    });
    const running = await LowdbStateStore.open(file);
    try {
      assert.ok(sim.deviceSignIn.decide(userCode, 'approve'));
      const [code] = await exited;
      assertOneSentence(
        { code: code ?? -1, stdout, stderr },
        /^The state file .*state\.json is in use by process \d+ on host .* since [^.]+: stop that Partner Alerts first, then run this again \(the sign-in was not used, and nothing was stored\)\.$/,
      );
    } finally {
      await running.close();
    }
    assert.equal(await readFile(file, 'utf8'), original);
  });

  it('a failed sign-in with a new DATA_FILE creates neither the file nor its folder', async () => {
    const fresh = path.join(dir, 'not-yet', 'state.json');
    assertOneSentence(
      await connect(settings(sim, { DATA_FILE: fresh, PARTNER_TENANT_ID: '00000000-0000-4000-8000-000000000000' }), dir),
      /^Microsoft Entra ID does not know the tenant/,
    );
    assert.equal(existsSync(path.dirname(fresh)), false, 'no folder made');
  });

  it('with STATE_ENCRYPTION_KEY, a declined sign-in leaves a plain stored token as it was, byte for byte', async () => {
    plan({ outcome: 'decline' });
    assertOneSentence(await connect(settings(sim, { DATA_FILE: file, STATE_ENCRYPTION_KEY: KEY }), dir), /^The sign-in was declined, so nothing was stored/);
    assert.equal(await readFile(file, 'utf8'), original);
  });

  it('refuses, before anyone signs in, a state file it could not read or a DATA_FILE it could not write', async () => {
    plan({ outcome: 'approve' });
    await writeFile(file, '{ not json');
    assertOneSentence(await connect(settings(sim, { DATA_FILE: file }), dir), /^The state file .*state\.json is not valid JSON/);
    assertOneSentence(await connect(settings(sim, { DATA_FILE: path.join(file, 'state.json') }), dir), /^The state file .*state\.json cannot be written: .*state\.json is not a folder/);
    assert.deepEqual(sim.requests, [], 'no sign-in started');
    assert.equal(await readFile(file, 'utf8'), '{ not json');
  });

  it('refuses, before anyone signs in, a stored token sealed under a key it was not given', async () => {
    plan({ outcome: 'approve' });
    const sealed = path.join(dir, 'sealed.json');
    const store = await LowdbStateStore.open(sealed, { secrets: sealing() });
    await store.update(fill);
    await store.close();
    const before = await readFile(sealed, 'utf8');
    assertOneSentence(await connect(settings(sim, { DATA_FILE: sealed }), dir), NO_KEY_SENTENCE);
    assert.deepEqual(sim.requests, [], 'no sign-in started');
    assert.equal(await readFile(sealed, 'utf8'), before);
  });

  describe('with DATABASE_URL', () => {
    let server: PostgresServer;
    before(async function () {
      server = await postgresForSuite(this);
    });

    it('stores the token in PostgreSQL, beside the state already there, without ever leading the sweep', async () => {
      const url = await server.createDatabase();
      const seeded = await PostgresStateStore.open(url, { instance: false });
      await seeded.update(fill);
      await seeded.close();
      plan({ outcome: 'approve' });
      const run = await connect(settings(sim, { DATABASE_URL: url }), dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /stored in the database \(DATABASE_URL\)/);
      const store = await PostgresStateStore.open(url, { instance: false });
      const state = await wholeState(store);
      await store.close();
      assert.equal((await refreshGrant(sim, { refresh_token: state.auth.refreshToken ?? '' })).status, 200);
      assert.ok(state.auth.usedAt);
      assert.equal(state.watches.length, 3);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const leases = (await client.query('select holder from leases')).rows;
      await client.end();
      assert.deepEqual(leases, [], 'a tool takes no lease: running instances keep theirs');
    });

    it('a declined sign-in creates no table in an empty database', async () => {
      const url = await server.createDatabase();
      plan({ outcome: 'decline' });
      assertOneSentence(await connect(settings(sim, { DATABASE_URL: url }), dir), /^The sign-in was declined, so nothing was stored/);
      assert.deepEqual(await contents(url), {});
    });

    it('with STATE_ENCRYPTION_KEY, a declined sign-in leaves a plain stored token in the database as it was', async () => {
      const url = await server.createDatabase();
      const seeded = await PostgresStateStore.open(url, { instance: false });
      await seeded.update(fill);
      await seeded.close();
      const before = await contents(url);
      assert.equal((before.auth as { refresh_token: string }[])[0]?.refresh_token, 'refresh-token', 'stored plain');
      plan({ outcome: 'decline' });
      assertOneSentence(await connect(settings(sim, { DATABASE_URL: url, STATE_ENCRYPTION_KEY: KEY }), dir), /^The sign-in was declined, so nothing was stored/);
      assert.deepEqual(await contents(url), before);
    });

    it('refuses, before anyone signs in, a database it could not open: a token sealed under a key it was not given, a newer schema', async () => {
      const url = await server.createDatabase();
      const seeded = await PostgresStateStore.open(url, { instance: false, secrets: sealing() });
      await seeded.update(fill);
      await seeded.close();
      plan({ outcome: 'approve' });
      assertOneSentence(await connect(settings(sim, { DATABASE_URL: url }), dir), NO_KEY_SENTENCE);

      const newer = await server.createDatabase();
      await (await PostgresStateStore.open(newer, { instance: false })).close();
      const client = new pg.Client({ connectionString: newer });
      await client.connect();
      await client.query(`insert into schema_migrations (version, name) values (99, 'from a later release')`);
      await client.end();
      assertOneSentence(await connect(settings(sim, { DATABASE_URL: newer }), dir), /^The database was migrated by a newer Partner Alerts \(schema 99; this one knows up to \d+\)/);
      assert.deepEqual(sim.requests, [], 'no sign-in started');
    });
  });
});

/** Every table of the database with its rows, and every sequence's position: what a failed run must not change. */
async function contents(url: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found: Record<string, unknown> = {};
    const tables = await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`);
    for (const { name } of tables.rows) {
      found[name] = (await client.query(`select * from ${name} order by row_to_json(${name})::text`)).rows;
    }
    const sequences = await client.query<{ name: string }>(`select sequence_name as name from information_schema.sequences where sequence_schema = 'public' order by 1`);
    for (const { name } of sequences.rows) found[`sequence ${name}`] = (await client.query(`select last_value, is_called from ${name}`)).rows;
    return found;
  } finally {
    await client.end();
  }
}

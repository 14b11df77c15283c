// `npm run migrate-state -- --from <file>`, run as a user would (the built script, a real state file, a
// real PostgreSQL): everything is copied and counted; a database with state is refused unless --replace;
// a state file a running Partner Alerts holds is refused.
import assert from 'node:assert/strict';
import { wholeState } from '../../src/store/paged.js';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { keyId, SecretBox } from '../../src/store/secretBox.js';
import type { State } from '../../src/store/state.js';
import { postgresForSuite, type PostgresServer } from '../support/postgres.js';
import { fill } from '../support/sampleState.js';

const SCRIPT = new URL('../../scripts/migrateState.js', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function migrateState(args: string[], databaseUrl: string | null, cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...extraEnv };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--no-deprecation', SCRIPT, ...args], { env, cwd, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function databaseState(url: string): Promise<State> {
  const store = await PostgresStateStore.open(url, { instance: false });
  const state = await wholeState(store);
  await store.close();
  return state;
}

describe('npm run migrate-state: from the state file to PostgreSQL', () => {
  let dir: string;
  let file: string;
  let url: string;

  let server: PostgresServer;
  before(async function () {
    server = await postgresForSuite(this);
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pa-migrate-'));
    file = path.join(dir, 'state.json');
    const store = await LowdbStateStore.open(file);
    await store.update(fill);
    await store.close();
    url = await server.createDatabase();
  });

  it('copies every record, prints the counts, and the database then reads as the file did', async () => {
    const run = await migrateState(['--from', file], url, dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Copied .*state\.json into the database: 1 auth, 2 targets, 3 watches, 1 order customers, 1 incident snapshots, 1 order snapshots, 1 incident threads, 3 outbox, 1 delivery log, 1 last round, 1 sweep state, 1 access denied, 1 subscription snapshots, 1 subscription threads, 1 outbound deliveries, 1 ticket companies, 1 tickets, 1 access listing, 1 access snapshots, 1 access threads, 1 incident thread customers\./);
    const fromFile = await LowdbStateStore.open(file);
    const expected = await wholeState(fromFile);
    await fromFile.close();
    const copied = await databaseState(url);
    for (const field of ['auth', 'targets', 'watches', 'orderCustomers', 'incidentSnapshots', 'orderSnapshots', 'threads', 'outbox', 'deliveryLog', 'sweep', 'accessDenied', 'lastCycle', 'subscriptionSnapshots', 'subscriptionThreads', 'outbound'] as const) {
      assert.deepEqual(copied[field], expected[field], field);
    }
  });

  it("copies an older file's incident card with its count of customers still affected, and --replace leaves none of the database's customers the file's card lacks", async () => {
    // A card as a release before the count wrote it: two customers affected, one recovered, no `open`.
    const raw = JSON.parse(await readFile(file, 'utf8')) as { threads: Record<string, Record<string, unknown>> };
    const card = raw.threads['t1|EX1'] as Record<string, unknown>;
    delete card.open;
    card.customers = {
      c1: { name: 'Contoso', resolved: false, vanished: false },
      c2: { name: 'Fabrikam', resolved: false, vanished: false },
      c3: { name: 'Litware', resolved: true, vanished: false },
    };
    await writeFile(file, JSON.stringify(raw));
    assert.equal((await migrateState(['--from', file], url, dir)).code, 0);
    const copied = (await databaseState(url)).threads['t1|EX1'];
    assert.equal(copied?.open, 2, 'the card knows two customers are still affected without reading them');
    assert.deepEqual(Object.keys(copied?.customers ?? {}).sort(), ['c1', 'c2', 'c3']);

    // The file's card then lists Contoso only: replacing the database's state leaves Fabrikam and Litware on no card.
    card.customers = { c1: { name: 'Contoso', resolved: false, vanished: false } };
    await writeFile(file, JSON.stringify(raw));
    const replaced = await migrateState(['--from', file, '--replace'], url, dir);
    assert.equal(replaced.code, 0, replaced.stderr);
    const after = (await databaseState(url)).threads['t1|EX1'];
    assert.deepEqual(Object.keys(after?.customers ?? {}), ['c1']);
    assert.equal(after?.open, 1);
  });

  it('refuses a database that holds state, copying nothing, unless --replace', async () => {
    assert.equal((await migrateState(['--from', file], url, dir)).code, 0);
    const store = await LowdbStateStore.open(file);
    await store.update((state) => {
      state.watches = state.watches.slice(0, 1);
      state.outbox = [];
    });
    await store.close();

    const refused = await migrateState(['--from', file], url, dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^The database already holds state \(.*3 watches.*\)\. Nothing was copied\. Use --replace to replace it with the file's\./);
    assert.equal((await databaseState(url)).watches.length, 3, 'untouched');

    const replaced = await migrateState(['--from', file, '--replace'], url, dir);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, /\(its earlier state replaced\): .*1 watches.*0 outbox/);
    const state = await databaseState(url);
    assert.deepEqual(state.watches.map((w) => w.id), ['w1']);
    assert.deepEqual(state.outbox, []);
  });

  it('with STATE_ENCRYPTION_KEY, opens the sealed refresh token of the file and seals it in the database; without it, copies nothing', async () => {
    const key = randomBytes(32);
    const secrets = new SecretBox({ current: key, previous: null });
    const sealed = await LowdbStateStore.open(file, { secrets });
    await sealed.close();
    const refused = await migrateState(['--from', file], url, dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^The stored Partner Center refresh token is encrypted \(key id \S+\), but STATE_ENCRYPTION_KEY is not set/);
    assert.equal(Object.keys((await databaseState(url)).targets).length, 0, 'nothing copied');

    const run = await migrateState(['--from', file], url, dir, { STATE_ENCRYPTION_KEY: key.toString('base64') });
    assert.equal(run.code, 0, run.stderr);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ refresh_token: string | null; refresh_token_sealed: { kid: string } }>('select refresh_token, refresh_token_sealed from auth');
    await client.end();
    assert.equal(rows[0]?.refresh_token, null);
    assert.equal(rows[0]?.refresh_token_sealed.kid, keyId(key));
    const database = await PostgresStateStore.open(url, { instance: false, secrets });
    assert.equal(database.read().auth.refreshToken, 'refresh-token');
    await database.close();
  });

  it('refuses a state file a running Partner Alerts holds, and says what is missing', async () => {
    const running = await LowdbStateStore.open(file);
    try {
      const held = await migrateState(['--from', file], url, dir);
      assert.equal(held.code, 1);
      assert.match(held.stderr, /is in use by process \d+/);
      assert.equal(Object.keys((await databaseState(url)).targets).length, 0, 'nothing copied');
    } finally {
      await running.close();
    }
    const noUrl = await migrateState(['--from', file], null, dir);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /^DATABASE_URL is not set/);
    const noFile = await migrateState(['--from', path.join(dir, 'missing.json')], url, dir);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /missing\.json does not exist/);
  });
});

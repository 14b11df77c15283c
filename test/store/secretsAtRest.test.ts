// Secrets at rest, on both backends: with STATE_ENCRYPTION_KEY the refresh token is sealed in the real state
// file and in the real PostgreSQL rows (read raw here, never through the store), memory keeps it plain; a
// wrong key or none stops the open and leaves the stored secret as it was; a previous key reads and the
// secret is sealed again under the current one; a token stored plain is sealed once a key is set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { TABLES } from '../../src/store/postgres/tables.js';
import { keyId, NO_KEYS, SecretBox, SecretKeyError, type StateEncryptionKeys } from '../../src/store/secretBox.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { postgresForSuite, postgresServer, type PostgresServer } from '../support/postgres.js';

const TOKEN = 'rt-0.AXEA-very-secret-refresh-token';
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const only = (current: Buffer): StateEncryptionKeys => ({ current, previous: null });

interface Backend {
  name: string;
  postgres: boolean;
  place(): Promise<string>;
  open(place: string, keys: StateEncryptionKeys): Promise<StateStore>;
  /** Everything stored, as text, read around the store. */
  raw(place: string): Promise<string>;
  /** The stored refresh token as it is at rest: a string (plain) or the sealed envelope. */
  storedToken(place: string): Promise<unknown>;
}

async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

const backends: Backend[] = [
  {
    name: 'lowdb',
    postgres: false,
    place: async () => path.join(await mkdtemp(path.join(tmpdir(), 'pa-secrets-')), 'state.json'),
    open: (file, keys) => LowdbStateStore.open(file, { secrets: new SecretBox(keys) }),
    raw: (file) => readFile(file, 'utf8'),
    storedToken: async (file) => (JSON.parse(await readFile(file, 'utf8')) as { auth: { refreshToken: unknown } }).auth.refreshToken,
  },
  {
    name: 'PostgreSQL',
    postgres: true,
    place: async () => ((await postgresServer()) as PostgresServer).createDatabase(),
    open: (url, keys) => PostgresStateStore.open(url, { secrets: new SecretBox(keys) }),
    raw: async (url) => {
      const tables = await Promise.all(TABLES.map(async (table) => [table.name, await sql(url, `select * from ${table.name}`)] as const));
      return JSON.stringify(Object.fromEntries(tables));
    },
    storedToken: async (url) => {
      const [row] = await sql(url, 'select refresh_token, refresh_token_sealed from auth');
      return row?.refresh_token_sealed ?? row?.refresh_token;
    },
  },
];

for (const backend of backends) {
  describe(`secrets at rest: ${backend.name}`, () => {
    let place: string;
    const opened: StateStore[] = [];
    const open = async (keys: StateEncryptionKeys) => {
      const store = await backend.open(place, keys);
      opened.push(store);
      return store;
    };
    /** Opens with `keys`, stores the token, closes. */
    const storeToken = async (keys: StateEncryptionKeys) => {
      const store = await open(keys);
      await store.update((state) => void (state.auth.refreshToken = TOKEN));
      await store.close();
    };

    before(async function () {
      if (backend.postgres) await postgresForSuite(this);
    });
    beforeEach(async () => {
      place = await backend.place();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('seals the refresh token under the key (its id beside it), keeps it plain in memory, and reads it back', async () => {
      const store = await open(only(KEY_A));
      await store.update((state) => void (state.auth.refreshToken = TOKEN));
      assert.equal(store.read().auth.refreshToken, TOKEN, 'the app sees it plain');
      assert.ok(!(await backend.raw(place)).includes(TOKEN), 'the token is nowhere in plain text at rest');
      const sealed = (await backend.storedToken(place)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(sealed).sort(), ['ct', 'iv', 'kid', 'tag', 'v']);
      assert.equal(sealed.v, 1);
      assert.equal(sealed.kid, keyId(KEY_A));
      await store.close();

      const reopened = await open(only(KEY_A));
      assert.equal(reopened.read().auth.refreshToken, TOKEN);
    });

    it('refuses a wrong key, or none, with one sentence naming STATE_ENCRYPTION_KEY, and leaves the stored secret as it was', async () => {
      await storeToken(only(KEY_A));
      const before = await backend.raw(place);
      await assert.rejects(open(only(KEY_B)), (error: Error) => {
        assert.ok(error instanceof SecretKeyError, String(error));
        assert.match(error.message, /^The stored Partner Center refresh token is encrypted with a key \(id \S+\) that is not STATE_ENCRYPTION_KEY \(id \S+\): set STATE_ENCRYPTION_KEY to the key it was encrypted with/);
        assert.ok(error.message.includes(keyId(KEY_A)) && error.message.includes(keyId(KEY_B)));
        assert.equal(error.message.split('\n').length, 1);
        return true;
      });
      await assert.rejects(open(NO_KEYS), (error: Error) => {
        assert.ok(error instanceof SecretKeyError, String(error));
        assert.equal(error.message, `The stored Partner Center refresh token is encrypted (key id ${keyId(KEY_A)}), but STATE_ENCRYPTION_KEY is not set: set it to the key it was encrypted with. Nothing was changed.`);
        return true;
      });
      assert.equal(await backend.raw(place), before, 'nothing was written over it');
      // The right key still opens it: a refused open took nothing with it (for lowdb, not even the lock).
      assert.equal((await open(only(KEY_A))).read().auth.refreshToken, TOKEN);
    });

    it('rotates: the previous key reads the secret, which is sealed again under the current key at open', async () => {
      await storeToken(only(KEY_A));
      const rotating = await open({ current: KEY_B, previous: KEY_A });
      assert.equal(rotating.read().auth.refreshToken, TOKEN);
      assert.equal(((await backend.storedToken(place)) as { kid: string }).kid, keyId(KEY_B));
      assert.ok(!(await backend.raw(place)).includes(TOKEN));
      await rotating.close();

      // The old key can now be dropped, and no longer opens it.
      assert.equal((await open(only(KEY_B))).read().auth.refreshToken, TOKEN);
      await opened.pop()?.close();
      await assert.rejects(open(only(KEY_A)), SecretKeyError);
    });

    it('seals a token stored in plain text once a key is set', async () => {
      await storeToken(NO_KEYS);
      assert.equal(await backend.storedToken(place), TOKEN, 'without a key it is plain (the production start warns)');
      const store = await open(only(KEY_A));
      assert.equal(store.read().auth.refreshToken, TOKEN);
      assert.equal(((await backend.storedToken(place)) as { kid: string }).kid, keyId(KEY_A));
      assert.ok(!(await backend.raw(place)).includes(TOKEN));
    });

    it('a damaged ciphertext is refused as damaged, not as a wrong key, and left untouched', async () => {
      await storeToken(only(KEY_A));
      const sealed = (await backend.storedToken(place)) as { ct: string };
      const flipped = Buffer.from(sealed.ct, 'base64');
      flipped[0] = (flipped[0] ?? 0) ^ 1;
      const damaged = { ...sealed, ct: flipped.toString('base64') };
      if (backend.postgres) await sql(place, `update auth set refresh_token_sealed = '${JSON.stringify(damaged)}'::jsonb`);
      else {
        const { writeFile } = await import('node:fs/promises');
        const file = JSON.parse(await readFile(place, 'utf8')) as { auth: unknown };
        file.auth = { refreshToken: damaged };
        await writeFile(place, JSON.stringify(file));
      }
      const before = await backend.raw(place);
      await assert.rejects(open(only(KEY_A)), /does not decrypt under its key \(id \S+\): it was changed or damaged\. It was left untouched/);
      assert.equal(await backend.raw(place), before);
    });
  });
}

describe('secrets at rest: PostgreSQL, several instances', () => {
  let url: string;
  const stores: PostgresStateStore[] = [];
  before(async function () {
    url = await (await postgresForSuite(this)).createDatabase();
  });
  after(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it("another instance reads the token one instance sealed, plain, and seals what it writes itself", async () => {
    const secrets = new SecretBox(only(KEY_A));
    const a = await PostgresStateStore.open(url, { secrets });
    const b = await PostgresStateStore.open(url, { secrets });
    stores.push(a, b);
    await a.update((state) => void (state.auth.refreshToken = TOKEN));
    await b.refresh();
    assert.equal(b.read().auth.refreshToken, TOKEN);
    // Partner Center hands out a new refresh token with each use: whichever instance stores it seals it.
    await b.update((state) => void (state.auth.refreshToken = `${TOKEN}-rotated`));
    await a.refresh();
    assert.equal(a.read().auth.refreshToken, `${TOKEN}-rotated`);
    const [row] = await sql(url, 'select refresh_token, refresh_token_sealed from auth');
    assert.equal(row?.refresh_token, null);
    assert.equal((row?.refresh_token_sealed as { kid: string }).kid, keyId(KEY_A));
  });
});

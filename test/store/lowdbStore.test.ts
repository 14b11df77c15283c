import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { SCHEMA_VERSION, StateFileError } from '../../src/store/state.js';

async function tempFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'pa-store-')), 'state.json');
}

describe('lowdb state store', () => {
  it('creates the file at open and persists every update durably', async () => {
    const file = await tempFile();
    const store = await LowdbStateStore.open(file);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).schemaVersion, SCHEMA_VERSION);
    await store.update((state) => {
      state.orderCustomers['order-1'] = 'customer-1';
    });
    // No temp file is left behind after the atomic rename; the lock is there while the store is open.
    assert.deepEqual(await readdir(path.dirname(file)), ['state.json', 'state.json.lock']);
    await store.close();
    const reopened = await LowdbStateStore.open(file);
    assert.equal(reopened.read().orderCustomers['order-1'], 'customer-1');
    await reopened.close();
    assert.deepEqual(await readdir(path.dirname(file)), ['state.json']);
  });

  it('serialises concurrent updates so none is lost', async () => {
    const store = await LowdbStateStore.open(await tempFile());
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.update((state) => {
          state.orderCustomers[`o${i}`] = `c${i}`;
        }),
      ),
    );
    assert.equal(Object.keys(store.read().orderCustomers).length, 50);
  });

  it('refuses a corrupt file with a clear message and leaves it untouched', async () => {
    const file = await tempFile();
    await writeFile(file, '{"schemaVersion": 1, "targets": {');
    await assert.rejects(LowdbStateStore.open(file), (error: Error) => {
      assert.ok(error instanceof StateFileError);
      assert.match(error.message, /is not valid JSON/);
      assert.match(error.message, /left untouched/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), '{"schemaVersion": 1, "targets": {');
    // A refused open gives its lock back: the file opens once it is repaired.
    assert.deepEqual(await readdir(path.dirname(file)), ['state.json']);
  });

  it('refuses a file from a newer release', async () => {
    const file = await tempFile();
    await writeFile(file, JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }));
    await assert.rejects(LowdbStateStore.open(file), /written by a newer Partner Alerts/);
  });

  it('rolls back an update whose write fails', async () => {
    const file = await tempFile();
    const store = await LowdbStateStore.open(file);
    await store.update((state) => {
      state.orderCustomers.kept = 'yes';
    });
    await assert.rejects(
      store.update((state) => {
        state.orderCustomers.lost = 'yes';
        // JSON.stringify fails on a BigInt: the write throws after the change was applied in memory.
        (state as unknown as { bad: bigint }).bad = 1n;
      }),
    );
    assert.equal(store.read().orderCustomers.kept, 'yes');
    assert.equal(store.read().orderCustomers.lost, undefined);
  });

  it('never writes half of a change that throws, and still writes the others of its group', async () => {
    const file = await tempFile();
    const store = await LowdbStateStore.open(file);
    const [good, bad, later] = await Promise.allSettled([
      store.update((state) => void (state.orderCustomers.first = 'yes')),
      store.update((state) => {
        state.orderCustomers.half = 'made';
        throw new Error('routing failed halfway');
      }),
      store.update((state) => {
        state.orderCustomers.third = 'yes';
        return 3;
      }),
    ]);
    assert.equal(good.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.deepEqual(later, { status: 'fulfilled', value: 3 });
    const onDisk = JSON.parse(await readFile(file, 'utf8')).orderCustomers;
    assert.deepEqual(onDisk, { first: 'yes', third: 'yes' }, 'the half-made change is not on disk');
    assert.equal(store.read().orderCustomers.half, undefined, 'nor in memory');
  });

  it('writes what was asked before close, and refuses changes after it', async () => {
    const file = await tempFile();
    const store = await LowdbStateStore.open(file);
    const writes = Array.from({ length: 5 }, (_, i) =>
      store.update((state) => {
        state.orderCustomers[`o${i}`] = `c${i}`;
      }),
    );
    await store.close();
    await Promise.all(writes);
    assert.equal(Object.keys(JSON.parse(await readFile(file, 'utf8')).orderCustomers).length, 5);
    await assert.rejects(
      store.update((state) => {
        state.orderCustomers.late = 'yes';
      }),
      (error: Error) => error instanceof StateFileError && /was closed; this change was not saved/.test(error.message),
    );
    assert.equal(JSON.parse(await readFile(file, 'utf8')).orderCustomers.late, undefined);
    await store.close(); // twice is harmless
  });
});

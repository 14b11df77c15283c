// One process per state file: the lock next to it, with real files and real child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { StateFileError } from '../../src/store/state.js';

const STORE_MODULE = new URL('../../src/store/lowdbStore.js', import.meta.url).href;

// A second Partner Alerts in miniature: opens the store and says what happened. `hold` keeps it open until its
// stdin ends, then lets the event loop run dry (a normal exit, no close); `exit` calls process.exit(0) at once.
const CHILD = `
const [moduleUrl, file, mode] = process.argv.slice(2);
const { LowdbStateStore } = await import(moduleUrl);
const { existsSync } = await import('node:fs');
let store;
try {
  store = await LowdbStateStore.open(file, { log: (note) => console.log('NOTE ' + note) });
} catch (error) {
  console.log('REFUSED ' + error.constructor.name + ': ' + error.message);
  process.exit(3);
}
await store.update((state) => { state.orderCustomers['from-child'] = String(process.pid); });
console.log('OPEN ' + process.pid + (existsSync(file + '.lock') ? ' locked' : ' unlocked'));
if (mode === 'exit') process.exit(0);
if (mode === 'hold') {
  process.stdin.resume();
  process.stdin.on('end', () => process.stdin.destroy());
}
`;

interface Child {
  pid: number;
  /** Resolves with the first line the child prints (OPEN …, REFUSED …). */
  said: Promise<string>;
  exited: Promise<number | null>;
  /** Everything it printed so far. */
  output(): string;
  /** Ends its stdin: a holding child then exits normally. */
  letGo(): void;
}

async function scratch(): Promise<{ dir: string; file: string; script: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pa-lock-'));
  const script = path.join(dir, 'child.mjs');
  await writeFile(script, CHILD);
  return { dir, file: path.join(dir, 'state.json'), script };
}

function runChild(script: string, file: string, mode: 'hold' | 'exit' | 'end'): Child {
  const child = spawn(process.execPath, [script, STORE_MODULE, file, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const said = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('OPEN') || l.startsWith('REFUSED'));
      if (line) resolve(line);
    });
    void exited.then((code) => reject(new Error(`the child exited (${code}) without a word: ${out}${err}`)));
  });
  said.catch(() => undefined);
  return { pid: child.pid ?? -1, said, exited, output: () => out, letGo: () => child.stdin.end() };
}

/** The pid of a process that has come and gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(child.pid);
  return child.pid;
}

const inUseBy = (file: string, pid: number, host: string) =>
  new RegExp(`^The state file ${escape(file)} is in use by process ${pid} on host ${escape(host)} since \\d\\d:\\d\\d UTC\\.`);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('lowdb state store: one process per state file', () => {
  it('refuses a second store on the same file in this process, and opens it once the first is closed', async () => {
    const { dir, file } = await scratch();
    const first = await LowdbStateStore.open(file);
    await assert.rejects(LowdbStateStore.open(file), (error: Error) => {
      assert.ok(error instanceof StateFileError, String(error));
      assert.match(error.message, inUseBy(file, process.pid, hostname()));
      assert.match(error.message, /this very process/);
      return true;
    });
    // The same file through a symlinked directory is the same file.
    const alias = `${dir}-alias`;
    await symlink(dir, alias);
    await assert.rejects(LowdbStateStore.open(path.join(alias, 'state.json')), StateFileError);
    await first.close();
    const second = await LowdbStateStore.open(file);
    await second.close();

    // Two opens racing: exactly one gets the file.
    const raced = await Promise.allSettled([LowdbStateStore.open(file), LowdbStateStore.open(file)]);
    assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of raced) if (r.status === 'fulfilled') await r.value.close();
    assert.deepEqual((await readdir(dir)).sort(), ['child.mjs', 'state.json']);
  });

  it('refuses a second process while the first holds the file, naming the holder', async () => {
    const { file, script } = await scratch();
    const store = await LowdbStateStore.open(file);
    await store.update((state) => void (state.orderCustomers['from-first'] = 'kept'));
    const before = await readFile(file, 'utf8');

    const second = runChild(script, file, 'end');
    const said = await second.said;
    assert.equal(await second.exited, 3);
    assert.match(said, /^REFUSED StateFileError: /);
    const message = said.slice('REFUSED StateFileError: '.length);
    assert.match(message, inUseBy(file, process.pid, hostname()));
    assert.match(message, /Stop that Partner Alerts first, or point DATA_FILE elsewhere/);
    assert.equal(await readFile(file, 'utf8'), before, 'the refused process wrote nothing');
    await store.close();
  });

  it('refuses this process while a child holds the file; the child\'s normal exit gives it back', async () => {
    const { dir, file, script } = await scratch();
    const holder = runChild(script, file, 'hold');
    assert.equal(await holder.said, `OPEN ${holder.pid} locked`);
    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    assert.deepEqual(Object.keys(lock).sort(), ['host', 'pid', 'startedAt']);
    assert.equal(lock.pid, holder.pid);
    assert.equal(lock.host, hostname());

    await assert.rejects(LowdbStateStore.open(file), (error: Error) => {
      assert.ok(error instanceof StateFileError);
      assert.match(error.message, inUseBy(file, holder.pid, hostname()));
      return true;
    });

    holder.letGo();
    assert.equal(await holder.exited, 0);
    assert.deepEqual((await readdir(dir)).sort(), ['child.mjs', 'state.json'], 'the lock went with the child');
    const store = await LowdbStateStore.open(file);
    assert.equal(store.read().orderCustomers['from-child'], String(holder.pid));
    await store.close();
  });

  it('removes the lock on process.exit() too', async () => {
    const { dir, file, script } = await scratch();
    const child = runChild(script, file, 'exit');
    assert.equal(await child.said, `OPEN ${child.pid} locked`);
    assert.equal(await child.exited, 0);
    assert.deepEqual((await readdir(dir)).sort(), ['child.mjs', 'state.json']);
  });

  it('takes over the lock of a process that no longer runs on this host, and says so', async () => {
    const { file } = await scratch();
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: '2024-05-01T14:05:00.000Z' }));
    const notes: string[] = [];
    const store = await LowdbStateStore.open(file, { log: (note) => notes.push(note) });
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', new RegExp(`locked by process ${pid} on this host .* since 14:05 UTC on 2024-05-01, which is no longer running; its lock was taken over`));
    assert.equal(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid, process.pid);
    await store.close();
  });

  it('takes over a lock naming this pid that no open store holds (an earlier process with the same pid, as pid 1 in a container)', async () => {
    const { file } = await scratch();
    await writeFile(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2024-05-01T14:05:00.000Z' }));
    const notes: string[] = [];
    const store = await LowdbStateStore.open(file, { log: (note) => notes.push(note) });
    assert.equal(notes.length, 1);
    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8'));
    assert.notEqual(lock.startedAt, '2024-05-01T14:05:00.000Z');
    await store.close();
  });

  it('a child takes over the lock of a dead process too, with its log line', async () => {
    const { file, script } = await scratch();
    const pid = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString() }));
    const child = runChild(script, file, 'end');
    assert.match(await child.said, /^OPEN /);
    assert.equal(await child.exited, 0);
    assert.match(child.output(), new RegExp(`^NOTE The state file .* was locked by process ${pid} on this host .*its lock was taken over\\.$`, 'm'));
  });

  it('never takes over a lock from another host', async () => {
    const { file } = await scratch();
    const text = JSON.stringify({ pid: await deadPid(), host: 'build-7', startedAt: '2024-05-01T14:05:00.000Z' });
    await writeFile(`${file}.lock`, text);
    await assert.rejects(LowdbStateStore.open(file), (error: Error) => {
      assert.ok(error instanceof StateFileError);
      assert.match(error.message, /^The state file .* is in use by process \d+ on host build-7 since 14:05 UTC on 2024-05-01\./);
      assert.match(error.message, /A lock from another host is never taken over/);
      assert.ok(error.message.includes(`delete ${file}.lock`), error.message);
      return true;
    });
    assert.equal(await readFile(`${file}.lock`, 'utf8'), text, 'the lock is left as it was');
    await assert.rejects(readFile(file), { code: 'ENOENT' }, 'the state file was not created either');
  });

  it('refuses a lock file that does not say who holds it, and leaves it', async () => {
    const { file } = await scratch();
    await writeFile(`${file}.lock`, 'garbage');
    await assert.rejects(LowdbStateStore.open(file), /does not say which process holds it.*delete .*state\.json\.lock/);
    assert.equal(await readFile(`${file}.lock`, 'utf8'), 'garbage');
  });

  it('check() refuses what open() refuses about the lock, but takes, makes and removes nothing', async () => {
    const { dir, file } = await scratch();
    const stale = JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: '2024-05-01T14:05:00.000Z' });
    await writeFile(`${file}.lock`, stale);
    await LowdbStateStore.check(file);
    assert.equal(await readFile(`${file}.lock`, 'utf8'), stale, 'a stale lock is open()\'s to take over, not check()\'s');
    assert.deepEqual((await readdir(dir)).sort(), ['child.mjs', 'state.json.lock'], 'no state file made');

    await writeFile(`${file}.lock`, JSON.stringify({ pid: 1, host: 'build-7', startedAt: '2024-05-01T14:05:00.000Z' }));
    await assert.rejects(LowdbStateStore.check(file), /^StateFileError: The state file .* is in use by process 1 on host build-7 .*A lock from another host is never taken over/);

    const other = path.join(dir, 'other.json');
    const store = await LowdbStateStore.open(other);
    try {
      await assert.rejects(LowdbStateStore.check(other), /That is this very process: the store opened on it earlier has not been closed/);
    } finally {
      await store.close();
    }
  });
});

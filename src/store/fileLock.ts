// One writer per state file: an exclusive lock file next to it (`<file>.lock`, created with O_EXCL) that
// names the process holding it. lowdb rewrites the whole file on every save, so two processes on one file
// would silently erase each other's changes; the second one stops at start instead.
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { StateFileError } from './state.js';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
}

export interface FileLock {
  readonly lockFile: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still this lock's; idempotent and synchronous. */
  release(): void;
}

export interface LockOptions {
  /** Told when a stale lock of a dead process is taken over; stderr when not given. */
  log?: (note: string) => void;
}

/**
 * The lock files this process holds, by the real path of the lock file. A lock naming this pid and host is
 * either in here (held by a store that is still open: refused) or left by an earlier process that had the
 * same pid, e.g. pid 1 in a restarted container (stale: taken over). Never asking the OS whether our own
 * pid is alive is what keeps those two apart.
 */
const held = new Map<string, { lockFile: string; text: string }>();

/** One exit handler for all locks: unlinks synchronously on a normal exit (process.exit, end of the event loop). */
function releaseAllOnExit(): void {
  for (const { lockFile, text } of held.values()) removeIfOurs(lockFile, text);
  held.clear();
}

function removeIfOurs(lockFile: string, text: string): void {
  try {
    // Someone may have deleted it by hand and another process taken it since: only ever remove our own.
    if (readFileSync(lockFile, 'utf8') === text) unlinkSync(lockFile);
  } catch {
    // Already gone (or unreadable): nothing of ours to remove.
  }
}

export async function acquireLock(fileName: string, options: LockOptions = {}): Promise<FileLock> {
  const lockFile = `${fileName}.lock`;
  // The directory exists (the store made it); its real path makes two spellings of one file one key.
  const key = path.join(await realpath(path.dirname(path.resolve(lockFile))), path.basename(lockFile));
  const host = hostname();

  const mine = held.get(key);
  if (mine) {
    throw new StateFileError(inUse(fileName, lockFile, parseOwner(mine.text) ?? { pid: process.pid, host, startedAt: new Date().toISOString() }, 'this process'));
  }
  // Reserved before the first await, so two opens racing in this process cannot both get past here.
  const owner: LockOwner = { pid: process.pid, host, startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(owner)}\n`;
  const entry = { lockFile, text };
  held.set(key, entry);
  if (held.size === 1) process.once('exit', releaseAllOnExit);

  const forget = () => {
    if (held.get(key) !== entry) return;
    held.delete(key);
    if (held.size === 0) process.removeListener('exit', releaseAllOnExit);
  };

  try {
    for (let attempt = 0; ; attempt++) {
      if (await create(lockFile, text)) break;
      const found = await readOwner(lockFile);
      if (found === 'gone') continue; // released between our try and our read: try again
      if (found === 'unreadable') throw new StateFileError(unreadableLock(fileName, lockFile));
      const verdict = holderOf(found, host);
      if (verdict !== 'dead') throw new StateFileError(inUse(fileName, lockFile, found, verdict));
      if (attempt >= 5) throw new StateFileError(`The lock file ${lockFile} of the state file ${fileName} keeps changing; another Partner Alerts may be starting on it. Try again.`);
      if (await removeStale(lockFile, found)) {
        (options.log ?? ((note: string) => console.warn(note)))(
          `The state file ${fileName} was locked by process ${found.pid} on this host (${host}) since ${when(found.startedAt)}, which is no longer running; its lock was taken over.`,
        );
      }
    }
  } catch (error) {
    forget();
    throw error;
  }

  let released = false;
  return {
    lockFile,
    owner,
    release: () => {
      if (released) return;
      released = true;
      removeIfOurs(lockFile, text);
      forget();
    },
  };
}

/**
 * Throws what acquireLock would throw because another process (or a store of this one) holds the lock, but
 * takes nothing and removes nothing, not even a stale lock: for a tool that must leave every file as it was
 * until it knows it will write. Not a reservation: the lock may be taken between this and acquireLock.
 */
export async function assertLockFree(fileName: string): Promise<void> {
  const lockFile = `${fileName}.lock`;
  // No folder yet: no lock in it either.
  const folder = await realpath(path.dirname(path.resolve(lockFile))).catch(() => null);
  const mine = folder === null ? undefined : held.get(path.join(folder, path.basename(lockFile)));
  const host = hostname();
  if (mine) throw new StateFileError(inUse(fileName, lockFile, parseOwner(mine.text) ?? { pid: process.pid, host, startedAt: new Date().toISOString() }, 'this process'));
  const found = await readOwner(lockFile);
  if (found === 'gone') return;
  if (found === 'unreadable') throw new StateFileError(unreadableLock(fileName, lockFile));
  const verdict = holderOf(found, host);
  // A dead holder's lock is one acquireLock takes over, so it does not stop anything.
  if (verdict !== 'dead') throw new StateFileError(inUse(fileName, lockFile, found, verdict));
}

function unreadableLock(fileName: string, lockFile: string): string {
  return `The state file ${fileName} has a lock file ${lockFile} that does not say which process holds it. If no Partner Alerts uses ${fileName}, delete ${lockFile} and start again.`;
}

/** Creates the lock file with our owner in it; false if one exists. */
async function create(lockFile: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateFileError(`The lock file ${lockFile} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockFile).catch(() => undefined);
    throw new StateFileError(`The lock file ${lockFile} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  await handle.close();
  return true;
}

async function readOwner(lockFile: string): Promise<LockOwner | 'gone' | 'unreadable'> {
  // The holder writes its owner right after creating the file: an empty file is usually one being written.
  for (let attempt = 0; attempt < 10; attempt++) {
    let text: string;
    try {
      text = await readFile(lockFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      return 'unreadable';
    }
    const owner = parseOwner(text);
    if (owner) return owner;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return 'unreadable';
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt };
    }
  } catch {
    // not JSON (yet)
  }
  return null;
}

type Holder = 'dead' | 'other process' | 'other host';

function holderOf(owner: LockOwner, host: string): Holder {
  // Another machine's process table is out of reach: its lock is never taken over.
  if (owner.host !== host) return 'other host';
  // Our own pid but not held in this process (checked above): an earlier process that had our pid.
  if (owner.pid === process.pid) return 'dead';
  try {
    process.kill(owner.pid, 0);
    return 'other process';
  } catch (error) {
    // EPERM: it exists but belongs to another user. Only "no such process" makes a lock stale.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'other process';
  }
}

/**
 * Removes a stale lock without removing a fresh one: two starts may find the same stale lock, and the one
 * that takes over second must not delete the lock the first has just made. The rename moves exactly one
 * file; if it turns out to be a fresh lock rather than the stale one, it is put back.
 */
async function removeStale(lockFile: string, stale: LockOwner): Promise<boolean> {
  const aside = `${lockFile}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = parseOwner(await readFile(aside, 'utf8').catch(() => ''));
  if (moved && moved.pid === stale.pid && moved.host === stale.host && moved.startedAt === stale.startedAt) {
    await unlink(aside).catch(() => undefined);
    return true;
  }
  // Someone else's fresh lock: put it back, never over a lock made in the meantime.
  try {
    await link(aside, lockFile);
    await unlink(aside).catch(() => undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') await unlink(aside).catch(() => undefined);
    else await rename(aside, lockFile).catch(() => undefined);
  }
  return false;
}

function inUse(fileName: string, lockFile: string, owner: LockOwner, holder: Exclude<Holder, 'dead'> | 'this process'): string {
  const lead = `The state file ${fileName} is in use by process ${owner.pid} on host ${owner.host} since ${when(owner.startedAt)}.`;
  const oneWriter = 'Two Partner Alerts on one state file would erase each other\'s changes (several instances share a PostgreSQL database instead: DATABASE_URL).';
  switch (holder) {
    case 'this process':
      return `${lead} That is this very process: the store opened on it earlier has not been closed. Close it first.`;
    case 'other host':
      return `${lead} ${oneWriter} Stop that Partner Alerts first, or point DATA_FILE elsewhere. A lock from another host is never taken over: if nothing runs there any more, delete ${lockFile}.`;
    case 'other process':
      return `${lead} ${oneWriter} Stop that Partner Alerts first, or point DATA_FILE elsewhere. If that process is not a Partner Alerts, delete ${lockFile}.`;
  }
}

/** "14:05 UTC" today, "14:05 UTC on 2024-05-01" before. */
function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  const time = `${text.slice(11, 16)} UTC`;
  return text.slice(0, 10) === new Date().toISOString().slice(0, 10) ? time : `${time} on ${text.slice(0, 10)}`;
}

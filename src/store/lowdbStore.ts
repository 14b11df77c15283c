// The lowdb-backed state store: one JSON file, written atomically (temp file, fsync, rename) by one
// writer at a time. A file that cannot be read is never overwritten: start-up stops with a clear reason.
// One process at a time too: open() takes `<file>.lock` (fileLock.ts) and close() gives it back.
// Secrets are sealed on the way to the file and opened on the way back (storedSecrets.ts); memory holds them plain.
import { access, constants, mkdir, open, readFile, rename, copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { writeJsonInPieces } from './chunkedJson.js';
import { acquireLock, assertLockFree, type FileLock, type LockOptions } from './fileLock.js';
import { emptyState, migrate, StateFileError, type State } from './state.js';
import { draftGroup, publish, type Drafted } from './draft.js';
import type { StateStore, UpdateOptions } from './stateStore.js';
import { factsOfMap, spreadOf, loadList, mergeLoads, pagedView, resolveSelections, viewOf, withoutPaged, type FactsFilter, type FetchSpread, type LoadList, type Loads, type PagedField, type SnapshotFacts } from './paged.js';
import { soleInstance, type Coordination } from './coordination.js';
import { SecretBox } from './secretBox.js';
import { openState, sealState } from './storedSecrets.js';
import { readPorts, transactionOn, type StorePorts, type TxPorts } from './ports/index.js';

/**
 * The state the file holds, its secrets opened, or null when there is no file; writes nothing.
 * `migratedFrom`: the file's older schema version, when it was brought up to this one.
 */
async function readStateFile(fileName: string, secrets: SecretBox): Promise<{ state: State; migratedFrom: number | null } | null> {
  let text: string;
  try {
    text = await readFile(fileName, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StateFileError(`The state file ${fileName} cannot be read (${code ?? (error as Error).message}).`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(
      `The state file ${fileName} is not valid JSON (${(error as Error).message}). It was left untouched: restore it from a backup or move it away, then start again.`,
    );
  }
  const { state, migrated } = migrate(raw, fileName);
  // Before anything is written: a secret no key opens stops the start and the file stays as it is. One
  // stored plain or under the previous key is sealed under the current key by the write open() makes.
  openState(state, secrets);
  return { state, migratedFrom: migrated ? (raw as State).schemaVersion : null };
}

/**
 * Throws when open() could not make the file's folder or write in it (its temp file sits beside it). Only
 * the nearest folder that exists is asked (a missing one would be made inside it), and nothing is made.
 */
async function assertWritable(fileName: string): Promise<void> {
  let folder = path.dirname(path.resolve(fileName));
  for (;;) {
    // ENOTDIR: a file stands where a folder of the path should be; the walk up finds it.
    const found = await stat(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? null : error));
    if (found instanceof Error) throw new StateFileError(`The state file ${fileName} cannot be written: ${folder} cannot be read (${(found as NodeJS.ErrnoException).code ?? found.message}).`);
    if (found || path.dirname(folder) === folder) {
      const usable = found?.isDirectory() && (await access(folder, constants.W_OK | constants.X_OK).then(() => true, () => false));
      if (!usable) throw new StateFileError(`The state file ${fileName} cannot be written: ${folder} is not a folder this process can write in.`);
      return;
    }
    folder = path.dirname(folder);
  }
}

class DurableJsonFile implements Adapter<State> {
  constructor(
    private readonly fileName: string,
    private readonly secrets: SecretBox,
  ) {}

  async read(): Promise<State | null> {
    const read = await readStateFile(this.fileName, this.secrets);
    if (!read) return null;
    // Keep the pre-migration file: a migration is the one write that cannot be undone by restarting.
    if (read.migratedFrom !== null) await copyFile(this.fileName, `${this.fileName}.v${read.migratedFrom}.bak`);
    return read.state;
  }

  async write(state: State): Promise<void> {
    const temp = path.join(path.dirname(this.fileName), `.${path.basename(this.fileName)}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    try {
      // Buffered into ~64 KB writes; the serialiser yields to the event loop between its pieces.
      let buffered: string[] = [];
      let size = 0;
      const flushBuffer = async () => {
        if (size === 0) return;
        await handle.write(buffered.join(''));
        buffered = [];
        size = 0;
      };
      await writeJsonInPieces(sealState(state, this.secrets) as unknown as Record<string, unknown>, async (piece) => {
        buffered.push(piece);
        size += piece.length;
        if (size >= 65_536) await flushBuffer();
      });
      await flushBuffer();
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.fileName);
  }
}

interface PendingChange {
  change: (draft: State) => unknown;
  load: LoadList | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface OpenOptions extends LockOptions {
  /** Seals the secrets the file holds (STATE_ENCRYPTION_KEY); without it they are kept in plain text. */
  secrets?: SecretBox;
}

export class LowdbStateStore implements StateStore {
  readonly backend = 'lowdb';
  /** The lock file makes this process the only one: it leads and claims every conversation it serves. */
  readonly coordination: Coordination;
  private pending: PendingChange[] = [];
  private writing: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** What read() hands out: the state without its paged records, made again only if lowdb replaced it. */
  private reader: { state: State; view: State } | null = null;

  private constructor(
    private readonly db: Low<State>,
    private readonly adapter: DurableJsonFile,
    readonly fileName: string,
    private readonly lock: FileLock,
  ) {
    this.coordination = soleInstance(`${lock.owner.host}:${lock.owner.pid}`);
  }

  /**
   * Opens (or creates) the state file and locks it for this store until close() or the process exits.
   * Throws StateFileError if it exists but cannot be used, or another process or open store holds it.
   * `log` hears when a stale lock of a dead process on this host is taken over.
   */
  static async open(fileName: string, options: OpenOptions = {}): Promise<LowdbStateStore> {
    await mkdir(path.dirname(path.resolve(fileName)), { recursive: true });
    const lock = await acquireLock(fileName, options);
    try {
      const adapter = new DurableJsonFile(fileName, options.secrets ?? new SecretBox());
      const db = new Low<State>(adapter, emptyState());
      await db.read();
      const store = new LowdbStateStore(db, adapter, fileName, lock);
      await store.update(() => undefined); // create the file now, so a bad path fails at start, not later
      return store;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Throws the StateFileError open() would throw (a process holds the lock, the file cannot be read or
   * created, no key given opens its secrets), but writes nothing: no folder, file, lock or migration
   * backup. For a tool that must leave the file (or its absence) as it was when it has nothing to store.
   */
  static async check(fileName: string, options: Pick<OpenOptions, 'secrets'> = {}): Promise<void> {
    // The folder first: in one that cannot be, the lock and the file cannot be either.
    await assertWritable(fileName);
    await assertLockFree(fileName);
    await readStateFile(fileName, options.secrets ?? new SecretBox());
  }

  /** Waits for the changes already asked for to be on disk, then releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.writing) await this.writing;
      this.lock.release();
    })();
    return this.closing;
  }

  read(): Readonly<State> {
    if (this.reader?.state !== this.db.data) this.reader = { state: this.db.data, view: withoutPaged(this.db.data) };
    return this.reader.view;
  }

  /** All of them are in memory here; the view shows only what was asked, as PostgreSQL's does. */
  view(loads: Loads): Promise<Readonly<State>> {
    return Promise.resolve(viewOf(this.db.data, this.db.data, loads));
  }

  facts(field: PagedField, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>> {
    return factsOfMap(this.db.data[field], filter);
  }

  async fetchSpread(field: PagedField, among: ReadonlySet<string>): Promise<{ among: FetchSpread; rest: FetchSpread }> {
    return spreadOf(await this.facts(field), among);
  }

  /** One process owns the file: nothing changes behind its back. */
  refresh(): Promise<void> {
    return Promise.resolve();
  }

  onExternalChange(): void {}

  readonly ports: StorePorts = readPorts(() => this.read());

  transaction<T>(work: (tx: TxPorts) => T, options: UpdateOptions = {}): Promise<T> {
    return transactionOn((change) => this.update(change, options), work);
  }

  update<T>(change: (draft: State) => T, options: UpdateOptions = {}): Promise<T> {
    // After close the lock may belong to another process: a write now would erase its changes.
    if (this.closing) return Promise.reject(new StateFileError(`The state file ${this.fileName} was closed; this change was not saved.`));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ change, load: options.load, resolve: resolve as (value: unknown) => void, reject });
      this.writing ??= this.flush();
    });
  }

  /**
   * Group commit: changes that arrive while a write is in flight are run in order on a draft and written
   * together by the next write. Readers see the group only once it is on disk; each caller hears back then
   * too, but a burst of deliveries costs a few whole-file writes instead of one each. A failed write leaves
   * the state as it was, which is what the file holds.
   */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        let drafted: Drafted;
        try {
          const reach = mergeLoads(batch.flatMap(({ load }) => loadList(load)));
          resolveSelections(reach, this.db.data);
          drafted = draftGroup(this.db.data, batch.map(({ change }) => change), (draft) => pagedView(draft, reach));
          await this.adapter.write(drafted.draft);
        } catch (error) {
          for (const { reject } of batch) reject(error);
          continue;
        }
        publish(drafted.draft);
        batch.forEach(({ resolve, reject }, i) => {
          const result = drafted.results[i];
          if (result?.ok) resolve(result.value);
          else reject(result?.error);
        });
      }
    } finally {
      // In the same step as the last look at `pending`: a change queued from here on starts a new flush.
      this.writing = null;
    }
  }
}


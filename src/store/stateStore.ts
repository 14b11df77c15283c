// The store's contract. The rest of the app reads the stored state and changes it only through `update`,
// which runs a change on a draft, makes it durable, and only then shows it to readers, one change at a time.
// Two backends: lowdb (one JSON file, one process) and PostgreSQL (a row per record, several instances).
import type { Coordination } from './coordination.js';
import type { Field } from './records.js';
import type { FactsFilter, FetchSpread, LoadList, Loads, PagedField, SnapshotFacts } from './paged.js';
import type { State } from './state.js';
import type { StorePorts, TxPorts } from './ports/index.js';

export interface UpdateOptions {
  /**
   * A sweep commit: accepted only while this instance leads (PostgreSQL checks the lease's fencing token in
   * the same transaction), so a deposed leader's late batch is refused, not written over its successor's.
   */
  fenced?: boolean;
  /**
   * The paged records (paged.ts: the snapshots) the change reads. Only these are in its draft: a read of
   * another throws, on both stores. With PostgreSQL they are read in the change's own transaction.
   */
  load?: LoadList;
  /**
   * The id of the queued delivery this change records as sent: accepted only while the delivery is this
   * instance's to send (PostgreSQL checks its row's claim in the same transaction), so an instance whose
   * claim expired and was taken over changes nothing with its late record. lowdb: one process, always its own.
   */
  completes?: string;
}

export interface StateStore {
  readonly backend: 'lowdb' | 'postgres';
  readonly coordination: Coordination;
  /**
   * The state as stored: a change shows here only once its write is durable. Read-only: change it through
   * `update`. Without the paged records (a read of one throws): view() and facts() read those.
   */
  read(): Readonly<State>;
  /**
   * Run `change` on a draft of the state and write it durably; resolves once it is stored, when read() shows
   * it. Changes run one after another, never interleaved, so a change sees every earlier one (several may
   * share one write), and with PostgreSQL every other instance's committed changes too. If the write fails,
   * nobody ever saw the change. A value the change returns is a plain copy, not part of the draft.
   */
  update<T>(change: (draft: State) => T, options?: UpdateOptions): Promise<T>;
  /**
   * The stored records through their ports (ports/): what read() shows, asked for by kind of record. A
   * change shows here only once its write is durable.
   */
  readonly ports: StorePorts;
  /**
   * One unit of work through the ports: `work` reads and writes through `tx` and everything it wrote commits
   * together, as `update` (same options: fenced, load, completes), or nothing does. Until it is durable no
   * port shows any of it; a failed commit is never seen. `work` runs in one step, so it is synchronous.
   */
  transaction<T>(work: (tx: TxPorts) => T, options?: UpdateOptions): Promise<T>;
  /**
   * The state as stored with the paged records `loads` names readable: what a reader of snapshots (the
   * digest, a command) asks for, once. read() holds none of them.
   */
  view(loads: Loads): Promise<Readonly<State>>;
  /**
   * What planning and the digest go by of the records of a paged field, by key, without the records: of
   * every one, or, with a filter, of those active, changed since, named, or ending by a day (the fast lane's,
   * a digest's; PostgreSQL: a query).
   */
  facts(field: PagedField, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>>;
  /** How fresh a paged field's records are, those with a key in `among` and the others (PostgreSQL: one aggregate). */
  fetchSpread(field: PagedField, among: ReadonlySet<string>): Promise<{ among: FetchSpread; rest: FetchSpread }>;
  /** Brings read() up to date with other instances' changes (nothing to do with one process). */
  refresh(): Promise<void>;
  /** Hears which parts of the state other instances changed, after read() shows them. */
  onExternalChange(listener: (fields: ReadonlySet<Field>) => void): void;
  /** Waits for the changes asked for, then lets go (the lock file, the database connections). */
  close(): Promise<void>;
}

/** A refused sweep commit: this instance no longer holds the lease. */
export class LeaseLostError extends Error {
  constructor(message = 'this instance no longer leads the sweep; its commit was refused') {
    super(message);
    this.name = 'LeaseLostError';
  }
}

/** A refused completion: another instance took the delivery's conversation over (its claim had expired). */
export class ClaimLostError extends Error {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} is no longer this instance's to record: another instance took its conversation over`);
    this.name = 'ClaimLostError';
  }
}

/** The store cannot be reached now (PostgreSQL down, restarting or cut off): nothing was changed. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('the database cannot be reached; nothing was changed', { cause });
    this.name = 'StoreUnavailableError';
  }
}

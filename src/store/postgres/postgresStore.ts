// The PostgreSQL state store: a row per record (tables.ts), shared by several instances.
//
// The snapshots, which grow with the partner's customers, stay in the database (paged.ts): a change reads the
// ones it names in its own transaction, readers ask for them (view, facts), and no instance holds them.
// Each instance keeps the rest of the state in memory for fast, synchronous reads, as the lowdb store does, and
// keeps it current from the database. No lock is common to all commits: two instances' unrelated commits run
// at the same time.
// - Catch-up by visibility (residentCopy.ts): the copy in memory reads the rows (and deletions) written by
//   transactions its last catch-up's snapshot did not see.
// - A commit is one REPEATABLE READ transaction: it catches up in its own snapshot, runs the group's changes on
//   a draft (draft.ts) and writes only the records they touched and actually changed. A row it writes that
//   another transaction changed since its snapshot fails with a serialization error; what the group only
//   read is held (readLocks.ts: its rows FOR SHARE, or a table read whole locked before the snapshot), so a
//   change there fails it too. On such a failure (or a deadlock) the group runs again on fresh data, a few
//   times: its changes are pure functions of the draft. So a read-modify-write never loses another
//   instance's write. Sweep commits also take the old write lock, which endpoint claims wait on.
// - Readers see the draft only once the transaction has committed; NOTIFY tells the other instances, which
//   read the new rows at once (and look every second regardless, one query when nothing is new).
// Secrets are sealed as rows are written and opened as they are read (storedSecrets.ts): memory, and the
// JSON a change is compared with, hold them plain.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Coordination } from '../coordination.js';
import { baseOf, changedKeys, draftGroup, finished, publish, untouched, type Drafted } from '../draft.js';
import { SHAPES, Touched, trackedDraft, type Field } from '../records.js';
import { loadList, mergeLoads, pagedView, resolveSelections, viewOf, withoutPaged, type LoadList, type Loads, type PagedField, type Reach, type SnapshotFacts, type FetchSpread, type FactsFilter } from '../paged.js';
import { StateFileError, type IncidentThread, type State } from '../state.js';
import { ClaimLostError, StoreUnavailableError, type StateStore, type UpdateOptions } from '../stateStore.js';
import { connectionConfig } from './connection.js';
import { DELETIONS_KEPT_MS, pruneDeletions } from './deletionLog.js';
import { Lease } from './lease.js';
import { LOCKS } from './locks.js';
import { DatabaseOutage, isConnectionFailure } from './outage.js';
import { applyMigrations, refuseNewerSchema } from './schema.js';
import { SecretBox } from '../secretBox.js';
import { openRecord, sealRecord, SECRETS } from '../storedSecrets.js';
import { CHANNEL, Session } from './session.js';
import { CommitConflictError, isConflict } from './visibility.js';
import { heldReads, lockTables, lockWhole, merged, pessimistic, tableLocks, type TableLocks, type Written } from './readLocks.js';
import { OutboxClaims } from './outboxClaims.js';
import { storable, TABLES, TABLE_OF, type Table } from './tables.js';
import { PagedRows, pagedReads, UNREAD } from './pagedRows.js';
import { threadHead, THREAD_CUSTOMERS } from './threadCustomers.js';
import { isThreadField } from '../pagedThreads.js';
import { LISTS, recordId, ResidentCopy, type ListField, type TableWrites } from './residentCopy.js';
import { readPorts, transactionOn, type StorePorts, type TxPorts } from '../ports/index.js';

export interface PostgresOptions {
  leaseSeconds?: number;
  log?: { info(note: object, message: string): void; warn(note: object, message: string): void };
  /** How often to look for other instances' commits when no NOTIFY came (ms). */
  pollMs?: number;
  /** false: a tool (migrate-state), not an instance: it takes no part in leadership. */
  instance?: boolean;
  /** Seals the secrets the database holds (STATE_ENCRYPTION_KEY); without it they are kept in plain text. */
  secrets?: SecretBox;
  /** How long the deletion log keeps entries, and how often the leader prunes it (ms; tests shorten both). */
  retention?: { deletionsKeptMs?: number; pruneEveryMs?: number };
}

interface PendingChange {
  change: (draft: State) => unknown;
  fenced: boolean;
  load: LoadList | undefined;
  /** The delivery it records as sent (UpdateOptions.completes). */
  completes?: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Rows per INSERT statement: well under PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 1_000;
/** Other instances' commits are read at least this often, should a NOTIFY be missed. */
const POLL_MS = 1_000;
const PRUNE_MS = 3_600_000;
const quietLog = { info: () => undefined, warn: () => undefined };

export class PostgresStateStore implements StateStore {
  readonly backend = 'postgres';
  readonly coordination: Coordination;
  readonly lease: Lease;
  readonly instance: string;
  /** The resident records in memory, kept current from the database (residentCopy.ts). */
  private readonly copy: ResidentCopy;
  /** What read() hands out: the state without the paged records. */
  private readonly reader: Readonly<State>;
  /** Another instance's NOTIFY came while this one was writing: look once the writing is done. */
  private heardWhileWriting = false;
  /** The revs of this instance's commits whose NOTIFY it has not heard yet: nothing to read for those. */
  private readonly ownRevs = new Set<number>();
  private pending: PendingChange[] = [];
  private writing: Promise<void> | null = null;
  /** Catch-ups and writes take turns: a catch-up never lands between a write's read and its commit. */
  private turn: Promise<unknown> = Promise.resolve();
  private listeners: ((fields: ReadonlySet<Field>) => void)[] = [];
  private pollTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly session: Session;
  private readonly claims: OutboxClaims;
  private readonly pagedRows: PagedRows;
  private readonly secrets: SecretBox;
  private readonly deletionsKeptMs: number;

  private constructor(
    private readonly pool: pg.Pool,
    url: string,
    options: PostgresOptions,
    private readonly outage: DatabaseOutage,
  ) {
    const log = options.log ?? quietLog;
    this.secrets = options.secrets ?? new SecretBox();
    this.deletionsKeptMs = options.retention?.deletionsKeptMs ?? DELETIONS_KEPT_MS;
    this.instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.session = new Session({ url, outage, onCommit: (rev) => void (this.ownNotice(rev) || this.heard()) });
    this.lease = new Lease(pool, { instance: this.instance, host: hostname(), pid: process.pid, leaseSeconds: options.leaseSeconds ?? 30, log, outage });
    this.claims = new OutboxClaims(pool, { instance: this.instance, leaseSeconds: options.leaseSeconds ?? 30, log, outage });
    this.pagedRows = new PagedRows(pool);
    this.coordination = { leadership: this.lease, claims: this.claims, endpoints: this.session };
    this.copy = new ResidentCopy(this.secrets, (fields) => {
      for (const listener of this.listeners) listener(fields);
    });
    this.reader = withoutPaged(this.copy.state);
  }

  /** Connects, migrates the schema, loads the state, and starts taking part in leadership. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStateStore> {
    const pool = new pg.Pool({ ...connectionConfig(url), max: 8, types: { getTypeParser: typeParser } });
    const outage = new DatabaseOutage(options.log ?? quietLog);
    pool.on('error', (error) => outage.lost('an idle connection', error));
    // A connection that breaks while checked out and between statements emits 'error' with nobody listening
    // but this: without it, a database restart ends the process ("Connection terminated unexpectedly").
    pool.on('connect', (client) => client.on('error', (error) => outage.lost('a connection in use', error)));
    let store: PostgresStateStore | null = null;
    try {
      await applyMigrations(pool, (note) => (options.log ?? quietLog).info({}, note));
      store = new PostgresStateStore(pool, url, options, outage);
      await store.loadAll();
      await store.reseal();
      await store.session.open();
      if (options.instance !== false) await store.lease.start();
      const opened = store;
      opened.pollTimer = setInterval(() => void opened.refresh().catch(() => undefined), options.pollMs ?? POLL_MS);
      opened.pollTimer.unref?.();
      opened.pruneTimer = setInterval(() => void opened.prune().catch(() => undefined), options.retention?.pruneEveryMs ?? PRUNE_MS);
      opened.pruneTimer.unref?.();
      return opened;
    } catch (error) {
      await store?.session.close();
      await pool.end().catch(() => undefined);
      throw unusable(error);
    }
  }

  /**
   * Throws the StateFileError open() would throw (unreachable, migrated by a newer release, a stored secret
   * no key given opens), found in one read-only transaction: no table is made, no secret sealed again, no
   * lease taken. For a tool that must leave the database as it was when it has nothing to store.
   */
  static async check(url: string, options: Pick<PostgresOptions, 'secrets'> = {}): Promise<void> {
    const secrets = options.secrets ?? new SecretBox();
    const client = new pg.Client(connectionConfig(url));
    // A connection lost midway fails the query in flight; without a listener the 'error' would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('begin isolation level repeatable read read only');
      // A database no release has opened yet holds none of these tables: open() will make them.
      const present = async (table: string) => (await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [table])).rows[0]?.t != null;
      if (await present('schema_migrations')) {
        const { rows } = await client.query<{ newest: number }>('select coalesce(max(version), 0)::int as newest from schema_migrations');
        refuseNewerSchema(rows[0]?.newest ?? 0);
      }
      for (const field of new Set(SECRETS.map((spot) => spot.field))) {
        const table = TABLE_OF.get(field);
        if (!table || !(await present(table.name))) continue;
        const { rows } = await client.query(`select * from ${table.name}`);
        for (const row of rows as Record<string, unknown>[]) openRecord(field, table.decode(row).record, secrets);
      }
      await client.query('commit');
    } catch (error) {
      throw unusable(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  read(): Readonly<State> {
    return this.reader;
  }

  view(loads: Loads): Promise<Readonly<State>> {
    // A view that reads no record asks nothing of the database, so it says nothing of its reachability either.
    if (pagedReads(loads).length === 0) return Promise.resolve(viewOf(this.copy.state, {}, loads));
    return this.reaching('reading snapshots', async () => viewOf(this.copy.state, await this.pagedRows.records(loads), loads));
  }

  facts(field: PagedField, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>> {
    return this.reaching('reading snapshot facts', () => this.pagedRows.facts(field, filter));
  }

  fetchSpread(field: PagedField, among: ReadonlySet<string>): Promise<{ among: FetchSpread; rest: FetchSpread }> {
    return this.reaching('reading snapshot facts', () => this.pagedRows.fetchSpread(field, among));
  }

  onExternalChange(listener: (fields: ReadonlySet<Field>) => void): void {
    this.listeners.push(listener);
  }

  readonly ports: StorePorts = readPorts(() => this.read());

  transaction<T>(work: (tx: TxPorts) => T, options: UpdateOptions = {}): Promise<T> {
    return transactionOn((change) => this.update(change, options), work);
  }

  update<T>(change: (draft: State) => T, options: UpdateOptions = {}): Promise<T> {
    if (this.closing) return Promise.reject(new StateFileError('The PostgreSQL store was closed; this change was not saved.'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ change, fenced: options.fenced ?? false, load: options.load, completes: options.completes, resolve: resolve as (value: unknown) => void, reject });
      this.writing ??= this.flush();
    });
  }

  refresh(): Promise<void> {
    return this.reaching('reading other instances\' changes', () => this.inTurn(async () => {
      // Cheap when nothing was committed since: one statement tells whether any row is new to this instance,
      // in the same snapshot it then remembers.
      if (!(await this.copy.anythingNew(this.pool))) return;
      const client = await this.pool.connect();
      try {
        // One snapshot for every table: a commit landing midway is seen whole or not at all.
        await client.query('begin isolation level repeatable read read only');
        await this.copy.catchUp(client);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }));
  }

  /**
   * Another instance committed. While this one writes, its next commit catches up first anyway: the look
   * waits until the writing is done, rather than take a turn between two of its commits.
   */
  private heard(): void {
    if (this.writing) {
      this.heardWhileWriting = true;
      return;
    }
    this.refresh().catch(() => undefined);
  }

  /** Is `rev` this instance's own commit (whose NOTIFY it hears too)? */
  private ownNotice(rev: number): boolean {
    return this.ownRevs.delete(rev);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.writing) await this.writing;
      if (this.pollTimer) clearInterval(this.pollTimer);
      if (this.pruneTimer) clearInterval(this.pruneTimer);
      await this.lease.stop();
      await this.claims.close();
      await this.session.close();
      await this.turn.catch(() => undefined);
      await this.pool.end();
    })();
    return this.closing;
  }

  /** Counts of stored records per table (migrate-state prints them, tests compare them). */
  async counts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of [...TABLES.map((table) => table.name), THREAD_CUSTOMERS]) {
      const { rows } = await this.pool.query<{ n: number }>(`select count(*)::int as n from ${name}`);
      counts[name] = rows[0]?.n ?? 0;
    }
    return counts;
  }

  /** The leader forgets deletions every instance has long read (deletionLog.ts), and instances silent for a day. */
  private async prune(): Promise<void> {
    if (!this.lease.leading) return;
    const client = await this.pool.connect();
    try {
      await pruneDeletions(client, this.deletionsKeptMs);
    } finally {
      client.release();
    }
    await this.pool.query(`delete from instances where heartbeat_at < now() - interval '1 day'`);
  }

  /**
   * Runs work that talks to the database. Its reachability is told to the outage account; a failure to reach
   * it becomes a StoreUnavailableError (the app's word for it), anything else stays as it is.
   */
  private async reaching<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.outage.back();
      return result;
    } catch (error) {
      throw this.unreachable(what, error) ?? error;
    }
  }

  /** A StoreUnavailableError when `error` is a failure to reach the database (told to the outage account). */
  private unreachable(what: string, error: unknown): StoreUnavailableError | null {
    if (!isConnectionFailure(error)) return null;
    this.outage.lost(what, error);
    return new StoreUnavailableError(error);
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Group commit, as in the lowdb store: changes queued while a write is in flight share the next one. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // Sweep commits (fenced) are not grouped with others: a refused one must not take others down with it.
        const fenced = this.pending[0]?.fenced ?? false;
        const end = this.pending.findIndex((item) => item.fenced !== fenced);
        const group = this.pending.splice(0, end === -1 ? this.pending.length : end);
        await this.inTurn(() => this.commit(group, fenced));
      }
    } finally {
      this.writing = null;
      if (this.heardWhileWriting) {
        this.heardWhileWriting = false;
        this.refresh().catch(() => undefined);
      }
    }
  }

  /**
   * Commits a group: in REPEATABLE READ, catching up first, with what it reads held (readLocks.ts). When
   * another instance's commit changed what it read or writes since its snapshot (a serialization failure or
   * a deadlock), it runs again on fresh data, up to COMMIT_ATTEMPTS times.
   */
  private async commit(changes: PendingChange[], fenced: boolean): Promise<void> {
    let group = changes;
    /** Taken before the snapshot: none at first, what the group touches once it has lost to others twice. */
    let locks: TableLocks = new Map();
    for (let attempt = 1; ; ) {
      const touched = new Touched();
      let written: Written | null = null;
      let client: pg.PoolClient | null = null;
      try {
        client = await this.pool.connect();
        await client.query('begin isolation level repeatable read');
        await lockTables(client, locks);
        const snapshot = await this.copy.catchUp(client);
        if (fenced) {
          // Only sweep commits take the write lock now: an endpoint claim (session.ts) waits them out.
          await client.query('select pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS.writes]);
          await this.lease.fence(client);
          await this.claims.readClaims(client);
        }
        group = await this.refuseLostCompletions(client, group);
        const reach = mergeLoads(group.flatMap(({ load }) => loadList(load)));
        await this.copy.loadPaged(client, reach);
        resolveSelections(reach, this.copy.state);
        const { draft, results } = this.applyGroup(group, touched, reach);
        const writes = this.changesOf(draft, touched);
        written = writtenKeys(writes);
        await lockWhole(client, this.pool, snapshot, tableLocks(touched, written, this.copy.stored), locks);
        await heldReads(client, touched, written, this.copy.stored, locks);
        let positions: Map<string, number> | null = null;
        if (writes.size > 0) {
          const rev = await this.writeRows(client, writes, (positions = new Map()));
          const { rows } = await client.query<{ xid: string }>('select pg_notify($1, $2), pg_current_xact_id()::text as xid', [CHANNEL, String(rev)]);
          // Before the commit: its NOTIFY may arrive before the commit's own answer.
          if (this.ownRevs.size > 1_000) this.ownRevs.clear(); // notices lost (a failed commit, the session down)
          this.ownRevs.add(rev);
          await client.query('commit');
          this.copy.seen.committed(rows[0]?.xid as string);
          this.copy.remember(writes, positions);
        } else {
          await client.query('commit');
        }
        // Durable now: only from here on do readers see it.
        publish(draft);
        this.outage.back();
        group.forEach(({ resolve, reject }, i) => {
          const result = results[i];
          if (result?.ok) resolve(result.value);
          else reject(result?.error);
        });
        return;
      } catch (error) {
        // Nothing to undo: the group's changes were on a draft that readers never saw.
        await client?.query('rollback').catch(() => undefined);
        if (isConflict(error) && attempt < COMMIT_ATTEMPTS) {
          attempt += 1;
          // Optimistic twice; then what the group touches is locked before its snapshot, so it wins at last.
          if (attempt > OPTIMISTIC_ATTEMPTS && written) locks = merged(locks, pessimistic(touched, written));
          await sleep(Math.random() * 5 * attempt);
          continue;
        }
        const failure = this.unreachable('a commit', error) ?? (isConflict(error) ? new CommitConflictError(error) : error);
        for (const { reject } of group) reject(failure);
        return;
      } finally {
        this.copy.unloadPaged();
        client?.release();
      }
    }
  }

  /**
   * The group without the completions of deliveries that are no longer this instance's to record (see
   * outboxClaims.ts): each of those is refused with a ClaimLostError and writes nothing.
   */
  private async refuseLostCompletions(client: pg.PoolClient, group: PendingChange[]): Promise<PendingChange[]> {
    const completing = group.flatMap(({ completes }) => (completes === undefined ? [] : [completes]));
    if (completing.length === 0) return group;
    const lost = await this.claims.notOwned(client, completing);
    if (lost.size === 0) return group;
    return group.filter((item) => {
      if (item.completes === undefined || !lost.has(item.completes)) return true;
      item.reject(new ClaimLostError(item.completes));
      return false;
    });
  }

  /** Runs the group's changes on a draft of the state, noting in `touched` what they may have changed. */
  private applyGroup(group: PendingChange[], touched: Touched, reach: ReadonlyMap<PagedField, Reach>): Drafted {
    return draftGroup(this.copy.state, group.map(({ change }) => change), (draft) => pagedView(trackedDraft(draft, touched), reach));
  }

  /**
   * The records the changes touched that differ from what is stored, as the group's draft holds them. One the
   * group only read is as stored, and is not compared (every batch reads the cards of an incident, and a
   * Microsoft-wide one lists 50,000 customers on each).
   */
  private changesOf(next: State, touched: Touched): Map<Field, TableWrites> {
    const writes = new Map<Field, TableWrites>();
    const add = (field: Field): TableWrites => {
      let entry = writes.get(field);
      if (!entry) writes.set(field, (entry = { upserts: [], deletes: [] }));
      return entry;
    };
    for (const [field, keys] of touched.keys) {
      const map = next[field] as unknown as Record<string, unknown>;
      const stored = this.copy.stored.get(field) ?? new Map<string, string>();
      const candidates = keys === 'all' ? new Set([...stored.keys(), ...Object.keys(map)]) : keys;
      for (const key of candidates) {
        const record = Object.hasOwn(map, key) ? map[key] : undefined;
        const before = stored.get(key);
        if (record === undefined) {
          if (before !== undefined) add(field).deletes.push(key);
          continue;
        }
        if (record === UNREAD || (untouched(record) && !this.copy.resealing.has(recordId(field, key)))) continue;
        const thread = field === 'threads' ? (record as IncidentThread) : null;
        // A card's head is written apart from its customers, so the draft stands for it as it is.
        const plain = thread ?? finished(record);
        const json = thread ? threadHead(thread) : JSON.stringify(plain);
        if (json !== before || this.copy.resealing.has(recordId(field, key))) add(field).upserts.push({ key, record: plain, json });
        if (thread) {
          const entry = add(field);
          entry.customers ??= { upserts: [], deletes: [] };
          // Only the customers the group wrote, when it drafted this card's stored customers (not a card it made,
          // replaced or copied).
          const changed = baseOf(thread.customers) === this.copy.state.threads[key]?.customers ? changedKeys(thread.customers) : null;
          const stored = this.copy.state.threads[key]?.customers;
          if (changed) this.copy.threadCustomers.diffKeys(key, thread.customers, stored, changed, entry.customers);
          else {
            // A stored card known by its key only (`'keys'`: migrate-state --replace) has customers this commit
            // never read: the card written over it takes none of them along.
            if ((this.copy.state.threads as Record<string, unknown>)[key] === UNREAD) (entry.customers.replaced ??= []).push(key);
            this.copy.threadCustomers.diff(key, thread.customers, stored, entry.customers);
          }
        }
      }
    }
    for (const field of touched.wholes) {
      if (field === 'schemaVersion' || (untouched(next[field]) && !this.copy.resealingIn(field))) continue;
      const stored = this.copy.stored.get(field) ?? new Map<string, string>();
      if (SHAPES[field] === 'single') {
        const record = finished(next[field]);
        const before = stored.get('state');
        if (record === null || record === undefined) {
          if (before !== undefined) add(field).deletes.push('state');
          continue;
        }
        const json = JSON.stringify(record);
        if (json !== before || this.copy.resealing.has(recordId(field, 'state'))) add(field).upserts.push({ key: 'state', record, json });
        continue;
      }
      const list = finished(next[field]) as unknown as { id: string }[];
      const present = new Set<string>();
      for (const record of list) {
        present.add(record.id);
        const json = JSON.stringify(record);
        if (json !== stored.get(record.id)) add(field).upserts.push({ key: record.id, record, json });
      }
      for (const key of stored.keys()) if (!present.has(key)) add(field).deletes.push(key);
    }
    for (const [field, entry] of writes) {
      const customers = entry.customers ? entry.customers.upserts.length + entry.customers.deletes.length : 0;
      if (entry.upserts.length + entry.deletes.length + customers === 0) writes.delete(field);
    }
    return writes;
  }

  /**
   * Writes the rows in the open transaction; returns the commit's rev (kept on the rows for people reading
   * the tables; catch-up goes by xid). New list records' positions go into `positions`, kept once committed.
   */
  private async writeRows(client: pg.PoolClient, writes: Map<Field, TableWrites>, positions: Map<string, number>): Promise<number> {
    const { rows } = await client.query<{ rev: number }>(`select nextval('state_rev') as rev`);
    const rev = Number(rows[0]?.rev);
    for (const [field, { upserts, deletes, customers }] of writes) {
      const table = TABLE_OF.get(field) as Table<unknown>;
      const list = LISTS.includes(field as ListField) ? (this.copy.positions.get(field as ListField) ?? null) : null;
      if (list) {
        const fresh = upserts.filter(({ key }) => !list.has(key));
        if (fresh.length > 0) {
          const { rows: numbers } = await client.query<{ n: number }>(`select nextval('list_position') as n from generate_series(1, $1)`, [fresh.length]);
          fresh.forEach(({ key }, i) => positions.set(recordId(field, key), Number(numbers[i]?.n)));
        }
      }
      for (let start = 0; start < upserts.length; start += ROWS_PER_STATEMENT) {
        const chunk = upserts.slice(start, start + ROWS_PER_STATEMENT);
        const names = [...table.columns.map((column) => column.name), ...(list ? ['position'] : []), 'rev'];
        const params: unknown[] = [];
        const values = chunk.map(({ key, record, json }) => {
          // The stored copy: its secrets sealed, and its JSON made again when sealing changed it.
          const sealed = sealRecord(field, record, this.secrets);
          const row = [...table.encode(key, sealed, sealed === record ? json : JSON.stringify(sealed)).map((value, i) => storable(value, table.columns[i]?.cast === 'jsonb')), ...(list ? [list.get(key) ?? positions.get(recordId(field, key))] : []), rev];
          const casts = [...table.columns.map((column) => column.cast), ...(list ? ['bigint'] : []), 'bigint'];
          return `(${row.map((value, i) => `$${params.push(value)}${casts[i] ? `::${casts[i]}` : ''}`).join(', ')})`;
        });
        const [keyColumn, ...rest] = names;
        // xid: the column's default on INSERT, set again on UPDATE (visibility.ts).
        const updates = [...rest.filter((name) => name !== 'position').map((name) => `${name} = excluded.${name}`), 'xid = pg_current_xact_id()'];
        await client.query(`insert into ${table.name} (${names.join(', ')}) values ${values.join(', ')} on conflict (${keyColumn}) do update set ${updates.join(', ')}`, params);
      }
      if (deletes.length > 0) {
        const keyColumn = table.columns[0]?.name;
        await client.query(`delete from ${table.name} where ${keyColumn} = any($1::text[])`, [deletes]);
        // The deletion log tells the instances that hold a record; none holds a card thread (pagedThreads.ts).
        if (!isThreadField(field)) await client.query(`insert into deleted_rows (tbl, key, rev) select $1, unnest($2::text[]), $3`, [table.name, deletes, rev]);
      }
      if (field === 'threads') await this.copy.threadCustomers.write(client, customers ?? { upserts: [], deletes: [] }, deletes, rev);
    }
    return rev;
  }

  /**
   * At open: the secrets stored plain or under the previous key (STATE_ENCRYPTION_KEY_PREVIOUS) are written
   * again, sealed under the current key. Reading a record's field in a change marks it as touched, and
   * changesOf writes it because it is in `resealing`.
   */
  private async reseal(): Promise<void> {
    if (this.copy.resealing.size === 0 || !this.secrets.encrypts) return;
    const records = [...this.copy.resealing].map((id) => id.split('\0') as [Field, string]);
    await this.update((draft) => {
      for (const [field, key] of records) {
        const value = draft[field] as unknown;
        if (SHAPES[field] === 'map') void (value as Record<string, unknown>)[key];
      }
    });
  }

  private async loadAll(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      await this.copy.catchUp(client, true);
      await client.query('commit');
    } finally {
      client.release();
    }
  }
}

/**
 * How many times a group runs when other instances' commits keep conflicting with it. A group runs again only
 * on such a conflict: a change that also notes something outside the draft (a report it fills in) notes it
 * once per run, so such a note must be made again from scratch by each run.
 */
const COMMIT_ATTEMPTS = 6;
/** Attempts before the group locks every table it touches (readLocks.ts pessimistic). */
const OPTIMISTIC_ATTEMPTS = 2;

/** The keys each field's writes name. */
function writtenKeys(writes: Map<Field, TableWrites>): Map<Field, Set<string>> {
  return new Map([...writes].map(([field, { upserts, deletes }]) => [field, new Set([...upserts.map(({ key }) => key), ...deletes])]));
}

/** bigint columns (rev, position) as numbers: they stay far below 2^53. */
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === 20) return Number;
  return (pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(oid, format);
}

/** What open() and check() throw: their own sentence, or the driver's reason inside one. */
function unusable(error: unknown): StateFileError {
  if (error instanceof StateFileError) return error;
  return new StateFileError(`The database at DATABASE_URL cannot be used (${(error as Error).message}).`);
}

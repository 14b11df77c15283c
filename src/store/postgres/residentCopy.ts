// What every instance keeps in memory of the resident records (all but the paged ones: paged.ts), each with
// its stored JSON, and how it keeps that copy current: catch-up by transaction visibility (visibility.ts).
// Every row carries the id of the transaction that last wrote it; an instance remembers the snapshot of its
// last catch-up and next reads the rows (and deletions) written by transactions that snapshot did not see.
// A commit that began before a catch-up and ended after it was in progress in that snapshot, so it is read
// next time; no order of commits is needed.
import type pg from 'pg';
import { SHAPES, type Field } from '../records.js';
import { isPaged, readsAny, type PagedField, type Reach } from '../paged.js';
import { emptyState, emptySweep, type State } from '../state.js';
import type { SecretBox } from '../secretBox.js';
import { openRecord } from '../storedSecrets.js';
import { PRUNED_MARK } from './deletionLog.js';
import { Seen, unseenRows } from './visibility.js';
import { TABLES } from './tables.js';
import { readPaged } from './pagedRows.js';
import { ThreadCustomerRows, type CustomerWrites } from './threadCustomers.js';

export const LISTS = ['watches', 'outbox'] as const;
export type ListField = (typeof LISTS)[number];

/** One table's writes of one commit. */
export interface TableWrites {
  upserts: { key: string; record: unknown; json: string }[];
  deletes: string[];
  /** threads only: their customers' rows. */
  customers?: CustomerWrites;
}

export const recordId = (field: Field, key: string): string => `${field}\0${key}`;

export class ResidentCopy {
  readonly state: State = emptyState();
  /** Each record as last stored, as JSON: what a change is compared with, and what a failed write returns to. */
  readonly stored = new Map<Field, Map<string, string>>();
  /** Writes the incident cards' customers (their own rows) of a commit's loaded cards. */
  readonly threadCustomers = new ThreadCustomerRows();
  /** The order of list records (watches, outbox) by id. */
  readonly positions = new Map<ListField, Map<string, number>>();
  /** What of the other instances' commits is in memory (visibility.ts). */
  readonly seen = new Seen();
  /** Records (`field` NUL `key`) whose stored secret is plain or under the previous key: written again at open. */
  readonly resealing = new Set<string>();

  constructor(
    private readonly secrets: SecretBox,
    /** Told which fields another instance's commits changed, once they are in memory. */
    private readonly changed: (fields: ReadonlySet<Field>) => void,
  ) {
    for (const field of Object.keys(SHAPES) as Field[]) this.stored.set(field, new Map());
    for (const field of LISTS) this.positions.set(field, new Map());
  }

  /**
   * Is anything new to this instance? One statement, in the snapshot it then remembers when nothing is; else
   * a catch-up follows.
   */
  async anythingNew(pool: pg.Pool): Promise<boolean> {
    const { rows } = await pool.query<News>(NEWS, this.seen.params());
    if (rows[0] && nothingNew(rows[0])) {
      this.seen.remember(rows[0].snap);
      return false;
    }
    return true;
  }

  /**
   * Puts the paged records the group reads in the state for the length of its commit (readers never see
   * them: read() holds no paged field), with their stored JSON to compare the changes with.
   */
  async loadPaged(client: pg.PoolClient, reach: ReadonlyMap<PagedField, Reach>): Promise<void> {
    for (const [field, wanted] of reach) {
      if (!readsAny(wanted)) continue;
      const { records, json } = await readPaged(client, field, wanted);
      (this.state as unknown as Record<string, unknown>)[field] = records;
      this.stored.set(field, json);
    }
  }

  /** After a commit: no paged record stays in memory. */
  unloadPaged(): void {
    for (const field of PAGED) {
      (this.state as unknown as Record<string, unknown>)[field] = {};
      this.stored.set(field, new Map());
    }
  }

  /** Does a record of `field` wait to be sealed again under the current key? */
  resealingIn(field: Field): boolean {
    for (const id of this.resealing) if (id.startsWith(`${field}\0`)) return true;
    return false;
  }

  /** After a commit: what is stored now. */
  remember(writes: Map<Field, TableWrites>, positions: Map<string, number>): void {
    for (const field of LISTS) {
      const list = this.positions.get(field);
      for (const { key } of writes.get(field)?.upserts ?? []) {
        const position = positions.get(recordId(field, key));
        if (position !== undefined) list?.set(key, position);
      }
    }
    for (const [field, { upserts, deletes }] of writes) {
      const stored = this.stored.get(field);
      if (!stored) continue;
      for (const { key, json } of upserts) {
        stored.set(key, json);
        this.resealing.delete(recordId(field, key));
      }
      for (const key of deletes) {
        stored.delete(key);
        if (LISTS.includes(field as ListField)) this.positions.get(field as ListField)?.delete(key);
      }
    }
  }

  /** A list or single field, afresh from what is stored. */
  private rebuild(field: Field): void {
    const stored = this.stored.get(field) ?? new Map<string, string>();
    const target = this.state as unknown as Record<string, unknown>;
    if (SHAPES[field] === 'single') {
      const json = stored.get('state');
      target[field] = json === undefined ? defaultSingle(field) : JSON.parse(json);
      return;
    }
    const order = this.positions.get(field as ListField) ?? new Map<string, number>();
    target[field] = [...stored.entries()]
      .sort(([a], [b]) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
      .map(([, json]) => JSON.parse(json) as unknown);
  }

  /**
   * Reads the rows committed by transactions this instance's last catch-up did not see (everything, when
   * `all`) and puts them in the state, then remembers the snapshot of `client`'s transaction (REPEATABLE
   * READ: taken by this catch-up's first query unless the transaction ran one before) and returns it.
   */
  async catchUp(client: pg.PoolClient, all = false): Promise<string> {
    const everything = all || !this.seen.known;
    let snapshot: string;
    /** The tables to read (null: all of them). */
    let tables: Set<string> | null = null;
    let pruned = false;
    if (everything) snapshot = await Seen.current(client);
    else {
      // One query says which tables hold anything new: alone on the database (or nobody wrote since), none.
      const { rows } = await client.query<News>(NEWS, this.seen.params());
      snapshot = rows[0]?.snap as string;
      if (nothingNew(rows[0])) {
        this.seen.remember(snapshot);
        return snapshot;
      }
      tables = new Set(rows[0]?.tables);
      pruned = rows[0]?.pruned ?? false;
    }
    const reads = (name: string) => tables === null || tables.has(name);
    /** The rows of `table` to read: all of them, or those this instance has not seen. */
    const rowsOf = (table: string, columns = '*') => (everything ? `select ${columns} from ${table}` : unseenRows(table, columns));
    const params: unknown[] = everything ? [] : this.seen.params();
    const changed = new Set<Field>();
    const lists = new Set<ListField>();
    // Deletions first: a record deleted and written again since the last look is in its table now, and stays.
    if (!everything) {
      if (pruned) {
        // The log was pruned of deletions this instance may not have read: some are no longer in it.
        for (const field of await this.dropMissing(client)) {
          changed.add(field);
          if (LISTS.includes(field as ListField)) lists.add(field as ListField);
        }
      }
      const { rows } = reads('deleted_rows') ? await client.query<{ tbl: string; key: string }>(rowsOf('deleted_rows', 'tbl, key'), params) : { rows: [] };
      for (const { tbl, key } of rows) {
        const table = TABLES.find((candidate) => candidate.name === tbl);
        if (!table || isPaged(table.field)) continue;
        this.dropRecord(table.field, key);
        changed.add(table.field);
        if (LISTS.includes(table.field as ListField)) lists.add(table.field as ListField);
      }
    }
    for (const table of RESIDENT) {
      if (!reads(table.name)) continue;
      const list = LISTS.includes(table.field as ListField) ? (table.field as ListField) : null;
      const { rows } = await client.query(`${rowsOf(table.name)}${list ? ' order by position' : ''}`, params);
      for (const row of rows as Record<string, unknown>[]) {
        const { key, record } = table.decode(row);
        // Throws (SecretKeyError) before anything is written when no key given opens a stored secret.
        if (openRecord(table.field, record, this.secrets).stale) this.resealing.add(recordId(table.field, key));
        else this.resealing.delete(recordId(table.field, key));
        this.putRecord(table.field, key, record, list ? Number(row.position) : null);
        changed.add(table.field);
        if (list) lists.add(list);
      }
    }
    for (const field of lists) this.rebuild(field);
    this.seen.remember(snapshot);
    if (changed.size > 0 && !all) this.changed(changed);
    return snapshot;
  }

  /**
   * Drops every record in memory that the database no longer holds, from the caller's snapshot: with the
   * rows newer than `rev` read after it, memory is then what a reload would give, without being emptied
   * while readers look. Returns the fields that lost records.
   */
  private async dropMissing(client: pg.PoolClient): Promise<Set<Field>> {
    const changed = new Set<Field>();
    for (const table of RESIDENT) {
      const stored = this.stored.get(table.field);
      if (!stored || stored.size === 0) continue;
      const { rows } = await client.query<{ key: string }>(`select ${table.columns[0]?.name} as key from ${table.name}`);
      const present = new Set(rows.map((row) => row.key));
      for (const key of [...stored.keys()]) {
        if (present.has(key)) continue;
        this.dropRecord(table.field, key);
        changed.add(table.field);
      }
    }
    return changed;
  }

  private putRecord(field: Field, key: string, record: unknown, position: number | null): void {
    const json = JSON.stringify(record);
    this.stored.get(field)?.set(key, json);
    if (position !== null) this.positions.get(field as ListField)?.set(key, position);
    const target = this.state as unknown as Record<string, unknown>;
    if (SHAPES[field] === 'map') (target[field] as Record<string, unknown>)[key] = record;
    else if (SHAPES[field] === 'single') target[field] = record;
  }

  private dropRecord(field: Field, key: string): void {
    this.stored.get(field)?.delete(key);
    if (LISTS.includes(field as ListField)) this.positions.get(field as ListField)?.delete(key);
    const target = this.state as unknown as Record<string, unknown>;
    if (SHAPES[field] === 'map') delete (target[field] as Record<string, unknown>)[key];
    else if (SHAPES[field] === 'single') target[field] = defaultSingle(field);
  }
}

/** The tables whose records every instance holds in memory (all but the paged ones: snapshots, card threads and their customers). */
const RESIDENT = TABLES.filter((table) => !isPaged(table.field));
const PAGED = TABLES.map((table) => table.field).filter(isPaged);
/**
 * What is new to this instance ($1: its last snapshot, $2: its own commits since): the tables holding rows
 * (or deletions) it has not read, so a catch-up reads only those, and whether the deletion log was pruned of
 * some it may not have read; with the snapshot the answer is from, which becomes the last one when nothing is.
 */
const NEWS = `select pg_current_snapshot()::text as snap, array_remove(array[${[...RESIDENT.map((table) => table.name), 'deleted_rows']
  .map((name) => `case when exists (${unseenRows(name, '1')}) then '${name}' end`)
  .join(', ')}], null) as tables, exists (select 1 from deleted_rows where tbl = '${PRUNED_MARK.tbl}' and xid >= $3::xid8) as pruned`;

/** What NEWS answers: the snapshot it looked from, the tables with rows new to this instance, and whether the deletion log was pruned of some it may not have read. */
interface News {
  snap: string;
  tables: string[];
  pruned: boolean;
}
const nothingNew = (news: News | undefined): boolean => news !== undefined && news.tables.length === 0 && !news.pruned;

function defaultSingle(field: Field): unknown {
  if (field === 'sweep') return emptySweep();
  if (field === 'auth') return { refreshToken: null };
  return null;
}

// The paged records' rows (../paged.ts): the snapshots, read by key for a commit's draft or a reader's view,
// and the facts beside them (fetched_at, changed_at, active, ends_on) that planning, /healthz and the digest
// query instead.
import type pg from 'pg';
import { mergeLoads, type FactsFilter, type FetchSpread, type Loads, type PagedField, type Reach, type SnapshotFacts } from '../paged.js';
import { customersRead, isThreadField, selects } from '../pagedThreads.js';
import { TABLE_OF, type Table } from './tables.js';
import { readThreadCustomers, selectionWhere } from './threadCustomers.js';

/** A paged record whose key was read but not its body (a 'keys' load): never written back. */
export const UNREAD = Symbol('unread');

/**
 * One paged field's records as `reach` asks, from `client`'s snapshot: the records (an absent key: none
 * stored), and with `keys` every other key, its record unread. `json` marks each as stored ('' rather
 * than its JSON: a snapshot a change writes always differs, by its fetchedAt at least, so comparing
 * would only cost; one it only read is left alone).
 */
export async function readPaged(client: pg.Pool | pg.PoolClient, field: PagedField, reach: Reach): Promise<{ records: Record<string, unknown>; json: Map<string, string> }> {
  const table = TABLE_OF.get(field) as Table<unknown>;
  const key = table.columns[0]?.name as string;
  const records: Record<string, unknown> = {};
  const json = new Map<string, string>();
  if (reach.keys) {
    const { rows } = await client.query<{ key: string }>(`select ${key} as key from ${table.name}`);
    for (const row of rows) {
      records[row.key] = UNREAD;
      json.set(row.key, '');
    }
  }
  const selective = isThreadField(field) && reach.records !== 'all' && selects(reach.selected);
  if (reach.records === 'all' || reach.records.size > 0 || selective) {
    const byKey = `${key} = any($1::text[])`;
    const where = selective ? selectionWhere(field, reach.selected, byKey, 2) : { sql: byKey, params: [] };
    const { rows } = reach.records === 'all'
      ? await client.query(`select * from ${table.name}`)
      : await client.query(`select * from ${table.name} where ${where.sql}`, [[...reach.records], ...where.params]);
    for (const row of rows as Record<string, unknown>[]) {
      const decoded = table.decode(row);
      records[decoded.key] = decoded.record;
      json.set(decoded.key, '');
    }
    // An incident card's customers have rows of their own: those the load reads (all, or `only`).
    if (field === 'threads') await readThreadCustomers(client, records, reach.records === 'all' ? 'all' : customersRead(reach.selected));
  }
  return { records, json };
}

/** The paged fields whose records `loads` reads (none: a view that needs no statement). */
export function pagedReads(loads: Loads): [PagedField, Reach][] {
  return [...mergeLoads([loads])].filter(([, wanted]) => wanted.records === 'all' || wanted.records.size > 0 || selects(wanted.selected));
}

/** What readers ask of the paged records, outside any commit. */
export class PagedRows {
  constructor(private readonly pool: pg.Pool) {}

  /** The records `loads` names, by field (for a view). */
  async records(loads: Loads): Promise<Partial<Record<PagedField, Record<string, unknown>>>> {
    const maps: Partial<Record<PagedField, Record<string, unknown>>> = {};
    const reads = pagedReads(loads);
    // One statement sees one moment; several (an incident card, then its customers' rows) share a snapshot, so a
    // commit between them cannot pair a card with customers of another moment.
    const [only] = reads;
    if (!only) return maps;
    if (reads.length === 1 && only[0] !== 'threads') {
      maps[only[0]] = (await readPaged(this.pool, only[0], only[1])).records;
      return maps;
    }
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('begin isolation level repeatable read read only');
      for (const [field, wanted] of reads) maps[field] = (await readPaged(client, field, wanted)).records;
      await client.query('commit');
      return maps;
    } catch (error) {
      failed = error as Error;
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed mid-read is not handed to the next reader.
      client.release(failed);
    }
  }

  async facts(field: PagedField, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>> {
    const table = TABLE_OF.get(field) as Table<unknown>;
    const key = table.columns[0]?.name as string;
    const where = ` where active or changed_at >= $1 or ${key} = any($2::text[]) or ends_on <= $3::text collate "C"`;
    const { rows } = await this.pool.query<{ key: string; fetched_at: string | null; changed_at: string | null; active: boolean; ends_on: string | null }>(
      `select ${key} as key, fetched_at, changed_at, active, ends_on from ${table.name}${filter ? where : ''}`,
      filter ? [filter.changedSince ?? null, [...filter.keys], filter.endsBy ?? null] : [],
    );
    return new Map(
      rows.map((row) => [row.key, { fetchedAt: row.fetched_at, changedAt: row.changed_at, active: row.active, ...(row.ends_on !== null ? { endsOn: row.ends_on } : {}) }]),
    );
  }

  async fetchSpread(field: PagedField, among: ReadonlySet<string>): Promise<{ among: FetchSpread; rest: FetchSpread }> {
    const table = TABLE_OF.get(field) as Table<unknown>;
    const key = table.columns[0]?.name as string;
    // Per group: how many, the oldest fetch, and the fetch at the 95th percentile of ages (newest first).
    const { rows } = await this.pool.query<{ among: boolean; n: number; oldest: string; p95: string }>(
      `with s as (select ${key} = any($1::text[]) as among, fetched_at from ${table.name} where fetched_at is not null),
            g as (select among, count(*)::int as n, min(fetched_at) as oldest from s group by among)
       select g.among, g.n, g.oldest,
              (select fetched_at from s where s.among = g.among order by fetched_at desc offset ceil(g.n * 0.95) - 1 limit 1) as p95
       from g`,
      [[...among]],
    );
    const empty: FetchSpread = { count: 0, oldest: null, p95: null };
    const spread = (row: (typeof rows)[number] | undefined): FetchSpread => (row ? { count: row.n, oldest: row.oldest, p95: row.p95 } : empty);
    return { among: spread(rows.find((row) => row.among)), rest: spread(rows.find((row) => !row.among)) };
  }
}

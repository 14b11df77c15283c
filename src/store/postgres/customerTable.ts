// The partner's customers as rows of directory_customers, shared by every instance: the PostgreSQL side of
// the customer directory (partnerCenter/tableDirectory.ts). Whoever lists Partner Center writes each page
// as it arrives; only a listing that completed deletes the customers it did not see (each row carries the
// number of the latest listing that saw it, so two listings at once never delete what the later one saw).
// Every listing ends with a NOTIFY, so that other instances drop what they cached.
import pg from 'pg';
import type { CustomerRow, CustomerRows, ListedCustomer, ListingMark, NameRow } from '../../domain/customerRows.js';
import type { Customer } from '../../domain/types.js';
import { StoreUnavailableError } from '../stateStore.js';
import { connectionConfig } from './connection.js';
import { isConnectionFailure } from './outage.js';

export const DIRECTORY_CHANNEL = 'partner_alerts_directory';

interface Log {
  warn(note: object, message: string): void;
  debug(note: object, message: string): void;
}

const COLUMNS = 'id, company_name, domain, relationship, position';
const RECONNECT_MS = 1_000;

export class CustomerTable implements CustomerRows {
  private listener: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly changeListeners: (() => void)[] = [];

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly log: Log,
  ) {}

  /** Connects (two connections at most, and one that LISTENs); the schema is the store's (migrations.ts). */
  static async open(url: string, log: Log): Promise<CustomerTable> {
    const pool = new pg.Pool({ ...connectionConfig(url), max: 2 });
    pool.on('error', (error) => quietWhenUnreachable(log, error, 'an idle connection of the customer directory failed'));
    // A connection that breaks while checked out (a database restart mid-listing) fails its query; without a
    // listener its 'error' would end the process.
    pool.on('connect', (client) => client.on('error', (error) => quietWhenUnreachable(log, error, 'a connection of the customer directory failed')));
    const table = new CustomerTable(pool, url, log);
    try {
      await table.listen();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return table;
  }

  /** Another instance listed (or this one did): what was cached from the table may be stale. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** A number for a new listing, greater than every one before. */
  async startListing(): Promise<number> {
    const { rows } = await this.query<{ listing: string }>(`select nextval('directory_listing_seq')::text as listing`);
    return Number(rows[0]?.listing);
  }

  /** One page of a listing: inserted or brought up to date, marked as seen by `listing`. */
  async writePage(listing: number, firstPosition: number, page: readonly ListedCustomer[], listedMs: number): Promise<void> {
    // A key twice in one statement is refused by ON CONFLICT: the first one listed stands, as in memory.
    const byKey = new Map<string, ListedCustomer & { position: number }>();
    page.forEach((listed, at) => {
      const key = listed.customer.id.toLowerCase();
      if (!byKey.has(key)) byKey.set(key, { ...listed, position: firstPosition + at });
    });
    if (byKey.size === 0) return;
    const rows = [...byKey.entries()];
    await this.query(
      `insert into directory_customers (key, id, company_name, domain, relationship, folded_name, folded_domain, position, listing, listed_ms)
       select t.key, t.id, t.name, t.domain, t.relationship, t.folded_name, t.folded_domain, t.position, $9, $10
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
         as t(key, id, name, domain, relationship, folded_name, folded_domain, position)
       on conflict (key) do update set id = excluded.id, company_name = excluded.company_name, domain = excluded.domain,
         relationship = excluded.relationship, folded_name = excluded.folded_name, folded_domain = excluded.folded_domain,
         position = excluded.position, listing = greatest(directory_customers.listing, excluded.listing), listed_ms = excluded.listed_ms`,
      [
        rows.map(([key]) => key),
        rows.map(([, { customer }]) => customer.id),
        rows.map(([, { customer }]) => customer.companyName),
        rows.map(([, { customer }]) => customer.domain),
        rows.map(([, { customer }]) => customer.relationshipToPartner),
        rows.map(([, listed]) => listed.foldedName),
        rows.map(([, listed]) => listed.foldedDomain),
        rows.map(([, listed]) => listed.position),
        listing,
        Math.floor(listedMs), // a clock may well answer fractions of a millisecond
      ],
    );
  }

  /** A listing saw every customer: the ones it did not see are gone. Tells every instance. */
  async complete(listing: number, completedMs: number): Promise<{ deleted: number }> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw unavailable(error);
    });
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const deleted = await client.query('delete from directory_customers where listing < $1', [listing]);
      await client.query(
        `insert into directory_listing (id, listing, completed_ms, customers)
         values (1, $1, $2, (select count(*) from directory_customers))
         on conflict (id) do update set listing = excluded.listing, completed_ms = excluded.completed_ms, customers = excluded.customers
         where directory_listing.listing <= excluded.listing`,
        [listing, Math.floor(completedMs)],
      );
      await client.query('select pg_notify($1, $2)', [DIRECTORY_CHANNEL, String(listing)]);
      await client.query('commit');
      return { deleted: deleted.rowCount ?? 0 };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      broken = error as Error; // not given back to the pool: the connection may be gone
      throw unavailable(error);
    } finally {
      client.release(broken);
    }
  }

  /** A listing that failed midway rewrote some rows (and deleted none): other instances drop what they cached. */
  async touched(listing: number): Promise<void> {
    await this.query('select pg_notify($1, $2)', [DIRECTORY_CHANNEL, String(listing)]);
  }

  async lastListing(): Promise<ListingMark | null> {
    const { rows } = await this.query<{ listing: string; completed_ms: string; customers: number }>(
      'select listing::text, completed_ms::text, customers from directory_listing where id = 1',
    );
    const row = rows[0];
    return row ? { listing: Number(row.listing), completedMs: Number(row.completed_ms), customers: row.customers } : null;
  }

  async count(): Promise<number> {
    const { rows } = await this.query<{ n: number }>('select count(*)::int as n from directory_customers');
    return rows[0]?.n ?? 0;
  }

  /** The customers with these lower-cased tenant ids. */
  async byKeys(keys: readonly string[]): Promise<CustomerRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.query<DbRow>(`select ${COLUMNS} from directory_customers where key = any($1::text[])`, [keys]);
    return rows.map(rowOf);
  }

  /** The customers whose folded name or domain is `wanted` (or, with `prefix`, starts with it). */
  async matching(wanted: string, prefix: boolean): Promise<CustomerRow[]> {
    // The folded columns are collated "C": their plain indexes serve `like 'x%'` as a range.
    const { rows } = prefix
      ? await this.query<DbRow>(`select ${COLUMNS} from directory_customers where folded_name like $1 or folded_domain like $1`, [`${likeEscaped(wanted)}%`])
      : await this.query<DbRow>(`select ${COLUMNS} from directory_customers where folded_name = $1 or folded_domain = $1`, [wanted]);
    return rows.map(rowOf);
  }

  /** Every customer's name, a page at a time (by key), for scans that must look at all of them. */
  async *names(pageSize: number): AsyncGenerator<NameRow[]> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<{ key: string; company_name: string; folded_name: string; position: number }>(
        'select key, company_name, folded_name, position from directory_customers where key > $1 order by key limit $2',
        [after, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => ({ key: row.key, companyName: row.company_name, foldedName: row.folded_name, position: row.position }));
      after = rows[rows.length - 1]?.key ?? after;
      if (rows.length < pageSize) return;
    }
  }

  /** Every customer (for the few answers that list them all): read when asked, never kept here. */
  async everyone(): Promise<CustomerRow[]> {
    const { rows } = await this.query<DbRow>(`select ${COLUMNS} from directory_customers`);
    return rows.map(rowOf);
  }

  unreachable(error: unknown): boolean {
    return error instanceof StoreUnavailableError;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(connectionConfig(this.url));
    client.on('notification', () => this.changed());
    client.on('error', (error) => {
      quietWhenUnreachable(this.log, error, 'the customer directory stopped hearing of listings; reconnecting');
      if (this.listener === client) this.listener = null;
      // Whatever was said meanwhile is lost: forget what was cached rather than trust it.
      this.changed();
      this.reconnectSoon();
    });
    try {
      await client.connect();
      await client.query(`listen ${DIRECTORY_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
  }

  private reconnectSoon(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.listen().then(
        () => this.changed(),
        () => this.reconnectSoon(),
      );
    }, RECONNECT_MS);
    this.reconnectTimer.unref?.();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

/** A database out of reach is the store's outage (said once, by the store): callers answer as they do for it. */
function unavailable(error: unknown): unknown {
  return isConnectionFailure(error) ? new StoreUnavailableError(error) : error;
}

/** The store's outage account says when the database is lost and back; this adds nothing louder than debug. */
function quietWhenUnreachable(log: Log, error: Error, message: string): void {
  if (isConnectionFailure(error)) log.debug({ err: error.message }, message);
  else log.warn({ err: error.message }, message);
}

interface DbRow {
  id: string;
  company_name: string;
  domain: string;
  relationship: string;
  position: number;
}

function rowOf(row: DbRow): CustomerRow {
  return { customer: { id: row.id, companyName: row.company_name, domain: row.domain, relationshipToPartner: row.relationship as Customer['relationshipToPartner'] }, position: row.position };
}

/** `text` matched literally by LIKE (its default escape character is the backslash). */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

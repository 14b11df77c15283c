// An incident card's customers, as rows of their own. One Microsoft-wide incident may list 50,000
// customers in one card thread, and a sweep batch changes a few dozen of them: written as one document,
// every batch would rewrite (and send) megabytes. The thread's own row holds the rest of the card.
import type pg from 'pg';
import type { IncidentThread, ThreadCustomer } from '../state.js';
import type { Selected, ThreadField } from '../pagedThreads.js';
import { storable } from './tables.js';

export const THREAD_CUSTOMERS = 'incident_thread_customers';
const ROWS_PER_STATEMENT = 1_000;

export interface CustomerWrites {
  upserts: { threadKey: string; customerId: string; customer: ThreadCustomer }[];
  deletes: { threadKey: string; customerId: string }[];
  /** Cards written whole over stored ones whose customers the commit did not read: their rows go first. */
  replaced?: string[];
}

/** The thread's row without its customers, as JSON (what the store compares and keeps). */
export function threadHead(thread: IncidentThread): string {
  return JSON.stringify({ ...thread, customers: undefined });
}

/**
 * The SQL condition (and its parameters, numbered from `first`) of the thread rows a selection picks, or
 * `byKey` (the keys named). The same as matchesSelection (pagedThreads.ts) asks of a thread in memory.
 */
export function selectionWhere(field: ThreadField, selected: Selected, byKey: string, first: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const at = (value: unknown) => `$${first + params.push(value) - 1}`;
  const or = [byKey];
  if (selected.conversations.size > 0) or.push(`target_key = any(${at([...selected.conversations])}::text[])`);
  if (field === 'threads' && selected.incidents.size > 0) or.push(`incident_id = any(${at([...selected.incidents])}::text[])`);
  if (selected.quietBefore !== null) or.push(`quiet_since < ${at(selected.quietBefore)}::text collate "C"`);
  if (selected.customers.size > 0) {
    const customers = `${at([...selected.customers])}::text[]`;
    or.push(field === 'threads' ? `key in (select thread_key from ${THREAD_CUSTOMERS} where customer_id = any(${customers}))` : `customer_id = any(${customers})`);
  }
  return { sql: or.join(' or '), params };
}

/** Puts the customers of the incident cards in `threads` into them: every one, or only those in `only`. */
export async function readThreadCustomers(client: pg.Pool | pg.PoolClient, threads: Record<string, unknown>, only: ReadonlySet<string> | 'all'): Promise<void> {
  const keys = Object.keys(threads).filter((key) => typeof threads[key] === 'object');
  for (const key of keys) (threads[key] as IncidentThread).customers = {};
  if (keys.length === 0 || (only !== 'all' && only.size === 0)) return;
  // One JSON text per card, not a row object per customer: a card of 50,000 customers parses in a fraction.
  const { rows } = await client.query<{ thread_key: string; customers: string }>(
    `select thread_key, json_agg(json_build_array(customer_id, name, resolved, vanished))::text as customers from ${THREAD_CUSTOMERS}
     where thread_key = any($1::text[])${only === 'all' ? '' : ' and customer_id = any($2::text[])'} group by thread_key`,
    only === 'all' ? [keys] : [keys, [...only]],
  );
  for (const row of rows) {
    const thread = threads[row.thread_key] as IncidentThread | undefined;
    if (!thread) continue;
    for (const [customerId, name, resolved, vanished] of JSON.parse(row.customers) as [string, string, boolean, boolean][]) {
      thread.customers[customerId] = { name, resolved, vanished };
    }
  }
}

/**
 * The rows of the threads' customers a commit writes. What it compares with (`stored`) is what it read of
 * them in its own transaction (readThreadCustomers: all of a card's, or only those it named), so only the
 * customers a change wrote or deleted are written.
 */
export class ThreadCustomerRows {
  /** The customers of one thread that differ from `stored`, added to `writes`. */
  diff(threadKey: string, customers: Record<string, ThreadCustomer>, stored: Readonly<Record<string, ThreadCustomer>> | undefined, writes: CustomerWrites): void {
    for (const customerId in customers) {
      const customer = customers[customerId] as ThreadCustomer;
      if (differs(stored?.[customerId], customer)) writes.upserts.push({ threadKey, customerId, customer });
    }
    if (stored) for (const customerId in stored) if (!(customerId in customers)) writes.deletes.push({ threadKey, customerId });
  }

  /** As `diff`, for only the customers a change wrote (`written`) or deleted. */
  diffKeys(
    threadKey: string,
    customers: Record<string, ThreadCustomer>,
    stored: Readonly<Record<string, ThreadCustomer>> | undefined,
    changed: { written: string[]; deleted: string[] },
    writes: CustomerWrites,
  ): void {
    for (const customerId of changed.written) {
      const customer = customers[customerId];
      if (customer && differs(stored?.[customerId], customer)) {
        writes.upserts.push({ threadKey, customerId, customer: { name: customer.name, resolved: customer.resolved, vanished: customer.vanished } });
      }
    }
    for (const customerId of changed.deleted) if (stored && customerId in stored) writes.deletes.push({ threadKey, customerId });
  }

  /** Writes a commit's customer rows; a deleted thread takes its customers with it. */
  async write(client: pg.PoolClient, writes: CustomerWrites, deletedThreads: string[], rev: number): Promise<void> {
    if (writes.replaced?.length) await client.query(`delete from ${THREAD_CUSTOMERS} where thread_key = any($1::text[])`, [writes.replaced]);
    for (let start = 0; start < writes.upserts.length; start += ROWS_PER_STATEMENT) {
      const chunk = writes.upserts.slice(start, start + ROWS_PER_STATEMENT);
      await client.query(
        `insert into ${THREAD_CUSTOMERS} (thread_key, customer_id, name, resolved, vanished, rev)
         select t, c, n, r, v, $6 from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[]) as u(t, c, n, r, v)
         on conflict (thread_key, customer_id) do update set name = excluded.name, resolved = excluded.resolved, vanished = excluded.vanished, rev = excluded.rev,
           xid = pg_current_xact_id()`,
        [
          chunk.map((row) => row.threadKey),
          chunk.map((row) => row.customerId),
          chunk.map((row) => storable(row.customer.name)),
          chunk.map((row) => row.customer.resolved),
          chunk.map((row) => row.customer.vanished),
          rev,
        ],
      );
    }
    if (writes.deletes.length > 0) {
      const threads = writes.deletes.map((row) => row.threadKey);
      const customers = writes.deletes.map((row) => row.customerId);
      // No deletion log: no instance holds a card's customers beyond a commit or a read (pagedThreads.ts).
      await client.query(`delete from ${THREAD_CUSTOMERS} where (thread_key, customer_id) in (select * from unnest($1::text[], $2::text[]))`, [threads, customers]);
    }
    if (deletedThreads.length > 0) await client.query(`delete from ${THREAD_CUSTOMERS} where thread_key = any($1::text[])`, [deletedThreads]);
  }
}

/** Does a customer of a card differ from what is stored of it (or is it not stored)? */
function differs(before: ThreadCustomer | undefined, customer: ThreadCustomer): boolean {
  return !before || before.name !== customer.name || before.resolved !== customer.resolved || before.vanished !== customer.vanished;
}

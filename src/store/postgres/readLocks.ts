// What a commit holds so that what its changes READ, and did not write, is still so when it commits.
// Commits run in REPEATABLE READ with no lock common to all of them; a row a commit writes (UPDATE, INSERT …
// ON CONFLICT, DELETE) that another transaction changed since the commit's snapshot fails with a
// serialization error, and the store runs the group again on fresh data. What it only read needs a lock:
//
// - A few records of a map (a conversation's settings, one watch's card): their rows `FOR SHARE`. A row
//   another instance changed or deleted since the snapshot then fails the same way; one it is changing now
//   is waited for, then fails. A writer that comes later waits for this commit.
// - A list read whole (the watches), a map replaced whole or read in bulk: the table, in SHARE mode, which
//   conflicts only with writers of that table (ROW EXCLUSIVE), never with readers or other tables' writers;
//   SHARE ROW EXCLUSIVE when the group writes that table too, so two such groups queue rather than deadlock.
//   The lock is taken after the group ran, so after the snapshot: once it is held no writer of the table is
//   running, and a fresh snapshot (another connection) shows whether one committed since the commit's own;
//   if one did, the commit fails as on a serialization error. (Locking first would mean running the group
//   twice whenever it turns out to read a table whole, and some changes are not safe to run twice: see
//   COMMIT_ATTEMPTS.)
// - The outbox is excepted: its rows are claimed and renewed outside commits (outboxClaims.ts), and a table
//   lock would stall (or deadlock with) the claims. A change never loses an outbox row it did not read: the
//   store writes only the rows a group changed, and a merge into a row claimed or changed since the
//   snapshot fails as any write does.
// - A single (the sweep's cursor, the token): its one row, FOR SHARE, as a map's record.
// Not covered: a record read as absent that another instance creates meanwhile and this group does not
// write (a phantom); a group that writes it conflicts on the INSERT.
import type pg from 'pg';
import { unseenRows } from './visibility.js';
import { SHAPES, type Field, type Touched } from '../records.js';
import { TABLE_OF } from './tables.js';

export type LockMode = 'share' | 'share row exclusive';
export type TableLocks = Map<Field, LockMode>;

/** More read-only records of one map than this: the table is locked instead of its rows. */
const ROWS_TO_LOCK = 500;
/** Claimed outside commits (see above): never locked whole. */
const UNLOCKED: ReadonlySet<Field> = new Set<Field>(['outbox', 'schemaVersion']);

/** Keys of each field the group writes (upserts or deletes). */
export type Written = ReadonlyMap<Field, ReadonlySet<string>>;

/** The tables the group's reads need locked whole, and in which mode. */
export function tableLocks(touched: Touched, written: Written, stored: ReadonlyMap<Field, ReadonlyMap<string, string>>): TableLocks {
  const locks: TableLocks = new Map();
  const need = (field: Field) => {
    if (UNLOCKED.has(field) || !TABLE_OF.has(field)) return;
    locks.set(field, written.has(field) ? 'share row exclusive' : 'share');
  };
  for (const field of touched.wholes) if (SHAPES[field] === 'list') need(field);
  for (const [field, keys] of touched.keys) {
    if (keys === 'all' || readOnly(field, keys, written, stored).length > ROWS_TO_LOCK) need(field);
  }
  return locks;
}

/**
 * After conflicts: every table the group writes (SHARE ROW EXCLUSIVE) and reads (SHARE), but the outbox, to be
 * locked before the snapshot. Nothing the group touches can then change between its snapshot and its
 * commit, so it commits at last, instead of losing the race to a busier instance again and again.
 */
export function pessimistic(touched: Touched, written: Written): TableLocks {
  const locks: TableLocks = new Map();
  for (const field of [...touched.keys.keys(), ...touched.wholes]) {
    if (!UNLOCKED.has(field) && TABLE_OF.has(field)) locks.set(field, written.has(field) ? 'share row exclusive' : 'share');
  }
  for (const field of written.keys()) if (!UNLOCKED.has(field) && TABLE_OF.has(field)) locks.set(field, 'share row exclusive');
  return locks;
}

/** `held` with `needed` added (a stronger mode wins). */
export function merged(held: TableLocks, needed: TableLocks): TableLocks {
  const out = new Map(held);
  for (const [field, mode] of needed) if (out.get(field) !== 'share row exclusive') out.set(field, mode);
  return out;
}

/**
 * Locks the tables in `needed` that `held` (taken before the snapshot) does not cover, then throws a
 * serialization failure (40001) when a writer of one of them committed after `snapshot`.
 */
export async function lockWhole(client: pg.PoolClient, pool: pg.Pool, snapshot: string, needed: TableLocks, held: TableLocks): Promise<void> {
  const late = new Map([...needed].filter(([field, mode]) => !(held.get(field) === 'share row exclusive' || held.get(field) === mode)));
  if (late.size === 0) return;
  await lockTables(client, late);
  const names = [...late.keys()].map((field) => TABLE_OF.get(field)?.name as string);
  const unseen = (table: string) => unseenRows(table, 'fresh.tbl', '$3::xid8', '$1::pg_snapshot', '');
  const { rows } = await pool.query<{ changed: boolean }>(
    `select ${names.map((name) => `exists (${unseenRows(name, '1', '$3::xid8', '$1::pg_snapshot', '')})`).join(' or ')}
       or exists (select 1 from (${unseen('deleted_rows')}) as gone where gone.tbl = any($2::text[])) as changed`,
    [snapshot, names, snapshot.split(':')[0] ?? '0'],
  );
  if (rows[0]?.changed) throw Object.assign(new Error(`${names.join(', ')} changed since this commit's snapshot`), { code: '40001' });
}

/** Takes the table locks: before the transaction's first query, so its snapshot comes after them. */
export async function lockTables(client: pg.PoolClient, locks: TableLocks): Promise<void> {
  // One order for every instance: two commits locking the same tables never wait for each other crosswise.
  const names = [...locks].map(([field, mode]) => [TABLE_OF.get(field)?.name as string, mode] as const).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, mode] of names) await client.query(`lock table ${name} in ${mode} mode`);
}

/** Locks FOR SHARE the stored rows the group read and did not write, but for the tables locked whole. */
export async function heldReads(
  client: pg.PoolClient,
  touched: Touched,
  written: Written,
  stored: ReadonlyMap<Field, ReadonlyMap<string, string>>,
  locked: TableLocks,
): Promise<void> {
  const rows = new Map<Field, string[]>();
  for (const [field, keys] of touched.keys) if (keys !== 'all') rows.set(field, readOnly(field, keys, written, stored));
  for (const field of touched.wholes) if (SHAPES[field] === 'single') rows.set(field, readOnly(field, new Set(['state']), written, stored));
  for (const [field, keys] of rows) {
    const table = TABLE_OF.get(field);
    if (!table || keys.length === 0 || locked.has(field) || UNLOCKED.has(field)) continue;
    await client.query(`select 1 from ${table.name} where ${table.columns[0]?.name} = any($1::text[]) for share`, [keys]);
  }
}

/** The keys of `field` the group read that are stored and that it does not write. */
function readOnly(field: Field, keys: ReadonlySet<string>, written: Written, stored: ReadonlyMap<Field, ReadonlyMap<string, string>>): string[] {
  const mine = written.get(field);
  const there = stored.get(field);
  const out: string[] = [];
  for (const key of keys) if (there?.has(key) && !mine?.has(key)) out.push(key);
  return out;
}

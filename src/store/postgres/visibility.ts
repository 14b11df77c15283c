// What an instance has read of the other instances' commits, by transaction visibility rather than by a
// counter. Every state row (and every deleted_rows entry) carries the id of the transaction that last wrote it
// (`xid`, migration "catch-up by transaction visibility"). An instance remembers the snapshot of its last
// catch-up; the next one reads the rows whose writer that snapshot did not see. A commit that began before
// that catch-up and ended after it was in the snapshot's in-progress list (or above its xmax), so it is
// read next time: no order of commits is needed, hence no lock that puts commits in order.
import type pg from 'pg';

export interface SeenParams {
  /** The remembered snapshot, as text ('xmin:xmax:xip,…'). */
  snapshot: string;
  /** This instance's own committed transactions the snapshot does not show (already in memory). */
  own: string[];
}

/**
 * `select <columns>` of the rows of `table` written by a transaction the snapshot ($1) did not see, leaving out
 * those of the transactions in $2 (this instance's), $3 being the snapshot's xmin. The rows above the xmin are
 * read from the xid index in its order: without statistics (a table just written in bulk) the planner counts a
 * third of any table above a bound and read all of it, a card's 200,000 customer rows at every commit.
 */
export function unseenRows(table: string, columns = '*', xmin = '$3::xid8', snapshot = '$1::pg_snapshot', own = '$2::xid8[]'): string {
  const notOwn = own ? ` and fresh.xid <> all(${own})` : '';
  return `select ${columns} from (select * from ${table} where xid >= ${xmin} order by xid) as fresh where not pg_visible_in_snapshot(fresh.xid, ${snapshot})${notOwn}`;
}

export class Seen {
  private snapshot: string | null = null;
  /** Own commits (xid as text) newer than the snapshot's xmin: their rows are skipped, memory holds them. */
  private readonly own = new Set<string>();

  get known(): boolean {
    return this.snapshot !== null;
  }

  params(): [string, string[], string] {
    if (this.snapshot === null) throw new Error('no catch-up yet');
    return [this.snapshot, [...this.own], this.snapshot.split(':')[0] ?? '0'];
  }

  /** The snapshot of the transaction `client` is in (REPEATABLE READ: its one snapshot), taken now if not yet. */
  static async current(client: pg.PoolClient | pg.Pool): Promise<string> {
    const { rows } = await client.query<{ snap: string }>('select pg_current_snapshot()::text as snap');
    return rows[0]?.snap as string;
  }

  /** After a catch-up from `snapshot`: it is the one to compare with next. */
  remember(snapshot: string): void {
    this.snapshot = snapshot;
    const xmin = BigInt(snapshot.split(':')[0] ?? '0');
    // Below the xmin every transaction is visible: the catch-up query no longer reaches those rows.
    for (const xid of this.own) if (BigInt(xid) < xmin) this.own.delete(xid);
  }

  /** This instance committed `xid`: memory already holds what it wrote. */
  committed(xid: string): void {
    this.own.add(xid);
  }
}

/** A conflict with a concurrent transaction: the commit may be run again on fresh data. */
export function isConflict(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** A group that kept conflicting with other instances' commits: nothing of it was written. */
export class CommitConflictError extends Error {
  constructor(cause: unknown) {
    super('other instances kept changing what this change reads; it was not saved', { cause });
    this.name = 'CommitConflictError';
  }
}

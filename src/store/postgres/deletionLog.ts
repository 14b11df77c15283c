// The deletion log (deleted_rows): a deleted record leaves its table, so the other instances, which catch
// up by what their last snapshot did not see (visibility.ts), hear of the deletion here. The leader forgets entries older than a horizon (a day), and leaves
// a mark of what it forgot: an instance that has not looked since then (paused, or cut off from the
// database) sees the mark in its next catch-up and knows the log no longer holds every deletion it missed.
import type pg from 'pg';

/**
 * The mark, a row of deleted_rows itself: "rows of deleted_rows were deleted up to this rev", its xid the
 * newest writer of a forgotten entry: an instance whose last snapshot's xmin is not above it may have
 * missed one of them. No table of
 * the state has this name, so a catch-up that does not know the mark passes over it as over any other.
 */
export const PRUNED_MARK = { tbl: 'deleted_rows', key: 'pruned up to' } as const;

/** How long deletions are kept for instances that catch up (PostgresOptions.retention can shorten it). */
export const DELETIONS_KEPT_MS = 24 * 3_600_000;

/** Forgets the deletions older than `keptMs` and moves the mark up to the newest rev forgotten, in one transaction. */
export async function pruneDeletions(client: pg.PoolClient, keptMs: number): Promise<void> {
  await client.query('begin');
  try {
    // (No max() of xid8 before PostgreSQL 15: the newest by order.)
    const { rows } = await client.query<{ rev: number | null; xid: string | null }>(
      `with pruned as (delete from deleted_rows where tbl <> $1 and deleted_at < now() - make_interval(secs => $2) returning rev, xid)
       select max(rev) as rev, (select xid from pruned order by xid desc limit 1)::text as xid from pruned`,
      [PRUNED_MARK.tbl, keptMs / 1000],
    );
    const upTo = rows[0]?.rev ?? null;
    if (upTo !== null) {
      // One mark, never moved back (greatest of the one it replaces and what was forgotten now).
      await client.query(
        `with previous as (delete from deleted_rows where tbl = $1 returning rev, xid)
         insert into deleted_rows (tbl, key, rev, xid)
         select $1, $2, greatest($3::bigint, (select max(rev) from previous)), greatest($4::xid8, (select xid from previous order by xid desc limit 1))`,
        [PRUNED_MARK.tbl, PRUNED_MARK.key, upTo, rows[0]?.xid],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

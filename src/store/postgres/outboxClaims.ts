// Conversation claims as rows of the outbox (issue 22): the instance delivering to a conversation stamps
// its queued deliveries with its id and an expiry (locked_by, locked_until) and renews the expiry while it
// holds them. A claim nobody renews (its instance was killed, paused or cut off) is free again once it
// expires, so another instance carries on within LEASE_SECONDS. An advisory lock could not do that: a paused
// process keeps its connection open, and every session lock with it, for as long as it is paused.
//
// - Order: a conversation is claimed through its head (its first queued delivery), locked FOR UPDATE SKIP
//   LOCKED. Two instances never claim one conversation at once, and nobody claims past a head someone holds.
// - Completion: the commit that records a sent delivery checks in its own transaction that the row still
//   carries this instance's id (notOwned); a deposed owner's late record is refused and changes nothing.
// - Merging: a sweep commit reads which conversations are claimed (readClaims) and merges into none of them.
import type pg from 'pg';
import type { ConversationClaim, ConversationClaims } from '../coordination.js';
import { StoreUnavailableError } from '../stateStore.js';
import { LOCKS } from './locks.js';
import { isConnectionFailure, type DatabaseOutage } from './outage.js';

export interface OutboxClaimsOptions {
  instance: string;
  /** How long a claim lasts unrenewed (LEASE_SECONDS, as the sweep lease). */
  leaseSeconds: number;
  log: { warn(note: object, message: string): void };
  outage: DatabaseOutage;
}

export class OutboxClaims implements ConversationClaims {
  private busyKeys = new Set<string>();
  /** The conversations this instance holds claims in, renewed together. */
  private readonly held = new Set<string>();
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly renewMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: OutboxClaimsOptions,
  ) {
    this.renewMs = Math.min(5_000, (options.leaseSeconds * 1_000) / 3);
  }

  async claim(targetKey: string): Promise<ConversationClaim | null> {
    let covered = await this.take(targetKey);
    if (!covered) return null;
    this.hold(targetKey);
    let released = false;
    return {
      covers: (deliveryId) => covered?.has(deliveryId) ?? false,
      extend: async () => {
        const again = await this.take(targetKey);
        if (again) covered = again;
        return again !== null;
      },
      release: async () => {
        if (released) return;
        released = true;
        this.held.delete(targetKey);
        await this.pool
          .query('update outbox set locked_by = null, locked_until = null where target_key = $1 and locked_by = $2', [targetKey, this.options.instance])
          .catch(() => undefined); // unreleased, it expires by itself
      },
    };
  }

  busy(targetKey: string): boolean {
    return this.busyKeys.has(targetKey);
  }

  /**
   * Inside a sweep commit: which conversations are claimed now. Holding the merges lock from here to the
   * commit keeps new claims out until the commit's merges are stored (and read by the claimant).
   */
  async readClaims(client: pg.PoolClient): Promise<void> {
    await client.query('select pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS.merges]);
    const { rows } = await client.query<{ target_key: string }>('select distinct target_key from outbox where locked_by is not null and locked_until > now()');
    this.busyKeys = new Set(rows.map((row) => row.target_key));
  }

  /**
   * Inside a commit that records deliveries as sent: those whose row no longer carries this instance's id
   * (another instance took the conversation over, or the row is gone). The rows that do are locked until
   * the commit ends, so no claim takes them meanwhile.
   */
  async notOwned(client: pg.PoolClient, deliveryIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await client.query<{ id: string }>('select id from outbox where id = any($1::text[]) and locked_by = $2 for update', [deliveryIds, this.options.instance]);
    const owned = new Set(rows.map((row) => row.id));
    return new Set(deliveryIds.filter((id) => !owned.has(id)));
  }

  /** Gives back every claim (a clean stop), so other instances need not wait them out. */
  async close(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.held.clear();
    await this.pool.query('update outbox set locked_by = null, locked_until = null where locked_by = $1', [this.options.instance]).catch(() => undefined);
  }

  /**
   * Stamps the conversation's queued deliveries with this instance's id, when its head is free: unclaimed,
   * claimed by this instance, or claimed by one that let its claim expire. Returns the rows stamped (none
   * when nothing is queued), or null when another instance holds the conversation or its head is being
   * written right now.
   */
  private async take(targetKey: string): Promise<Set<string> | null> {
    const { instance, leaseSeconds } = this.options;
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      await client.query('begin');
      // A sweep commit that read the claims before this one may be merging into the queue: wait it out.
      await client.query('select pg_advisory_xact_lock_shared($1, $2)', [LOCKS.namespace, LOCKS.merges]);
      const head = await client.query(
        'select id from outbox where id = (select id from outbox where target_key = $1 order by position limit 1) for update skip locked',
        [targetKey],
      );
      let covered: Set<string> | null = null;
      if (head.rowCount === 0) {
        const queued = await client.query('select 1 from outbox where target_key = $1 limit 1', [targetKey]);
        if (queued.rowCount === 0) covered = new Set();
      } else {
        const theirs = await client.query('select 1 from outbox where target_key = $1 and locked_by <> $2 and locked_until > now() limit 1', [targetKey, instance]);
        if (theirs.rowCount === 0) {
          // A row another transaction is writing right now is left out (never waited for, so no deadlock with
          // it): the head's claim holds the conversation, and that row is covered by the next extend.
          const { rows } = await client.query<{ id: string }>(
            `update outbox set locked_by = $2, locked_until = now() + make_interval(secs => $3)
             where id in (select id from outbox where target_key = $1 order by position for update skip locked) returning id`,
            [targetKey, instance, leaseSeconds],
          );
          covered = new Set(rows.map((row) => row.id));
        }
      }
      await client.query('commit');
      this.options.outage.back();
      return covered;
    } catch (error) {
      await client?.query('rollback').catch(() => undefined);
      if (!isConnectionFailure(error)) throw error;
      this.options.outage.lost('claiming a conversation', error);
      throw new StoreUnavailableError(error);
    } finally {
      client?.release();
    }
  }

  /** Keeps the conversation's claim alive until released: renewed every third of its length. */
  private hold(targetKey: string): void {
    this.held.add(targetKey);
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => void this.renew(), this.renewMs);
    this.renewTimer.unref?.();
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) {
      if (this.renewTimer) clearInterval(this.renewTimer);
      this.renewTimer = null;
      return;
    }
    try {
      // Only rows still stamped with this id: a claim another instance took over stays theirs.
      await this.pool.query('update outbox set locked_until = now() + make_interval(secs => $3) where locked_by = $1 and target_key = any($2::text[])', [
        this.options.instance,
        [...this.held],
        this.options.leaseSeconds,
      ]);
    } catch (error) {
      if (isConnectionFailure(error)) this.options.outage.lost('renewing conversation claims', error);
      else this.options.log.warn({ err: (error as Error).message }, 'could not renew conversation claims; will try again');
    }
  }
}

// Leadership among instances sharing one database: a lease row with an expiry and a fencing token. The
// holder renews it every few seconds; when it stops (killed, stalled, cut off) the lease runs out and the
// next instance to look takes it with the token plus one. Sweep commits check the token in their own
// transaction (fence), so a deposed leader that wakes up late cannot write over its successor.
// Times are the database's own (now()), so instances need not agree on the clock.
import type pg from 'pg';
import type { Leadership, LeadershipReport } from '../coordination.js';
import { LeaseLostError } from '../stateStore.js';
import { isConnectionFailure, type DatabaseOutage } from './outage.js';

export interface LeaseOptions {
  instance: string;
  host: string;
  pid: number;
  leaseSeconds: number;
  log: { info(note: object, message: string): void; warn(note: object, message: string): void };
  outage: DatabaseOutage;
}

const LEASE = 'sweep';

export class Lease implements Leadership {
  leading = false;
  token: number | null = null;
  private listeners: ((leading: boolean) => void)[] = [];
  private others: NonNullable<LeadershipReport['others']> = [];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  /** When a renewal last succeeded (this process's clock): without one for a lease's length, it may be gone. */
  private renewedAt = 0;
  private stopped = false;
  readonly renewMs: number;
  /** A follower looks again right when the leader's lease runs out, not up to a renewal later. */
  private nextLookMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: LeaseOptions,
  ) {
    this.renewMs = Math.min(5_000, (options.leaseSeconds * 1_000) / 3);
    this.nextLookMs = this.renewMs;
  }

  onChange(listener: (leading: boolean) => void): void {
    this.listeners.push(listener);
  }

  report(): LeadershipReport {
    return { instance: this.options.instance, leading: this.leading, token: this.token, leaseSeconds: this.options.leaseSeconds, others: this.others };
  }

  /** Looks now, then every few seconds: renews the lease it holds, or takes one that ran out. */
  start(): Promise<void> {
    const next = () => {
      if (!this.stopped) this.timer = setTimeout(() => void this.tick().finally(next), this.nextLookMs);
    };
    const first = this.tick();
    void first.finally(next);
    return first;
  }

  tick(): Promise<void> {
    const run = this.ticking.then(() => this.look());
    this.ticking = run.catch(() => undefined);
    return run;
  }

  /** Inside a sweep commit's transaction: refuses the commit unless this instance still holds the lease. */
  async fence(client: pg.PoolClient): Promise<void> {
    const held = this.leading
      ? await client.query('select 1 from leases where name = $1 and holder = $2 and token = $3 and expires_at > now() for update', [LEASE, this.options.instance, this.token])
      : null;
    if (held?.rowCount === 1) return;
    this.setLeading(false, null, 'the lease is held by another instance or ran out');
    throw new LeaseLostError();
  }

  /** Gives the lease back at once (a clean stop), so another instance takes over without waiting it out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    if (this.leading) {
      await this.pool
        .query('update leases set expires_at = now() where name = $1 and holder = $2 and token = $3', [LEASE, this.options.instance, this.token])
        .catch(() => undefined);
      this.setLeading(false, null, 'stopping');
    }
    await this.pool.query('delete from instances where id = $1', [this.options.instance]).catch(() => undefined);
  }

  private async look(): Promise<void> {
    const { instance, host, pid, leaseSeconds } = this.options;
    // Unrenewed for a whole lease (a slow database, a stalled process): another instance may lead by now.
    if (this.leading && Date.now() - this.renewedAt >= leaseSeconds * 1_000) this.setLeading(false, null, 'no renewal for a whole lease');
    try {
      if (this.leading) {
        const renewed = await this.pool.query(
          `update leases set expires_at = now() + make_interval(secs => $4) where name = $1 and holder = $2 and token = $3 and expires_at > now()`,
          [LEASE, instance, this.token, leaseSeconds],
        );
        if (renewed.rowCount === 1) this.renewedAt = Date.now();
        else this.setLeading(false, null, 'the lease ran out before it was renewed');
      }
      if (!this.leading) {
        const taken = await this.pool.query<{ token: number }>(
          `insert into leases (name, holder, token, expires_at, acquired_at) values ($1, $2, 1, now() + make_interval(secs => $3), now())
           on conflict (name) do update set holder = excluded.holder, token = leases.token + 1, expires_at = excluded.expires_at, acquired_at = now()
           where leases.expires_at <= now()
           returning token`,
          [LEASE, instance, leaseSeconds],
        );
        const token = taken.rows[0]?.token;
        if (token !== undefined) {
          this.renewedAt = Date.now();
          this.setLeading(true, Number(token), 'took the lease');
        }
      }
      this.nextLookMs = this.renewMs;
      if (!this.leading) {
        const { rows } = await this.pool.query<{ left: number }>(`select extract(epoch from expires_at - now())::float8 as left from leases where name = $1`, [LEASE]);
        const leftMs = (rows[0]?.left ?? 0) * 1_000;
        this.nextLookMs = Math.max(20, Math.min(this.renewMs, leftMs + 20));
      }
      await this.pool.query(
        `insert into instances (id, host, pid, started_at, heartbeat_at, leader) values ($1, $2, $3, now(), now(), $4)
         on conflict (id) do update set heartbeat_at = now(), leader = excluded.leader`,
        [instance, host, pid, this.leading],
      );
      // Leading means holding the lease now: a killed leader's last heartbeat still says it led.
      const others = await this.pool.query<{ id: string; leader: boolean; heartbeat_at: Date; ago: number }>(
        `select i.id, (l.holder is not null) as leader, i.heartbeat_at, extract(epoch from now() - i.heartbeat_at)::float8 as ago
         from instances i left join leases l on l.name = $2 and l.holder = i.id and l.expires_at > now()
         where i.id <> $1 and i.heartbeat_at > now() - interval '1 day' order by i.id`,
        [instance, LEASE],
      );
      this.options.outage.back();
      this.others = others.rows.map((row) => ({ instance: row.id, leading: row.leader, heartbeatAt: new Date(row.heartbeat_at).toISOString(), secondsAgo: Math.round(row.ago) }));
    } catch (error) {
      this.nextLookMs = this.renewMs; // not every 20 ms while the database is away
      // Cut off from the database: once the lease may have run out, stop acting as the leader.
      if (this.leading && Date.now() - this.renewedAt >= leaseSeconds * 1_000) this.setLeading(false, null, 'the database was unreachable for a whole lease');
      if (isConnectionFailure(error)) this.options.outage.lost('the sweep lease', error);
      else this.options.log.warn({ err: (error as Error).message }, 'could not renew or take the sweep lease; will try again');
    }
  }

  private setLeading(leading: boolean, token: number | null, why: string): void {
    if (this.leading === leading && this.token === token) return;
    const was = this.leading;
    this.leading = leading;
    this.token = token;
    this.options.log.info({ instance: this.options.instance, token }, leading ? `this instance leads the sweep (${why})` : `this instance no longer leads the sweep (${why})`);
    if (was !== leading) for (const listener of this.listeners) listener(leading);
  }
}

// One long-lived connection per instance, for what belongs to a session rather than a transaction:
// hearing other instances' commits (LISTEN), and claiming webhook and PSA endpoints (advisory locks, which
// PostgreSQL releases by itself when the session ends: when the instance dies, or its host stops answering
// keepalives). Conversations are claimed otherwise, by rows of the outbox with an expiry (outboxClaims.ts):
// a paused instance keeps its connection, and with it any advisory lock, for as long as it is paused.
import pg from 'pg';
import type { Claim, EndpointClaims } from '../coordination.js';
import { connectionConfig } from './connection.js';
import { claimKey, LOCKS } from './locks.js';
import { StoreUnavailableError } from '../stateStore.js';
import { isConnectionFailure, type DatabaseOutage } from './outage.js';

export const CHANNEL = 'partner_alerts_state';

export interface SessionOptions {
  url: string;
  /** Another instance committed a write with this rev. */
  onCommit(rev: number): void;
  outage: DatabaseOutage;
}

export class Session implements EndpointClaims {
  private client: pg.Client | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SessionOptions) {}

  async open(): Promise<void> {
    const client = new pg.Client(connectionConfig(this.options.url));
    client.on('notification', (message) => {
      const rev = Number(message.payload);
      if (Number.isFinite(rev)) this.options.onCommit(rev);
    });
    client.on('error', (error) => {
      // Claims die with the connection. A worker sending right now finishes that send: another instance may
      // send it too (the duplicate window of a crash), and the worker's next claim needs a new session.
      this.options.outage.lost('the session holding endpoint claims (released with it)', error);
      if (this.client === client) this.client = null;
      this.reconnectSoon();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.options.outage.back();
  }

  /**
   * Takes an endpoint's claim. A commit running now may be adding to the endpoint's queue: waiting for the
   * write lock once waits it out, so the claimant's next look at the state includes it.
   */
  claim(name: string): Promise<Claim | null> {
    const key = claimKey(name);
    return this.exclusive(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCKS.claims, key]);
      if (!rows[0]?.ok) return null;
      await client.query('begin');
      try {
        await client.query('select pg_advisory_xact_lock($1, $2)', [LOCKS.namespace, LOCKS.writes]);
      } finally {
        await client.query('commit').catch(() => undefined);
      }
      return {
        release: () =>
          // A session that dropped meanwhile took the claim with it: nothing to unlock.
          this.exclusive(async (same) => (same === client ? void (await same.query('select pg_advisory_unlock($1, $2)', [LOCKS.claims, key])) : undefined)).then(
            () => undefined,
            () => undefined,
          ),
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.queue.catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private exclusive<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (!this.client) throw new StoreUnavailableError(new Error('no PostgreSQL session (reconnecting)'));
      return work(this.client).catch((error: unknown) => {
        throw isConnectionFailure(error) ? new StoreUnavailableError(error) : error;
      });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private reconnectSoon(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.open().catch((error: unknown) => {
        this.options.outage.lost('reconnecting the session', error);
        this.reconnectSoon();
      });
    }, 1_000);
    this.reconnectTimer.unref?.();
  }
}

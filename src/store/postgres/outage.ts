// One account of the database's reachability per instance, shared by the pool, the session, the lease and the
// commits. A restart or a failover of PostgreSQL fails every one of them many times a second; an operator
// wants three lines (lost, still retrying, back), not a warning with a stack per batch, claim and renewal.

/** Failures that mean "the database cannot be reached now", not "this statement is wrong". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|not queryable|terminating connection/i;

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception); 57P01-57P03: shut down by an administrator, crashed, starting up.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  }
  return CONNECTION_MESSAGES.test(error.message);
}

export interface OutageLogger {
  warn(note: object, message: string): void;
  debug?(note: object, message: string): void;
}

/** While down, a reminder that it is still down comes this often. */
const REMINDER_MS = 60_000;

export class DatabaseOutage {
  private downSince: number | null = null;
  private remindedAt = 0;

  constructor(
    private readonly log: OutageLogger,
    private readonly now: () => number = Date.now,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
  }

  /** Something failed to reach the database (`what`: the pool, the session, the lease, a commit). */
  lost(what: string, error: unknown): void {
    const now = this.now();
    const reason = error instanceof Error ? error.message : String(error);
    if (this.downSince === null) {
      this.downSince = now;
      this.remindedAt = now;
      this.log.warn({ err: reason, what }, 'lost the connection to PostgreSQL; retrying every second, changes are refused until it is back');
    } else if (now - this.remindedAt >= REMINDER_MS) {
      this.remindedAt = now;
      this.log.warn({ err: reason, seconds: Math.round((now - this.downSince) / 1000) }, 'PostgreSQL is still unreachable; retrying');
    } else {
      this.log.debug?.({ err: reason, what }, 'PostgreSQL still unreachable');
    }
  }

  /** Something reached the database. */
  back(): void {
    if (this.downSince === null) return;
    const seconds = Math.round((this.now() - this.downSince) / 100) / 10;
    this.downSince = null;
    this.log.warn({ seconds }, `PostgreSQL is reachable again after ${seconds} s`);
  }
}

// How every connection of an instance talks to PostgreSQL. A host that freezes, loses its network or its
// power must not keep the write lock, the lease row or its conversations' claims for the two hours TCP
// takes by default to notice: the server ends such a session within seconds, and so do the waits here.
import type pg from 'pg';

export function connectionConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // No statement of this app runs for long: one that does is waiting on something that is gone.
    statement_timeout: 60_000,
    query_timeout: 65_000,
    // A transaction left open by a frozen instance gives its locks back.
    idle_in_transaction_session_timeout: 15_000,
    // The server probes a silent client (a vanished host) after 10 s and drops it after three misses.
    options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
  };
}

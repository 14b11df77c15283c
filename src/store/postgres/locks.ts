// The advisory locks Partner Alerts takes, as (namespace, key) pairs so they never clash with another
// application's locks on the same database.
export const LOCKS = {
  /** 'PaAl' */
  namespace: 0x5061_416c,
  /** Held by sweep commits for their transaction (no longer by every write): endpoint claims wait them out. */
  writes: 1,
  /** Held while migrations run. */
  migrations: 2,
  /**
   * Taken shared by every conversation claim and exclusively by a sweep commit once it reads the claims
   * (outboxClaims.ts): a claim never lands between that read and the commit's merge into the queue.
   */
  merges: 3,
  /** Endpoint claims (session.ts) use their own namespace, keyed by a hash of the endpoint. */
  claims: 0x5061_4163,
} as const;

/** An endpoint's claim key: FNV-1a of its key, as the signed 32-bit integer PostgreSQL takes. */
export function claimKey(targetKey: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < targetKey.length; i++) {
    hash ^= targetKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

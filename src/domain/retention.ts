// How long the state remembers what is over: cards of resolved incidents and ended subscription episodes,
// delivery-log entries, and threads nobody can see any more. One figure for the engine and every source.

export const RETENTION_MS = 30 * 24 * 3_600_000;

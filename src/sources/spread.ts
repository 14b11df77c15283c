// When a source's periodic item is due: each item comes due once per period at its own moment of it (its
// phase, from a stable hash of its key), so the items of a source spread evenly over the rounds of a period
// instead of all coming due in the round after the one that first fetched them all. Pure, and the same on
// every instance (no seed, no clock of its own), so a new leader plans what the last one would have.

/** FNV-1a over the key's UTF-16 code units, then murmur3's final mix so that similar keys land far apart. */
function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The item's moment within every period, in ms from the period's start (periods start at the epoch). */
export function phaseOf(key: string, periodMs: number): number {
  return (hash32(key) / 0x1_0000_0000) * periodMs;
}

/** The latest moment at or before `now` at which the item came due. Always within the last period. */
export function lastDueAt(key: string, periodMs: number, now: number): number {
  const sincePhase = (((now - phaseOf(key, periodMs)) % periodMs) + periodMs) % periodMs;
  return now - sincePhase;
}

/**
 * Is the item due at `now`? When it was never fetched (a new watch: at once), and when its last fetch is
 * older than its latest due moment. That moment is less than a period ago, so an item a period old or
 * older is always due: spreading never delays an item past its period, it only brings some forward once.
 * A period of 0 or less means every round.
 */
export function isDue(key: string, lastFetchedAt: number | undefined, now: number, periodMs: number): boolean {
  if (lastFetchedAt === undefined || !Number.isFinite(lastFetchedAt) || !(periodMs > 0)) return true;
  return lastFetchedAt < lastDueAt(key, periodMs, now);
}

// Levenshtein distance (insertions, deletions and substitutions each cost 1), for "did you mean …"
// suggestions of customer names and time zones.

/**
 * The edit distance between `a` and `b`. Strings whose lengths differ by more than `maxLengthGap` are not
 * compared: the gap itself is returned, a lower bound of the distance (callers that need "too far" as
 * Infinity check the gap themselves).
 */
export function editDistance(a: string, b: string, maxLengthGap = Infinity): number {
  const gap = Math.abs(a.length - b.length);
  if (gap > maxLengthGap) return gap;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? gap;
}

/**
 * Like `editDistance`, but two neighbouring letters typed the wrong way round cost 1, not 2 (the optimal
 * string alignment distance): "hepl" is one slip from "help", as a person sees it.
 */
export function typoDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

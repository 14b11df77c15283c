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

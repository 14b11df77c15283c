// The order of incident severities, in one place: normal < information < warning < critical.
import { SEVERITIES, type Severity } from './types.js';

/** 0 for normal up to 3 for critical; follows the order of SEVERITIES. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Ascending comparator (normal first). Use `(a, b) => compareSeverity(b, a)` for most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank(a) - severityRank(b);
}

/** True when `severity` is `minimum` or more severe. */
export function meetsMinimumSeverity(severity: Severity, minimum: Severity): boolean {
  return severityRank(severity) >= severityRank(minimum);
}

// When a customer's GDAP access ends, read from its relationships. Pure, and in the domain because the store
// works it out too: a snapshot's facts say whether the digest may show it (src/domain/digestFacts.ts).
import type { RelationshipPrint } from './accessRecords.js';

/** Statuses in which a relationship gives the partner access. */
export const COVERING: ReadonlySet<string> = new Set(['active', 'expiring', 'terminationRequested']);
/** Statuses of a relationship that is over. */
export const ENDED: ReadonlySet<string> = new Set(['expired', 'terminated']);

export const isCovering = (print: Pick<RelationshipPrint, 'status'>): boolean => COVERING.has(print.status);
export const isEnded = (print: Pick<RelationshipPrint, 'status'>): boolean => ENDED.has(print.status);

/**
 * When a customer's access ends: the last day of its last covering relationship without auto-extend.
 * `never`: one auto-extends (or nothing covers it: nothing to end); `unknown`: a covering one has an
 * unreadable end, so no warning is given on a guess.
 */
export function accessEnd(relationships: readonly RelationshipPrint[]): { kind: 'day'; day: string } | { kind: 'never' } | { kind: 'unknown' } {
  let last: string | null = null;
  let unknown = false;
  let any = false;
  for (const print of relationships) {
    if (!isCovering(print)) continue;
    any = true;
    if (print.autoExtend) return { kind: 'never' };
    if (print.malformed || print.endDay === undefined) unknown = true;
    else if (last === null || print.endDay > last) last = print.endDay;
  }
  if (!any) return { kind: 'never' };
  if (unknown) return { kind: 'unknown' };
  return last === null ? { kind: 'unknown' } : { kind: 'day', day: last };
}

/** Nothing covers the customer any more, and some relationship ended: the partner lost it. */
export function accessLost(relationships: readonly RelationshipPrint[]): boolean {
  return !relationships.some(isCovering) && relationships.some(isEnded);
}

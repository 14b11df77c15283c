// Snapshots of every kind of subscription and GDAP relationship the digest may or may not show, for the
// tests of the snapshots' facts (domain/digestFacts.ts) and of migration 11, which works them out in SQL.
import type { RelationshipPrint } from '../../src/domain/accessRecords.js';
import type { SubscriptionPrint } from '../../src/domain/subscriptionRecords.js';

/** Digests at these times: a warning window of 30 days from them ends on 2026-04-02 and 2026-04-03. */
export const DIGEST_TIMES = [new Date('2026-03-03T07:00:00Z'), new Date('2026-03-04T00:00:00Z'), new Date('2026-03-04T23:59:59Z')];
export const WARN_DAYS = 30;

const END_DAYS = [undefined, '', '2026-02-01', '2026-03-20', '2026-04-02', '2026-04-03', '2026-04-04', '2026-09-30', 'soon', '2026-03-20T00:00:00Z'];

function combinations<T extends Record<string, readonly unknown[]>>(axes: T): { [K in keyof T]: T[K][number] }[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [axis, values] of Object.entries(axes)) out = out.flatMap((partial) => values.map((value) => ({ ...partial, [axis]: value })));
  return out as { [K in keyof T]: T[K][number] }[];
}

/** Leaves out the fields at their usual value, as the prints are stored. */
const stored = <T extends object>(print: T): T => Object.fromEntries(Object.entries(print).filter(([, value]) => value !== undefined)) as T;

/** Every status, with and without attention, auto-renew, an end day (unreadable ones too), gone, trial. */
export const SUBSCRIPTION_PRINTS: SubscriptionPrint[] = combinations({
  status: ['active', 'suspended', 'expired', 'deleted', 'disabled', 'pending'] as const,
  attention: [undefined, true] as const,
  autoRenew: [undefined, true] as const,
  endDay: END_DAYS,
  goneAt: [undefined, '2026-03-01T00:00:00.000Z'],
  trial: [undefined, true] as const,
}).map((fields, i) => stored({ id: `sub-${i}`, name: `Subscription ${i}`, quantity: 1, ...fields }));

/** Every status of a relationship, with and without an end day (unreadable ones too), auto-extend, malformed. */
export const RELATIONSHIP_PRINTS: RelationshipPrint[] = combinations({
  status: ['active', 'expiring', 'terminationRequested', 'expired', 'terminated', 'approvalPending'],
  endDay: END_DAYS,
  autoExtend: [undefined, true] as const,
  malformed: [undefined, true] as const,
}).map((fields, i) => stored({ id: `rel-${i}`, name: `Relationship ${i}`, roles: [], ...fields }));

/** One snapshot's list per print, and a spread of pairs (what one print says may hide what another does). */
export function printLists<P>(prints: readonly P[], pairEvery = 7): P[][] {
  const lists = prints.map((print) => [print]);
  for (let i = 0; i < prints.length; i++) {
    for (let j = i + 1; j < prints.length; j += pairEvery) lists.push([prints[i] as P, prints[j] as P]);
  }
  return lists;
}

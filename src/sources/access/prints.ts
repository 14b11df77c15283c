// What is remembered of one relationship between listings (its print), when its access assignments are
// read again (new, changed, or a day old), and whether anybody can use it. Pure.
import { ASSIGNMENTS_REREAD_MS, type AccessGroup, type Relationship, type RelationshipPrint } from './model.js';
import { isCovering } from './words.js';

/** One relationship as remembered: what the card and the next listing need. */
export function printOf(relationship: Relationship, before: RelationshipPrint | undefined, groups: AccessGroup[] | undefined, fetchedAt: string): RelationshipPrint {
  const print: RelationshipPrint = { id: relationship.id, name: relationship.name, status: relationship.status, roles: relationship.roles };
  if (relationship.endDay) print.endDay = relationship.endDay;
  if (relationship.autoExtend) print.autoExtend = true;
  if (relationship.createdAt) print.createdAt = relationship.createdAt;
  if (relationship.lastModified) print.lastModified = relationship.lastModified;
  if (relationship.malformed) print.malformed = true;
  if (groups) {
    print.groups = groups;
    print.groupsReadAt = fetchedAt;
  } else if (before?.groups) {
    print.groups = before.groups;
    if (before.groupsReadAt) print.groupsReadAt = before.groupsReadAt;
  }
  if (before?.stuckSaid) print.stuckSaid = true;
  if (before?.unusedSaid) print.unusedSaid = true;
  return print;
}

/** Do this relationship's access assignments need reading now: new, changed, or not read for a day? */
export function assignmentsDue(relationship: Pick<Relationship, 'status' | 'lastModified'>, before: RelationshipPrint | undefined, now: number): boolean {
  if (!isCovering(relationship)) return false;
  if (!before || before.groupsReadAt === undefined || before.status !== relationship.status) return true;
  if ((before.lastModified ?? null) !== relationship.lastModified) return true;
  return !(now - Date.parse(before.groupsReadAt) < ASSIGNMENTS_REREAD_MS);
}

/** No group holds the relationship's roles (judged only once its assignments were read). */
export function nobodyCanUse(print: RelationshipPrint): boolean {
  return isCovering(print) && print.groups !== undefined && !print.groups.some((group) => group.status === 'active');
}

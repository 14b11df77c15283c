// Graph's relationships and access assignments → the source's checked records. A relationship without an
// id or a customer cannot be tracked and is left out; a malformed date or duration is kept as unknown (and
// never alerted on); an unknown status is kept as a word to show. Pending relationships have no
// activatedDateTime or endDateTime, and that is not malformed.
import { z } from 'zod';
import { utcDay } from '../subscriptions/dates.js';
import type { AccessGroup, Relationship } from './model.js';

const text = z.string().nullish();
const wireRelationship = z.object({
  id: z.string().min(1),
  displayName: text,
  status: text,
  customer: z.object({ tenantId: z.string().min(1), displayName: text }),
  duration: text,
  createdDateTime: text,
  activatedDateTime: text,
  endDateTime: text,
  lastModifiedDateTime: text,
  autoExtendDuration: text,
  accessDetails: z.object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() }).nullish(),
});

const wireAssignment = z.object({
  id: z.string().nullish(),
  status: text,
  accessContainer: z.object({ accessContainerId: z.string().nullish(), accessContainerType: text }).nullish(),
  accessDetails: z.object({ unifiedRoles: z.array(z.object({ roleDefinitionId: z.string() })).nullish() }).nullish(),
});

/** ISO 8601 durations as Graph writes them (`P730D`, `PT0S`, `P1Y2M`): zero or not. */
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

function isZeroDuration(value: string): boolean {
  return !/[1-9]/.test(value);
}

function instant(value: string | null | undefined): { ok: true; value: string | null } | { ok: false } {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  return Number.isFinite(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value) ? { ok: true, value } : { ok: false };
}

/** One relationship from Graph; null when it cannot be tracked at all. */
export function readRelationship(raw: unknown): Relationship | null {
  const parsed = wireRelationship.safeParse(raw);
  if (!parsed.success) return null;
  const r = parsed.data;
  let malformed = false;
  const created = instant(r.createdDateTime);
  const activated = instant(r.activatedDateTime);
  const modified = instant(r.lastModifiedDateTime);
  let endDay: string | null = null;
  if (r.endDateTime) {
    endDay = utcDay(r.endDateTime);
    if (endDay === null) malformed = true;
  }
  if (!created.ok || !activated.ok) malformed = true;
  let autoExtend: boolean | null = false;
  if (r.autoExtendDuration) {
    if (DURATION.test(r.autoExtendDuration)) autoExtend = !isZeroDuration(r.autoExtendDuration);
    else {
      autoExtend = null;
      malformed = true;
    }
  }
  if (r.duration && !DURATION.test(r.duration)) malformed = true;
  const relationship: Relationship = {
    id: r.id,
    name: r.displayName?.trim() || r.id,
    status: r.status?.trim() || 'unknown',
    customerId: r.customer.tenantId.toLowerCase(),
    customerName: r.customer.displayName?.trim() || r.customer.tenantId,
    createdAt: created.ok ? created.value : null,
    activatedAt: activated.ok ? activated.value : null,
    endDay,
    autoExtend,
    lastModified: modified.ok ? modified.value : null,
    roles: (r.accessDetails?.unifiedRoles ?? []).map((role) => role.roleDefinitionId.toLowerCase()),
  };
  if (malformed) relationship.malformed = true;
  return relationship;
}

export function readRelationships(raw: readonly unknown[]): Relationship[] {
  const relationships: Relationship[] = [];
  for (const item of raw) {
    const relationship = readRelationship(item);
    if (relationship) relationships.push(relationship);
  }
  return relationships;
}

/** A relationship's access assignments: the groups and the roles each holds. */
export function readAssignments(raw: readonly unknown[]): AccessGroup[] {
  const groups: AccessGroup[] = [];
  for (const item of raw) {
    const parsed = wireAssignment.safeParse(item);
    if (!parsed.success) continue;
    const a = parsed.data;
    groups.push({
      groupId: a.accessContainer?.accessContainerId ?? a.id ?? 'unknown',
      status: a.status?.trim() || 'unknown',
      roles: (a.accessDetails?.unifiedRoles ?? []).map((role) => role.roleDefinitionId.toLowerCase()),
    });
  }
  return groups;
}

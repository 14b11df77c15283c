// The access diff: what changed in the partner's GDAP relationships between the stored snapshots and a
// *successful* listing, customer by customer. Pure. The first listing is the baseline (nothing is said;
// warnings already due count as given). A customer's access problem is one episode: ending in 30, 7, 1
// days, lost, back; stuck approvals and relationships nobody can use join the same episode. Windows are
// counted in UTC calendar days at every listing; only a later end resets the warnings.
import { compareSeverity } from '../../domain/severity.js';
import type { Severity } from '../../domain/types.js';
import { dueWarning, warningThresholds } from '../subscriptions/diff.js';
import { dayNumber, formatDay } from '../subscriptions/dates.js';
import {
  STUCK_APPROVAL_DAYS,
  type AccessChange,
  type AccessEvent,
  type AccessGroup,
  type AccessSnapshot,
  type Relationship,
  type RelationshipPrint,
} from './model.js';
import { nobodyCanUse, printOf } from './prints.js';
import { accessEnd, accessLost, daysBetween, isCovering, isEnded, isPending, roleName } from './words.js';

export { assignmentsDue, nobodyCanUse, printOf } from './prints.js';

const DAY_MS = 86_400_000;

// End days as numbers, read once: a listing meets the same few hundred days again and again.
const dayNumbers = new Map<string, number>();
const DAYS_KEPT = 20_000;

function dayNumberOf(day: string): number {
  let number = dayNumbers.get(day);
  if (number === undefined) {
    if (dayNumbers.size >= DAYS_KEPT) dayNumbers.clear();
    number = dayNumber(day);
    dayNumbers.set(day, number);
  }
  return number;
}

export interface AccessDiffInput {
  previous: (customerId: string) => AccessSnapshot | undefined;
  /** Customers remembered from the last listing (those no longer listed are forgotten). */
  knownCustomerIds: Iterable<string>;
  relationships: readonly Relationship[];
  assignments: Readonly<Record<string, AccessGroup[]>>;
  fetchedAt: string;
  /** No listing was taken before: this one is the baseline. */
  baseline: boolean;
  warnDays: number;
}

export interface AccessDiff {
  events: AccessEvent[];
  /** Snapshots that changed (only these are written). */
  changed: AccessSnapshot[];
  /** Customers no longer listed at all. */
  removed: string[];
}

export function diffAccess(input: AccessDiffInput): AccessDiff {
  const rules = new Rules(input.fetchedAt, input.warnDays);
  const byCustomer = new Map<string, Relationship[]>();
  for (const relationship of input.relationships) {
    const list = byCustomer.get(relationship.customerId);
    if (list) list.push(relationship);
    else byCustomer.set(relationship.customerId, [relationship]);
  }
  const diff: AccessDiff = { events: [], changed: [], removed: [] };
  for (const [customerId, relationships] of byCustomer) {
    const before = input.previous(customerId);
    const result = rules.customer(customerId, before, relationships, input.assignments, input.baseline);
    if (result.snapshot !== before) diff.changed.push(result.snapshot);
    if (result.event) diff.events.push(result.event);
  }
  for (const customerId of input.knownCustomerIds) if (!byCustomer.has(customerId)) diff.removed.push(customerId);
  return diff;
}

class Rules {
  private readonly thresholds: number[];
  private readonly today: string;
  private readonly todayNumber: number;
  private readonly fetchedMs: number;

  constructor(
    private readonly fetchedAt: string,
    private readonly warnDays: number,
  ) {
    this.thresholds = warningThresholds(warnDays);
    this.today = fetchedAt.slice(0, 10);
    this.todayNumber = dayNumber(this.today);
    this.fetchedMs = Date.parse(fetchedAt);
  }

  private stuck(print: RelationshipPrint): boolean {
    if (!isPending(print) || !print.createdAt) return false;
    const created = Date.parse(print.createdAt);
    return Number.isFinite(created) && this.fetchedMs - created > STUCK_APPROVAL_DAYS * DAY_MS;
  }

  private due(day: string): number | null {
    return dueWarning(dayNumberOf(day) - this.todayNumber, this.thresholds);
  }

  /** Something a support desk should act on is going on for this customer. */
  private problem(prints: readonly RelationshipPrint[]): boolean {
    if (accessLost(prints)) return true;
    const end = accessEnd(prints);
    if (end.kind === 'day' && daysBetween(this.today, end.day) <= this.warnDays) return true;
    return prints.some((print) => (print.stuckSaid && this.stuck(print)) || (print.unusedSaid && nobodyCanUse(print)));
  }

  /** Same relationships in the same order, none changed, nothing read, nothing come due: keep the snapshot. */
  private unchanged(before: AccessSnapshot, relationships: readonly Relationship[], assignments: Readonly<Record<string, AccessGroup[]>>): boolean {
    if (before.relationships.length !== relationships.length || before.customerName !== relationships[0]?.customerName) return false;
    for (let i = 0; i < relationships.length; i++) {
      const r = relationships[i] as Relationship;
      const p = before.relationships[i] as RelationshipPrint;
      if (
        p.id !== r.id ||
        p.status !== r.status ||
        p.name !== r.name ||
        (p.endDay ?? null) !== r.endDay ||
        (p.autoExtend === true) !== (r.autoExtend === true) ||
        (p.lastModified ?? null) !== r.lastModified ||
        (p.malformed === true) !== (r.malformed === true) ||
        !sameRoles(p.roles, r.roles) ||
        assignments[r.id] !== undefined ||
        (!p.stuckSaid && isPending(p) && this.stuck(p))
      ) {
        return false;
      }
    }
    if (before.accessEndDay !== undefined) {
      const due = this.due(before.accessEndDay);
      if (due !== null && (before.warned === undefined || due < before.warned)) return false;
    }
    return !(before.open && !this.problem(before.relationships));
  }

  customer(
    customerId: string,
    before: AccessSnapshot | undefined,
    relationships: readonly Relationship[],
    assignments: Readonly<Record<string, AccessGroup[]>>,
    baseline: boolean,
  ): { snapshot: AccessSnapshot; event: AccessEvent | null } {
    if (before && this.unchanged(before, relationships, assignments)) return { snapshot: before, event: null };
    const remembered = new Map((before?.relationships ?? []).map((print) => [print.id, print]));
    const prints = relationships.map((r) => printOf(r, remembered.get(r.id), assignments[r.id], this.fetchedAt));
    const customerName = relationships[0]?.customerName || before?.customerName || customerId;
    const snapshot: AccessSnapshot = { customerId, customerName, relationships: prints };
    for (const key of ['episode', 'open', 'openedAt', 'rev', 'warned', 'accessEndDay', 'lost'] as const) {
      if (before?.[key] !== undefined) (snapshot as unknown as Record<string, unknown>)[key] = before[key];
    }
    const end = accessEnd(prints);
    if (baseline && !before) return { snapshot: this.baseline(snapshot, end), event: null };
    const changes = this.compare(snapshot, before, remembered, end);
    return { snapshot, event: this.settle(snapshot, changes) };
  }

  /** The first listing: what already is counts as said, and a problem going on is an episode nobody saw begin. */
  private baseline(snapshot: AccessSnapshot, end: ReturnType<typeof accessEnd>): AccessSnapshot {
    for (const print of snapshot.relationships) {
      if (this.stuck(print)) print.stuckSaid = true;
      if (nobodyCanUse(print)) print.unusedSaid = true;
    }
    if (end.kind === 'day') {
      snapshot.accessEndDay = end.day;
      const due = this.due(end.day);
      if (due !== null) snapshot.warned = due;
    }
    if (accessLost(snapshot.relationships)) snapshot.lost = true;
    if (this.problem(snapshot.relationships)) {
      snapshot.episode = 1;
      snapshot.open = true;
      snapshot.openedAt = this.fetchedAt;
    }
    return snapshot;
  }

  private compare(snapshot: AccessSnapshot, before: AccessSnapshot | undefined, remembered: Map<string, RelationshipPrint>, end: ReturnType<typeof accessEnd>): AccessChange[] {
    const changes: AccessChange[] = [];
    const change = (kind: AccessChange['kind'], severity: Severity, text: string, recovery = false) => changes.push({ kind, severity, text, recovery });
    const prints = snapshot.relationships;
    const covering = prints.filter(isCovering);
    const lost = accessLost(prints);
    for (const print of prints) {
      const old = remembered.get(print.id);
      if (isCovering(print) && (!old || !isCovering(old)) && before?.open) change('back', 'information', `Access back: the relationship “${print.name}” is active${print.endDay ? ` until ${this.day(print.endDay)}` : ''}.`, true);
      if (old && isCovering(old) && isEnded(print) && !lost) {
        const held = new Set(covering.flatMap((other) => other.roles));
        const orphaned = print.roles.filter((role) => !held.has(role)).map(roleName);
        const roles = orphaned.length > 0 ? ` The roles no other relationship holds go with it: ${orphaned.join(', ')}.` : ' Other relationships still hold all its roles.';
        change('expiredCovered', 'information', `The relationship “${print.name}” ${print.status === 'terminated' ? 'was terminated' : 'expired'}; others still cover the customer.${roles}`);
      }
      if (!isPending(print)) delete print.stuckSaid;
      else if (!print.stuckSaid && this.stuck(print)) {
        print.stuckSaid = true;
        change('stuck', 'information', `The relationship “${print.name}” has waited for the customer’s approval since ${this.day(print.createdAt?.slice(0, 10) ?? this.today)}.`);
      }
      if (!isCovering(print)) delete print.unusedSaid;
      else if (print.groupsReadAt === this.fetchedAt) {
        if (nobodyCanUse(print) && !print.unusedSaid) {
          print.unusedSaid = true;
          change('unused', 'warning', `Nobody can use the relationship “${print.name}”: no security group holds its roles.`);
        } else if (!nobodyCanUse(print) && print.unusedSaid) {
          delete print.unusedSaid;
          change('used', 'information', `A security group holds the roles of “${print.name}” again.`, true);
        }
      }
    }
    // A customer first seen after the baseline: what already is counts as known (its lost access, a warning
    // already due); only its relationships' own news (stuck, nobody can use it) is said.
    const firstSight = before === undefined;
    if (lost && !before?.lost && firstSight) snapshot.lost = true;
    else if (lost && !before?.lost) {
      snapshot.lost = true;
      const last = lastEnded(prints);
      const when = last?.endDay ? ` on ${this.day(last.endDay)}` : '';
      change('lost', 'critical', `Access lost: the last GDAP relationship${last ? ` “${last.name}”` : ''} ${last?.status === 'terminated' ? 'was terminated' : 'expired'}${when}; nothing active is left.`);
    } else if (!lost) delete snapshot.lost;

    if (end.kind === 'day') {
      const later = snapshot.accessEndDay !== undefined && end.day > snapshot.accessEndDay;
      if (later) {
        if (snapshot.warned !== undefined) change('extended', 'information', `Access now ends on ${this.day(end.day)}.`, true);
        delete snapshot.warned;
      }
      snapshot.accessEndDay = end.day;
      const days = daysBetween(this.today, end.day);
      const due = dueWarning(days, this.thresholds);
      if (due !== null && (snapshot.warned === undefined || due < snapshot.warned)) {
        snapshot.warned = due;
        if (!firstSight) change('ending', due <= 1 ? 'critical' : 'warning', `Access ends ${inDays(days)} (${this.day(end.day)}): no active relationship lasts longer or auto-extends.`);
      }
    } else if (end.kind === 'never') {
      if (snapshot.warned !== undefined && !lost) change('extended', 'information', 'Access no longer ends: a relationship auto-extends.', true);
      delete snapshot.warned;
      delete snapshot.accessEndDay;
    }
    return changes;
  }

  /** Turns a customer's changes into its event, and moves its episode on. */
  private settle(snapshot: AccessSnapshot, changes: AccessChange[]): AccessEvent | null {
    const news = changes.filter((change) => !change.recovery);
    const problem = this.problem(snapshot.relationships);
    if (changes.length === 0 || (news.length === 0 && !snapshot.open)) {
      if (snapshot.open && !problem) delete snapshot.open;
      return null;
    }
    let opens = false;
    if (!snapshot.open) {
      snapshot.episode = (snapshot.episode ?? 0) + 1;
      snapshot.open = true;
      snapshot.openedAt = this.fetchedAt;
      opens = true;
    }
    snapshot.rev = (snapshot.rev ?? 0) + 1;
    const closes = !problem;
    if (closes) delete snapshot.open;
    const counted = news.length > 0 ? news : changes;
    const severity = counted.reduce<Severity>((worst, change) => (compareSeverity(change.severity, worst) > 0 ? change.severity : worst), 'information');
    const episode = snapshot.episode ?? 1;
    const id = [snapshot.customerId, `e${episode}`, `r${snapshot.rev}`, changes.map((change) => change.kind).join('+'), snapshot.accessEndDay ?? '', snapshot.warned ?? ''].join('|');
    return {
      id,
      customerId: snapshot.customerId,
      customerName: snapshot.customerName,
      episode,
      openedAt: snapshot.openedAt ?? this.fetchedAt,
      changes,
      severity,
      news: news.length > 0,
      opens,
      closes,
      relationships: snapshot.relationships,
    };
  }

  private day(day: string): string {
    return formatDay(day, this.fetchedAt);
  }
}

/** The relationship that ended last (by end day), to name in "access lost". */
function lastEnded(prints: readonly RelationshipPrint[]): RelationshipPrint | undefined {
  let last: RelationshipPrint | undefined;
  for (const print of prints) if (isEnded(print) && (!last || (print.endDay ?? '') > (last.endDay ?? ''))) last = print;
  return last;
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function inDays(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? 'tomorrow' : `in ${days} days`;
}

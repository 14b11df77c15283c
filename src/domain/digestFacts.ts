// What a digest may show of a snapshot, known without the clock or the settings. Kept beside each snapshot
// as its facts (src/store/paged.ts; PostgreSQL: columns of its row, filled for older rows by migration 11),
// so that a digest loads only the snapshots it may show instead of every customer's.
import { accessEnd, accessLost } from './accessEnd.js';
import type { RelationshipPrint } from './accessRecords.js';
import type { SubscriptionPrint } from './subscriptionRecords.js';

export interface DigestAttention {
  /**
   * Something a digest shows is going on now: an unresolved incident, a subscription suspended, expired or
   * needing attention, access lost (or an end day these rules cannot read: shown or not, it is loaded).
   */
  active: boolean;
  /** The earliest day (YYYY-MM-DD, UTC) a term or access ends without renewal: shown from warnDays before. */
  endsOn: string | null;
}

const NOTHING: DigestAttention = { active: false, endsOn: null };
const UTC_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function incidentAttention(incidents: Readonly<Record<string, { resolved?: boolean }>>): DigestAttention {
  for (const print of Object.values(incidents)) if (!print.resolved) return { active: true, endsOn: null };
  return NOTHING;
}

/** As the digest's "Subscriptions needing attention" reads them (sources/subscriptions/digestSection.ts). */
export function subscriptionAttention(prints: readonly SubscriptionPrint[]): DigestAttention {
  let active = false;
  let endsOn: string | null = null;
  for (const print of prints) {
    // Deleted and disabled ones are gone: the digest shows nothing of them.
    if (print.goneAt || print.status === 'deleted' || print.status === 'disabled') continue;
    if (print.status === 'suspended' || print.status === 'expired' || print.attention) active = true;
    if (!print.endDay || print.autoRenew) continue;
    if (!UTC_DAY.test(print.endDay)) active = true;
    else if (endsOn === null || print.endDay < endsOn) endsOn = print.endDay;
  }
  return { active, endsOn };
}

/** As the digest's "Access ending within N days" reads them (sources/access/digestSection.ts). */
export function accessAttention(relationships: readonly RelationshipPrint[]): DigestAttention {
  if (accessLost(relationships)) return { active: true, endsOn: null };
  const end = accessEnd(relationships);
  if (end.kind !== 'day') return NOTHING;
  return UTC_DAY.test(end.day) ? { active: false, endsOn: end.day } : { active: true, endsOn: null };
}

/** The last day whose end a digest at `now` shows, `warnDays` ahead (as `daysLeft(day, now) <= warnDays`). */
export function endsByDay(now: Date, warnDays: number): string {
  return new Date(now.getTime() + warnDays * 86_400_000).toISOString().slice(0, 10);
}

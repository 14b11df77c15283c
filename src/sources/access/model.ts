// The words of GDAP access alerts, as data: a relationship as read from Microsoft Graph, what is remembered
// of each customer between listings, the events the diff finds, and the alert thread (one card per
// customer access episode per conversation). What the store keeps of them is in src/domain/accessRecords.ts
// (the store knows no source).
import type { Severity } from '../../domain/types.js';
import type { AccessGroup, RelationshipPrint, AccessChangeKind } from '../../domain/accessRecords.js';

// Stored records (kept in domain/: the store holds them and knows no source).
export type { AccessGroup, RelationshipPrint, AccessSnapshot, AccessListingState, AccessChangeKind, AccessChangeLine, AccessThread } from '../../domain/accessRecords.js';

/** What the access source needs to know of the configuration. */
export interface AccessSettings {
  /** The partner's relationships are listed at most this often (GDAP_POLL_MINUTES). */
  pollMinutes: number;
  /** First warning this many days before a customer's access ends (ACCESS_WARN_DAYS); again at 7 and 1. */
  warnDays: number;
}

export const DEFAULT_ACCESS_SETTINGS: AccessSettings = { pollMinutes: 60, warnDays: 30 };

/** A pending relationship waits this long for the customer's approval before it is "stuck". */
export const STUCK_APPROVAL_DAYS = 7;
/** Access assignments are read again at least this often, even for an unchanged relationship. */
export const ASSIGNMENTS_REREAD_MS = 24 * 3_600_000;

/** One GDAP relationship as read (already checked; a malformed date or duration is null and `malformed`). */
export interface Relationship {
  id: string;
  name: string;
  /** Graph's word (`active`, `approvalPending`, …); an unknown one is kept to be shown. */
  status: string;
  customerId: string;
  customerName: string;
  createdAt: string | null;
  activatedAt: string | null;
  /** The UTC calendar day the relationship ends (`YYYY-MM-DD`); null: none yet, or unreadable. */
  endDay: string | null;
  /** Auto-extends (`P180D`); null when the duration could not be read. */
  autoExtend: boolean | null;
  lastModified: string | null;
  roles: string[];
  /** A date or duration could not be read: shown as unknown, never alerted on. */
  malformed?: true;
}

/** One listing as the access source's fetch returns it. */
export type AccessListing =
  | {
      kind: 'listing';
      relationships: Relationship[];
      /** Access assignments read in this listing, by relationship id (only new, changed or due ones). */
      assignments: Record<string, AccessGroup[]>;
    }
  /** Graph answered 403: the permission is not granted. Nothing is known, nothing changes. */
  | { kind: 'refused'; message: string };

export interface AccessChange {
  kind: AccessChangeKind;
  severity: Severity;
  /** One line for the thread reply. */
  text: string;
  /** Good news: only to a card someone saw; never starts one. */
  recovery: boolean;
}

export interface AccessEvent {
  /** Deterministic from the change: a listing ingested again after a crash produces the same id. */
  id: string;
  customerId: string;
  customerName: string;
  episode: number;
  /** The episode's first change (ISO): its key outside Teams. */
  openedAt: string;
  changes: AccessChange[];
  severity: Severity;
  news: boolean;
  /** This event began the episode. */
  opens: boolean;
  /** The episode is over with this event. */
  closes: boolean;
  /** The customer's relationships as they are now, for the card. */
  relationships: RelationshipPrint[];
}

export const accessThreadKey = (targetKey: string, customerId: string, episode: number): string => `${targetKey}|access|${customerId}|${episode}`;

/** One access episode of one customer outside Teams (its alert events, its PSA ticket): keyed by when it opened. */
export const accessEpisodeKey = (customerId: string, openedAt: string): string => `access|${customerId}|${openedAt}`;

export { COVERING, ENDED } from '../../domain/accessEnd.js';
/** Statuses of a relationship waiting for the customer. */
export const PENDING: ReadonlySet<string> = new Set(['approvalPending', 'created']);

/** Partner Center's page of a customer's admin relationships. */
export function adminRelationshipsUrl(customerId: string): string {
  return `https://partner.microsoft.com/dashboard/v2/customers/${encodeURIComponent(customerId)}/adminrelationships`;
}

// The records the GDAP access source (src/sources/access/) keeps in the store, as plain types: the store
// holds them, and knows no source.
import type { Severity } from './types.js';

/** A security group given roles in a relationship (an access assignment). */
export interface AccessGroup {
  groupId: string;
  status: string;
  roles: string[];
}

/** What is remembered of one relationship; fields at their usual value are left out. */
export interface RelationshipPrint {
  id: string;
  name: string;
  status: string;
  endDay?: string;
  autoExtend?: true;
  createdAt?: string;
  lastModified?: string;
  roles: string[];
  groups?: AccessGroup[];
  /** When its access assignments were last read. */
  groupsReadAt?: string;
  malformed?: true;
  /** "Stuck approval" was given (or counted as given at the baseline) for this wait. */
  stuckSaid?: true;
  /** "Nobody can use it" was given (or counted as given) while no group holds its roles. */
  unusedSaid?: true;
}

/** One customer's access as last listed, and where its alert episode stands. */
export interface AccessSnapshot {
  customerId: string;
  customerName: string;
  relationships: RelationshipPrint[];
  /** The last day of access seen (null: never ends, or unknown): a later one is a new term. */
  accessEndDay?: string;
  /** The smallest warning threshold (days) already given for this access end: 30, 7 or 1. */
  warned?: number;
  /** Nothing active left: the "lost" stage. */
  lost?: true;
  /** Episodes begun so far. */
  episode?: number;
  /** The latest episode is going on, and when its first change was found (its key). */
  open?: true;
  openedAt?: string;
  /** Changes alerted so far: keeps ids of repeated changes apart. */
  rev?: number;
}

/** The listing as a whole: when, whether the first one (the baseline) was taken, and Graph's refusal. */
export interface AccessListingState {
  fetchedAt: string | null;
  /** Graph refused (403) since then; null while it answers. */
  refusedSince: string | null;
  /** Conversations told of the refusal (once each until Graph answers again). */
  refusalTold: string[];
  /** The last listing Graph refused: a refused listing is asked again only after GDAP_POLL_MINUTES too. */
  refusedAt?: string;
}

export type AccessChangeKind =
  | 'ending' // the customer's access ends within 30, 7 or 1 days
  | 'expiredCovered' // a relationship ended while others still cover the customer
  | 'lost' // nothing active left
  | 'back' // a relationship became active
  | 'stuck' // waiting for the customer's approval for more than 7 days
  | 'unused' // active, but no group holds its roles
  | 'extended' // a later end, or auto-extend on: the warnings are over
  | 'used'; // a group holds the roles again

export interface AccessChangeLine {
  at: string;
  kind: AccessChangeKind;
  text: string;
  severity: Severity;
  recovery: boolean;
}

/** One customer access episode's card in one conversation. */
export interface AccessThread {
  key: string;
  targetKey: string;
  customerId: string;
  customerName: string;
  episode: number;
  openedAt: string;
  activityId: string | null;
  /** The customer's relationships as last seen (the first few). */
  relationships: RelationshipPrint[];
  severity: Severity;
  changes: AccessChangeLine[];
  updatedAt: string;
  closedAt: string | null;
  mutedUntil: string | null;
  mutedBy: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  lastSentAt: string | null;
  editedAt?: string | null;
  shownAt?: string | null;
}

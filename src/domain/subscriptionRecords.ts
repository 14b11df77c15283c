// The records the subscriptions source (src/sources/subscriptions/) keeps in the store, as plain types:
// the store holds them, and knows no source.
import type { Severity, Subscription } from './types.js';

/**
 * One subscription as last seen, kept small (a partner may have 80,000): fields at their usual value
 * (false, null, 0) are left out.
 */
export interface SubscriptionPrint {
  id: string;
  /** friendlyName or offerName: enough to name it once it is gone. */
  name: string;
  status: Subscription['status'];
  quantity: number;
  /** The term's last day, `YYYY-MM-DD` in UTC. */
  endDay?: string;
  autoRenew?: true;
  trial?: true;
  attention?: true;
  /** The smallest warning threshold (days) already given for this term: 30, 7 or 1. */
  warned?: number;
  /** Episodes begun so far (a problem that ends and comes back is the next one). */
  episode?: number;
  /** The latest episode is still going on. */
  open?: true;
  /** Changes alerted so far: keeps ids of repeated changes apart (quantity 10 → 12 → 10 → 12). */
  rev?: number;
  /** No longer listed since then: kept as a tombstone for a while, so a return is a new episode. */
  goneAt?: string;
}

export interface SubscriptionSnapshot {
  fetchedAt: string;
  /** The last fetch that found an event. */
  changedAt?: string;
  /**
   * In Partner Center's order. A list, not a record by id: a fetch is compared position by position, and
   * 80,000 ids need not be hashed (nor a record of them built) when nothing changed.
   */
  subscriptions: SubscriptionPrint[];
}

export type SubscriptionChangeKind =
  | 'problem' // status became suspended, expired, disabled or deleted
  | 'recovered' // back to active
  | 'status' // another status change while an episode is going on
  | 'attention'
  | 'attentionCleared'
  | 'ending' // the term ends within the warning window and will not renew
  | 'renewed' // a new term after an ending warning
  | 'autoRenewOn' // auto-renew switched on after an ending warning
  | 'quantity'
  | 'added'
  | 'removed'
  | 'trialConverted'
  | 'trialEnded';

export interface SubscriptionChangeLine {
  at: string;
  kind: SubscriptionChangeKind;
  text: string;
  severity: Severity;
  recovery: boolean;
}

/** One subscription problem episode's card in one conversation. */
export interface SubscriptionThread {
  key: string;
  targetKey: string;
  customerId: string;
  customerName: string;
  subscriptionId: string;
  episode: number;
  /** The posted card (null until the first delivery succeeds). */
  activityId: string | null;
  /** The subscription as last seen. */
  subscription: Subscription;
  /** The most severe change of the episode. */
  severity: Severity;
  /** What happened in the episode, newest last (the last few). */
  changes: SubscriptionChangeLine[];
  openedAt: string;
  updatedAt: string;
  /** The episode ended (healthy again, or no longer listed). */
  closedAt: string | null;
  gone: boolean;
  mutedUntil: string | null;
  mutedBy: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  lastSentAt: string | null;
  /** When the card was last posted or edited, and the `updatedAt` it showed (see IncidentThread). */
  editedAt?: string | null;
  shownAt?: string | null;
}

// The words of subscription alerts, as data: what is remembered of each subscription between fetches, the
// events the diff finds, and the alert thread (one card per subscription problem episode per conversation).
// Pure types (domain only): the store keeps these in the state file.
import type { Severity, Subscription } from '../../domain/types.js';

/** What the subscription source needs to know of the configuration. */
export interface SubscriptionSettings {
  /** A customer's subscriptions are fetched once in this period, at its own moment of it (SUBSCRIPTION_POLL_MINUTES). */
  pollMinutes: number;
  /** First warning this many days before a term ends without auto-renew (SUBSCRIPTION_WARN_DAYS); again at 7 and 1. */
  warnDays: number;
}

export const DEFAULT_SUBSCRIPTION_SETTINGS: SubscriptionSettings = { pollMinutes: 60, warnDays: 30 };

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

export function findPrint(snapshot: SubscriptionSnapshot | undefined, subscriptionId: string): SubscriptionPrint | undefined {
  return snapshot?.subscriptions.find((print) => print.id === subscriptionId);
}

/** A subscription known only from its print (it is no longer listed): enough for a card. */
export function subscriptionFromPrint(print: SubscriptionPrint): Subscription {
  return {
    id: print.id,
    offerName: print.name,
    friendlyName: print.name,
    quantity: print.quantity,
    unitType: '',
    status: print.status,
    billingCycle: 'unknown',
    termDuration: '',
    commitmentEndDate: print.endDay ?? null,
    autoRenewEnabled: print.autoRenew === true,
    isTrial: print.trial === true,
    orderId: null,
    attentionNeeded: print.attention === true,
    attentionReason: null,
    suspensionReasons: [],
  };
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

export interface SubscriptionChange {
  kind: SubscriptionChangeKind;
  severity: Severity;
  /** One line for the thread reply, e.g. "Suspended (CreditCheck)." */
  text: string;
  /** A recovery is news only to an episode someone saw begin; it never starts a card. */
  recovery: boolean;
}

export interface SubscriptionEvent {
  /** Deterministic from the change: a batch fetched again after a crash produces the same id. */
  id: string;
  customerId: string;
  subscriptionId: string;
  /** The episode the changes belong to (its card in each conversation). */
  episode: number;
  /** The subscription as it is now (rebuilt from the snapshot when it is gone). */
  subscription: Subscription;
  changes: SubscriptionChange[];
  /** The most severe change that is news (a recovery alone: information). */
  severity: Severity;
  /** At least one change is news, not only a recovery. */
  news: boolean;
  /** The episode is over with this event (healthy again, or gone). */
  closes: boolean;
  gone: boolean;
}

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

export const subscriptionThreadKey = (targetKey: string, customerId: string, subscriptionId: string, episode: number): string =>
  `${targetKey}|sub|${customerId}|${subscriptionId}|${episode}`;

/** Statuses that are a problem: the customer loses (or has lost) the service. */
export const PROBLEM_STATUSES: ReadonlySet<Subscription['status']> = new Set(['suspended', 'expired', 'disabled', 'deleted']);

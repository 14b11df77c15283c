// The words of subscription alerts, as data: what is remembered of each subscription between fetches, the
// events the diff finds, and the alert thread (one card per subscription problem episode per conversation).
// What the store keeps of them is in src/domain/subscriptionRecords.ts (the store knows no source).
import type { Severity, Subscription } from '../../domain/types.js';
import type { SubscriptionPrint, SubscriptionSnapshot, SubscriptionChangeKind } from '../../domain/subscriptionRecords.js';

// Stored records (kept in domain/: the store holds them and knows no source).
export type { SubscriptionPrint, SubscriptionSnapshot, SubscriptionChangeKind, SubscriptionChangeLine, SubscriptionThread } from '../../domain/subscriptionRecords.js';

/** What the subscription source needs to know of the configuration. */
export interface SubscriptionSettings {
  /** A customer's subscriptions are fetched once in this period, at its own moment of it (SUBSCRIPTION_POLL_MINUTES). */
  pollMinutes: number;
  /** First warning this many days before a term ends without auto-renew (SUBSCRIPTION_WARN_DAYS); again at 7 and 1. */
  warnDays: number;
}

export const DEFAULT_SUBSCRIPTION_SETTINGS: SubscriptionSettings = { pollMinutes: 60, warnDays: 30 };

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

export const subscriptionThreadKey = (targetKey: string, customerId: string, subscriptionId: string, episode: number): string =>
  `${targetKey}|sub|${customerId}|${subscriptionId}|${episode}`;

/** Statuses that are a problem: the customer loses (or has lost) the service. */
export const PROBLEM_STATUSES: ReadonlySet<Subscription['status']> = new Set(['suspended', 'expired', 'disabled', 'deleted']);

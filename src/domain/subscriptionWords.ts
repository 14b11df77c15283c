// The words a subscription is shown with, wherever it is shown: the diff's change lines, the subscription
// alert card and the subscriptions card. Pure; text from Partner Center comes back as it is written (the card
// data makes it safe to show).
import type { Subscription, SubscriptionStatus } from './types.js';

/** What a subscription is called: its friendly name, else its offer's, else its id. */
export function subscriptionName(subscription: Pick<Subscription, 'friendlyName' | 'offerName' | 'id'>): string {
  return subscription.friendlyName.trim() || subscription.offerName.trim() || subscription.id;
}

/**
 * A status as a card shows it ("Suspended"); lower-cased it ends a sentence ("3 licenses, unknown status.").
 * `none` (Partner Center said nothing readable) reads as a status in a fact, a sentence and a count alike.
 */
const STATUS_WORDS: Readonly<Record<SubscriptionStatus, string>> = {
  none: 'Unknown status',
  active: 'Active',
  pending: 'Pending',
  suspended: 'Suspended',
  expired: 'Expired',
  deleted: 'Deleted',
  disabled: 'Disabled',
};

/** The word of a status, also of one outside the known ones (stored before a new status existed). */
export function statusWord(status: string): string {
  return STATUS_WORDS[status as SubscriptionStatus] ?? STATUS_WORDS.none;
}

const BILLING_WORDS: Readonly<Record<string, string>> = {
  monthly: 'billed monthly',
  annual: 'billed yearly',
  triennial: 'billed every 3 years',
  onetime: 'billed once',
  one_time: 'billed once',
  none: 'no billing cycle',
  unknown: 'billing cycle unknown',
};

/**
 * How a subscription is billed ("billed yearly"); a cycle the table does not know as `billed <cycle>`;
 * empty when Partner Center gave none. The caller makes a cycle from outside safe to show.
 */
export function billingWords(billingCycle: string): string {
  const cycle = billingCycle.trim().toLowerCase();
  if (cycle === '') return '';
  return BILLING_WORDS[cycle] ?? `billed ${cycle}`;
}

/**
 * "licenses" (Microsoft's spelling, the one every card and text uses) for Partner Center's "Licenses" (and
 * no unit); other units lower-cased, singular for one ("1 seat": Partner Center's units are plural nouns).
 */
export function unitLabel(unitType: string, quantity: number): string {
  const unit = unitType.trim();
  if (unit === '' || /^licen[cs]es?$/i.test(unit)) return quantity === 1 ? 'license' : 'licenses';
  const lower = unit.toLowerCase();
  return quantity === 1 && /[^s]s$/.test(lower) ? lower.slice(0, -1) : lower;
}

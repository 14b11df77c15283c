// View data of the subscription alert: one card per subscription problem episode per conversation, with
// customer, offer, quantity, status, term and billing cycle, dates, what happened, who acknowledged or
// muted it here, and its buttons (Subscriptions, Customer, Acknowledge, Mute 7 days or Unmute, Refresh).
import { buttons as button } from '../../cardData/buttons.js';
import {
  formatUtc,
  formatUtcClock,
  formatUtcDate,
  name,
  severityLabel,
  severityStyle,
  termLabel,
  type CardButton,
  type ContainerStyle,
} from '../../cardData/format.js';
import type { CardTicket } from '../../cardData/alertThread.js';
import { ticketFact } from '../../cardData/ticketLink.js';
import { renderCard, type AdaptiveCardJson } from '../../cards.js';
import { isCustomerId, isSubscriptionId } from '../../domain/ids.js';
import { billingWords, statusWord, subscriptionName, unitLabel } from '../../domain/subscriptionWords.js';
import type { Severity, Subscription } from '../../domain/types.js';
import { subscriptionButtons } from './buttons.js';
import { daysLeft, formatDay, relativeDays, utcDay } from './dates.js';
import { PROBLEM_STATUSES, type SubscriptionChangeKind, type SubscriptionThread } from './model.js';

/** What the card needs of a stored thread; the store's `SubscriptionThread` fits as it is. */
export type SubscriptionAlertThread = Pick<
  SubscriptionThread,
  | 'customerId'
  | 'customerName'
  | 'subscriptionId'
  | 'episode'
  | 'subscription'
  | 'severity'
  | 'changes'
  | 'updatedAt'
  | 'closedAt'
  | 'gone'
  | 'mutedUntil'
  | 'mutedBy'
  | 'acknowledgedBy'
  | 'acknowledgedAt'
> & {
  /** The episode's PSA ticket (src/tickets/cardTickets.ts), once it has a number. */
  ticket?: CardTicket | null;
};

/** What a card of an episode that ended, and was about no trouble, is headed with. */
const CHANGE_HEADLINES: Partial<Record<SubscriptionChangeKind, string>> = {
  quantity: 'Quantity changed',
  added: 'New subscription',
  removed: 'Subscription cancelled',
  trialConverted: 'Trial converted',
  trialEnded: 'Trial ended',
};

function quantityText(subscription: Subscription): string {
  return `${subscription.quantity} ${unitLabel(subscription.unitType, subscription.quantity)}`;
}

function termText(subscription: Subscription): string {
  const term = subscription.termDuration.trim() === '' ? '' : termLabel(subscription.termDuration);
  // A cycle known to be unknown (a subscription known only from its print) is left out: the term then says "unknown".
  const billing = subscription.billingCycle.trim().toLowerCase() === 'unknown' ? '' : name(billingWords(subscription.billingCycle), 50);
  return [term, billing].filter((part) => part !== '').join(', ') || 'unknown';
}

/** ` (CreditCheck, Fraud)` for a suspended subscription that says why; else nothing. */
function reasonsText(subscription: Subscription): string {
  return subscription.status === 'suspended' && subscription.suspensionReasons.length > 0 ? ` (${name(subscription.suspensionReasons.join(', '), 200)})` : '';
}

function statusText(subscription: Subscription): string {
  return `${statusWord(subscription.status)}${reasonsText(subscription)}`;
}

/** What the card is about, as of now: the trouble going on, or how the episode ended. */
function situation(thread: SubscriptionAlertThread, now: Date): { headline: string; style: ContainerStyle; summary: string } {
  const s = thread.subscription;
  const what = `${name(subscriptionName(s), 100)} for ${name(thread.customerName, 100) || 'this customer'}`;
  const latest = thread.changes.at(-1);
  const end = utcDay(s.commitmentEndDate);
  if (thread.closedAt) {
    if (thread.gone) return { headline: latest?.kind === 'trialEnded' ? 'Trial ended' : 'Subscription cancelled', style: 'emphasis', summary: `${what} is no longer listed by Partner Center.` };
    if (thread.changes.some((change) => change.recovery)) {
      return { headline: 'Back to normal', style: 'good', summary: `${what}: ${name(latest?.text ?? 'no longer in trouble.', 300)}` };
    }
    return { headline: (latest && CHANGE_HEADLINES[latest.kind]) ?? 'Subscription changed', style: 'emphasis', summary: `${what}: ${name(latest?.text ?? 'changed.', 300)}` };
  }
  if (PROBLEM_STATUSES.has(s.status)) {
    const severity: Severity = s.isTrial ? 'information' : 'critical';
    return { headline: `${severityLabel(severity)} · subscription ${s.status}`, style: severityStyle(severity), summary: `${what} (${quantityText(s)}) is ${s.status}${reasonsText(s)}.` };
  }
  if (s.attentionNeeded) {
    return { headline: 'Warning · subscription needs attention', style: 'warning', summary: `${what} needs attention${s.attentionReason ? `: ${name(s.attentionReason, 200)}` : ''}.` };
  }
  if (end && !s.autoRenewEnabled) {
    const days = daysLeft(end, now);
    const severity: Severity = !s.isTrial && days <= 7 ? 'warning' : 'information';
    const verb = days < 0 ? `ended on ${formatDay(end, now)} and did not renew` : `ends on ${formatDay(end, now)} and will not renew`;
    return {
      headline: `${severityLabel(severity)} · ${s.isTrial ? 'trial' : 'subscription'} ${days < 0 ? 'ended' : `ends ${relativeDays(days)}`}`,
      style: severityStyle(severity),
      summary: `${what} (${quantityText(s)}) ${verb}.`,
    };
  }
  return {
    headline: `${severityLabel(thread.severity)} · ${((latest && CHANGE_HEADLINES[latest.kind]) ?? 'subscription changed').toLowerCase()}`,
    style: severityStyle(thread.severity),
    summary: `${what}: ${name(latest?.text ?? 'changed.', 300)}`,
  };
}

function activeMute(thread: SubscriptionAlertThread, now: Date): { by: string; until: Date } | null {
  if (!thread.mutedUntil || !thread.mutedBy) return null;
  const until = new Date(thread.mutedUntil);
  return until.getTime() > now.getTime() ? { by: thread.mutedBy, until } : null;
}

/** Subscriptions and Customer; Acknowledge until someone did; Mute 7 days, or Unmute while muted; Refresh. */
export function subscriptionAlertButtons(thread: SubscriptionAlertThread, now: Date): CardButton[] {
  // Only ids of the expected shape get a button: a click sends them back, anything else would be refused.
  if (!isCustomerId(thread.customerId) || !isSubscriptionId(thread.subscriptionId)) return [];
  const alert = { customerId: thread.customerId, subscriptionId: thread.subscriptionId, episode: thread.episode };
  return [
    button.subscriptions(thread.customerId, 'all', 1),
    button.overview(thread.customerId),
    ...(thread.acknowledgedBy ? [] : [subscriptionButtons.acknowledge(alert)]),
    activeMute(thread, now) ? subscriptionButtons.unmute(alert) : subscriptionButtons.mute(alert),
    subscriptionButtons.refresh(alert),
  ];
}

export function subscriptionAlertView(thread: SubscriptionAlertThread, now: Date) {
  const s = thread.subscription;
  const { headline, style, summary } = situation(thread, now);
  const end = utcDay(s.commitmentEndDate);
  const mute = activeMute(thread, now);
  const endText = end
    ? `${formatUtcDate(`${end}T00:00:00Z`)} (${relativeDays(daysLeft(end, now))}) · auto-renew ${s.autoRenewEnabled ? 'on' : 'off'}`
    : `no end date · auto-renew ${s.autoRenewEnabled ? 'on' : 'off'}`;
  const offer = name(s.offerName, 120);
  return {
    headerStyle: style,
    headline,
    title: `${name(subscriptionName(s), 120) || 'Subscription'} · ${name(thread.customerName, 120) || 'Unnamed customer'}`,
    summary,
    updated: `Updated ${formatUtc(thread.updatedAt)}`,
    hasAck: Boolean(thread.acknowledgedBy),
    ackText: thread.acknowledgedBy
      ? `Acknowledged by ${name(thread.acknowledgedBy, 80) || 'someone'}${thread.acknowledgedAt ? ` at ${formatUtcClock(thread.acknowledgedAt, now)}` : ''}`
      : '',
    hasMute: mute !== null,
    muteText: mute ? `Muted by ${name(mute.by, 80) || 'someone'} until ${formatUtcClock(mute.until, now)}: the card stays current, without thread replies` : '',
    facts: [
      { title: 'Customer', value: name(thread.customerName, 120) || 'unknown' },
      ...ticketFact(thread.ticket),
      ...(offer !== '' ? [{ title: 'Offer', value: offer }] : []),
      { title: 'Quantity', value: quantityText(s) },
      { title: 'Status', value: thread.gone ? 'No longer listed' : statusText(s) },
      ...(s.attentionNeeded ? [{ title: 'Attention', value: name(s.attentionReason ?? '', 200) || 'needed' }] : []),
      { title: 'Term', value: `${termText(s)}${s.isTrial ? ' · trial' : ''}` },
      { title: 'Term ends', value: endText },
      { title: 'Subscription', value: name(s.id, 80) },
    ],
    hasChanges: thread.changes.length > 0,
    changes: [...thread.changes].reverse().map((change) => ({
      when: formatUtcClock(change.at, now),
      text: name(change.text, 300) || 'Changed.',
    })),
  };
}

/** The alert card of a subscription thread, as everyone in its conversation sees it. */
export function subscriptionAlertCard(thread: SubscriptionAlertThread, now: Date): AdaptiveCardJson {
  return renderCard('subscriptionAlert', subscriptionAlertView(thread, now), subscriptionAlertButtons(thread, now));
}

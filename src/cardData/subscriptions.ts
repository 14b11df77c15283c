// View data of a customer's product subscriptions (licenses), trouble first, filtered and paged.
import { billingWords, statusWord, subscriptionName, unitLabel } from '../domain/subscriptionWords.js';
import type { Customer, Subscription, SubscriptionStatus } from '../domain/types.js';
import type { SubscriptionFilter } from './buttons.js';
import { asOf, count, formatUtcDate, name, termLabel, type CardButton } from './format.js';

/** Subscriptions on one page of the card; Next/Previous buttons page through the rest. */
export const SUBSCRIPTIONS_PAGE_SIZE = 20;
/** Most subscriptions one card lists: one page. */
export const MAX_SUBSCRIPTIONS = SUBSCRIPTIONS_PAGE_SIZE;

/** Display order: what needs attention first, gone last. */
const STATUS_ORDER: readonly SubscriptionStatus[] = ['suspended', 'expired', 'pending', 'active', 'disabled', 'deleted', 'none'];

/** Statuses the "need attention" count counts (with subscriptions past their date). */
const FLAGGED: ReadonlySet<SubscriptionStatus> = new Set(['suspended', 'expired']);

/**
 * The commitment end (the renewal date when auto-renew is on) has passed for a subscription that still
 * counts: Partner Center should have renewed or ended it, so someone should look. Deleted and disabled
 * ones are gone already.
 */
export function datePassed(s: Subscription, now: Date): boolean {
  const end = s.commitmentEndDate ? Date.parse(s.commitmentEndDate) : Number.NaN;
  return !Number.isNaN(end) && end < now.getTime() && s.status !== 'deleted' && s.status !== 'disabled';
}

/** Suspended, expired, or past its date: what the "need attention" count counts and its filter lists. */
export function needsAttention(s: Subscription, now: Date): boolean {
  return FLAGGED.has(s.status) || datePassed(s, now);
}

function statusRank(status: SubscriptionStatus): number {
  const rank = STATUS_ORDER.indexOf(status);
  return rank === -1 ? STATUS_ORDER.length : rank;
}


function quantityLabel(s: Subscription): string {
  // The alert card's words for the unit, so both cards say "25 licenses" alike.
  return `${s.quantity} ${name(unitLabel(s.unitType, s.quantity), 40)}`;
}

function renewalLabel(s: Subscription, now: Date): string {
  if (!s.commitmentEndDate) return s.autoRenewEnabled ? 'Auto-renew on' : 'Auto-renew off';
  const date = formatUtcDate(s.commitmentEndDate);
  if (datePassed(s, now)) return s.autoRenewEnabled && s.status !== 'expired' ? `Past date: was to renew on ${date}` : `Past date: ended on ${date}`;
  if (Date.parse(s.commitmentEndDate) < now.getTime()) return `Ended on ${date}`;
  return s.autoRenewEnabled ? `Auto-renews on ${date}` : `Ends on ${date} (auto-renew off)`;
}

/** `2 suspended`, `10 active`, ... in display order. */
export function subscriptionCounts(subscriptions: readonly Subscription[]): { text: string }[] {
  return STATUS_ORDER.map((status) => ({ status, n: subscriptions.filter((s) => s.status === status).length }))
    .filter(({ n }) => n > 0)
    .map(({ status, n }) => ({ text: `${n} ${statusWord(status).toLowerCase()}` }));
}

/** How many need attention: the number the "Needs attention" filter lists. */
export function attentionCount(subscriptions: readonly Subscription[], now: Date): number {
  return subscriptions.filter((s) => needsAttention(s, now)).length;
}

export function attentionText(n: number): string {
  return `${count(n, 'subscription needs', 'subscriptions need')} attention: suspended, expired or past ${n === 1 ? 'its' : 'their'} end date.`;
}

export function matchesFilter(subscription: Subscription, filter: SubscriptionFilter, now: Date): boolean {
  if (filter === 'attention') return needsAttention(subscription, now);
  return filter === 'all' || subscription.status === filter;
}

export interface SubscriptionsInput {
  customer: Customer;
  subscriptions: readonly Subscription[];
  now: Date;
  /** Which subscriptions to list (counts always cover all); default all. */
  filter?: SubscriptionFilter;
  /** 1-based; a page past the end shows the last one. */
  page?: number;
  buttons?: readonly CardButton[];
}

/** The page actually shown and the number of pages, for the card and for its Next/Previous buttons. */
export function subscriptionsPage(input: Pick<SubscriptionsInput, 'subscriptions' | 'filter' | 'page' | 'now'>): { page: number; pages: number; listed: number } {
  const listed = input.subscriptions.filter((s) => matchesFilter(s, input.filter ?? 'all', input.now)).length;
  const pages = Math.max(1, Math.ceil(listed / SUBSCRIPTIONS_PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages);
  return { page, pages, listed };
}

const FILTER_WORDS: Readonly<Record<SubscriptionFilter, string>> = { all: '', active: 'active', attention: 'needing attention' };

export function subscriptionsView(input: SubscriptionsInput) {
  const customer = name(input.customer.companyName) || 'this customer';
  const filter = input.filter ?? 'all';
  const { now } = input;
  const attention = (s: Subscription) => Number(needsAttention(s, now));
  const ordered = input.subscriptions
    .filter((s) => matchesFilter(s, filter, now))
    .sort(
      (a, b) =>
        attention(b) - attention(a) ||
        statusRank(a.status) - statusRank(b.status) ||
        subscriptionName(a).localeCompare(subscriptionName(b)) ||
        a.id.localeCompare(b.id),
    );
  const { page, pages } = subscriptionsPage(input);
  const start = (page - 1) * SUBSCRIPTIONS_PAGE_SIZE;
  const rows = ordered.slice(start, start + SUBSCRIPTIONS_PAGE_SIZE);
  const more = ordered.length - start - rows.length;
  const counts = subscriptionCounts(input.subscriptions);
  const flagged = attentionCount(input.subscriptions, now);
  const word = FILTER_WORDS[filter];
  const range = `${start + 1}–${start + rows.length} of ${ordered.length}`;
  const shown =
    filter === 'all' && pages === 1
      ? ''
      : ordered.length === 0
        ? `none ${word}`
        : filter === 'attention'
          ? `showing ${range} needing attention`
          : `showing ${word ? `${word} ` : ''}${range}`;

  return {
    title: `Subscriptions of ${customer}`,
    subtitle: [count(input.subscriptions.length, 'subscription'), shown, asOf(input.now)].filter((part) => part !== '').join(' · '),
    isEmpty: input.subscriptions.length === 0,
    emptyText: `${customer} has no product subscriptions.`,
    isFilteredEmpty: input.subscriptions.length > 0 && ordered.length === 0,
    filteredEmptyText: filter === 'attention' ? `No subscription of ${customer} needs attention.` : `${customer} has no ${word} subscriptions.`,
    counts: counts.map((c, i) => ({ text: i === 0 ? c.text : ` · ${c.text}` })),
    hasFlagged: flagged > 0,
    flaggedText: attentionText(flagged),
    rows: rows.map((s) => {
      const title = name(subscriptionName(s));
      const offer = name(s.offerName);
      const meta = [quantityLabel(s), name(billingWords(s.billingCycle), 50), s.termDuration.trim() === '' ? '' : termLabel(s.termDuration), s.isTrial ? 'trial' : '']
        .filter((part) => part !== '')
        .join(' · ');
      const passed = datePassed(s, now);
      return {
        name: title,
        hasOffer: offer !== '' && offer !== title,
        offer,
        status: statusWord(s.status),
        statusWeight: FLAGGED.has(s.status) ? 'Bolder' : 'Default',
        meta,
        renewal: renewalLabel(s, now),
        // A passed date is a finding, not a detail: bold and not faded.
        renewalWeight: passed ? 'Bolder' : 'Default',
        renewalSubtle: !passed,
      };
    }),
    hasMore: more > 0,
    moreText: `Page ${page} of ${pages} · ${count(more, 'more subscription')} on the next pages — the first ones need attention most`,
  };
}

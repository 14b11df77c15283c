// View data of a customer's product subscriptions (licences), trouble first.
import type { Customer, Subscription, SubscriptionStatus } from '../domain/types.js';
import { asOf, count, formatUtcDate, name, termLabel, type CardButton, type TextColor } from './format.js';

/** Most subscriptions one card lists; the rest are counted. */
export const MAX_SUBSCRIPTIONS = 40;

/** Display order: what needs attention first, gone last. */
const STATUS_ORDER: readonly SubscriptionStatus[] = ['suspended', 'expired', 'pending', 'active', 'disabled', 'deleted', 'none'];

const STATUS: Readonly<Record<SubscriptionStatus, { label: string; color: TextColor; flagged: boolean }>> = {
  suspended: { label: 'Suspended', color: 'Attention', flagged: true },
  expired: { label: 'Expired', color: 'Attention', flagged: true },
  pending: { label: 'Pending', color: 'Warning', flagged: false },
  active: { label: 'Active', color: 'Default', flagged: false },
  disabled: { label: 'Disabled', color: 'Default', flagged: false },
  deleted: { label: 'Deleted', color: 'Default', flagged: false },
  none: { label: 'Unknown status', color: 'Default', flagged: false },
};

function statusRank(status: SubscriptionStatus): number {
  const rank = STATUS_ORDER.indexOf(status);
  return rank === -1 ? STATUS_ORDER.length : rank;
}

function displayName(s: Subscription): string {
  return s.friendlyName.trim() || s.offerName.trim() || s.id;
}

const BILLING: Readonly<Record<string, string>> = {
  monthly: 'billed monthly',
  annual: 'billed yearly',
  triennial: 'billed every 3 years',
  onetime: 'billed once',
  one_time: 'billed once',
  none: 'no billing cycle',
  unknown: 'billing cycle unknown',
};

function billingLabel(cycle: string): string {
  const key = cycle.trim().toLowerCase();
  return BILLING[key] ?? `billed ${name(key, 40)}`;
}

function quantityLabel(s: Subscription): string {
  const unit = name(s.unitType, 40) || 'units';
  // "1 Licenses" reads badly; Partner Center's unit types are plural nouns.
  const fitted = s.quantity === 1 && /[^s]s$/i.test(unit) ? unit.slice(0, -1) : unit;
  return `${s.quantity} ${fitted}`;
}

function renewalLabel(s: Subscription): string {
  if (!s.commitmentEndDate) return s.autoRenewEnabled ? 'Auto-renew on' : 'Auto-renew off';
  const date = formatUtcDate(s.commitmentEndDate);
  return s.autoRenewEnabled ? `Auto-renews on ${date}` : `Ends on ${date} (auto-renew off)`;
}

export interface SubscriptionsInput {
  customer: Customer;
  subscriptions: readonly Subscription[];
  now: Date;
  buttons?: readonly CardButton[];
}

export function subscriptionsView(input: SubscriptionsInput) {
  const customer = name(input.customer.companyName) || 'this customer';
  const ordered = [...input.subscriptions].sort(
    (a, b) => statusRank(a.status) - statusRank(b.status) || displayName(a).localeCompare(displayName(b)) || a.id.localeCompare(b.id),
  );
  const rows = ordered.slice(0, MAX_SUBSCRIPTIONS);
  const more = ordered.length - rows.length;
  const counts = STATUS_ORDER.map((status) => ({ status, n: input.subscriptions.filter((s) => s.status === status).length }))
    .filter(({ n }) => n > 0)
    .map(({ status, n }) => ({ text: `${n} ${STATUS[status].label.toLowerCase()}`, color: STATUS[status].color }));
  const flagged = input.subscriptions.filter((s) => STATUS[s.status]?.flagged).length;

  return {
    title: `Subscriptions of ${customer}`,
    subtitle: `${count(input.subscriptions.length, 'subscription')} · ${asOf(input.now)}`,
    isEmpty: input.subscriptions.length === 0,
    emptyText: `${customer} has no product subscriptions.`,
    counts: counts.map((c, i) => ({ text: i === 0 ? c.text : ` · ${c.text}`, color: c.color })),
    hasFlagged: flagged > 0,
    flaggedText: `${count(flagged, 'subscription needs', 'subscriptions need')} attention (suspended or expired).`,
    rows: rows.map((s) => {
      const status = STATUS[s.status] ?? STATUS.none;
      const title = name(displayName(s));
      const offer = name(s.offerName);
      const meta = [quantityLabel(s), billingLabel(s.billingCycle), s.termDuration.trim() === '' ? '' : `${termLabel(s.termDuration)} term`, s.isTrial ? 'trial' : '']
        .filter((part) => part !== '')
        .join(' · ');
      return {
        name: title,
        hasOffer: offer !== '' && offer !== title,
        offer,
        status: status.label,
        statusColor: status.color,
        statusWeight: status.flagged ? 'Bolder' : 'Default',
        meta,
        renewal: renewalLabel(s),
      };
    }),
    hasMore: more > 0,
    moreText: `and ${count(more, 'more subscription')} not listed — the first ones need attention most`,
  };
}

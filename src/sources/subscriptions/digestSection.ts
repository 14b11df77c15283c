// The subscription source's section of a conversation's digest: "Subscriptions needing attention", the
// subscriptions of the watched customers that are in trouble now (suspended, expired, attention needed, a
// term ending without renewal), by the same rules and minimum severity as the alerts. Read from the
// snapshots alone: a digest never asks Partner Center.
import { summaryList, type SummarySection, type SummarySourceRow } from '../../domain/digest.js';
import { compareSeverity } from '../../domain/severity.js';
import { statusWord, subscriptionName, unitLabel } from '../../domain/subscriptionWords.js';
import type { Severity, Subscription } from '../../domain/types.js';
import { watchCoversSubscription } from '../../domain/watch.js';
import type { DigestRead, DigestReadContext, DigestSectionContext } from '../source.js';
import { endsByDay } from '../../domain/digestFacts.js';
import { buttons } from '../../cardData/buttons.js';
import type { State } from '../../store/state.js';
import { daysLeft, formatDay, relativeDays, utcDay } from './dates.js';
import { PROBLEM_STATUSES, subscriptionFromPrint, type SubscriptionSettings } from './model.js';
import { SOURCE_NAME, subscriptionWatches } from './plan.js';
import { currentSeverity } from './routing.js';

/** Rows shown before "and N more". */
export const SUBSCRIPTION_ROWS = 10;

const GONE: ReadonlySet<string> = new Set(['deleted', 'disabled']);
/** What to look at first: a suspension can still be undone, an expiry less so, then what is coming. */
const URGENCY = ['suspended', 'expired', 'attention', 'ending'];

interface Trouble {
  customerId: string;
  customerName: string;
  subscription: Subscription;
  severity: Severity;
}

export function subscriptionDigestSection(
  state: Readonly<State>,
  targetKey: string,
  ctx: DigestSectionContext,
  settings: Pick<SubscriptionSettings, 'warnDays'>,
): SummarySection | null {
  const watches = subscriptionWatches(state).filter((watch) => watch.targetKey === targetKey);
  if (watches.length === 0) return null;
  const troubles: Trouble[] = [];
  for (const [customerId, snapshot] of Object.entries(state.subscriptionSnapshots)) {
    for (const print of snapshot.subscriptions) {
      // Deleted and disabled ones are gone: nothing is left to do about them (as on the subscriptions card).
      if (print.goneAt || GONE.has(print.status)) continue;
      const subscription = subscriptionFromPrint(print);
      const severity = currentSeverity(subscription, ctx.now, settings.warnDays);
      if (!severity || !watches.some((watch) => watchCoversSubscription(watch, customerId, severity))) continue;
      troubles.push({ customerId, customerName: customerName(state, customerId, ctx), subscription, severity });
    }
  }
  troubles.sort(
    (a, b) =>
      compareSeverity(b.severity, a.severity) ||
      URGENCY.indexOf(kind(a.subscription)) - URGENCY.indexOf(kind(b.subscription)) ||
      a.customerName.localeCompare(b.customerName) ||
      subscriptionName(a.subscription).localeCompare(subscriptionName(b.subscription)),
  );
  return { source: SOURCE_NAME, heading: 'Subscriptions needing attention', ...summaryList(troubles.map((trouble) => row(trouble, ctx.now)), SUBSCRIPTION_ROWS) };
}

/**
 * The snapshots this section may show: of customers a subscription watch of the conversation covers, those
 * in trouble now (facts: active), changed since the digest's `since`, or whose term ends within warnDays.
 */
export function subscriptionDigestReads(state: Readonly<State>, targetKey: string, ctx: DigestReadContext, settings: Pick<SubscriptionSettings, 'warnDays'>): DigestRead[] {
  const watches = subscriptionWatches(state).filter((watch) => watch.targetKey === targetKey);
  if (watches.length === 0) return [];
  return [
    {
      field: 'subscriptionSnapshots',
      filter: { changedSince: ctx.since, keys: [], endsBy: endsByDay(ctx.now, settings.warnDays) },
      // 'critical' meets any minimum severity: whether the watch covers the customer at all.
      among: (customerId) => watches.some((watch) => watchCoversSubscription(watch, customerId, 'critical')),
    },
  ];
}

function row({ customerId, customerName, subscription, severity }: Trouble, now: Date): SummarySourceRow {
  const open = buttons.subscriptions(customerId, 'attention', 1, 'Subscriptions');
  return {
    badge: badge(subscription, severity),
    title: `${subscriptionName(subscription)} · ${customerName}`,
    detail: detail(subscription, now),
    open: { title: open.title, verb: open.verb, data: open.data ?? {} },
  };
}

function kind(subscription: Subscription): string {
  if (PROBLEM_STATUSES.has(subscription.status)) return subscription.status;
  return subscription.attentionNeeded ? 'attention' : 'ending';
}

function badge(subscription: Subscription, severity: Severity): string {
  const which = kind(subscription);
  if (which === 'attention') return 'Attention';
  if (which === 'ending') return severity === 'warning' ? 'Ending soon' : 'Ending';
  return statusWord(subscription.status);
}

function detail(subscription: Subscription, now: Date): string {
  const count = `${subscription.quantity} ${unitLabel(subscription.unitType, subscription.quantity)}`;
  const end = utcDay(subscription.commitmentEndDate);
  const left = end ? daysLeft(end, now) : 0;
  const when = end ? `${formatDay(end, now)} (${relativeDays(left)})` : '';
  const term = !end ? '' : left < 0 ? `term ended ${when}` : `term ends ${when}${subscription.autoRenewEnabled ? '' : ', will not renew'}`;
  const status = PROBLEM_STATUSES.has(subscription.status) ? '' : subscription.attentionNeeded ? 'Partner Center says it needs attention' : '';
  return [count, status, term].filter(Boolean).join(' · ');
}

function customerName(state: Readonly<State>, customerId: string, ctx: DigestSectionContext): string {
  const known = ctx.customerName?.(customerId);
  if (known) return known;
  const watch = state.watches.find((entry) => entry.customerId === customerId && entry.customerName);
  if (watch?.customerName) return watch.customerName;
  const thread = Object.values(state.subscriptionThreads).find((entry) => entry.customerId === customerId);
  return thread?.customerName ?? customerId;
}

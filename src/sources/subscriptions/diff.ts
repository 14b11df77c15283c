// The subscription diff: what changed in one customer's subscriptions between the stored snapshot and a
// *successful* fetch. Pure. The first fetch is the baseline (no events for what already is; a term already
// inside the warning window counts as warned). Each subscription's changes of one fetch are one event, in the
// subscription's current problem "episode": suspended, attention needed, ending without renewal. A change
// that is news opens an episode if none is going on; the episode ends with the change that leaves the
// subscription healthy (or gone), and the next problem is the next episode, with ids of its own.
import { compareSeverity } from '../../domain/severity.js';
import { statusWord, subscriptionName, unitLabel } from '../../domain/subscriptionWords.js';
import type { Severity, Subscription } from '../../domain/types.js';
import { dayNumber, formatDay, relativeDays, utcDay } from './dates.js';
import {
  DEFAULT_SUBSCRIPTION_SETTINGS,
  PROBLEM_STATUSES,
  subscriptionFromPrint,
  type SubscriptionChange,
  type SubscriptionChangeKind,
  type SubscriptionEvent,
  type SubscriptionPrint,
  type SubscriptionSettings,
  type SubscriptionSnapshot,
} from './model.js';

/** How long a subscription no longer listed is remembered. */
export const TOMBSTONE_MS = 30 * 24 * 3_600_000;

/** Days before the end of a term at which to warn: SUBSCRIPTION_WARN_DAYS, then 7 and 1 (largest first). */
export function warningThresholds(warnDays: number): number[] {
  return [...new Set([Math.floor(warnDays), 7, 1])].filter((days) => days >= 1 && days <= warnDays).sort((a, b) => b - a);
}

const thresholdsByWarnDays = new Map<number, number[]>();

// Term ends as Partner Center writes them, read once: a sweep meets the same few dates again and again.
const endDays = new Map<string, string | null>();
const END_DAYS_KEPT = 20_000;

const dayNumbers = new Map<string, number>();

/** Days since 1970 of a `YYYY-MM-DD` day, remembered like the days themselves. */
function dayNumberOf(day: string): number {
  let number = dayNumbers.get(day);
  if (number === undefined) {
    if (dayNumbers.size >= END_DAYS_KEPT) dayNumbers.clear();
    number = dayNumber(day);
    dayNumbers.set(day, number);
  }
  return number;
}

function endDayOf(commitmentEndDate: string | null): string | undefined {
  if (commitmentEndDate === null) return undefined;
  let day = endDays.get(commitmentEndDate);
  if (day === undefined) {
    if (endDays.size >= END_DAYS_KEPT) endDays.clear();
    day = utcDay(commitmentEndDate);
    endDays.set(commitmentEndDate, day);
  }
  return day ?? undefined;
}

/** The warning due with `days` left: the smallest threshold not below it (5 days → 7); null outside the window. */
export function dueWarning(days: number, thresholds: readonly number[]): number | null {
  let due: number | null = null;
  for (const threshold of thresholds) if (days <= threshold) due = threshold;
  return due;
}

export function printOf(subscription: Subscription): SubscriptionPrint {
  const print: SubscriptionPrint = { id: subscription.id, name: subscriptionName(subscription), status: subscription.status, quantity: subscription.quantity };
  const endDay = endDayOf(subscription.commitmentEndDate);
  if (endDay) print.endDay = endDay;
  if (subscription.autoRenewEnabled) print.autoRenew = true;
  if (subscription.isTrial) print.trial = true;
  if (subscription.attentionNeeded) print.attention = true;
  return print;
}

/** The diff of one customer's subscriptions; `previous` undefined: the baseline. */
export function diffSubscriptions(
  customerId: string,
  previous: SubscriptionSnapshot | undefined,
  current: readonly Subscription[],
  fetchedAt: string,
  settings: Pick<SubscriptionSettings, 'warnDays'> = DEFAULT_SUBSCRIPTION_SETTINGS,
): { events: SubscriptionEvent[]; snapshot: SubscriptionSnapshot } {
  const rules = new Rules(fetchedAt, settings.warnDays);
  const snapshot: SubscriptionSnapshot = { fetchedAt, subscriptions: [] };
  if (!previous) {
    snapshot.subscriptions = current.map((subscription) => rules.baseline(subscription));
    return { events: [], snapshot };
  }
  if (previous.changedAt) snapshot.changedAt = previous.changedAt;
  if (rules.allUnchanged(previous.subscriptions, current)) {
    // The usual case: the remembered prints stay as they are (no print is ever changed once stored).
    snapshot.subscriptions = previous.subscriptions;
    return { events: [], snapshot };
  }

  const remembered = new Map(previous.subscriptions.map((print) => [print.id, print]));
  const listed = new Set<string>();
  const events: SubscriptionEvent[] = [];
  const emit = (before: SubscriptionPrint | undefined, now: SubscriptionPrint, changes: SubscriptionChange[], subscription: Subscription) => {
    const event = rules.settle(customerId, before, now, changes, subscription);
    if (event) events.push(event);
    snapshot.subscriptions.push(now);
  };

  for (const subscription of current) {
    if (listed.has(subscription.id)) continue; // listed twice: the first one counts
    listed.add(subscription.id);
    const before = remembered.get(subscription.id);
    if (!before || before.goneAt !== undefined) {
      // New, or listed again after it was gone: a new episode, like a new subscription.
      const now = rules.baseline(subscription, false);
      if (before?.episode) now.episode = before.episode;
      if (before?.rev) now.rev = before.rev;
      emit(undefined, now, [rules.added(subscription, now, before !== undefined)], subscription);
      continue;
    }
    if (rules.unchanged(before, subscription)) {
      snapshot.subscriptions.push(before);
      continue;
    }
    const now = printOf(subscription);
    if (before.episode) now.episode = before.episode;
    if (before.open) now.open = true;
    if (before.rev) now.rev = before.rev;
    emit(before, now, rules.compare(before, now, subscription), subscription);
  }

  // Whatever was remembered and is not listed now: gone (or a tombstone getting older).
  const fetchedMs = Date.parse(fetchedAt);
  const tombstoneCutoff = Number.isFinite(fetchedMs) ? new Date(fetchedMs - TOMBSTONE_MS).toISOString() : '';
  for (const before of previous.subscriptions) {
    if (listed.has(before.id)) continue;
    listed.add(before.id);
    if (before.goneAt !== undefined) {
      if (before.goneAt >= tombstoneCutoff) snapshot.subscriptions.push(before);
      continue;
    }
    const now: SubscriptionPrint = { ...before, goneAt: fetchedAt };
    const change: SubscriptionChange = before.trial
      ? { kind: 'trialEnded', severity: 'information', text: 'Trial ended: no longer listed.', recovery: false }
      : { kind: 'removed', severity: 'information', text: 'No longer listed (cancelled).', recovery: false };
    emit(before, now, [change], subscriptionFromPrint(before));
  }
  if (events.length > 0) snapshot.changedAt = fetchedAt;
  return { events, snapshot };
}

/** The rules of one diff, with its date and warning window worked out once. */
class Rules {
  private readonly thresholds: number[];
  private today: number | null = null;

  constructor(
    private readonly fetchedAt: string,
    private readonly warnDays: number,
  ) {
    let thresholds = thresholdsByWarnDays.get(warnDays);
    if (!thresholds) thresholdsByWarnDays.set(warnDays, (thresholds = warningThresholds(warnDays)));
    this.thresholds = thresholds;
  }

  private days(day: string): number {
    this.today ??= dayNumber(utcDay(this.fetchedAt) ?? '1970-01-01');
    return dayNumberOf(day) - this.today;
  }

  /**
   * Every subscription listed as last time, in the same order, and unchanged. Compares ids by position
   * rather than looking each one up: at 80,000 subscriptions a fetch, hashing their ids is most of the work.
   */
  allUnchanged(previous: readonly SubscriptionPrint[], current: readonly Subscription[]): boolean {
    if (previous.length !== current.length) return false;
    for (let i = 0; i < current.length; i++) {
      const subscription = current[i] as Subscription;
      const before = previous[i] as SubscriptionPrint;
      if (before.id !== subscription.id || before.goneAt !== undefined || !this.unchanged(before, subscription)) return false;
    }
    return true;
  }

  /**
   * Nothing to say and nothing to remember: the same as last time, no warning come due, and no episode that
   * should end. Allocates nothing, as it runs for every subscription of every fetch.
   */
  unchanged(before: SubscriptionPrint, subscription: Subscription): boolean {
    if (
      before.status !== subscription.status ||
      before.quantity !== subscription.quantity ||
      (before.autoRenew === true) !== subscription.autoRenewEnabled ||
      (before.trial === true) !== subscription.isTrial ||
      (before.attention === true) !== subscription.attentionNeeded ||
      before.endDay !== endDayOf(subscription.commitmentEndDate) ||
      before.name !== subscriptionName(subscription)
    ) {
      return false;
    }
    if (this.ending(before)) {
      const due = dueWarning(this.days(before.endDay), this.thresholds);
      if (due !== null && (before.warned === undefined || due < before.warned)) return false;
    }
    return !(before.open && !this.problem(before));
  }

  /** The term ends and will not renew (what the warnings are about). */
  private ending(print: SubscriptionPrint): print is SubscriptionPrint & { endDay: string } {
    return print.endDay !== undefined && !print.autoRenew && !PROBLEM_STATUSES.has(print.status);
  }

  /** Something a support desk should look at is going on. */
  problem(print: SubscriptionPrint): boolean {
    if (print.goneAt !== undefined) return false;
    if (PROBLEM_STATUSES.has(print.status) || print.attention) return true;
    return this.ending(print) && this.days(print.endDay) <= this.warnDays;
  }

  /** A subscription seen for the first time: what already is counts as said (warnings as given). */
  baseline(subscription: Subscription, openProblem = true): SubscriptionPrint {
    const print = printOf(subscription);
    if (this.ending(print)) {
      const due = dueWarning(this.days(print.endDay), this.thresholds);
      if (due !== null) print.warned = due;
    }
    if (openProblem && this.problem(print)) {
      print.episode = 1;
      print.open = true;
    }
    return print;
  }

  added(subscription: Subscription, now: SubscriptionPrint, returning: boolean): SubscriptionChange {
    const unit = unitLabel(subscription.unitType, subscription.quantity);
    const text = returning
      ? `Listed again: ${subscription.quantity} ${unit}, ${statusWord(now.status).toLowerCase()}.`
      : `New ${now.trial ? 'trial ' : ''}subscription: ${subscription.quantity} ${unit}, ${statusWord(now.status).toLowerCase()}.`;
    return { kind: 'added', severity: 'information', text, recovery: false };
  }

  compare(before: SubscriptionPrint, now: SubscriptionPrint, subscription: Subscription): SubscriptionChange[] {
    const changes: SubscriptionChange[] = [];
    const change = (kind: SubscriptionChangeKind, severity: Severity, text: string, recovery = false) => changes.push({ kind, severity, text, recovery });
    const wasProblem = PROBLEM_STATUSES.has(before.status);
    const isProblem = PROBLEM_STATUSES.has(now.status);

    if (before.status !== now.status) {
      const reasons = now.status === 'suspended' && subscription.suspensionReasons.length > 0 ? ` (${subscription.suspensionReasons.join(', ')})` : '';
      if (isProblem && before.trial && !wasProblem) change('trialEnded', 'information', `Trial ended: ${now.status}.`);
      else if (isProblem && before.trial) change('status', 'information', `Status ${before.status} → ${now.status}.`, true);
      else if (isProblem) change('problem', 'critical', wasProblem ? `Status ${before.status} → ${now.status}${reasons}.` : `${statusWord(now.status)}${reasons}.`);
      else if (wasProblem && now.status === 'active') change('recovered', 'information', 'Active again.', true);
      else if (wasProblem) change('status', 'information', `Status ${before.status} → ${now.status}.`, true);
      // pending → active and the like: provisioning, not news.
    }
    if (!before.attention && now.attention) {
      change('attention', 'warning', subscription.attentionReason ? `Needs attention: ${subscription.attentionReason}.` : 'Needs attention.');
    } else if (before.attention && !now.attention) {
      change('attentionCleared', 'information', 'No longer needs attention.', true);
    }
    if (before.quantity !== now.quantity) {
      change('quantity', 'information', `Quantity ${before.quantity} → ${now.quantity} ${unitLabel(subscription.unitType, now.quantity)}.`);
    }
    if (before.trial && !now.trial && !isProblem) change('trialConverted', 'information', 'Trial converted to a paid subscription.');

    // The term: a later end is a new term (renewed) and starts the warnings afresh; auto-renew on ends them.
    const renewed = before.endDay !== undefined && now.endDay !== undefined && now.endDay > before.endDay;
    if (!renewed && before.warned !== undefined) now.warned = before.warned;
    if (renewed && before.warned !== undefined) {
      change('renewed', 'information', `Renewed: the term now ends on ${formatDay(now.endDay as string, this.fetchedAt)}.`, true);
    }
    if (!before.autoRenew && now.autoRenew && before.warned !== undefined && !renewed) change('autoRenewOn', 'information', 'Auto-renew turned on.', true);
    if (now.autoRenew) delete now.warned;
    if (this.ending(now)) {
      const days = this.days(now.endDay);
      const due = dueWarning(days, this.thresholds);
      if (due !== null && (now.warned === undefined || due < now.warned)) {
        now.warned = due;
        const when = days < 0 ? `ended ${relativeDays(days)} (${formatDay(now.endDay, this.fetchedAt)}) and did not renew` : `ends ${relativeDays(days)} (${formatDay(now.endDay, this.fetchedAt)}) and will not renew`;
        const severity: Severity = !now.trial && days <= 7 ? 'warning' : 'information';
        change('ending', severity, `${now.trial ? 'The trial' : 'The term'} ${when}.`);
      }
    }
    return changes;
  }

  /**
   * Turns a subscription's changes into its event (or none: no change, or only a recovery of an episode
   * nobody saw begin) and moves its episode on.
   */
  settle(
    customerId: string,
    before: SubscriptionPrint | undefined,
    now: SubscriptionPrint,
    changes: SubscriptionChange[],
    subscription: Subscription,
  ): SubscriptionEvent | null {
    const news = changes.filter((change) => !change.recovery);
    if (changes.length === 0 || (news.length === 0 && !before?.open)) {
      // Healthy again without anything to say (e.g. the warning window shrank): the episode is over.
      if (now.open && !this.problem(now)) delete now.open;
      return null;
    }
    if (!now.open) {
      now.episode = (now.episode ?? 0) + 1;
      now.open = true;
    }
    now.rev = (now.rev ?? 0) + 1;
    const gone = now.goneAt !== undefined;
    const closes = !this.problem(now);
    if (closes) delete now.open;
    const counted = news.length > 0 ? news : changes;
    const severity = counted.reduce<Severity>((worst, change) => (compareSeverity(change.severity, worst) > 0 ? change.severity : worst), 'information');
    const episode = now.episode ?? 1;
    const id = now.id;
    const eventId = [
      customerId,
      id,
      `e${episode}`,
      `r${now.rev}`,
      changes.map((change) => change.kind).join('+'),
      now.status,
      now.quantity,
      now.endDay ?? '',
      now.warned ?? '',
      gone ? 'gone' : '',
    ].join('|');
    return { id: eventId, customerId, subscriptionId: id, episode, subscription, changes, severity, news: news.length > 0, closes, gone };
  }
}

// Measure: the subscription diff. 10,000 customers × 8 subscriptions, held in memory as a sweep holds its
// fetches (parsed from JSON, so no strings are shared); 1% of subscriptions changed (suspended, quantity,
// auto-renew off near the end of the term, attention needed). Times diffSubscriptions over every customer;
// the baseline is the same diff with nothing changed. Target: ≤ 100 ms.
import type { Subscription } from '../src/domain/types.js';
import { diffSubscriptions } from '../src/sources/subscriptions/diff.js';
import type { SubscriptionEvent, SubscriptionSnapshot } from '../src/sources/subscriptions/model.js';
import { row, timed, type Row } from './support.js';

const CUSTOMERS = 10_000;
const SUBSCRIPTIONS_PER_CUSTOMER = 8;
const CHANGED_SHARE = 0.01;
const RUNS = 5;
const TARGET_MS = 100;

const DAY = 86_400_000;
const REFERENCE = Date.UTC(2026, 10, 14, 9, 0, 0);
const OFFERS = ['Microsoft 365 E3', 'Microsoft 365 E5', 'Microsoft 365 Business Premium', 'Exchange Online (Plan 1)', 'Microsoft Teams Phone Standard', 'Microsoft Intune Plan 1', 'Visio Plan 2', 'Power BI Pro'];
const TERMS = ['P1M', 'P1Y', 'P1Y', 'P3Y'];

const customerId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
const subscriptionId = (c: number, k: number) => `${String(c).padStart(8, '0')}-0000-4000-9000-${String(k).padStart(12, '0')}`;

/** Partner Center's three ways of writing a term end: a UTC date-time (most), a date only, an offset. */
function endDate(c: number, k: number): string {
  const ms = REFERENCE + (40 + ((c * 31 + k * 17) % 700)) * DAY;
  const iso = new Date(ms).toISOString();
  const form = (c + k) % 10;
  return form === 0 ? iso.slice(0, 10) : form === 1 ? `${iso.slice(0, 10)}T01:00:00+02:00` : `${iso.slice(0, 10)}T00:00:00Z`;
}

function buildSubscriptions(): Subscription[][] {
  const all: Subscription[][] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const list: Subscription[] = [];
    for (let k = 0; k < SUBSCRIPTIONS_PER_CUSTOMER; k++) {
      const offer = OFFERS[k % OFFERS.length] ?? 'Microsoft 365 E3';
      const term = TERMS[(c + k) % TERMS.length] ?? 'P1Y';
      list.push({
        id: subscriptionId(c, k),
        offerName: offer,
        friendlyName: (c + k) % 5 === 0 ? `${offer} - HQ` : offer,
        quantity: 5 + ((c * 7 + k * 13) % 300),
        unitType: 'Licenses',
        status: (c + k) % 50 === 0 ? 'suspended' : 'active',
        billingCycle: term === 'P1M' ? 'monthly' : 'annual',
        termDuration: term,
        commitmentEndDate: endDate(c, k),
        autoRenewEnabled: (c + k) % 7 !== 0,
        isTrial: (c + k) % 97 === 0,
        orderId: `order-${c}-${k}`,
        attentionNeeded: false,
        attentionReason: null,
        suspensionReasons: (c + k) % 50 === 0 ? ['CreditCheck'] : [],
      });
    }
    // Round-trip through JSON: a sweep's subscriptions are parsed from Partner Center's answers.
    all.push(JSON.parse(JSON.stringify(list)) as Subscription[]);
  }
  return all;
}

/** The same fetch with every `1 / share`-th subscription changed, in four ways. */
function withChanges(all: Subscription[][], share: number): Subscription[][] {
  const every = Math.round(1 / share);
  let n = 0;
  return all.map((list) =>
    list.map((subscription) => {
      n += 1;
      if (n % every !== 0) return subscription;
      const variant = (n / every) % 4;
      if (variant === 0) return { ...subscription, status: subscription.status === 'suspended' ? 'active' : 'suspended', suspensionReasons: ['CreditCheck'] };
      if (variant === 1) return { ...subscription, quantity: subscription.quantity + 5 };
      if (variant === 2) return { ...subscription, autoRenewEnabled: false, commitmentEndDate: new Date(REFERENCE + 6 * DAY).toISOString() };
      return { ...subscription, attentionNeeded: true, attentionReason: 'Payment overdue' };
    }),
  );
}

function diffAll(current: Subscription[][], previous: Record<string, SubscriptionSnapshot>, at: string) {
  const events: SubscriptionEvent[] = [];
  // Like the state's record of snapshots (a hash table at this size), so the harness does not time itself.
  const snapshots = Object.create(null) as Record<string, SubscriptionSnapshot>;
  for (let c = 0; c < current.length; c++) {
    const id = customerId(c);
    const diff = diffSubscriptions(id, previous[id], current[c] ?? [], at, { warnDays: 30 });
    for (const event of diff.events) events.push(event);
    snapshots[id] = diff.snapshot;
  }
  return { events, snapshots };
}


export async function measureSubscriptionDiff(): Promise<{ rows: Row[]; json: { sub_diff_ms_10k: number; sub_diff_baseline_ms_10k: number } }> {
  const base = buildSubscriptions();
  const changed = withChanges(base, CHANGED_SHARE);
  const previous = diffAll(base, {}, new Date(REFERENCE - 3_600_000).toISOString()).snapshots;
  const at = new Date(REFERENCE).toISOString();

  const diff = await timed(RUNS, () => diffAll(changed, previous, at));
  const baseline = await timed(RUNS, () => diffAll(base, previous, at));
  const subscriptions = CUSTOMERS * SUBSCRIPTIONS_PER_CUSTOMER;
  const ms = Number(diff.ms.toFixed(1));
  const baselineMs = Number(baseline.ms.toFixed(1));
  const rows: Row[] = [
    row(
      `subscription diff, ${CUSTOMERS.toLocaleString('en-US')} customers × ${SUBSCRIPTIONS_PER_CUSTOMER}, ${CHANGED_SHARE * 100}% changed`,
      `${ms} ms (${diff.result.events.length.toLocaleString('en-US')} events of ${subscriptions.toLocaleString('en-US')} subscriptions)`,
      `≤ ${TARGET_MS} ms`,
      ms <= TARGET_MS,
    ),
    row('  baseline: the same diff, nothing changed', `${baselineMs} ms (${baseline.result.events.length} events)`),
  ];
  return { rows, json: { sub_diff_ms_10k: ms, sub_diff_baseline_ms_10k: baselineMs } };
}

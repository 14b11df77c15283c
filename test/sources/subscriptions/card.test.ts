// The subscription alert card: valid Adaptive Card 1.5 without a parse warning in every state (open,
// ending, needing attention, back to normal, cancelled, acknowledged, muted, huge), what it says, and its
// Action.Execute buttons with their Action.Submit fallback.
import assert from 'node:assert/strict';
import { subscriptionAlertButtons, subscriptionAlertCard } from '../../../src/sources/subscriptions/card.js';
import type { SubscriptionThread } from '../../../src/sources/subscriptions/model.js';
import { allText, assertGoodCard, NOW } from '../../support/cardChecks.js';
import { contoso, subscription } from '../../support/samples.js';

const SUB_ID = '6b1d9f0e-2a3c-4d5e-8f90-1a2b3c4d5e6f';

function thread(overrides: Partial<SubscriptionThread> = {}): SubscriptionThread {
  return {
    key: `A|sub|${contoso.id}|${SUB_ID}|1`,
    targetKey: 'A',
    customerId: contoso.id,
    customerName: 'Contoso',
    subscriptionId: SUB_ID,
    episode: 1,
    activityId: 'activity-1',
    subscription: subscription(1, {
      id: SUB_ID,
      offerName: 'Microsoft 365 E3',
      friendlyName: 'Microsoft 365 E3',
      quantity: 120,
      termDuration: 'P1Y',
      billingCycle: 'annual',
      commitmentEndDate: '2026-12-14T00:00:00Z',
      autoRenewEnabled: false,
    }),
    severity: 'information',
    changes: [{ at: '2026-11-22T09:00:00Z', kind: 'ending', text: 'The term ends in 22 days (14 Dec) and will not renew.', severity: 'information', recovery: false }],
    openedAt: '2026-11-22T09:00:00Z',
    updatedAt: '2026-11-22T09:00:00Z',
    closedAt: null,
    gone: false,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
    ...overrides,
  };
}

describe('subscription alert card', () => {
  it('says a term ends without renewal, with customer, offer, quantity, status, term, billing cycle and dates', () => {
    const card = subscriptionAlertCard(thread(), NOW);
    assertGoodCard(card);
    const text = allText(card);
    assert.match(text, /^Information · subscription ends in 22 days\nMicrosoft 365 E3 · Contoso\nMicrosoft 365 E3 for Contoso \(120 licenses\) ends on 14 Dec and will not renew\.\nUpdated 22 Nov 2026 09:00 UTC/);
    assert.match(text, /Customer\nContoso\nOffer\nMicrosoft 365 E3\nQuantity\n120 licenses\nStatus\nActive\nTerm\n1-year term, billed yearly\nTerm ends\n14 Dec 2026 \(in 22 days\) · auto-renew off\nSubscription\n6b1d9f0e/);
    assert.match(text, /What happened\n09:00 UTC\nThe term ends in 22 days \(14 Dec\) and will not renew\./);
  });

  it('is critical while suspended, with the reasons, and a warning within 7 days of the end', () => {
    const suspended = subscriptionAlertCard(thread({ subscription: { ...thread().subscription, status: 'suspended', suspensionReasons: ['CreditCheck'] } }), NOW);
    assertGoodCard(suspended);
    assert.match(allText(suspended), /^Critical · subscription suspended\n.*\nMicrosoft 365 E3 for Contoso \(120 licenses\) is suspended \(CreditCheck\)\./);
    assert.equal((suspended.body[0] as { style: string }).style, 'attention');
    const soon = subscriptionAlertCard(thread(), new Date('2026-12-10T12:00:00Z'));
    assert.match(allText(soon), /^Warning · subscription ends in 4 days/);
    assert.equal((soon.body[0] as { style: string }).style, 'warning');
    const attention = subscriptionAlertCard(thread({ subscription: { ...thread().subscription, autoRenewEnabled: true, attentionNeeded: true, attentionReason: 'Payment overdue' } }), NOW);
    assert.match(allText(attention), /^Warning · subscription needs attention\n.*\nMicrosoft 365 E3 for Contoso needs attention: Payment overdue\./);
    assert.match(allText(attention), /Attention\nPayment overdue/);
  });

  it('says how an episode ended: back to normal, cancelled, or what changed', () => {
    const recovered = thread({
      closedAt: '2026-11-22T10:00:00Z',
      subscription: { ...thread().subscription, autoRenewEnabled: true },
      changes: [...thread().changes, { at: '2026-11-22T10:00:00Z', kind: 'autoRenewOn', text: 'Auto-renew turned on.', severity: 'information', recovery: true }],
    });
    const card = subscriptionAlertCard(recovered, NOW);
    assertGoodCard(card);
    assert.match(allText(card), /^Back to normal\n.*\nMicrosoft 365 E3 for Contoso: Auto-renew turned on\./);
    assert.match(allText(card), /10:00 UTC\nAuto-renew turned on\.\n09:00 UTC\nThe term ends/, 'newest first');
    const gone = subscriptionAlertCard(thread({ closedAt: '2026-11-22T10:00:00Z', gone: true }), NOW);
    assert.match(allText(gone), /^Subscription cancelled\n[\s\S]*Status\nNo longer listed/);
    const quantity = subscriptionAlertCard(
      thread({ closedAt: '2026-11-22T10:00:00Z', subscription: { ...thread().subscription, autoRenewEnabled: true }, changes: [{ at: '2026-11-22T10:00:00Z', kind: 'quantity', text: 'Quantity 120 → 100 licenses.', severity: 'information', recovery: false }] }),
      NOW,
    );
    assert.match(allText(quantity), /^Quantity changed\n.*\nMicrosoft 365 E3 for Contoso: Quantity 120 → 100 licenses\./);
  });

  it('carries Subscriptions, Customer, Acknowledge, Mute 7 days and Refresh; Unmute while muted; no Acknowledge once done', () => {
    const fresh = subscriptionAlertCard(thread(), NOW);
    const titles = (card: typeof fresh) => (card.actions as { title: string }[]).map((action) => action.title);
    assert.deepEqual(titles(fresh), ['Subscriptions', 'Customer', 'Acknowledge', 'Mute 7 days', 'Refresh']);
    for (const action of fresh.actions as { type: string; verb: string; data: object; fallback: { type: string; data: { verb: string } } }[]) {
      assert.equal(action.type, 'Action.Execute');
      assert.equal(action.fallback.type, 'Action.Submit');
      assert.equal(action.fallback.data.verb, action.verb);
    }
    assert.deepEqual((fresh.actions as { data: object }[])[3]?.data, { customerId: contoso.id, subscriptionId: SUB_ID, episode: 1, days: 7 });
    const handled = subscriptionAlertCard(
      thread({ acknowledgedBy: 'Ana', acknowledgedAt: '2026-11-22T13:00:00Z', mutedBy: 'Ben', mutedUntil: '2026-11-29T14:05:00Z' }),
      NOW,
    );
    assertGoodCard(handled);
    assert.deepEqual(titles(handled), ['Subscriptions', 'Customer', 'Unmute', 'Refresh']);
    assert.match(allText(handled), /Acknowledged by Ana at 13:00 UTC\nMuted by Ben until 29 Nov 2026 14:05 UTC/);
    const over = subscriptionAlertCard(thread({ mutedBy: 'Ben', mutedUntil: '2026-11-22T14:00:00Z' }), NOW);
    assert.deepEqual(titles(over), ['Subscriptions', 'Customer', 'Acknowledge', 'Mute 7 days', 'Refresh'], 'a mute that ended is not shown');
  });

  it('makes no buttons for ids a click could not send back', () => {
    assert.deepEqual(subscriptionAlertButtons(thread({ customerId: 'not-a-guid' }), NOW), []);
    assert.deepEqual(subscriptionAlertButtons(thread({ subscriptionId: 'has spaces' }), NOW), []);
  });

  it('stays valid and small with hostile and huge data', () => {
    const LONG = 'Fabrikam_名"\u0001 ${x} **bold** '.repeat(40);
    const big = thread({
      customerName: LONG,
      subscription: { ...thread().subscription, friendlyName: LONG, offerName: LONG, unitType: LONG, attentionNeeded: true, attentionReason: LONG, status: 'suspended', suspensionReasons: [LONG, LONG] },
      changes: Array.from({ length: 8 }, (_, i) => ({ at: `2026-11-2${i % 3}T09:00:00Z`, kind: 'problem' as const, text: LONG, severity: 'critical' as const, recovery: false })),
      acknowledgedBy: LONG,
      acknowledgedAt: '2026-11-22T13:00:00Z',
    });
    const card = subscriptionAlertCard(big, NOW);
    assertGoodCard(card, [LONG]);
  });

  it('works for a subscription without an end date, offer or known billing', () => {
    const bare = thread({ subscription: { ...thread().subscription, offerName: '', commitmentEndDate: null, billingCycle: 'unknown', termDuration: '' }, changes: [] });
    const card = subscriptionAlertCard(bare, NOW);
    assertGoodCard(card);
    assert.match(allText(card), /Term\nunknown\nTerm ends\nno end date · auto-renew off/);
  });
});

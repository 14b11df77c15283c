// Point 7 of "Cards that tell the whole story": a renewal or commitment date in the past is flagged, and the
// "need attention" count and its filter agree (expired ones included).
import assert from 'node:assert/strict';
import { subscriptionsCard, customerOverviewCard } from '../../src/cards.js';
import { attentionCount, matchesFilter } from '../../src/cardData/subscriptions.js';
import { allText, assertGoodCard, elementsWithText, NOW } from '../support/cardChecks.js';
import { contoso, subscription } from '../support/samples.js';

const subs = [
  subscription(1),
  subscription(2, { status: 'suspended', friendlyName: 'Suspended seats' }),
  subscription(3, { status: 'expired', friendlyName: 'Expired seats', commitmentEndDate: '2026-10-01T00:00:00Z', autoRenewEnabled: false }),
  subscription(4, { friendlyName: 'Overdue renewal', commitmentEndDate: '2026-11-01T00:00:00Z', autoRenewEnabled: true }),
  subscription(5, { friendlyName: 'Ended term', commitmentEndDate: '2026-09-15T00:00:00Z', autoRenewEnabled: false }),
  subscription(6, { status: 'deleted', friendlyName: 'Gone', commitmentEndDate: '2025-01-01T00:00:00Z' }),
];

describe('cards: subscriptions that need attention', () => {
  it('flags a renewal or commitment date in the past, in words and bold', () => {
    const card = subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW });
    assertGoodCard(card, subs);
    const overdue = elementsWithText(card, /^Past date: was to renew on 1 Nov 2026$/)[0];
    assert.equal(overdue?.weight, 'Bolder');
    assert.equal(overdue?.isSubtle, false);
    assert.equal(elementsWithText(card, /^Past date: ended on 15 Sep 2026$/).length, 1);
    assert.equal(elementsWithText(card, /^Past date: ended on 1 Oct 2026$/).length, 1, 'the expired one');
    assert.equal(elementsWithText(card, /^Auto-renews on 1 Mar 2027$/)[0]?.isSubtle, true, 'a future date is a detail');
    assert.doesNotMatch(allText(card), /Past date: ended on 1 Jan 2025/, 'a deleted subscription is gone, not overdue');
  });

  it('counts as needing attention exactly what the "Needs attention" filter lists, expired ones included', () => {
    const n = attentionCount(subs, NOW);
    assert.equal(n, 4);
    const all = subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW });
    assert.match(allText(all), /4 subscriptions need attention: suspended, expired or past their end date\./);
    const filtered = subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW, filter: 'attention' });
    assertGoodCard(filtered, subs);
    const listed = elementsWithText(filtered, /seats$|^Overdue renewal$|^Ended term$|^Licenses \d$|^Gone$/).map((el) => el.text);
    assert.deepEqual(listed, ['Suspended seats', 'Expired seats', 'Ended term', 'Overdue renewal']);
    assert.equal(listed.length, n);
    assert.match(allText(filtered), /showing 1–4 of 4 needing attention/);
    assert.equal(subs.filter((s) => matchesFilter(s, 'attention', NOW)).length, n);
  });

  it('the customer overview counts the same', () => {
    const card = customerOverviewCard({ customer: contoso, incidents: [], subscriptions: subs, watch: null, now: NOW });
    assert.match(allText(card), /4 subscriptions need attention/);
  });
});

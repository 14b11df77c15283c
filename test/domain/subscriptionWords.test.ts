// The words a subscription is shown with: one source for the diff's lines, the alert card and the
// subscriptions card, so the three never say the same thing differently.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { subscriptionsCard } from '../../src/cards.js';
import { subscriptionAlertCard } from '../../src/sources/subscriptions/card.js';
import { diffSubscriptions } from '../../src/sources/subscriptions/diff.js';
import type { SubscriptionThread } from '../../src/sources/subscriptions/model.js';
import { billingWords, statusWord, subscriptionName, unitLabel } from '../../src/domain/subscriptionWords.js';
import { termLabel } from '../../src/cardData/format.js';
import { allText, NOW } from '../support/cardChecks.js';
import { contoso, subscription } from '../support/samples.js';

describe('subscription words', () => {
  it('names a subscription by its friendly name, else its offer, else its id', () => {
    assert.equal(subscriptionName({ id: 'sub-1', friendlyName: ' Seats ', offerName: 'Microsoft 365 E3' }), 'Seats');
    assert.equal(subscriptionName({ id: 'sub-1', friendlyName: '  ', offerName: 'Microsoft 365 E3' }), 'Microsoft 365 E3');
    assert.equal(subscriptionName({ id: 'sub-1', friendlyName: '', offerName: '' }), 'sub-1');
  });

  it('says "Unknown status" for none and for a status it does not know', () => {
    assert.equal(statusWord('suspended'), 'Suspended');
    assert.equal(statusWord('none'), 'Unknown status');
    assert.equal(statusWord('archived'), 'Unknown status');
  });

  it('words every billing cycle, unknown and unlisted ones included, and says nothing for none given', () => {
    assert.equal(billingWords('Annual'), 'billed yearly');
    assert.equal(billingWords(' one_time '), 'billed once');
    assert.equal(billingWords('none'), 'no billing cycle');
    assert.equal(billingWords('unknown'), 'billing cycle unknown');
    assert.equal(billingWords('Quarterly'), 'billed quarterly');
    assert.equal(billingWords(' '), '');
  });

  it('calls licenses licenses, one of them a license; other units lower-cased, singular for one', () => {
    assert.equal(unitLabel('Licenses', 120), 'licenses');
    assert.equal(unitLabel('Licences', 2), 'licenses');
    assert.equal(unitLabel('', 1), 'license');
    assert.equal(unitLabel('Seats', 3), 'seats');
    assert.equal(unitLabel('Seats', 1), 'seat');
  });

  it('says the quantity and the term alike on the subscriptions card and the alert card: "25 licenses", "3-year term"', () => {
    const sub = subscription(1, { quantity: 25, unitType: 'Licenses', termDuration: 'P3Y', billingCycle: 'annual' });
    const list = allText(subscriptionsCard({ customer: contoso, subscriptions: [sub], now: NOW }));
    assert.match(list, /25 licenses · billed yearly · 3-year term/);
    assert.doesNotMatch(list, /years term|\d Licenses/);
    assert.equal(termLabel('P1M'), '1-month term');
    assert.equal(termLabel('P1Y'), '1-year term');
    assert.equal(termLabel(''), 'no term');
  });

  it('spells "licenses" one way, Microsoft’s, in every card, help text, source file and document a user reads', () => {
    const roots = ['src', 'cards', 'docs', 'manifest', 'README.md'];
    const offenders: string[] = [];
    const visit = (path: string): void => {
      if (statSync(path).isDirectory()) return readdirSync(path).forEach((entry) => visit(join(path, entry)));
      readFileSync(path, 'utf8')
        .split('\n')
        // The unit Partner Center sends is matched in either spelling; only what is shown must be one.
        .forEach((line, i) => /licence/i.test(line.replace(/licen\[cs\]es\?/gi, '')) && offenders.push(`${path}:${i + 1}`));
    };
    roots.forEach(visit);
    assert.deepEqual(offenders, []);
  });

  it('gives an unknown status the same word in the diff, the alert card and the subscriptions card', () => {
    const unknown = subscription(1, { id: 'sub-x', friendlyName: 'Mystery seats', status: 'none', quantity: 3 });
    const baseline = diffSubscriptions('c1', undefined, [], '2026-11-20T09:00:00Z').snapshot;
    const [added] = diffSubscriptions('c1', baseline, [unknown], '2026-11-21T09:00:00Z').events;
    assert.match(added?.changes[0]?.text ?? '', /, unknown status\.$/);

    const thread = {
      key: 'A|sub|c1|sub-x|1', targetKey: 'A', customerId: contoso.id, customerName: 'Contoso', subscriptionId: 'sub-x', episode: 1,
      activityId: null, subscription: unknown, severity: 'information', changes: [], openedAt: '2026-11-21T09:00:00Z',
      updatedAt: '2026-11-21T09:00:00Z', closedAt: null, gone: false, mutedUntil: null, mutedBy: null, acknowledgedBy: null,
      acknowledgedAt: null, lastSentAt: null,
    } satisfies SubscriptionThread;
    assert.match(allText(subscriptionAlertCard(thread, NOW)), /\nStatus\nUnknown status\n/);
    const list = allText(subscriptionsCard({ customer: contoso, subscriptions: [unknown], now: NOW }));
    assert.match(list, /1 unknown status/);
    assert.match(list, /\nUnknown status\n/);
  });
});

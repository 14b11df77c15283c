// The access cards: the alert (valid Adaptive Card 1.5 without a parse warning in every state — ending,
// ending tomorrow, lost, stuck, nobody can use it, back to normal, acknowledged, muted, huge), what it says
// with its severity in words and days left by UTC calendar day, its buttons and the Partner Center link;
// and the "access for" and "access expiring" cards.
import assert from 'node:assert/strict';
import { accessAlertButtons, accessAlertCard } from '../../../src/sources/access/card.js';
import type { AccessThread, RelationshipPrint } from '../../../src/sources/access/model.js';
import { accessCard, accessExpiringCard } from '../../../src/sources/access/views.js';
import { allText, assertGoodCard, NOW } from '../../support/cardChecks.js';
import { contoso } from '../../support/samples.js';

const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
const CUSTOM_ROLE = '0a1b2c3d-0000-4000-8000-00000000abcd';

function print(overrides: Partial<RelationshipPrint> = {}): RelationshipPrint {
  return { id: 'r1', name: 'Contoso support', status: 'active', endDay: '2026-11-29', roles: [GLOBAL_READER, CUSTOM_ROLE], groups: [{ groupId: 'g-helpdesk', status: 'active', roles: [GLOBAL_READER] }], ...overrides };
}

function thread(overrides: Partial<AccessThread> = {}): AccessThread {
  return {
    key: `A|access|${contoso.id}|1`,
    targetKey: 'A',
    customerId: contoso.id,
    customerName: 'Contoso',
    episode: 1,
    openedAt: '2026-11-22T09:00:00Z',
    activityId: 'activity-1',
    relationships: [print()],
    severity: 'warning',
    changes: [{ at: '2026-11-22T09:00:00Z', kind: 'ending', text: 'Access ends in 7 days (29 Nov): no active relationship lasts longer or auto-extends.', severity: 'warning', recovery: false }],
    updatedAt: '2026-11-22T09:00:00Z',
    closedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    lastSentAt: null,
    ...overrides,
  };
}

const titles = (card: { actions?: unknown[] }) => (card.actions as { title: string }[]).map((action) => action.title);

describe('access alert card', () => {
  it('says when access ends, with severity in words, days left by UTC day, the relationship, roles by name and groups', () => {
    const card = accessAlertCard(thread(), NOW);
    assertGoodCard(card);
    const text = allText(card);
    assert.match(text, /^Warning · access ends in 7 days\nGDAP access · Contoso\nThe partner’s admin access to Contoso ends on 29 Nov: no active relationship lasts longer or auto-extends\.\nUpdated 22 Nov 2026 09:00 UTC/);
    assert.match(text, /Customer\nContoso\nSeverity\nWarning\nAccess ends\n29 Nov \(in 7 days\)/);
    assert.match(text, /Relationships\nContoso support\nActive · ends 29 Nov \(7 days left\) · auto-extend no\nRoles: Global Reader, 0a1b2c3d-0000-4000-8000-00000000abcd\nSecurity groups: g-helpdesk holds Global Reader\n/);
    // 23:59 UTC on the 28th is still one calendar day before the 29th: critical.
    const tomorrow = accessAlertCard(thread({ changes: [{ ...thread().changes[0]!, severity: 'critical' }], severity: 'critical' }), new Date('2026-11-28T23:59:00Z'));
    assert.match(allText(tomorrow), /^Critical · access ends tomorrow/);
    assert.equal((tomorrow.body[0] as { style: string }).style, 'attention');
  });

  it('is critical when access is lost, and says "back to normal" when the episode closed', () => {
    const lost = accessAlertCard(
      thread({ severity: 'critical', relationships: [print({ status: 'terminated' })], changes: [{ at: '2026-11-22T10:00:00Z', kind: 'lost', text: 'Access lost: the last GDAP relationship “Contoso support” was terminated on 22 Nov; nothing active is left.', severity: 'critical', recovery: false }] }),
      NOW,
    );
    assertGoodCard(lost);
    assert.match(allText(lost), /^Critical · access lost\n[\s\S]*Severity\nCritical\nAccess ends\nalready ended/);
    const back = accessAlertCard(
      thread({
        closedAt: '2026-11-22T11:00:00Z',
        severity: 'information',
        relationships: [print({ status: 'terminated' }), print({ id: 'r2', name: 'Contoso renewed', endDay: '2028-11-21', autoExtend: true })],
        changes: [{ at: '2026-11-22T11:00:00Z', kind: 'back', text: 'Access back: the relationship “Contoso renewed” is active.', severity: 'information', recovery: true }],
      }),
      NOW,
    );
    assertGoodCard(back);
    assert.match(allText(back), /^Information · access back to normal\n[\s\S]*Access ends\ndoes not end \(auto-extends\)/);
    assert.equal((back.body[0] as { style: string }).style, 'good');
  });

  it('names stuck approvals and relationships nobody can use', () => {
    const stuck = accessAlertCard(
      thread({ severity: 'information', relationships: [print({ endDay: '2028-01-01' }), print({ id: 'p', name: 'Helpdesk', status: 'approvalPending', endDay: undefined, groups: undefined })], changes: [{ at: '2026-11-22T09:00:00Z', kind: 'stuck', text: 'The relationship “Helpdesk” has waited for the customer’s approval since 13 Nov.', severity: 'information', recovery: false }] }),
      NOW,
    );
    assertGoodCard(stuck);
    assert.match(allText(stuck), /^Information · stuck approval\n[\s\S]*Helpdesk\nWaiting for the customer’s approval · no end date yet · auto-extend no\nRoles: [^\n]+\nSecurity groups: not read yet/);
    const unused = accessAlertCard(thread({ relationships: [print({ endDay: '2028-01-01', groups: [] })], changes: [{ at: '2026-11-22T09:00:00Z', kind: 'unused', text: 'Nobody can use the relationship “Contoso support”: no security group holds its roles.', severity: 'warning', recovery: false }] }), NOW);
    assert.match(allText(unused), /^Warning · nobody can use a relationship\n[\s\S]*Security groups: none hold its roles/);
  });

  it('shows a malformed end as unknown', () => {
    const card = accessAlertCard(thread({ relationships: [print({ endDay: undefined, malformed: true })] }), NOW);
    assertGoodCard(card);
    assert.match(allText(card), /Access ends\nunknown \(a date could not be read\)[\s\S]*Active · ends on an unknown date · auto-extend unknown/);
  });

  it('carries Access, Customer, Acknowledge, Mute 7 days, then Open in Partner Center; Unmute while muted', () => {
    const fresh = accessAlertCard(thread(), NOW);
    assert.deepEqual(titles(fresh), ['Access', 'Customer', 'Acknowledge', 'Mute 7 days', 'Open in Partner Center']);
    assert.deepEqual((fresh.actions as { url?: string }[]).at(-1)?.url, `https://partner.microsoft.com/dashboard/v2/customers/${contoso.id}/adminrelationships`);
    assert.deepEqual((fresh.actions as { data?: object }[])[3]?.data, { customerId: contoso.id, episode: 1, days: 7 });
    const handled = accessAlertCard(thread({ acknowledgedBy: 'Ana', acknowledgedAt: '2026-11-22T13:00:00Z', mutedBy: 'Ben', mutedUntil: '2026-11-29T14:05:00Z' }), NOW);
    assertGoodCard(handled);
    assert.deepEqual(titles(handled), ['Access', 'Customer', 'Unmute', 'Open in Partner Center']);
    assert.match(allText(handled), /Acknowledged by Ana at 13:00 UTC\nMuted by Ben until 29 Nov 2026 14:05 UTC/);
    assert.deepEqual(accessAlertButtons(thread({ customerId: 'not-a-guid' }), NOW), [], 'no buttons for ids a click could not send back');
  });

  it('stays valid with hostile and huge data', () => {
    const LONG = 'Fabrikam_名"\u0001 ${x} **bold** '.repeat(40);
    const big = thread({
      customerName: LONG,
      relationships: Array.from({ length: 10 }, (_, i) => print({ id: `r${i}`, name: LONG, status: LONG, roles: Array.from({ length: 30 }, () => CUSTOM_ROLE), groups: Array.from({ length: 20 }, () => ({ groupId: LONG, status: LONG, roles: [] })) })),
      changes: Array.from({ length: 8 }, () => ({ at: '2026-11-22T09:00:00Z', kind: 'ending' as const, text: LONG, severity: 'warning' as const, recovery: false })),
      acknowledgedBy: LONG,
      acknowledgedAt: '2026-11-22T13:00:00Z',
    });
    assertGoodCard(accessAlertCard(big, NOW), [LONG]);
  });
});

describe('"access for" and "access expiring" cards', () => {
  it('"access for" lists each relationship and says at the top when none is active', () => {
    const card = accessCard({ customer: contoso, relationships: [print({ status: 'expired' })], now: NOW });
    assertGoodCard(card);
    assert.match(allText(card), /^GDAP access · Contoso\n1 relationship · as of 22 Nov 2026 14:05 UTC\nNo GDAP relationship with Contoso is active: the partner has no admin access to it now\.\nContoso support\nExpired/);
    assert.deepEqual(titles(card), ['Customer', 'Refresh', 'Open in Partner Center']);
    const none = accessCard({ customer: contoso, relationships: [], now: NOW });
    assertGoodCard(none);
    assert.match(allText(none), /The partner has no GDAP relationship with Contoso\./);
  });

  it('"access expiring" is soonest first as given, 25 a page, each row opening "access for"', () => {
    const endings = Array.from({ length: 30 }, (_, i) => ({ customerId: contoso.id, customerName: `Customer ${i + 1}`, day: '2026-12-01', daysLeft: 9 }));
    const card = accessExpiringCard({ endings, days: 30, page: 1, now: NOW });
    assertGoodCard(card);
    assert.match(allText(card), /^Access ending within 30 days\n30 customers · page 1 of 2 · as of /);
    assert.equal((allText(card).match(/Access ends 1 Dec \(9 days left\)/g) ?? []).length, 25);
    assert.deepEqual(titles(card), ['Next', 'Refresh']);
    const last = accessExpiringCard({ endings, days: 30, page: 2, now: NOW });
    assert.deepEqual(titles(last), ['Previous', 'Refresh']);
    assert.equal((allText(last).match(/days left/g) ?? []).length, 5);
  });
});

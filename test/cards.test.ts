import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  CARD_NAMES,
  cardSizeBytes,
  cardsDirectory,
  customerChoiceCard,
  customersCard,
  helpCard,
  MAX_CARD_BYTES,
  messageCard,
  statusCard,
  subscriptionsCard,
  watchesCard,
  welcomeCard,
  type CardButton,
  type WatchSummary,
} from '../src/cards.js';
import { incidentAlertCard } from '../src/sources/incidents/threadCard.js';
import { provisioningAlertCard, provisioningCard } from '../src/sources/provisioning/card.js';
import { SHRUNK_INCIDENT_ALERT_LIMITS } from '../src/sources/incidents/card.js';
import type { Incident, OrderProvisioning, Severity } from '../src/domain/types.js';
import { contoso, customer, incident, subscription } from './support/samples.js';
import { allText, assertGoodCard, elementsWithText, NOW, objects, ZWSP } from './support/cardChecks.js';

// ---------------------------------------------------------------------------------------------- data





const order = (lines: OrderProvisioning['lines'], orderId = 'order-1'): OrderProvisioning => ({
  customerId: contoso.id,
  orderId,
  lines,
});

const FIVE_KB = ('Engineers are investigating **the issue** <b>now</b> & [details](http://evil.example) ').repeat(70);
// Long, and as many UTF-8/JSON bytes per character as names can get: `_` at a word's edge becomes `＿` (3 bytes), `"` is escaped.
const LONG_NAME = 'Fabrikam _名"\u0001 '.repeat(40);

const buttons: CardButton[] = [
  { title: 'Refresh', verb: 'status.refresh', data: { customerId: contoso.id } },
  { title: 'Watch', verb: 'watch.add' },
];

// ---------------------------------------------------------------------------------------------- tests

describe('cards: templates', () => {
  it('has one template file per card, found from the compiled file', () => {
    const files = readdirSync(cardsDirectory()).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual([...files].sort(), [...CARD_NAMES].sort());
  });

  it('renders independent cards from a cached template', () => {
    const first = messageCard({ title: 'One', text: 'first' });
    const second = messageCard({ title: 'Two', text: 'second' });
    assert.match(allText(first), /One/);
    assert.doesNotMatch(allText(second), /One|first/);
    assert.match(allText(second), /Two[\s\S]*second/);
  });

  it('the validity check catches a broken card', () => {
    const broken = { ...messageCard({ title: 'T', text: 'x' }) };
    broken.body = [...broken.body, { type: 'Container', style: 'loud', items: [] }];
    assert.throws(() => assertGoodCard(broken), /Invalid value "loud"/);
    assert.throws(() => assertGoodCard({ ...broken, body: [{ type: 'TextBlock', text: '${missing}' }] }), /unexpanded template syntax/);
  });

  it('measures size as UTF-8 bytes', () => {
    assert.equal(cardSizeBytes({ a: 'é' }), Buffer.byteLength('{"a":"é"}'));
    assert.equal(MAX_CARD_BYTES, 80_000);
  });
});

describe('cards: buttons', () => {
  it('renders Action.Execute with the verb and data, and an Action.Submit fallback carrying the verb', () => {
    const card = statusCard({ customer: contoso, incidents: [], now: NOW, buttons });
    assertGoodCard(card, { buttons });
    assert.deepEqual(card.actions, [
      {
        type: 'Action.Execute',
        title: 'Refresh',
        verb: 'status.refresh',
        data: { customerId: contoso.id },
        fallback: { type: 'Action.Submit', title: 'Refresh', data: { customerId: contoso.id, verb: 'status.refresh' } },
      },
      {
        type: 'Action.Execute',
        title: 'Watch',
        verb: 'watch.add',
        data: {},
        fallback: { type: 'Action.Submit', title: 'Watch', data: { verb: 'watch.add' } },
      },
    ]);
  });

  it('leaves actions out when there are no buttons', () => {
    assert.equal(helpCard().actions, undefined);
  });

  it('passes button data through untouched, even ${...}', () => {
    const tricky: CardButton[] = [{ title: 'Go', verb: 'x', data: { q: '${$root.title}' } }];
    const card = messageCard({ title: 'T', text: 'x', buttons: tricky });
    assertGoodCard(card, tricky);
    assert.deepEqual((card.actions?.[0] as { data: unknown }).data, { q: '${$root.title}' });
  });
});

describe('cards: help and welcome', () => {
  it('lists every command with an example and description', () => {
    const card = helpCard();
    assertGoodCard(card);
    const text = allText(card);
    for (const syntax of [
      /status for\s*customer/,
      /customers \[\s*prefix\s*\]/,
      /subscriptions for\s*customer/,
      /orders for\s*customer/,
      /provisioning order\s*orderId\s*\[for\s*customer\s*\]/,
      /watch\s*customer\s*\[severity warning\] \[workloads Exchange,Teams\]/,
      /watch all/,
      /watch order\s*orderId\s*for\s*customer/,
      /unwatch\s*customer\s*\| all \| order\s*orderId/,
      /watch subscriptions\s*customer\s*\| all/,
      /access for\s*customer\s*· access expiring \[days\]/,
      /watch access\s*customer\s*\| all/,
      /exclude\s*customer/,
      /digest daily \| weekdays/,
      /quiet hours\s*HH:MM/,
      /watches/,
      /poll now/,
      /help/,
    ]) {
      assert.match(text, syntax);
    }
    assert.match(text, /status Contoso/);
    assert.equal(elementsWithText(card, /^Example: $/).length, 20);
    assert.ok(elementsWithText(card, /^status for Contoso$/).length === 1);
  });

  it('shows placeholders in italics', () => {
    const card = helpCard();
    const placeholder = elementsWithText(card, /^customer$/)[0];
    assert.equal(placeholder?.italic, true);
  });

  it('puts the lead sentence first, shown as written', () => {
    const card = helpCard({ lead: 'I didn’t understand “[x](http://evil) *boo*”.' });
    assertGoodCard(card);
    const first = (card.body[0] as { text: string }).text;
    assert.doesNotMatch(first, /\]\(|\*/);
    assert.match(first.replaceAll(ZWSP, ''), /I didn’t understand “\[x\]\(http:\/\/evil\) ∗boo∗”\./);
    assert.doesNotMatch(JSON.stringify(helpCard().body[0]), /understand/);
  });

  it('welcomes with three commands', () => {
    const card = welcomeCard();
    assertGoodCard(card);
    assert.equal(elementsWithText(card, /^(customers \[|status for |watch )$/).length, 3);
    assert.match(allText(card), /help/);
  });
});

describe('cards: message', () => {
  it('shows a title, text and a command to try; errors in an attention band', () => {
    const card = messageCard({
      title: 'Order not found',
      text: 'Partner Center says order 123 does not exist for Contoso (code 20000).',
      tryThis: 'provisioning order 124 for Contoso',
      tone: 'error',
    });
    assertGoodCard(card);
    assert.equal((card.body[0] as { style: string }).style, 'attention');
    assert.equal(elementsWithText(card, /^Order not found$/)[0]?.color, undefined, 'the words say it; the band only repeats it');
    assert.match(allText(card), /code 20000/);
    assert.equal(elementsWithText(card, /^provisioning order 124 for Contoso$/)[0]?.fontType, 'Monospace');
  });

  it('leaves out the try line when there is none, and keeps line breaks as paragraphs', () => {
    const card = messageCard({ title: 'Done', text: 'line one\nline two', tone: 'success' });
    assertGoodCard(card);
    assert.doesNotMatch(allText(card), /Try this/);
    assert.ok(elementsWithText(card, /^line one\n\nline two$/).length === 1);
  });

  it('handles a maximal message', () => {
    const card = messageCard({ title: LONG_NAME, text: FIVE_KB.repeat(40), tryThis: LONG_NAME });
    assertGoodCard(card);
    const help = helpCard({ lead: FIVE_KB.repeat(40) });
    assertGoodCard(help);
  });
});

describe('cards: customers', () => {
  it('lists customers with domain and relationship, each row opening its overview', () => {
    const list = [contoso, customer(2, { companyName: 'Fabrikam', relationshipToPartner: 'advisor' })];
    const card = customersCard({ prefix: null, customers: list, now: NOW });
    assertGoodCard(card, list);
    const text = allText(card);
    assert.match(text, /2 customers/);
    assert.match(text, /contoso\.onmicrosoft\.com · Reseller/);
    assert.match(text, /Advisor/);
    assert.deepEqual(
      objects(card.body).flatMap((el) => (el.selectAction ? [(el.selectAction as { title: string }).title] : [])),
      ['Open Contoso', 'Open Fabrikam'],
    );
    assert.doesNotMatch(text, /more/);
  });

  it('says "Showing 25 of 140" and how many more', () => {
    const list = Array.from({ length: 140 }, (_, i) => customer(i));
    const card = customersCard({ prefix: 'cu', customers: list, total: 140, shown: 25, now: NOW });
    assertGoodCard(card, list);
    const text = allText(card);
    assert.match(text, /Showing 25 of 140/);
    assert.match(text, /and 115 more customers/);
    assert.match(text, /starting with “cu”/);
    assert.equal(objects(card.body).filter((el) => el.selectAction).length, 25);
  });

  it('answers an empty list kindly', () => {
    const card = customersCard({ prefix: 'zz', customers: [], total: 0 });
    assertGoodCard(card);
    assert.match(allText(card), /No customer’s name starts with “zz”/);
  });

  it('stays valid and small with hundreds of long names', () => {
    const list = Array.from({ length: 500 }, (_, i) => customer(i, { companyName: `${LONG_NAME}${i}`, domain: `${'d'.repeat(200)}.com` }));
    const card = customersCard({ prefix: null, customers: list, total: 5000 });
    assertGoodCard(card, list);
    assert.match(allText(card), /and 4975 more customers/);
  });
});

describe('cards: customer choice', () => {
  it('asks which customer and gives the exact command for each', () => {
    const candidates = [
      { customer: customer(1, { companyName: 'Contoso Electronics' }), command: 'status for Contoso Electronics' },
      { customer: customer(2, { companyName: 'Contoso_Pharma' }), command: 'status for Contoso_Pharma' },
    ];
    const card = customerChoiceCard({ query: 'con', candidates });
    assertGoodCard(card, candidates);
    assert.match(allText(card), /Several customers match “con”\.\n/);
    assert.match(allText(card), /Which one did you mean\?/);
    // Commands are TextRuns (no markdown in Teams), so they stay exactly as typed.
    const run = elementsWithText(card, /^status for Contoso_Pharma$/)[0];
    assert.equal(run?.type, 'TextRun');
    assert.ok(elementsWithText(card, /^status for Contoso Electronics$/).length === 1);
  });

  it('cuts a long candidate list', () => {
    const candidates = Array.from({ length: 300 }, (_, i) => ({ customer: customer(i, { companyName: `${LONG_NAME}${i}` }), command: `status for ${LONG_NAME}${i}` }));
    const card = customerChoiceCard({ query: 'F', candidates });
    assertGoodCard(card, candidates);
    assert.match(allText(card), /and 275 more matches/);
  });
});

describe('cards: status', () => {
  const incidents: Incident[] = [
    incident('EX1', { severity: 'warning', startTime: '2026-11-22T09:00:00Z' }),
    incident('EX2', { severity: 'critical', status: 'critical', startTime: '2026-11-21T08:00:00Z' }),
    incident('EX3', { severity: 'warning', startTime: '2026-11-22T11:00:00Z' }),
    incident('EX4', { severity: 'information', status: 'information' }),
    incident('EX5', { resolved: true, severity: 'critical', endTime: '2026-11-22T12:00:00Z' }),
    incident('EX6', { resolved: true }),
    incident('TM7', {
      severity: 'normal',
      status: 'normal',
      workload: 'Microsoft Teams',
      messages: [
        { publishedTime: '2026-11-22T10:00:00Z', text: 'old' },
        { publishedTime: '2026-11-22T12:00:00Z', text: `<p>Latest: ${FIVE_KB}</p>` },
      ],
    }),
  ];

  it('orders active incidents by severity, then newest start', () => {
    const card = statusCard({ customer: contoso, incidents, now: NOW });
    assertGoodCard(card, incidents);
    const order = elementsWithText(card, /^(EX|TM)\d · /).map((el) => String(el.text).slice(0, 3));
    assert.deepEqual(order, ['EX2', 'EX3', 'EX1', 'EX4', 'TM7']);
  });

  it('names severity once, counts active and resolved, and says when', () => {
    const card = statusCard({ customer: contoso, incidents, now: NOW });
    const text = allText(card);
    assert.match(text, /Incidents for Contoso/);
    assert.match(text, /as of 22 Nov 2026 14:05 UTC/);
    assert.match(text, /5 active incidents: 1 critical, 2 warning, 1 information, 1 normal/);
    assert.match(text, /2 resolved incidents not shown/);
    assert.match(text, /Started 22 Nov 2026 10:00 UTC · 1 update/);
    assert.deepEqual(elementsWithText(card, /^(Critical|Warning|Information|Normal)$/).map((el) => el.text), ['Critical', 'Warning', 'Warning', 'Information', 'Normal']);
    assert.doesNotMatch(text, /Status: /, 'a status equal to the severity is not said twice');
    assert.doesNotMatch(text, /EX5|EX6/);
  });

  it('shows the latest message as plain text, truncated', () => {
    const card = statusCard({ customer: contoso, incidents, now: NOW });
    const message = elementsWithText(card, /^Latest:/)[0];
    assert.ok(message, 'latest message shown');
    const text = String(message.text);
    assert.ok(text.length <= 410, String(text.length));
    assert.ok(text.endsWith('…'));
    assert.doesNotMatch(text, /<b>|\*\*|\]\(/);
    assert.ok(elementsWithText(card, /^old$/).length === 0);
  });

  it('answers "No active incidents" as a friendly, real answer', () => {
    const card = statusCard({ customer: contoso, incidents: [incident('EX9', { resolved: true })], now: NOW });
    assertGoodCard(card);
    assert.equal(elementsWithText(card, /^No active incidents for Contoso\.$/)[0]?.weight, 'Bolder');
    assert.match(allText(card), /1 resolved incident not shown/);
    const none = statusCard({ customer: contoso, incidents: [], now: NOW });
    assertGoodCard(none);
    assert.doesNotMatch(allText(none), /resolved/);
  });

  it('lists resolved incidents after active ones when asked', () => {
    const card = statusCard({ customer: contoso, incidents, now: NOW, showResolved: true });
    assertGoodCard(card, incidents);
    const order = elementsWithText(card, /^(EX|TM)\d · /).map((el) => String(el.text).slice(0, 3));
    assert.deepEqual(order, ['EX2', 'EX3', 'EX1', 'EX4', 'TM7', 'EX5', 'EX6']);
    assert.equal(elementsWithText(card, /^Resolved$/).length, 2);
    assert.match(allText(card), /ended 22 Nov 2026 12:00 UTC/);
  });

  it('cuts hundreds of incidents with 5 KB messages and says how many more', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      incident(`EX${1000 + i}`, {
        severity: (['critical', 'warning', 'information', 'normal'] as Severity[])[i % 4],
        title: `${LONG_NAME} ${i}`,
        workload: LONG_NAME,
        messages: Array.from({ length: 20 }, (_, m) => ({ publishedTime: `2026-11-22T10:${String(m).padStart(2, '0')}:00Z`, text: FIVE_KB })),
      }),
    ).concat(Array.from({ length: 50 }, (_, i) => incident(`R${i}`, { resolved: true })));
    const card = statusCard({ customer: customer(2, { companyName: LONG_NAME }), incidents: many, now: NOW });
    assertGoodCard(card, many);
    const text = allText(card);
    assert.match(text, /and 370 more active incidents not listed/);
    assert.match(text, /50 resolved incidents not shown/);
    assert.equal(elementsWithText(card, /^Critical$/).length, 30);
  });
});

describe('cards: subscriptions', () => {
  const subs = [
    subscription(1),
    subscription(2, { status: 'suspended', friendlyName: 'Old licenses' }),
    subscription(3, { status: 'expired', termDuration: 'P3Y', autoRenewEnabled: false, billingCycle: 'annual' }),
    subscription(4, { termDuration: 'P1M', quantity: 1, friendlyName: '' }),
    subscription(5, { status: 'pending', commitmentEndDate: null, isTrial: true }),
  ];

  it('counts by status and lists trouble first', () => {
    const card = subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW });
    assertGoodCard(card, subs);
    const runs = elementsWithText(card, /^( · )?\d+ (suspended|expired|pending|active)$/).map((el) => String(el.text));
    assert.deepEqual(runs, ['1 suspended', ' · 1 expired', ' · 1 pending', ' · 2 active']);
    const statuses = elementsWithText(card, /^(Active|Suspended|Expired|Pending)$/).map((el) => [el.text, el.weight]);
    assert.deepEqual(statuses, [
      ['Suspended', 'Bolder'],
      ['Expired', 'Bolder'],
      ['Pending', 'Default'],
      ['Active', 'Default'],
      ['Active', 'Default'],
    ]);
    assert.match(allText(card), /2 subscriptions need attention/);
  });

  it('says quantity, billing, term and renewal in words', () => {
    const text = allText(subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW }));
    assert.match(text, /25 licenses · billed monthly · 1-year term/);
    assert.match(text, /25 licenses · billed yearly · 3-year term/);
    assert.match(text, /1 license · billed monthly · 1-month term/);
    assert.match(text, /Auto-renews on 1 Mar 2027/);
    assert.match(text, /Ends on 1 Mar 2027 \(auto-renew off\)/);
    assert.match(text, /trial/);
    assert.match(text, /Microsoft 365 Business Premium/);
  });

  it('answers a customer without subscriptions', () => {
    const card = subscriptionsCard({ customer: contoso, subscriptions: [], now: NOW });
    assertGoodCard(card);
    assert.match(allText(card), /Contoso has no product subscriptions\./);
  });

  it('pages hundreds of subscriptions, 20 to a page', () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      subscription(i, { friendlyName: `${LONG_NAME}${i}`, offerName: LONG_NAME, status: i % 7 === 0 ? 'suspended' : 'active' }),
    );
    const card = subscriptionsCard({ customer: contoso, subscriptions: many, now: NOW });
    assertGoodCard(card, many);
    assert.match(allText(card), /showing 1–20 of 600/);
    assert.match(allText(card), /Page 1 of 30 · 580 more subscriptions on the next pages/);
    assert.match(allText(card), /86 suspended\n · 514 active/);
  });
});

describe('cards: provisioning', () => {
  it('shows each line with its quantities and an overall verdict', () => {
    const o = order([
      { lineItemNumber: 2, status: 'PreFulfillmentPending', quantities: [{ quantity: 5, status: 'fulfilled' }, { quantity: 2, status: 'prefulfillmentpending' }] },
      { lineItemNumber: 1, status: 'fulfilled', quantities: [{ quantity: 10, status: 'fulfilled' }] },
    ]);
    const card = provisioningCard({ customer: contoso, provisioning: o, now: NOW });
    assertGoodCard(card, o);
    const text = allText(card);
    assert.match(text, /Provisioning of order order-1/);
    assert.match(text, /Some items are still pending\./);
    assert.match(text, /5 fulfilled, 2 pending/);
    // Without the order's line items the lines are counted from one, in Partner Center's order.
    assert.deepEqual(elementsWithText(card, /^Item \d of 2$/).map((el) => el.text), ['Item 1 of 2', 'Item 2 of 2']);
    assert.equal(elementsWithText(card, /^Pending$/)[0]?.weight, 'Bolder', 'what is not done yet stands out');
  });

  it('states each verdict', () => {
    const verdict = (lines: OrderProvisioning['lines']): string => allText(provisioningCard({ customer: contoso, provisioning: order(lines), now: NOW }));
    assert.match(verdict([{ lineItemNumber: 1, status: 'fulfilled', quantities: [] }]), /All items are fulfilled\./);
    assert.match(verdict([{ lineItemNumber: 1, status: 'Unfulfilled', quantities: [] }]), /some items were not fulfilled/);
    assert.match(verdict([]), /This order has no line items\./);
    assert.match(verdict([{ lineItemNumber: 1, status: 'fulfilled', quantities: [] }]), /no quantities reported/);
  });

  it('cuts a huge order', () => {
    const lines = Array.from({ length: 300 }, (_, i) => ({
      lineItemNumber: i,
      status: `${'weird'.repeat(30)}${i}`,
      quantities: Array.from({ length: 10 }, (_, q) => ({ quantity: q, status: `s${q}` })),
    }));
    const card = provisioningCard({ customer: contoso, provisioning: order(lines, 'x'.repeat(500)), now: NOW });
    assertGoodCard(card, lines);
    assert.match(allText(card), /and 250 more line items/);
  });
});

describe('cards: provisioning alert', () => {
  const before = order([
    { lineItemNumber: 1, status: 'prefulfillmentpending', quantities: [] },
    { lineItemNumber: 2, status: 'fulfilled', quantities: [] },
  ]);

  it('announces a finished order and marks the lines that changed', () => {
    const after = order([
      { lineItemNumber: 1, status: 'fulfilled', quantities: [{ quantity: 3, status: 'fulfilled' }] },
      { lineItemNumber: 2, status: 'fulfilled', quantities: [] },
    ]);
    const changes = [{ lineItemNumber: 1, from: 'prefulfillmentpending', to: 'fulfilled' }];
    const card = provisioningAlertCard({ customer: contoso, provisioning: after, changes, updatedAt: NOW });
    assertGoodCard(card, after);
    assert.equal((card.body[0] as { style: string }).style, 'good');
    const text = allText(card);
    assert.match(text, /Order fully provisioned\nContoso · contoso\.onmicrosoft\.com\nOrder order-1/);
    assert.equal(elementsWithText(card, /^Changed: was pending$/).length, 1);
  });

  it('announces unfulfilled items and pending changes', () => {
    const failed = provisioningAlertCard({
      customer: contoso,
      provisioning: order([{ lineItemNumber: 1, status: 'unfulfilled', quantities: [] }]),
      updatedAt: NOW,
    });
    assertGoodCard(failed);
    assert.match(allText(failed), /Order finished with unfulfilled items/);
    assert.equal((failed.body[0] as { style: string }).style, 'attention');
    assert.doesNotMatch(allText(failed), /was /);

    const pending = provisioningAlertCard({ customer: contoso, provisioning: before, changes: [], updatedAt: NOW });
    assertGoodCard(pending);
    assert.match(allText(pending), /Order provisioning changed/);
  });
});

describe('cards: incident alert', () => {
  const customers = [
    { customer: customer(3, { companyName: 'Zeta' }), resolved: false },
    { customer: customer(4, { companyName: 'Alpha' }), resolved: true },
    { customer: customer(5, { companyName: 'Beta' }), resolved: false, vanished: true },
    { customer: contoso, resolved: false },
  ];
  const active = incident('EX100', {
    severity: 'critical',
    status: 'critical',
    title: 'Users can’t send mail',
    messages: [
      { publishedTime: '2026-11-22T10:05:00Z', text: 'First.' },
      { publishedTime: '2026-11-22T13:00:00Z', text: 'Mitigation is <i>rolling out</i>.' },
    ],
  });

  it('shows the incident once with every watched customer and their state', () => {
    const input = { incident: active, customers, updatedAt: NOW, latestChange: 'Severity raised to critical' };
    const card = incidentAlertCard(input);
    assertGoodCard(card, input);
    assert.equal((card.body[0] as { style: string }).style, 'attention');
    const text = allText(card);
    assert.match(text, /^4 customers: Users can’t send mail\nSeverity raised to critical · Critical incident · Exchange Online\n22 Nov 2026 14:05 UTC/);
    assert.match(text, /Incident\nEX100/);
    assert.match(text, /Updates\n2 updates/);
    assert.match(text, /Latest update · 22 Nov 2026 13:00 UTC\nMitigation is rolling out\./);
    assert.match(text, /Watched customers \(4\): 2 affected, 1 recovered, 1 no longer listed/);
    const states = elementsWithText(card, /^(Contoso|Zeta|Alpha|Beta)$/).map((el) => el.text);
    assert.deepEqual(states, ['Contoso', 'Zeta', 'Alpha', 'Beta']);
    assert.equal(elementsWithText(card, /^Affected$/)[0]?.weight, 'Bolder');
    assert.equal(elementsWithText(card, /^Recovered$/)[0]?.weight, 'Default');
  });

  it('has a clear resolved style', () => {
    const resolved = { ...active, resolved: true, endTime: '2026-11-22T14:00:00Z' };
    const input = { incident: resolved, customers, updatedAt: NOW, latestChange: 'Resolved' };
    const card = incidentAlertCard(input);
    assertGoodCard(card, input);
    assert.equal((card.body[0] as { style: string }).style, 'good');
    const text = allText(card);
    assert.match(text, /Resolved · was critical · Exchange Online/);
    assert.match(text, /Ended\n22 Nov 2026 14:00 UTC/);
    assert.equal(elementsWithText(card, /^Affected$/).length, 0);
    assert.doesNotMatch(text, /Status\n/);
  });

  it('stays under the limit with hundreds of customers and long messages, and shrinks on request', () => {
    const many = Array.from({ length: 800 }, (_, i) => ({ customer: customer(i, { companyName: `${LONG_NAME}${i}` }), resolved: i % 3 === 0 }));
    const big = { ...active, title: LONG_NAME, messages: Array.from({ length: 100 }, () => ({ publishedTime: '2026-11-22T13:00:00Z', text: FIVE_KB })) };
    const input = { incident: big, customers: many, updatedAt: NOW, latestChange: LONG_NAME };
    const full = incidentAlertCard(input);
    assertGoodCard(full, input);
    assert.match(allText(full), /and 775 more customers/);
    assert.match(allText(full), /Updates\n100 updates/);

    const small = incidentAlertCard({ ...input, shrink: SHRUNK_INCIDENT_ALERT_LIMITS });
    assertGoodCard(small, input);
    assert.ok(cardSizeBytes(small) < cardSizeBytes(full) / 2, `${cardSizeBytes(small)} vs ${cardSizeBytes(full)}`);
    assert.match(allText(small), /and 795 more customers/);
    const message = elementsWithText(small, /^Engineers/)[0];
    assert.ok(message && String(message.text).length <= SHRUNK_INCIDENT_ALERT_LIMITS.maxMessageChars + 10);
  });

  it('works without any customer or message', () => {
    const input = { incident: { ...active, messages: [] }, customers: [], updatedAt: NOW, latestChange: '' };
    const card = incidentAlertCard(input);
    assertGoodCard(card, input);
    assert.doesNotMatch(allText(card), /Watched customers|Latest update/);
  });
});

describe('cards: watches', () => {
  const watches: WatchSummary[] = [
    { kind: 'customer', customerName: 'Contoso', orderId: null, minSeverity: 'warning', workloads: ['exchange', 'teams'], createdAt: '2026-11-01T09:00:00Z' },
    { kind: 'all', customerName: null, orderId: null, minSeverity: null, workloads: [], createdAt: '2026-11-02T09:00:00Z' },
    { kind: 'order', customerName: 'Fabrikam', orderId: 'ord-9', minSeverity: null, workloads: [], createdAt: '2026-11-03T09:00:00Z' },
  ];

  it('lists kind, target, filters, since and how to stop', () => {
    const card = watchesCard({ watches, now: NOW });
    assertGoodCard(card, watches);
    const text = allText(card);
    assert.match(text, /3 watches/);
    assert.match(text, /Customer: \nContoso\nWarning or more severe · exchange, teams · since 1 Nov 2026/);
    assert.match(text, /All customers: \nEvery customer\nEvery severity · every workload · since 2 Nov 2026/);
    assert.match(text, /Order: \nord-9 · Fabrikam/);
    // Rows whose ids could not travel in a button show the command to type instead.
    assert.equal(elementsWithText(card, /^unwatch Contoso$/).length, 1);
    assert.deepEqual(
      objects(card.body).filter((el) => el.type === 'Action.Execute').map((el) => [el.title, el.data]),
      [
        ['Stop watching all', { kind: 'all' }],
        ['Stop watching', { kind: 'order', orderId: 'ord-9' }],
      ],
    );
  });

  it('explains an empty list', () => {
    const card = watchesCard({ watches: [], now: NOW });
    assertGoodCard(card);
    assert.match(allText(card), /Nothing is watched here yet[\s\S]*watch Contoso/);
  });

  it('cuts a long list', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...watches[0]!, customerName: `${LONG_NAME}${i}`, workloads: Array.from({ length: 30 }, () => LONG_NAME) }));
    const card = watchesCard({ watches: many, now: NOW });
    assertGoodCard(card, many);
    assert.match(allText(card), /and 170 more watches/);
  });
});

describe('cards: hostile data', () => {
  const evil = '${$root.title} [x](http://evil) <at>Admin</at> **bold** _it_';
  const evilCustomer = customer(66, { companyName: evil, domain: '${1+1}.example' });

  it('never expands ${...} from data, nor renders its markdown or mentions', () => {
    const evilIncident = incident('EX666', { title: evil, workload: evil, messages: [{ publishedTime: '2026-11-22T10:00:00Z', text: evil }] });
    const cards = [
      statusCard({ customer: evilCustomer, incidents: [evilIncident], now: NOW }),
      customersCard({ prefix: evil, customers: [evilCustomer] }),
      customerChoiceCard({ query: evil, candidates: [{ customer: evilCustomer, command: `status for ${evil}` }] }),
      incidentAlertCard({ incident: evilIncident, customers: [{ customer: evilCustomer, resolved: false }], updatedAt: NOW, latestChange: evil }),
      messageCard({ title: evil, text: evil, tryThis: evil }),
      helpCard({ lead: evil }),
      subscriptionsCard({ customer: evilCustomer, subscriptions: [subscription(1, { friendlyName: evil, unitType: evil })], now: NOW }),
      provisioningCard({ customer: evilCustomer, provisioning: order([{ lineItemNumber: 1, status: evil, quantities: [] }], evil), now: NOW }),
      watchesCard({ watches: [{ kind: 'customer', customerName: evil, orderId: null, minSeverity: null, workloads: [evil], createdAt: 'x' }], now: NOW }),
    ];
    for (const card of cards) {
      assertGoodCard(card, [evil, evilCustomer]);
      // The template's own `${title}` would give the card title; the data's text stays literal instead.
      assert.ok(JSON.stringify(card).includes('${$root.title}') || !JSON.stringify(card).includes('$root'));
      assert.doesNotMatch(JSON.stringify(card), /"2\.example/);
      for (const el of elementsWithText(card, /http:\/\/evil/)) {
        if (el.type === 'TextRun') continue; // TextRuns are not markdown: the command stays exactly as typed
        assert.doesNotMatch(String(el.text), /\]\(|<at>|\*\*|(^|\s)_it_/, String(el.text));
      }
    }
  });

  it('keeps a company name with ${...} literally, proving the data is not expanded', () => {
    const card = customersCard({ prefix: null, customers: [customer(1, { companyName: '${$root.title}' })] });
    assertGoodCard(card, ['${$root.title}']);
    assert.equal(elementsWithText(card, /^\$\{\$root\.title\}$/).length, 1);
  });

  it('makes ${ inert in Partner Center message text', () => {
    const card = statusCard({ customer: contoso, incidents: [incident('EX1', { messages: [{ publishedTime: '2026-11-22T10:00:00Z', text: 'pay ${1+1}' }] })], now: NOW });
    assertGoodCard(card);
    const message = elementsWithText(card, /^pay /)[0];
    assert.equal(message?.text, `pay $${ZWSP}{1+1}`);
  });
});

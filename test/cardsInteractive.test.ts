// The cards' buttons and the cards they lead to: every variant with the largest data a partner can have
// still parses as Adaptive Card 1.5 without warnings and stays under MAX_CARD_BYTES.
import assert from 'node:assert/strict';
import {
  buttons as b,
  customerOverviewCard,
  customersCard,
  incidentHistoryCard,
  statusCard,
  subscriptionsCard,
  VERBS,
  type AdaptiveCardJson,
} from '../src/cards.js';
import { incidentAlertCard, threadAlertCard, type AlertThread } from '../src/sources/incidents/threadCard.js';
import { provisioningCard } from '../src/sources/provisioning/card.js';
import { contoso, customer, incident, subscription } from './support/samples.js';
import { allText, assertGoodCard, elementsWithText, NOW, objects, ZWSP } from './support/cardChecks.js';




const FIVE_KB = 'Engineers are investigating **the issue** <b>now</b> & [details](http://evil.example) '.repeat(70);
const LONG_NAME = 'Fabrikam_名"\u0001 '.repeat(40);
const minutes = (m: number) => new Date(Date.parse('2026-11-20T00:00:00Z') + m * 60_000).toISOString();

/** Every Action.Execute in the card (buttons, row buttons, clickable rows) as verb + data + title. */
function executes(card: AdaptiveCardJson): { title: string; verb: string; data: Record<string, unknown> }[] {
  return objects(card)
    .filter((el) => el.type === 'Action.Execute')
    .map((el) => ({ title: String(el.title), verb: String(el.verb), data: el.data as Record<string, unknown> }));
}

/** Every Action.Execute has a verb and an Action.Submit fallback carrying the same data plus the verb. */
function assertFallbacks(card: AdaptiveCardJson): void {
  for (const el of objects(card).filter((o) => o.type === 'Action.Execute')) {
    assert.deepEqual(el.fallback, { type: 'Action.Submit', title: el.title, data: { ...(el.data as object), verb: el.verb } });
  }
}

const topButtons = (card: AdaptiveCardJson) => (card.actions ?? []).map((a) => (a as { title: string }).title);

describe('cards: buttons on every card', () => {
  it('gives each incident row of the status card History and Customer, and the card Customer and Refresh', () => {
    const card = statusCard({ customer: contoso, incidents: [incident('EX100'), incident('weird id')], now: NOW, buttons: [b.overview(contoso.id), b.refresh(b.status(contoso.id))] });
    assertGoodCard(card);
    assertFallbacks(card);
    const rows = executes(card).filter((a) => a.verb === VERBS.history);
    assert.deepEqual(rows.map((a) => a.data), [{ customerId: contoso.id, incidentId: 'EX100' }], 'no History for an id a click could not send back');
    assert.equal(executes(card).filter((a) => a.verb === VERBS.overview).length, 3);
    assert.deepEqual(topButtons(card), ['Customer', 'Refresh']);
  });

  it('keeps the largest status card with row buttons under the limit', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      incident(`EX${1000 + i}`, { title: `${LONG_NAME} ${i}`, workload: LONG_NAME, messages: [{ publishedTime: minutes(i), text: FIVE_KB }] }),
    );
    const card = statusCard({ customer: customer(2, { companyName: LONG_NAME }), incidents: many, now: NOW, buttons: [b.overview(contoso.id), b.refresh(b.status(contoso.id))] });
    assertGoodCard(card, many);
    assert.equal(executes(card).filter((a) => a.verb === VERBS.history).length, 30);
  });

  it('makes customer rows clickable and pages the list 25 at a time', () => {
    const list = Array.from({ length: 140 }, (_, i) => customer(i));
    list[30] = { ...customer(30), id: 'not-a-guid' };
    const card = customersCard({ prefix: '', customers: list, page: 2, now: NOW, buttons: [b.customers('', 1, 'Previous page'), b.customers('', 3, 'Next page')] });
    assertGoodCard(card, list);
    assertFallbacks(card);
    assert.match(allText(card), /Showing 26–50 of 140/);
    assert.match(allText(card), /and 90 more customers/);
    const opens = executes(card).filter((a) => a.verb === VERBS.overview);
    assert.equal(opens.length, 24, 'every row but the one with an id a click could not send back');
    assert.deepEqual(opens[0]?.data, { customerId: list[25]?.id });
    assert.deepEqual(topButtons(card), ['Previous page', 'Next page']);
    assert.match(allText(customersCard({ prefix: '', customers: list, page: 99 })), /Showing 126–140 of 140/);
  });

  it('keeps the largest customers page under the limit', () => {
    const list = Array.from({ length: 5000 }, (_, i) => customer(i, { companyName: `${LONG_NAME}${i}`, domain: `${'d'.repeat(200)}.com` }));
    const card = customersCard({ prefix: LONG_NAME, customers: list, page: 1000, now: NOW, buttons: [b.customers(LONG_NAME.slice(0, 120), 199, 'Previous page')] });
    assertGoodCard(card, list);
  });

  it('filters and pages subscriptions, counting all of them', () => {
    const subs = Array.from({ length: 45 }, (_, i) => subscription(i, { status: i % 3 === 0 ? 'suspended' : 'active' }));
    const card = subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW, filter: 'active', page: 2 });
    assertGoodCard(card, subs);
    assert.match(allText(card), /45 subscriptions · showing active 21–30 of 30/);
    assert.match(allText(card), /15 suspended\n · 30 active/);
    assert.equal(elementsWithText(card, /^Suspended$/).length, 0);
    const none = subscriptionsCard({ customer: contoso, subscriptions: [subscription(1)], now: NOW, filter: 'attention', page: 1 });
    assertGoodCard(none);
    assert.match(allText(none), /No subscription of Contoso needs attention\./);
  });

  it('says who watches an order on the provisioning card', () => {
    const provisioning = { customerId: contoso.id, orderId: 'order-1', lines: [{ lineItemNumber: 1, status: 'pending', quantities: [] }] };
    const card = provisioningCard({ customer: contoso, provisioning, now: NOW, watch: { by: 'Ana', since: '2026-11-21T09:00:00Z' }, buttons: [b.provisioning(contoso.id, 'order-1'), b.unwatchOrder(contoso.id, 'order-1')] });
    assertGoodCard(card);
    assert.match(allText(card), /Watched here: changes are posted to this conversation until every line item is final \(set by Ana on 21 Nov 2026\)/);
    assert.deepEqual(topButtons(card), ['Refresh', 'Stop watching order']);
  });
});

describe('cards: incident history', () => {
  const messages = Array.from({ length: 12 }, (_, i) => ({ publishedTime: minutes(i * 30), text: `Update number ${i + 1}.` }));
  const history = incident('EX200', { messages: [...messages].reverse() });

  it('lists every update newest first, the first five shown and the rest behind a toggle', () => {
    const card = incidentHistoryCard({ customer: contoso, incident: history, now: NOW, buttons: [b.overview(contoso.id)] });
    assertGoodCard(card, history);
    const text = allText(card);
    assert.match(text, /Incident history · Warning/);
    assert.match(text, /Exchange Online: Problem EX200/);
    assert.match(text, /Contoso · as of 22 Nov 2026 14:05 UTC/);
    assert.match(text, /12 updates, newest first/);
    const order = elementsWithText(card, /^Update number \d+\.$/).map((el) => String(el.text));
    assert.deepEqual(order, Array.from({ length: 12 }, (_, i) => `Update number ${12 - i}.`));
    const hidden = objects(card).find((el) => el.id === 'history-more');
    assert.equal(hidden?.isVisible, false);
    assert.equal(elementsWithText(hidden, /^Update number/).length, 7);
    const toggle = objects(card).find((el) => el.type === 'Action.ToggleVisibility');
    assert.deepEqual(toggle, { type: 'Action.ToggleVisibility', title: 'Show all 12 updates', targetElements: ['history-more'] });
  });

  it('needs no toggle for a short history, and says when there is none', () => {
    const short = incidentHistoryCard({ customer: contoso, incident: incident('EX201'), now: NOW });
    assertGoodCard(short);
    assert.equal(objects(short).some((el) => el.type === 'Action.ToggleVisibility'), false);
    const none = incidentHistoryCard({ customer: contoso, incident: incident('EX202', { messages: [], resolved: true, endTime: '2026-11-22T12:00:00Z' }), now: NOW });
    assertGoodCard(none);
    assert.match(allText(none), /No updates have been published yet\./);
    assert.match(allText(none), /Ended\n22 Nov 2026 12:00 UTC/);
  });

  it('shows hostile update text inert', () => {
    const evil = '<a href="http://evil">x</a> [x](http://evil) <at>Everyone</at> ${user} **bold**';
    const card = incidentHistoryCard({ customer: contoso, incident: incident('EX203', { messages: [{ publishedTime: minutes(1), text: evil }] }), now: NOW });
    assertGoodCard(card, [evil]);
    const message = String(elementsWithText(card, /Everyone/)[0]?.text);
    assert.doesNotMatch(message, /href|<at>|\]\(|\$\{|\*\*/);
    assert.match(message.replaceAll(ZWSP, ''), /x \[x\]\(http:\/\/evil\) Everyone \$\{user\}/);
  });

  it('cuts a history too long for one card, and says so', () => {
    const huge = incident('EX204', { title: LONG_NAME, workload: LONG_NAME, messages: Array.from({ length: 500 }, (_, i) => ({ publishedTime: minutes(i), text: `${i} ${FIVE_KB}` })) });
    const card = incidentHistoryCard({ customer: customer(3, { companyName: LONG_NAME }), incident: huge, now: NOW, buttons: [b.overview(contoso.id), b.status(contoso.id), b.refresh(b.history(contoso.id, 'EX204'))] });
    assertGoodCard(card, huge);
    assert.match(allText(card), /500 updates, newest first/);
    assert.match(allText(card), /older updates are not shown: the card would be too big/);
    assert.match(String(elementsWithText(card, /^499 /)[0]?.text), /^499 Engineers/, 'the newest update comes first');
  });
});

describe('cards: customer overview', () => {
  const incidents = [incident('EX1', { severity: 'critical' }), incident('EX2'), incident('EX3'), incident('EX4', { resolved: true })];
  const subs = [subscription(1), subscription(2), subscription(3, { status: 'suspended' }), subscription(4, { status: 'expired' })];

  it('shows identity, incidents by severity, subscriptions by status and the watch', () => {
    const card = customerOverviewCard({ customer: contoso, incidents, subscriptions: subs, watch: { kind: 'customer', by: 'Ana', since: '2026-11-21T09:00:00Z' }, now: NOW, buttons: [b.status(contoso.id), b.subscriptions(contoso.id, 'all', 1), b.unwatchCustomer(contoso.id), b.refresh(b.overview(contoso.id))] });
    assertGoodCard(card);
    assertFallbacks(card);
    const text = allText(card);
    assert.match(text, /^Contoso\nCustomer overview · as of 22 Nov 2026 14:05 UTC/);
    assert.match(text, /Domain\ncontoso\.onmicrosoft\.com\nTenant id\n00000000-0000-4000-8000-000000000001\nRelationship\nReseller/);
    assert.match(text, /3 active incidents: 1 critical, 2 warning/);
    assert.equal(elementsWithText(card, /^3 active incidents/)[0]?.weight, 'Bolder');
    assert.match(text, /1 resolved incident still listed/);
    assert.match(text, /4 subscriptions: 1 suspended, 1 expired, 2 active/);
    assert.match(text, /2 subscriptions need attention/);
    assert.match(text, /Watched here: alerts about Contoso come to this conversation \(set by Ana on 21 Nov 2026\)/);
    assert.deepEqual(topButtons(card), ['Incidents', 'Subscriptions', 'Stop watching', 'Refresh']);
  });

  it('says when nothing is going on, and how a "watch all" covers the customer', () => {
    const quiet = customerOverviewCard({ customer: contoso, incidents: [], subscriptions: [], watch: null, now: NOW });
    assertGoodCard(quiet);
    assert.equal(elementsWithText(quiet, /^No active incidents for Contoso\.$/).length, 1);
    assert.match(allText(quiet), /Contoso has no product subscriptions\.\nThis conversation is not alerted about Contoso\./);
    const all = customerOverviewCard({ customer: contoso, incidents: [], subscriptions: [], watch: { kind: 'all', by: 'Ben', since: '2026-11-01T00:00:00Z' }, now: NOW });
    assert.match(allText(all), /Alerted here through “watch all” \(set by Ben on 1 Nov 2026\)/);
  });

  it('stays under the limit with the largest data', () => {
    const manyIncidents = Array.from({ length: 400 }, (_, i) => incident(`EX${i + 1000}`, { title: LONG_NAME, messages: [{ publishedTime: minutes(i), text: FIVE_KB }] }));
    const manySubs = Array.from({ length: 600 }, (_, i) => subscription(i, { friendlyName: LONG_NAME, status: i % 2 ? 'active' : 'suspended' }));
    const big = customer(9, { companyName: LONG_NAME, domain: LONG_NAME });
    const card = customerOverviewCard({ customer: big, incidents: manyIncidents, subscriptions: manySubs, watch: { kind: 'customer', by: LONG_NAME, since: 'x' }, now: NOW, buttons: [b.status(big.id), b.watchCustomer(big.id)] });
    assertGoodCard(card, [LONG_NAME]);
    assert.match(allText(card), /400 active incidents: 400 warning/);
  });
});

describe('cards: incident alert with its buttons', () => {
  const thread: AlertThread = {
    incident: incident('EX300', { severity: 'critical', status: 'critical' }),
    customers: { [contoso.id]: { name: 'Contoso', resolved: false, vanished: false }, [customer(2).id]: { name: 'Alpha', resolved: true, vanished: false } },
    updatedAt: '2026-11-22T14:00:00Z',
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };

  it('offers History, Customer, Acknowledge, Mute 4 h and Mute 24 h, and a clickable row per customer', () => {
    const card = threadAlertCard(thread, NOW);
    assertGoodCard(card);
    assertFallbacks(card);
    assert.deepEqual(topButtons(card), ['History', 'Customer', 'Acknowledge', 'Mute 4 h', 'Mute 24 h']);
    const top = executes({ ...card, body: [] });
    // Contoso is affected, so it comes first and the buttons open it.
    assert.deepEqual(top[0]?.data, { customerId: contoso.id, incidentId: 'EX300', fromAlert: 'EX300' });
    assert.deepEqual(top[3]?.data, { incidentId: 'EX300', hours: 4 });
    const rows = objects(card.body).filter((el) => el.type === 'ColumnSet' && el.selectAction);
    assert.deepEqual(rows.map((row) => (row.selectAction as { data: unknown }).data), [
      { customerId: contoso.id, fromAlert: 'EX300' },
      { customerId: customer(2).id, fromAlert: 'EX300' },
    ]);
  });

  it('shows who acknowledged and who muted until when, for everyone, and offers Unmute', () => {
    const card = threadAlertCard({ ...thread, acknowledgedBy: 'Ana', acknowledgedAt: '2026-11-22T14:05:00Z', mutedBy: 'Ben', mutedUntil: '2026-11-22T18:05:00Z' }, NOW);
    assertGoodCard(card);
    assert.match(allText(card), /Acknowledged by Ana at 14:05 UTC\nMuted by Ben until 18:05 UTC/);
    assert.deepEqual(topButtons(card), ['History', 'Customer', 'Unmute']);
    const nextDay = threadAlertCard({ ...thread, mutedBy: 'Ben', mutedUntil: '2026-11-23T14:05:00Z' }, NOW);
    assert.match(allText(nextDay), /Muted by Ben until 23 Nov 2026 14:05 UTC/);
    const over = threadAlertCard({ ...thread, mutedBy: 'Ben', mutedUntil: '2026-11-22T14:00:00Z' }, NOW);
    assert.doesNotMatch(allText(over), /Muted/);
    assert.deepEqual(topButtons(over).slice(-2), ['Mute 4 h', 'Mute 24 h']);
  });

  it('stays a plain notice without `interactive`, as before', () => {
    const card = incidentAlertCard({ incident: thread.incident, customers: [{ customer: contoso, resolved: false }], updatedAt: NOW, latestChange: 'x' });
    assert.equal(card.actions, undefined);
    assert.equal(objects(card).some((el) => el.selectAction), false);
  });

  it('stays under the limit with hundreds of customers, long names and a long message', () => {
    const customers = Object.fromEntries(Array.from({ length: 800 }, (_, i) => [customer(i).id, { name: `${LONG_NAME}${i}`, resolved: i % 3 === 0, vanished: false }]));
    const big = { ...thread, customers, incident: incident('EX301', { title: LONG_NAME, workload: LONG_NAME, messages: [{ publishedTime: minutes(1), text: FIVE_KB }] }), acknowledgedBy: LONG_NAME, acknowledgedAt: '2026-11-22T14:05:00Z', mutedBy: LONG_NAME, mutedUntil: '2026-11-23T14:05:00Z' };
    const card = threadAlertCard(big, NOW);
    assertGoodCard(card, [LONG_NAME]);
    assert.match(allText(card), /and 775 more customers/);
  });
});

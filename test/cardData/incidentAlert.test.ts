// Point 3 of "Cards that tell the whole story": an alert leads with who and what, says "New" for a new
// incident, offers nothing to acknowledge or mute once it is over, and counts every update.
import assert from 'node:assert/strict';
import { threadAlertCard, type AlertThread } from '../../src/sources/incidents/threadCard.js';
import { allText, assertGoodCard, NOW } from '../support/cardChecks.js';
import { buttonsOf } from '../support/clicks.js';
import { contoso, customer, incident } from '../support/samples.js';

const nine = Array.from({ length: 9 }, (_, i) => ({ publishedTime: `2026-11-22T1${i}:00:00Z`, text: `Update ${i + 1}.` }));

function thread(fields: Partial<AlertThread> = {}): AlertThread {
  return {
    incident: incident('EX400', { severity: 'critical', status: 'critical', title: 'Users can’t send mail' }),
    customers: { [contoso.id]: { name: 'Contoso', resolved: false, vanished: false } },
    openedAt: '2026-11-22T14:00:00Z',
    updatedAt: '2026-11-22T14:00:00Z',
    resolvedAt: null,
    mutedUntil: null,
    mutedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...fields,
  };
}

describe('cards: an alert leads with who and what', () => {
  it('starts with the customer and the incident title, then what happened', () => {
    const card = threadAlertCard(thread(), NOW);
    assertGoodCard(card);
    assert.match(allText(card), /^Contoso: Users can’t send mail\nNew · Critical incident · Exchange Online\n/);
  });

  it('says how many customers when there are several', () => {
    const customers = Object.fromEntries(
      [contoso, customer(2), customer(3), customer(4)].map((c, i) => [c.id, { name: c.companyName, resolved: i === 3, vanished: false }]),
    );
    const card = threadAlertCard(thread({ customers }), NOW);
    assert.match(allText(card), /^4 customers: Users can’t send mail\n/);
    assert.match(allText(card), /Watched customers \(4\): 3 affected, 1 recovered/);
  });

  it('says "New" for a thread not updated since it opened, "Updated" after, "Resolved" once over', () => {
    assert.match(allText(threadAlertCard(thread(), NOW)), /\nNew · /);
    assert.match(allText(threadAlertCard(thread({ updatedAt: '2026-11-22T14:03:00Z' }), NOW)), /\nUpdated · /);
    const resolved = thread({
      incident: incident('EX400', { severity: 'critical', status: 'normal', resolved: true, endTime: '2026-11-22T14:04:00Z', title: 'Users can’t send mail' }),
      customers: { [contoso.id]: { name: 'Contoso', resolved: true, vanished: false } },
      updatedAt: '2026-11-22T14:04:00Z',
      resolvedAt: '2026-11-22T14:04:00Z',
    });
    assert.match(allText(threadAlertCard(resolved, NOW)), /^Contoso: Users can’t send mail\nResolved · was critical · Exchange Online/);
  });

  it('offers no Acknowledge and no Mute once the incident is over, only History and Customer', () => {
    const open = buttonsOf({ actions: threadAlertCard(thread(), NOW).actions }).map((b) => b.title);
    assert.deepEqual(open, ['History', 'Customer', 'Acknowledge', 'Mute 4 h', 'Mute 24 h']);
    const resolved = thread({
      incident: incident('EX400', { resolved: true, endTime: '2026-11-22T14:04:00Z' }),
      customers: { [contoso.id]: { name: 'Contoso', resolved: true, vanished: false } },
      resolvedAt: '2026-11-22T14:04:00Z',
      mutedBy: 'Ana',
      mutedUntil: '2026-11-22T18:00:00Z',
    });
    assert.deepEqual(buttonsOf({ actions: threadAlertCard(resolved, NOW).actions }).map((b) => b.title), ['History', 'Customer']);
    // Every customer no longer listed is over too, even without Partner Center saying "resolved".
    const vanished = thread({ customers: { [contoso.id]: { name: 'Contoso', resolved: true, vanished: true } }, resolvedAt: '2026-11-22T14:04:00Z' });
    assert.deepEqual(buttonsOf({ actions: threadAlertCard(vanished, NOW).actions }).map((b) => b.title), ['History', 'Customer']);
  });

  it('counts every update, not the few a thread keeps', () => {
    const kept = thread({ incident: { ...incident('EX400'), messages: nine.slice(-5), messageCount: 9 } });
    assert.match(allText(threadAlertCard(kept, NOW)), /Updates\n9 updates/);
    const plain = thread({ incident: { ...incident('EX400'), messages: nine } });
    assert.match(allText(threadAlertCard(plain, NOW)), /Updates\n9 updates/);
  });

  it('keeps "Back to alert" reachable: History, Customer and the customer rows say they came from the alert', () => {
    const card = threadAlertCard(thread(), NOW);
    const fromAlert = buttonsOf(card).filter((b) => b.data.fromAlert === 'EX400').map((b) => b.title);
    assert.deepEqual(fromAlert, ['Open Contoso', 'History', 'Customer']);
  });
});

describe('cards: an alert over many customers', () => {
  it('lists the first 25 in order (affected, recovered, no longer listed; by name) and counts the rest', () => {
    // 300 customers in a scrambled order, a third in each state: the card must show exactly what a full sort
    // would put first, although it sorts only what it shows.
    const entries = Array.from({ length: 300 }, (_, i) => {
      const n = (i * 7919) % 300;
      return { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `Customer ${String((n * 31) % 300).padStart(3, '0')}`, rank: n % 3 };
    });
    const customers = Object.fromEntries(entries.map((e) => [e.id, { name: e.name, resolved: e.rank === 1, vanished: e.rank === 2 }]));
    const expected = [...entries]
      .sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name))
      .slice(0, 25)
      .map((e) => e.name);
    const card = threadAlertCard(thread({ customers }), NOW);
    assertGoodCard(card);
    const text = allText(card);
    // Each row names its customer twice (its text and its button).
    const listed = [...new Set([...text.matchAll(/Customer \d{3}/g)].map((match) => match[0]))];
    assert.deepEqual(listed, expected);
    assert.match(text, /Watched customers \(300\): 100 affected, 100 recovered, 100 no longer listed/);
    assert.match(text, /and 275 more customers/);
  });
});

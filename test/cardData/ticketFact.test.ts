// The alert card shows the customers' PSA tickets: the number as a link to the PSA.
import assert from 'node:assert/strict';
import { threadAlertCard, type AlertThread } from '../../src/cards.js';
import { incidentTickets } from '../../src/tickets/cardTickets.js';
import { emptyState, type TicketRecord } from '../../src/store/state.js';
import { allText, assertGoodCard, NOW } from '../support/cardChecks.js';
import { contoso, customer, incident } from '../support/samples.js';

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

const record = (customerId: string, customerName: string, episode: number, number: string | null): TicketRecord => ({
  episodeKey: `incident|EX400|${customerId}|${episode}`, customerId, customerName, psa: 'autotask', reference: 'r', state: number ? 'open' : 'creating',
  ticketId: number ? 1 : null, number, url: number ? `https://ww5.autotask.net/x?TicketID=${number}` : null, companyId: 1, createdAt: '', updatedAt: '',
});

describe('cards: the PSA ticket on an alert', () => {
  it('shows one customer\'s ticket number as a link, in a valid card', () => {
    const card = threadAlertCard(thread({ tickets: [{ customerName: 'Contoso', number: 'T20261207.0012', url: 'https://ww5.autotask.net/t?id=12' }] }), NOW);
    assertGoodCard(card);
    assert.match(JSON.stringify(card), /"title":"Ticket","value":"\[T20261207\.0012\]\(https:\/\/ww5\.autotask\.net\/t\?id=12\)"/);
  });

  it('names the customer of each ticket on a card of several, and counts the rest', () => {
    const others = [customer(2), customer(3), customer(4), customer(5)];
    const customers = Object.fromEntries([contoso, ...others].map((c) => [c.id, { name: c.companyName, resolved: false, vanished: false }]));
    const tickets = [contoso, ...others].map((c, i) => ({ customerName: c.companyName, number: `#${4700 + i}`, url: null }));
    const card = threadAlertCard(thread({ customers, tickets }), NOW);
    assertGoodCard(card);
    assert.match(allText(card), /Tickets\n.*Contoso #4700, .* and 2 more/);
  });

  it('takes each customer\'s latest episode of the incident, and nothing still being created', () => {
    const state = emptyState();
    for (const r of [record(contoso.id, 'Contoso', 0, 'T1'), record(contoso.id, 'Contoso', 1, 'T2'), record('other', 'Other', 0, null), record('notshown', 'Not shown', 0, 'T9')]) state.tickets[r.episodeKey] = r;
    assert.deepEqual(incidentTickets(state, 'EX400', [contoso.id, 'other']).map((t) => t.number), ['T2']);
  });
});

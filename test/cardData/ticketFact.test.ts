// The alert cards show the customers' PSA tickets: the number as a link to the PSA. An incident card each
// customer's; an access card its episode's, found under the key its source gave the alert event.
import assert from 'node:assert/strict';
import { threadAlertCard, type AlertThread } from '../../src/sources/incidents/threadCard.js';
import { accessAlertCard } from '../../src/sources/access/card.js';
import { accessEpisodeKey, type AccessEvent, type AccessThread } from '../../src/sources/access/model.js';
import { alertEventOf } from '../../src/sources/access/routing.js';
import { episodeTicket, incidentTickets, withEpisodeTicket } from '../../src/tickets/cardTickets.js';
import { emptyState, type TicketRecord } from '../../src/store/state.js';
import { readPorts } from '../../src/store/ports/index.js';
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
    assert.deepEqual(incidentTickets(readPorts(() => state).tickets, 'EX400', [contoso.id, 'other']).map((t) => t.number), ['T2']);
  });
});

describe('cards: the PSA ticket on an access alert', () => {
  const openedAt = '2026-11-22T09:00:00Z';
  const event: AccessEvent = {
    id: 'e1', customerId: contoso.id, customerName: 'Contoso', episode: 1, openedAt, severity: 'critical', news: true, opens: true, closes: false, relationships: [],
    changes: [{ kind: 'lost', text: 'Access lost.', severity: 'critical', recovery: false }],
  };
  const thread: AccessThread = {
    key: `A|access|${contoso.id}|1`, targetKey: 'A', customerId: contoso.id, customerName: 'Contoso', episode: 1, openedAt, activityId: 'activity-1', relationships: [],
    severity: 'critical', changes: [{ at: openedAt, kind: 'lost', text: 'Access lost.', severity: 'critical', recovery: false }], updatedAt: openedAt, closedAt: null,
    mutedUntil: null, mutedBy: null, acknowledgedBy: null, acknowledgedAt: null, lastSentAt: null,
  };

  it('shows the ticket opened under the episode key of its alert events, as a link, in a valid card', () => {
    const state = emptyState();
    const key = alertEventOf(event, openedAt).episode.key;
    state.tickets[key] = { ...record(contoso.id, 'Contoso', 0, 'T20261122.0007'), episodeKey: key, url: 'https://ww5.autotask.net/t?id=7' };
    const card = accessAlertCard(withEpisodeTicket(readPorts(() => state).tickets, thread, accessEpisodeKey(thread.customerId, thread.openedAt)), NOW);
    assertGoodCard(card);
    assert.match(JSON.stringify(card), /"title":"Ticket","value":"\[T20261122\.0007\]\(https:\/\/ww5\.autotask\.net\/t\?id=7\)"/);
  });

  it('shows no ticket while the create is pending, nor another episode\'s', () => {
    const state = emptyState();
    const key = alertEventOf(event, openedAt).episode.key;
    state.tickets[key] = { ...record(contoso.id, 'Contoso', 0, null), episodeKey: key };
    state.tickets.other = { ...record(contoso.id, 'Contoso', 0, 'T9'), episodeKey: accessEpisodeKey(contoso.id, '2026-10-01T00:00:00Z') };
    assert.equal(episodeTicket(readPorts(() => state).tickets, key), null);
    assert.doesNotMatch(allText(accessAlertCard(withEpisodeTicket(readPorts(() => state).tickets, thread, key), NOW)), /Ticket/);
  });
});

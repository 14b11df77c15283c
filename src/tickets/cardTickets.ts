// The PSA tickets an incident card shows: for each customer on the card, the ticket of its latest episode of
// that incident (opened or completed; a create still pending has no number yet). The card shows the number
// as a link from its next render on (the ticket is usually made just after the card is posted).
import type { CardTicket } from '../cardData/alertThread.js';
import type { IncidentThread, State } from '../store/state.js';

export function incidentTickets(state: Readonly<State>, incidentId: string, customerIds: readonly string[]): CardTicket[] {
  const wanted = new Set(customerIds);
  const latest = new Map<string, { episode: number; ticket: CardTicket }>();
  for (const record of Object.values(state.tickets)) {
    if (!wanted.has(record.customerId) || !record.number) continue;
    const [source, id, , episode] = record.episodeKey.split('|');
    if (source !== 'incident' || id !== incidentId) continue;
    const number = Number(episode ?? 0);
    const known = latest.get(record.customerId);
    if (known && known.episode > number) continue;
    latest.set(record.customerId, { episode: number, ticket: { customerName: record.customerName, number: record.number, url: record.url } });
  }
  return [...latest.values()].map((entry) => entry.ticket).sort((a, b) => a.customerName.localeCompare(b.customerName));
}

/** The thread with its customers' tickets, for the card. */
export function withTickets(state: Readonly<State>, thread: IncidentThread): IncidentThread & { tickets: CardTicket[] } {
  return { ...thread, tickets: incidentTickets(state, thread.incidentId, Object.keys(thread.customers)) };
}

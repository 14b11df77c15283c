// The PSA tickets an alert card shows. An incident card: for each customer on the card, the ticket of its
// latest episode of that incident. A subscription or access card (one customer's episode): that episode's
// ticket, by the episode key its source gave the alert event. Opened or completed; a create still pending has
// no number yet. The card shows the number as a link from its next render on (the ticket is usually made just
// after the card is posted).
import type { CardTicket } from '../cardData/alertThread.js';
import type { Tickets } from '../store/ports/tickets.js';
import type { IncidentThread } from '../store/state.js';

export function incidentTickets(tickets: Tickets, incidentId: string, customerIds: readonly string[]): CardTicket[] {
  const wanted = new Set(customerIds);
  const latest = new Map<string, { episode: number; ticket: CardTicket }>();
  for (const record of tickets.all()) {
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
export function withTickets(tickets: Tickets, thread: IncidentThread): IncidentThread & { tickets: CardTicket[] } {
  return { ...thread, tickets: incidentTickets(tickets, thread.incidentId, Object.keys(thread.customers)) };
}

/** One episode's ticket (a subscription's, an access episode's), or null while it has none with a number. */
export function episodeTicket(tickets: Tickets, episodeKey: string): CardTicket | null {
  const record = tickets.get(episodeKey);
  return record?.number ? { customerName: record.customerName, number: record.number, url: record.url } : null;
}

/** A subscription or access thread with its episode's ticket, for the card (`episodeKey` as its source makes it). */
export function withEpisodeTicket<T extends object>(tickets: Tickets, thread: T, episodeKey: string): T & { ticket: CardTicket | null } {
  return { ...thread, ticket: episodeTicket(tickets, episodeKey) };
}

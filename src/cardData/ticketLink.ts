// A PSA ticket as an alert card shows it: its number, as a link to the PSA when the PSA gave one. Shared by
// the incident, subscription and access alert cards.
import type { CardTicket } from './alertThread.js';
import { identifier } from './format.js';

/** "[T20261207.0012](https://…)", or the bare number without a usable URL. */
export function ticketLink(ticket: CardTicket): string {
  // "T20261207.0012", "#4711": a ticket number of that shape is shown as it is (no markdown can hide in it).
  const number = /^#?[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(ticket.number) ? ticket.number : identifier(ticket.number, 40);
  return ticket.url && /^https?:\/\//.test(ticket.url) ? `[${number}](${ticket.url.replace(/[()\s]/g, encodeURIComponent)})` : number;
}

/** The "Ticket" fact of a card about one customer's episode: none until the ticket has a number. */
export function ticketFact(ticket: CardTicket | null | undefined): { title: string; value: string }[] {
  return ticket ? [{ title: 'Ticket', value: ticketLink(ticket) }] : [];
}

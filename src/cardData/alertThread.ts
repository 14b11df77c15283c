// A PSA ticket as an alert card shows it (incidents, subscriptions, access: src/tickets/cardTickets.ts).

/** A customer's PSA ticket of this incident, shown on the card as a link. */
export interface CardTicket {
  customerName: string;
  number: string;
  url: string | null;
}

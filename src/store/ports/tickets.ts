// The tickets ports: the PSA tickets the bot opened (one per problem episode of one customer) and the PSA
// companies set by hand per customer. Both backends serve them from memory (PostgreSQL: the resident copies
// of `tickets` and `ticket_companies`, one row per record, which could be read by primary key). A ticket is
// read synchronously (cards render with it); a company asynchronously (its one caller awaits anyway).
import type { State, TicketCompanyLink, TicketRecord } from '../state.js';

export interface Tickets {
  /** The ticket of one episode (by its episode key). */
  get(episodeKey: string): Readonly<TicketRecord> | undefined;
  all(): readonly Readonly<TicketRecord>[];
}

export interface TicketWrites extends Tickets {
  put(record: TicketRecord): void;
  remove(episodeKey: string): void;
}

export interface TicketCompanies {
  /** The PSA company set by hand for a customer (by customer id). */
  get(customerId: string): Promise<Readonly<TicketCompanyLink> | undefined>;
}

/** Inside a transaction: read from and written to its draft. */
export interface TicketCompanyWrites {
  get(customerId: string): TicketCompanyLink | undefined;
  put(link: TicketCompanyLink): void;
  /** Forgets the customer's company; returns what it was. */
  remove(customerId: string): TicketCompanyLink | undefined;
}

export function ticketsOf(state: () => State): TicketWrites {
  return {
    get: (episodeKey) => state().tickets[episodeKey],
    all: () => Object.values(state().tickets),
    put(record) {
      state().tickets[record.episodeKey] = record;
    },
    remove(episodeKey) {
      delete state().tickets[episodeKey];
    },
  };
}

export function ticketCompaniesOf(state: () => State): TicketCompanyWrites {
  return {
    get: (customerId) => state().ticketCompanies[customerId],
    put(link) {
      state().ticketCompanies[link.customerId] = link;
    },
    remove(customerId) {
      const had = state().ticketCompanies[customerId];
      delete state().ticketCompanies[customerId];
      return had;
    },
  };
}

export function ticketCompaniesReader(state: () => State): TicketCompanies {
  const records = ticketCompaniesOf(state);
  return { get: async (customerId) => records.get(customerId) };
}

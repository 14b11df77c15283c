// The storage ports: a small interface of queries and writes per kind of record, so the app asks for what it
// needs instead of reading one whole-state object. `store.ports` reads what is durable; a transaction's `tx`
// has the same ports with writes, over the change's draft (the draft itself is never handed out).
//
// Both backends serve these from the same in-memory records they serve read() from (lowdb: the document;
// PostgreSQL: the resident copy). A read whose callers all await already is async, so that PostgreSQL can
// answer it by query later; the others stay synchronous while their callers are, and each port's file says
// which query could serve them. Inside a transaction every read is synchronous: it reads the draft. The card
// threads and the snapshots are not behind these ports yet (paged.ts).
import type { State } from '../state.js';
import { accessListingOf, accessListingReader, accessRefusalsOf, type AccessListing, type AccessListingRecord, type AccessRefusals, type AccessRefusalWrites } from './access.js';
import { conversationsOf, type ConversationWrites, type Conversations } from './conversations.js';
import { deliveryLogOf, type DeliveryLog, type DeliveryLogWrites } from './deliveryLog.js';
import { orderCustomersOf, orderCustomersReader, type OrderCustomers, type OrderCustomerWrites } from './orderCustomers.js';
import { outboundOf, outboundReader, type OutboundQueue, type OutboundWrites } from './outbound.js';
import { outboxOf, type Outbox, type OutboxWrites } from './outbox.js';
import { partnerCenterTokenOf, type PartnerCenterToken, type PartnerCenterTokenWrites } from './partnerCenterToken.js';
import { sweepOf, type Sweep, type SweepWrites } from './sweep.js';
import { ticketCompaniesOf, ticketCompaniesReader, ticketsOf, type TicketCompanies, type TicketCompanyWrites, type TicketWrites, type Tickets } from './tickets.js';
import { watchesOf, type WatchWrites, type Watches } from './watches.js';

export interface StorePorts {
  readonly conversations: Conversations;
  readonly watches: Watches;
  readonly outbox: Outbox;
  readonly deliveryLog: DeliveryLog;
  readonly sweep: Sweep;
  readonly accessRefusals: AccessRefusals;
  readonly accessListing: AccessListing;
  readonly partnerCenterToken: PartnerCenterToken;
  readonly tickets: Tickets;
  readonly ticketCompanies: TicketCompanies;
  readonly outbound: OutboundQueue;
  readonly orderCustomers: OrderCustomers;
}

/** The ports inside `store.transaction`: what they write is committed with the transaction, or not at all. */
export interface TxPorts {
  readonly conversations: ConversationWrites;
  readonly watches: WatchWrites;
  readonly outbox: OutboxWrites;
  readonly deliveryLog: DeliveryLogWrites;
  readonly sweep: SweepWrites;
  readonly accessRefusals: AccessRefusalWrites;
  readonly accessListing: AccessListingRecord;
  readonly partnerCenterToken: PartnerCenterTokenWrites;
  readonly tickets: TicketWrites;
  readonly ticketCompanies: TicketCompanyWrites;
  readonly outbound: OutboundWrites;
  readonly orderCustomers: OrderCustomerWrites;
}

function portsOver(state: () => State, writable: boolean): TxPorts {
  return {
    conversations: conversationsOf(state, writable),
    watches: watchesOf(state),
    outbox: outboxOf(state),
    deliveryLog: deliveryLogOf(state),
    sweep: sweepOf(state),
    accessRefusals: accessRefusalsOf(state),
    accessListing: accessListingOf(state),
    partnerCenterToken: partnerCenterTokenOf(state),
    tickets: ticketsOf(state),
    ticketCompanies: ticketCompaniesOf(state),
    outbound: outboundOf(state),
    orderCustomers: orderCustomersOf(state),
  };
}

/** The read ports over what a store publishes (`published` is asked at every call: it may be replaced). */
export function readPorts(published: () => Readonly<State>): StorePorts {
  const state = published as () => State;
  return {
    ...portsOver(state, false),
    accessListing: accessListingReader(state),
    ticketCompanies: ticketCompaniesReader(state),
    outbound: outboundReader(state),
    orderCustomers: orderCustomersReader(state),
  };
}

/** The ports a transaction writes through: over the change's draft, which only they reach. */
export function txPorts(draft: State): TxPorts {
  return portsOver(() => draft, true);
}

/**
 * `store.transaction` on top of a store's `update`: the work runs on the change's draft, through the ports,
 * and commits (or fails) with it. The work is synchronous: both backends run a group of changes on one draft
 * in one step (lowdb's group commit, PostgreSQL's commit in REPEATABLE READ), so it cannot await inside.
 */
export function transactionOn<T>(update: (change: (draft: State) => T) => Promise<T>, work: (tx: TxPorts) => T): Promise<T> {
  return update((draft) => {
    const result = work(txPorts(draft));
    if (result instanceof Promise) throw new TypeError('store.transaction runs its work on a draft in one step: the work must not be async');
    return result;
  });
}

// The order index port: which customer each order the bot has seen belongs to, so "provisioning order X"
// finds its customer without "for". Resident on both backends; a reader asks asynchronously (every caller
// awaits anyway), so PostgreSQL can answer by reading the one row by order id instead.
import type { State } from '../state.js';

export interface OrderCustomers {
  /** The customer id of an order, if the bot has seen it. */
  customerOf(orderId: string): Promise<string | undefined>;
}

/** Inside a transaction: read from and written to its draft. */
export interface OrderCustomerWrites {
  customerOf(orderId: string): string | undefined;
  remember(orderId: string, customerId: string): void;
}

export function orderCustomersOf(state: () => State): OrderCustomerWrites {
  return {
    customerOf: (orderId) => state().orderCustomers[orderId],
    remember(orderId, customerId) {
      state().orderCustomers[orderId] = customerId;
    },
  };
}

export function orderCustomersReader(state: () => State): OrderCustomers {
  const records = orderCustomersOf(state);
  return { customerOf: async (orderId) => records.customerOf(orderId) };
}

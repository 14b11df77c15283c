// The order index port: which customer each order the bot has seen belongs to, so "provisioning order X"
// finds its customer without "for". Reads are synchronous for now (resident on both backends; PostgreSQL
// could read one row by order id).
import type { State } from '../state.js';

export interface OrderCustomers {
  /** The customer id of an order, if the bot has seen it. */
  customerOf(orderId: string): string | undefined;
}

export interface OrderCustomerWrites extends OrderCustomers {
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

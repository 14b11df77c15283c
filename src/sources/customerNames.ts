// The name a summary gives a customer, from what the state knows of it: the directory's name, else the one
// a watch was made with, else the one on an incident card of the conversation, else its id. Shared by the
// incidents and provisioning sources' digest parts, so that one customer has one name in a digest.
import type { State } from '../store/state.js';

export type CustomerNames = (customerId: string) => string;

export function customerNames(state: Readonly<State>, targetKey: string, directoryName?: (customerId: string) => string | undefined): CustomerNames {
  const threads = Object.values(state.threads).filter((thread) => thread.targetKey === targetKey);
  return (customerId) => {
    const known = directoryName?.(customerId);
    if (known) return known;
    const watch = state.watches.find((w) => w.customerId === customerId && w.customerName);
    if (watch?.customerName) return watch.customerName;
    for (const thread of threads) {
      const customer = thread.customers[customerId];
      if (customer) return customer.name;
    }
    return customerId;
  };
}

// A watched customer the directory does not know (yet): enough to fetch and to name it.
import type { Customer } from './types.js';

/** A customer known only by id (and the name its watch remembered): enough to fetch and to name it. */
export function customerFromWatch(customerId: string, name: string | null): Customer {
  return { id: customerId, companyName: name ?? customerId, domain: '', relationshipToPartner: 'unknown' };
}

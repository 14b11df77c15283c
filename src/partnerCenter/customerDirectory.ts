// The partner's customers as the bot and the engine ask about them: by tenant id, by what a user typed,
// and the whole list for "watch all". Two implementations: in memory (memoryDirectory.ts, for the lowdb
// store's single process) and a table of the database shared by every instance (tableDirectory.ts, for
// PostgreSQL), so that no instance holds every customer as the partner grows.
import type { CustomerMatch } from '../domain/customerMatch.js';
import type { Customer } from '../domain/types.js';
import type { PartnerCenterClient } from './client.js';
import type { RequestContext } from './http.js';

export interface CustomerDirectory {
  /** A complete listing is known (in memory, or in the table): matching need not ask Partner Center first. */
  readonly isWarm: boolean;
  /** The last listing that completed, however old, or null if none has: what a failed listing falls back on. */
  known(): Promise<readonly Customer[] | null>;
  /** Every customer, in name order. Waits only when nothing has been listed yet. */
  all(ctx: RequestContext): Promise<readonly Customer[]>;
  /** How many customers `all` would give. */
  count(ctx: RequestContext): Promise<number>;
  /** Start (or join) a full listing from Partner Center now; resolves with what it listed. */
  reload(ctx?: RequestContext): Promise<readonly Customer[]>;
  /** At start: list unless a listing fresh enough is known already (another instance's, in the table). */
  warmUp(ctx: RequestContext): Promise<void>;
  /** The customer with this tenant id, if at hand now (in memory, or in the bounded cache): never waits. */
  find(customerId: string): Customer | undefined;
  /** Brings these customers to hand for `find` (as many as the cache holds); never asks Partner Center. */
  prefetch(customerIds: Iterable<string>): Promise<void>;
  /** These customers by lower-cased tenant id, however many, for one piece of work to hold and let go (never cached). */
  customersById(customerIds: Iterable<string>): Promise<Map<string, Customer>>;
  /** The customer with this tenant id; lists Partner Center only when nothing has been listed yet. */
  lookup(ctx: RequestContext, customerId: string): Promise<Customer | undefined>;
  /** Partner Center's own starts_with filter, on company name and on domain, merged. */
  search(ctx: RequestContext, prefix: string): Promise<Customer[]>;
  /** Which customer the user meant (customerMatch.ts): exact, unique prefix, candidates or suggestions. */
  resolve(ctx: RequestContext, query: string): Promise<CustomerMatch>;
  close(): Promise<void>;
}

/** Partner Center's own starts_with filter, on company name and on domain, merged (both directories search so). */
export async function searchPartnerCenter(client: PartnerCenterClient, ctx: RequestContext, prefix: string): Promise<Customer[]> {
  const seen = new Map<string, Customer>();
  for (const field of ['CompanyName', 'Domain'] as const) {
    for await (const page of client.allCustomers(ctx, { field, prefix })) {
      for (const customer of page) seen.set(customer.id, customer);
    }
  }
  return [...seen.values()].sort((a, b) => a.companyName.localeCompare(b.companyName));
}

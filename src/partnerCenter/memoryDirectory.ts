// The partner's customers, kept warm in memory so that resolving "contoso" in a chat command costs no
// Partner Center request: the directory of the lowdb store's single process (customerDirectory.ts). Listing
// everything is a paged walk; it runs at most once at a time, and a stale list keeps answering while the
// next one loads.
import { randomUUID } from 'node:crypto';
import { CustomerIndex, matchCustomer, type CustomerMatch } from '../domain/customerMatch.js';
import type { Customer } from '../domain/types.js';
import type { PartnerCenterClient } from './client.js';
import { searchPartnerCenter, type CustomerDirectory } from './customerDirectory.js';
import type { RequestContext } from './http.js';
import { systemClock, type Clock } from './rateBudget.js';

export interface CustomerDirectoryOptions {
  /** How long a full listing is trusted before it is refreshed in the background. */
  ttlMs?: number;
  clock?: Clock;
}

export class MemoryCustomerDirectory implements CustomerDirectory {
  private customers: Customer[] | null = null;
  /** Prepared once per listing: a command at 50,000 customers must not fold every name again. */
  private index: CustomerIndex | null = null;
  private loadedAt = 0;
  private loading: Promise<Customer[]> | null = null;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly client: PartnerCenterClient,
    options: CustomerDirectoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.clock = options.clock ?? systemClock;
  }

  get isWarm(): boolean {
    return this.customers !== null;
  }

  /** The last list that loaded completely, however old, or null if none has: what a failed listing falls back on. */
  async known(): Promise<Customer[] | null> {
    return this.customers;
  }

  /** Every customer. Waits only when nothing has been loaded yet. */
  async all(ctx: RequestContext): Promise<Customer[]> {
    if (this.customers && this.clock.now() - this.loadedAt < this.ttlMs) return this.customers;
    const load = this.reload(ctx);
    return this.customers ?? load;
  }

  /** Start (or join) a full listing now, e.g. at start-up or when a poll cycle wants new customers. */
  reload(ctx: RequestContext = { correlationId: randomUUID() }): Promise<Customer[]> {
    this.loading ??= this.listAll(ctx).finally(() => {
      this.loading = null;
    });
    // A background refresh that fails must not become an unhandled rejection; callers awaiting it still see it.
    this.loading.catch(() => undefined);
    return this.loading;
  }

  async count(ctx: RequestContext): Promise<number> {
    return (await this.all(ctx)).length;
  }

  async warmUp(ctx: RequestContext): Promise<void> {
    await this.reload(ctx);
  }

  find(customerId: string): Customer | undefined {
    return this.index?.byTenantId(customerId);
  }

  /** Everything is in memory once listed: only the first listing, if one is under way, is waited for. */
  async prefetch(): Promise<void> {
    if (!this.isWarm) await this.loading?.catch(() => undefined);
  }

  async customersById(customerIds: Iterable<string>): Promise<Map<string, Customer>> {
    const found = new Map<string, Customer>();
    for (const id of customerIds) {
      const customer = this.find(id);
      if (customer) found.set(id.toLowerCase(), customer);
    }
    return found;
  }

  async lookup(ctx: RequestContext, customerId: string): Promise<Customer | undefined> {
    const wanted = customerId.toLowerCase();
    return this.find(wanted) ?? (await this.all(ctx)).find((customer) => customer.id.toLowerCase() === wanted);
  }

  search(ctx: RequestContext, prefix: string): Promise<Customer[]> {
    return searchPartnerCenter(this.client, ctx, prefix);
  }

  async close(): Promise<void> {}

  async resolve(ctx: RequestContext, query: string): Promise<CustomerMatch> {
    if (!this.isWarm) {
      // Cold start: two filtered requests answer most names without listing every customer first.
      const found = await this.search(ctx, query.trim());
      const match = matchCustomer(query, found);
      if (match.kind !== 'none') return match;
    }
    const customers = await this.all(ctx);
    const index = this.index?.customers === customers ? this.index : new CustomerIndex(customers);
    return index.match(query);
  }

  private async listAll(ctx: RequestContext): Promise<Customer[]> {
    const listed: Customer[] = [];
    for await (const page of this.client.allCustomers(ctx)) listed.push(...page);
    this.loadedAt = this.clock.now();
    // Every sweep round lists afresh: at 50,000 customers sorting and indexing them again blocks the event
    // loop for a few hundred milliseconds, and most of the time nothing changed.
    if (this.customers && sameCustomers(this.customers, listed)) return this.customers;
    listed.sort((a, b) => byName.compare(a.companyName, b.companyName));
    this.index = new CustomerIndex(listed);
    this.customers = listed;
    return listed;
  }
}

const byName = new Intl.Collator();

/** The same customers with the same names and domains, in any order. */
function sameCustomers(known: readonly Customer[], listed: readonly Customer[]): boolean {
  if (known.length !== listed.length) return false;
  const byId = new Map(known.map((customer) => [customer.id, customer]));
  return listed.every((customer) => {
    const before = byId.get(customer.id);
    return before !== undefined && before.companyName === customer.companyName && before.domain === customer.domain && before.relationshipToPartner === customer.relationshipToPartner;
  });
}

// The customer directory on PostgreSQL: the customers are rows of a table every instance shares
// (domain/customerRows.ts; store/postgres/customerTable.ts on PostgreSQL), not a list each instance keeps. Whoever lists Partner Center writes the
// rows (the leader each sweep round; any instance when the table is older than the ttl); every other instance
// answers from the table without listing. Memory holds only a bounded cache of customers by tenant id, which
// a listing's NOTIFY empties; matching asks the table (exact and prefix by index; suggestions scan the
// folded names a page at a time), and gives exactly the answers of the in-memory index.
import { randomUUID } from 'node:crypto';
import { BoundedCache } from '../domain/boundedCache.js';
import { fold, isTenantId, matchCustomer, SUGGESTIONS, suggestionDistance, suggestionThreshold, type CustomerMatch } from '../domain/customerMatch.js';
import type { Customer } from '../domain/types.js';
import type { CustomerRow, CustomerRows, ListingMark } from '../domain/customerRows.js';
import type { PartnerCenterClient } from './client.js';
import { searchPartnerCenter, type CustomerDirectory } from './customerDirectory.js';
import type { RequestContext } from './http.js';
import { systemClock, type Clock } from './rateBudget.js';

/**
 * Customers kept by tenant id: a few thousand (about 300 bytes each, so about 1.5 MB at most), enough for
 * the customers a round's batch, a card or a chat names, never the partner's whole list.
 */
export const CUSTOMER_CACHE_BOUND = 5_000;

/** Rows read per query by the suggestions' scan and by `customersById`: what one query brings at once. */
const NAMES_PER_PAGE = 2_000;

export interface TableDirectoryOptions {
  /** How long a complete listing is trusted before it is refreshed in the background. */
  ttlMs?: number;
  clock?: Clock;
  cacheBound?: number;
}

const byName = new Intl.Collator();
/** Name order, and the listing's order between equal names: the order of the in-memory directory's list. */
const inNameOrder = (a: CustomerRow, b: CustomerRow) => byName.compare(a.customer.companyName, b.customer.companyName) || a.position - b.position;

export class TableCustomerDirectory implements CustomerDirectory {
  private readonly cache: BoundedCache<string, Customer>;
  /** The last complete listing this instance has heard of; null: none yet (as far as it knows). */
  private mark: ListingMark | null = null;
  private loading: Promise<Customer[]> | null = null;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  private constructor(
    private readonly client: PartnerCenterClient,
    private readonly table: CustomerRows,
    options: TableDirectoryOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.clock = options.clock ?? systemClock;
    this.cache = new BoundedCache(options.cacheBound ?? CUSTOMER_CACHE_BOUND);
    table.onChange(() => {
      this.cache.clear();
      void this.readMark().catch(() => undefined);
    });
  }

  static async open(client: PartnerCenterClient, table: CustomerRows, options: TableDirectoryOptions = {}): Promise<TableCustomerDirectory> {
    const directory = new TableCustomerDirectory(client, table, options);
    await directory.readMark();
    return directory;
  }

  get isWarm(): boolean {
    return this.mark !== null;
  }

  /** How many customers the cache holds now (at most its bound). */
  get cached(): number {
    return this.cache.size;
  }

  async known(): Promise<Customer[] | null> {
    return (await this.readMark()) ? this.everyone() : null;
  }

  async all(ctx: RequestContext): Promise<Customer[]> {
    if (!(await this.current(ctx))) return [...(await this.reload(ctx))];
    return this.everyone();
  }

  async count(ctx: RequestContext): Promise<number> {
    if (!(await this.current(ctx))) return (await this.reload(ctx)).length;
    return this.table.count();
  }

  reload(ctx: RequestContext = { correlationId: randomUUID() }): Promise<Customer[]> {
    this.loading ??= this.listAll(ctx).finally(() => {
      this.loading = null;
    });
    // A background refresh that fails must not become an unhandled rejection; callers awaiting it still see it.
    this.loading.catch(() => undefined);
    return this.loading;
  }

  async warmUp(ctx: RequestContext): Promise<void> {
    const mark = await this.readMark();
    if (!mark || !this.isFresh(mark)) await this.reload(ctx);
  }

  find(customerId: string): Customer | undefined {
    return this.cache.get(customerId.toLowerCase());
  }

  async prefetch(customerIds: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    for (const id of customerIds) {
      const key = id.toLowerCase();
      if (!this.cache.has(key)) missing.add(key);
      if (missing.size >= this.cache.bound) break; // more would only push out what was just read
    }
    for (const { customer } of await this.table.byKeys([...missing])) this.cache.set(customer.id.toLowerCase(), customer);
  }

  async customersById(customerIds: Iterable<string>): Promise<Map<string, Customer>> {
    const keys = [...new Set([...customerIds].map((id) => id.toLowerCase()))];
    const found = new Map<string, Customer>();
    for (let at = 0; at < keys.length; at += NAMES_PER_PAGE) {
      for (const { customer } of await this.table.byKeys(keys.slice(at, at + NAMES_PER_PAGE))) found.set(customer.id.toLowerCase(), customer);
    }
    return found;
  }

  async lookup(ctx: RequestContext, customerId: string): Promise<Customer | undefined> {
    const cached = this.find(customerId);
    if (cached) return cached;
    if (!(await this.readMark())) await this.reload(ctx);
    await this.prefetch([customerId]);
    return this.find(customerId);
  }

  search(ctx: RequestContext, prefix: string): Promise<Customer[]> {
    return searchPartnerCenter(this.client, ctx, prefix);
  }

  async resolve(ctx: RequestContext, query: string): Promise<CustomerMatch> {
    try {
      return await this.resolveInTable(ctx, query);
    } catch (error) {
      if (!this.table.unreachable(error)) throw error;
      // The database is down: a command that only reads still gets its answer, from Partner Center's own filter.
      return matchCustomer(query, await this.search(ctx, query.trim()));
    }
  }

  private async resolveInTable(ctx: RequestContext, query: string): Promise<CustomerMatch> {
    const mark = await this.readMark();
    if (!mark) {
      // Cold start (nobody has listed yet): two filtered requests answer most names without listing every customer first.
      const match = matchCustomer(query, await this.search(ctx, query.trim()));
      if (match.kind !== 'none') return match;
      await this.reload(ctx);
    } else if (!this.isFresh(mark)) void this.reload(ctx);
    const wanted = fold(query);
    if (wanted === '') return { kind: 'none', suggestions: [] };
    if (isTenantId(wanted)) {
      const [row] = await this.table.byKeys([wanted]);
      return row ? { kind: 'one', customer: row.customer } : { kind: 'none', suggestions: [] };
    }
    const exact = await this.table.matching(wanted, false);
    if (exact.length > 0) return outcome(exact);
    const prefixed = await this.table.matching(wanted, true);
    if (prefixed.length > 0) return outcome(prefixed);
    return { kind: 'none', suggestions: await this.closest(wanted) };
  }

  /** A listing still running ends with an error of its own (its next page finds the table closed). */
  async close(): Promise<void> {
    await this.table.close();
  }

  /**
   * Is a listing known that is fresh enough? Lists first when none is (and waits for it); starts a listing
   * in the background when the known one is older than the ttl, answering from it meanwhile.
   */
  private async current(ctx: RequestContext): Promise<boolean> {
    const mark = await this.readMark();
    if (!mark) {
      await this.reload(ctx);
      return false;
    }
    if (!this.isFresh(mark)) void this.reload(ctx);
    return true;
  }

  private isFresh(mark: ListingMark): boolean {
    return this.clock.now() - mark.completedMs < this.ttlMs;
  }

  private async readMark(): Promise<ListingMark | null> {
    this.mark = await this.table.lastListing();
    return this.mark;
  }

  private async everyone(): Promise<Customer[]> {
    return (await this.table.everyone()).sort(inNameOrder).map((row) => row.customer);
  }

  /** The closest names, as CustomerIndex.closest ranks them, a page of folded names at a time. */
  private async closest(wanted: string): Promise<Customer[]> {
    const threshold = suggestionThreshold(wanted);
    let best: { key: string; companyName: string; position: number; distance: number }[] = [];
    for await (const page of this.table.names(NAMES_PER_PAGE)) {
      for (const row of page) {
        const distance = suggestionDistance(wanted, row.foldedName);
        if (distance <= threshold) best.push({ ...row, distance });
      }
      best = best.sort((a, b) => a.distance - b.distance || a.companyName.localeCompare(b.companyName) || a.position - b.position).slice(0, SUGGESTIONS);
    }
    const rows = new Map((await this.table.byKeys(best.map((row) => row.key))).map((row) => [row.customer.id.toLowerCase(), row.customer]));
    return best.flatMap((row) => rows.get(row.key) ?? []);
  }

  /** Lists Partner Center into the table a page at a time; only a complete listing deletes anything. */
  private async listAll(ctx: RequestContext): Promise<Customer[]> {
    const listing = await this.table.startListing();
    const listed: Customer[] = [];
    try {
      for await (const page of this.client.allCustomers(ctx)) {
        const rows = page.map((customer) => ({ customer, foldedName: fold(customer.companyName), foldedDomain: fold(customer.domain) }));
        await this.table.writePage(listing, listed.length, rows, this.clock.now());
        listed.push(...page);
      }
    } catch (error) {
      // Rows rewritten so far may have changed: whoever cached them forgets them. Nothing is deleted.
      if (listed.length > 0) await this.table.touched(listing).catch(() => undefined);
      throw error;
    }
    await this.table.complete(listing, this.clock.now());
    this.cache.clear();
    await this.readMark();
    // For the round that asked: it plans with it and lets it go; the directory keeps none of it.
    return listed.sort((a, b) => byName.compare(a.companyName, b.companyName));
  }
}

/** Exact or prefix rows as the in-memory index answers them: one, or candidates in name order. */
function outcome(rows: CustomerRow[]): CustomerMatch {
  const [only] = rows;
  if (rows.length === 1 && only) return { kind: 'one', customer: only.customer };
  return { kind: 'many', candidates: rows.sort(inNameOrder).map((row) => row.customer) };
}

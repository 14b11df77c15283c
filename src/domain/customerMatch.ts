// Which customer did the user mean? Exact matches win, a unique prefix is accepted, and anything else
// is handed back to the user to choose: we never guess silently between two customers.
import { editDistance } from './editDistance.js';
import type { Customer } from './types.js';

export type CustomerMatch =
  | { kind: 'one'; customer: Customer }
  | { kind: 'many'; candidates: Customer[] }
  | { kind: 'none'; suggestions: Customer[] };

/** Names whose length differs from what was typed by more than this are not compared letter by letter. */
const MAX_LENGTH_GAP = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(text: string): boolean {
  return GUID.test(text.trim());
}

export function matchCustomer(query: string, customers: readonly Customer[]): CustomerMatch {
  return new CustomerIndex(customers).match(query);
}

/** Names within a small edit distance of what was typed, best first ("contso" → Contoso). */
export function closestCustomers(query: string, customers: readonly Customer[], limit: number): Customer[] {
  return closestAmong(query, customers, customers.map((customer) => fold(customer.companyName)), limit);
}

/**
 * A customer list prepared for matching: names and domains folded once, exact and prefix lookups by binary
 * search over the sorted folded keys, tenant ids through a map. Built once per directory listing, it answers
 * exactly what `matchCustomer` would for the same list, in the same order. Kept lean (two flat arrays, no
 * object or array per key): a partner's 50,000 customers are held by every instance for as long as it runs.
 */
export class CustomerIndex {
  private readonly foldedNames: string[];
  private readonly byId = new Map<string, Customer>();
  /** Folded names and domains, sorted by code unit (then by position), and the position of each one's customer. */
  private readonly keys: string[];
  private readonly keyAt: Int32Array;
  /** Position of each customer in name order (localeCompare, then list order); computed on first need. */
  private nameRank: Int32Array | null = null;

  constructor(readonly customers: readonly Customer[]) {
    this.foldedNames = customers.map((customer) => fold(customer.companyName));
    const texts: string[] = [];
    const owners: number[] = [];
    customers.forEach((customer, at) => {
      const id = unchanged(customer.id, customer.id.toLowerCase());
      if (!this.byId.has(id)) this.byId.set(id, customer);
      const name = this.foldedNames[at] ?? '';
      const domain = unchanged(customer.domain, fold(customer.domain));
      texts.push(name);
      owners.push(at);
      if (domain !== name) {
        texts.push(domain);
        owners.push(at);
      }
    });
    const order = Array.from(texts.keys()).sort((a, b) => {
      const left = texts[a] ?? '';
      const right = texts[b] ?? '';
      return left < right ? -1 : left > right ? 1 : (owners[a] ?? 0) - (owners[b] ?? 0);
    });
    this.keys = order.map((i) => texts[i] ?? '');
    this.keyAt = Int32Array.from(order, (i) => owners[i] ?? 0);
  }

  get size(): number {
    return this.customers.length;
  }

  /** The customer with this tenant id (any case), if listed. */
  byTenantId(id: string): Customer | undefined {
    return this.byId.get(id.toLowerCase());
  }

  match(query: string): CustomerMatch {
    const wanted = fold(query);
    if (wanted === '') return { kind: 'none', suggestions: [] };
    if (isTenantId(wanted)) {
      const byId = this.byId.get(wanted);
      return byId ? { kind: 'one', customer: byId } : { kind: 'none', suggestions: [] };
    }
    const exact = this.withKey(wanted, (key) => key === wanted);
    if (exact.length > 0) return this.outcome(exact);
    const prefixed = this.withPrefix(wanted);
    if (prefixed.length > 0) return this.outcome(prefixed);
    return { kind: 'none', suggestions: this.closest(wanted, SUGGESTIONS) };
  }

  /** Like `closestCustomers` over this list, without folding every name again. */
  closest(query: string, limit: number): Customer[] {
    return closestAmong(query, this.customers, this.foldedNames, limit);
  }

  /** Positions (in list order, each once) of the customers whose folded name or domain starts with `prefix`. */
  private withPrefix(prefix: string): number[] {
    return this.withKey(prefix, (key) => key.startsWith(prefix));
  }

  /** Positions (in list order, each once) of the keys from the first one >= `from` for as long as `wanted` holds. */
  private withKey(from: string, wanted: (key: string) => boolean): number[] {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.keys[mid] ?? '') < from) low = mid + 1;
      else high = mid;
    }
    const found = new Set<number>();
    for (let i = low; i < this.keys.length && wanted(this.keys[i] ?? ''); i++) found.add(this.keyAt[i] ?? 0);
    return [...found].sort((a, b) => a - b);
  }

  /** Positions are in list order, as a filter over the list would give them. */
  private outcome(positions: readonly number[]): CustomerMatch {
    const only = positions.length === 1 ? this.customers[positions[0] ?? -1] : undefined;
    if (only) return { kind: 'one', customer: only };
    const rank = this.ranks();
    const sorted = [...positions].sort((a, b) => (rank[a] ?? 0) - (rank[b] ?? 0));
    return { kind: 'many', candidates: sorted.map((at) => this.customers[at]).filter((c): c is Customer => c !== undefined) };
  }

  /** A stable sort by localeCompare of any subset equals ordering it by these ranks. */
  private ranks(): Int32Array {
    if (this.nameRank) return this.nameRank;
    const { customers } = this;
    const rank = new Int32Array(customers.length);
    let sorted = true;
    for (let i = 1; i < customers.length && sorted; i++) {
      sorted = (customers[i - 1]?.companyName ?? '').localeCompare(customers[i]?.companyName ?? '') <= 0;
    }
    // The directory keeps its list in name order already: then list order is name order.
    const order = customers.map((_, at) => at);
    if (!sorted) {
      order.sort((a, b) => (customers[a]?.companyName ?? '').localeCompare(customers[b]?.companyName ?? '') || a - b);
    }
    order.forEach((at, position) => (rank[at] = position));
    this.nameRank = rank;
    return rank;
  }
}

function closestAmong(query: string, customers: readonly Customer[], foldedNames: readonly string[], limit: number): Customer[] {
  const wanted = fold(query);
  const threshold = suggestionThreshold(wanted);
  return customers
    .map((customer, at) => ({ customer, distance: suggestionDistance(wanted, foldedNames[at] ?? '') }))
    .filter(({ distance }) => distance <= threshold)
    .sort((a, b) => a.distance - b.distance || a.customer.companyName.localeCompare(b.customer.companyName))
    .slice(0, limit)
    .map(({ customer }) => customer);
}

/** How many names a "none" answer suggests. */
export const SUGGESTIONS = 3;

/** The largest distance (suggestionDistance) a suggestion for the folded `wanted` may have. */
export function suggestionThreshold(wanted: string): number {
  return Math.max(2, Math.floor(wanted.length / 3));
}

/** How far a folded name is from the folded `wanted`, for suggestions. */
export function suggestionDistance(wanted: string, name: string): number {
  // Compare against the whole name and against its start, so a typo in a prefix still finds it.
  return Math.min(editDistance(wanted, name, MAX_LENGTH_GAP), editDistance(wanted, name.slice(0, wanted.length), MAX_LENGTH_GAP) + 1);
}

/** The original string when folding left it as it was (tenant ids, most domains): one copy held, not two. */
function unchanged(original: string, folded: string): string {
  return folded === original ? original : folded;
}

/** Names, domains and queries as matching compares them: compatibility forms, lower case, single spaces. */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

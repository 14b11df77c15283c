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
 * A customer list prepared for matching: names and domains folded once, exact lookups through maps, prefix
 * lookups by binary search over sorted folded keys. Built once per directory listing, it answers exactly
 * what `matchCustomer` would for the same list, in the same order.
 */
export class CustomerIndex {
  private readonly foldedNames: string[];
  private readonly exact = new Map<string, number[]>();
  private readonly byId = new Map<string, Customer>();
  /** Folded names and domains, each with the position of its customer, sorted by code unit. */
  private readonly keys: { key: string; at: number }[] = [];
  /** Position of each customer in name order (localeCompare, then list order); computed on first need. */
  private nameRank: Int32Array | null = null;

  constructor(readonly customers: readonly Customer[]) {
    this.foldedNames = customers.map((customer) => fold(customer.companyName));
    customers.forEach((customer, at) => {
      const id = customer.id.toLowerCase();
      if (!this.byId.has(id)) this.byId.set(id, customer);
      const name = this.foldedNames[at] ?? '';
      const domain = fold(customer.domain);
      this.addExact(name, at);
      if (domain !== name) this.addExact(domain, at);
      this.keys.push({ key: name, at });
      if (domain !== name) this.keys.push({ key: domain, at });
    });
    this.keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.at - b.at));
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
    const exact = this.exact.get(wanted);
    if (exact) return this.outcome(exact);
    const prefixed = this.withPrefix(wanted);
    if (prefixed.length > 0) return this.outcome(prefixed);
    return { kind: 'none', suggestions: this.closest(wanted, 3) };
  }

  /** Like `closestCustomers` over this list, without folding every name again. */
  closest(query: string, limit: number): Customer[] {
    return closestAmong(query, this.customers, this.foldedNames, limit);
  }

  private addExact(key: string, at: number): void {
    const positions = this.exact.get(key);
    if (positions) positions.push(at);
    else this.exact.set(key, [at]);
  }

  /** Positions (in list order, each once) of the customers whose folded name or domain starts with `prefix`. */
  private withPrefix(prefix: string): number[] {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.keys[mid]?.key ?? '') < prefix) low = mid + 1;
      else high = mid;
    }
    const found = new Set<number>();
    for (let i = low; i < this.keys.length; i++) {
      const entry = this.keys[i];
      if (!entry || !entry.key.startsWith(prefix)) break;
      found.add(entry.at);
    }
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
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  return customers
    .map((customer, at) => {
      const name = foldedNames[at] ?? '';
      // Compare against the whole name and against its start, so a typo in a prefix still finds it.
      const distance = Math.min(editDistance(wanted, name, MAX_LENGTH_GAP), editDistance(wanted, name.slice(0, wanted.length), MAX_LENGTH_GAP) + 1);
      return { customer, distance };
    })
    .filter(({ distance }) => distance <= threshold)
    .sort((a, b) => a.distance - b.distance || a.customer.companyName.localeCompare(b.customer.companyName))
    .slice(0, limit)
    .map(({ customer }) => customer);
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

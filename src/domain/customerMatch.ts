// Which customer did the user mean? Exact matches win, a unique prefix is accepted, and anything else
// is handed back to the user to choose: we never guess silently between two customers.
import type { Customer } from './types.js';

export type CustomerMatch =
  | { kind: 'one'; customer: Customer }
  | { kind: 'many'; candidates: Customer[] }
  | { kind: 'none'; suggestions: Customer[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(text: string): boolean {
  return GUID.test(text.trim());
}

export function matchCustomer(query: string, customers: readonly Customer[]): CustomerMatch {
  const wanted = fold(query);
  if (wanted === '') return { kind: 'none', suggestions: [] };
  if (isTenantId(wanted)) {
    const byId = customers.find((customer) => customer.id.toLowerCase() === wanted);
    return byId ? { kind: 'one', customer: byId } : { kind: 'none', suggestions: [] };
  }
  const exact = customers.filter((customer) => fold(customer.companyName) === wanted || fold(customer.domain) === wanted);
  if (exact.length === 1 && exact[0]) return { kind: 'one', customer: exact[0] };
  if (exact.length > 1) return { kind: 'many', candidates: sortByName(exact) };
  const prefixed = customers.filter(
    (customer) => fold(customer.companyName).startsWith(wanted) || fold(customer.domain).startsWith(wanted),
  );
  if (prefixed.length === 1 && prefixed[0]) return { kind: 'one', customer: prefixed[0] };
  if (prefixed.length > 1) return { kind: 'many', candidates: sortByName(prefixed) };
  return { kind: 'none', suggestions: closestCustomers(wanted, customers, 3) };
}

/** Names within a small edit distance of what was typed, best first ("contso" → Contoso). */
export function closestCustomers(query: string, customers: readonly Customer[], limit: number): Customer[] {
  const wanted = fold(query);
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  return customers
    .map((customer) => {
      const name = fold(customer.companyName);
      // Compare against the whole name and against its start, so a typo in a prefix still finds it.
      const distance = Math.min(editDistance(wanted, name), editDistance(wanted, name.slice(0, wanted.length)) + 1);
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

function sortByName(customers: Customer[]): Customer[] {
  return [...customers].sort((a, b) => a.companyName.localeCompare(b.companyName));
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Math.abs(a.length - b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

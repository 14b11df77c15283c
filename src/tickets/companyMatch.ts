// Which PSA company is a customer's, found without asking anyone: the customer's domain equals the company's
// web address (scheme, "www." and path aside), or the names are equal (case and spacing aside). Anything
// looser only proposes candidates for a person to confirm (`tickets unmapped` shows them as buttons).
import { editDistance } from '../domain/editDistance.js';
import type { PsaCompany } from './connector.js';

export interface MatchableCustomer {
  name: string;
  /** Default and custom domains the customer is known by. */
  domains: string[];
}

/** The one company that matches, or null when none does (or several do: a person must choose). */
export function matchCompany(customer: MatchableCustomer, companies: readonly PsaCompany[]): PsaCompany | null {
  const domains = new Set(customer.domains.map((domain) => domain.toLowerCase()));
  const byDomain = companies.filter((company) => {
    const host = webHost(company.webAddress);
    return host !== null && domains.has(host);
  });
  if (byDomain.length === 1) return byDomain[0]!;
  const name = normalName(customer.name);
  const byName = companies.filter((company) => normalName(company.name) === name);
  return byName.length === 1 ? byName[0]! : null;
}

/** Up to `limit` likely companies: the same first label of the domain, or a close name, closest first. */
export function candidateCompanies(customer: MatchableCustomer, companies: readonly PsaCompany[], limit = 3): PsaCompany[] {
  const labels = new Set(customer.domains.map((domain) => domain.toLowerCase().split('.')[0]));
  const name = normalName(customer.name);
  const scored = companies.map((company) => {
    const host = webHost(company.webAddress);
    const sameLabel = host !== null && labels.has(host.split('.')[0]);
    const other = normalName(company.name);
    const contains = other.includes(name) || name.includes(other);
    const distance = editDistance(name, other, 32);
    // The same domain label first, then a name that contains the other (the closer the better), then a near typo.
    const score = sameLabel ? 0 : contains ? 1 + distance / 1000 : distance <= Math.max(2, name.length / 4) ? 2 + distance : Infinity;
    return { company, score };
  });
  return scored
    .filter((entry) => entry.score !== Infinity)
    .sort((a, b) => a.score - b.score || a.company.name.localeCompare(b.company.name))
    .slice(0, limit)
    .map((entry) => entry.company);
}

/** "https://www.Contoso.com/about" → "contoso.com"; null when there is no web address. */
export function webHost(webAddress: string | null): string | null {
  if (!webAddress?.trim()) return null;
  const text = webAddress.trim().toLowerCase();
  try {
    const host = new URL(/^[a-z]+:\/\//.test(text) ? text : `https://${text}`).hostname;
    return host.replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/[.,]/g, ' ').replace(/\s+/g, ' ').trim();
}

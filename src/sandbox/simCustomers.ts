// GET /v1/customers: starts_with filtering and continuation-token paging as Partner Center does it
// (the token, not the query string, carries filter, position and size on later pages).

import type { SimCustomer, WireCollection, WireLink } from './simWire.js';
import { link } from './simWire.js';

export type NextLinkStyle = 'with-v1' | 'without-v1' | 'alternate';
export type FilterField = 'CompanyName' | 'Domain';

export const MAX_PAGE_SIZE = 500;

export interface CustomerQuery {
  field: FilterField | null;
  /** Lower-cased prefix ('' when unfiltered). */
  value: string;
  /** Matching customers already served on earlier pages. */
  offset: number;
  size: number;
}

export type Parsed = { ok: true; query: CustomerQuery } | { ok: false; description: string };

/** Reads a first-page request (size + filter) or a next-page request (seekOperation + token header). */
export function parseCustomerQuery(params: URLSearchParams, continuation: string | undefined): Parsed {
  const seek = params.get('seekOperation');
  if (seek !== null) {
    if (seek.toLowerCase() !== 'next' && seek !== '0') {
      return { ok: false, description: `The seek operation '${seek}' is not supported by the simulator; use Next.` };
    }
    if (params.has('filter')) return { ok: false, description: 'A seek request must not carry a filter; the continuation token holds it.' };
    if (!continuation) return { ok: false, description: 'The MS-ContinuationToken header is required for seek operations.' };
    const query = decodeToken(continuation);
    return query ? { ok: true, query } : { ok: false, description: 'The continuation token is invalid or malformed.' };
  }
  let size = MAX_PAGE_SIZE;
  const rawSize = params.get('size');
  if (rawSize !== null) {
    const n = Number(rawSize);
    if (!Number.isInteger(n) || n <= 0) return { ok: false, description: `Invalid size '${rawSize}'.` };
    size = Math.min(n, MAX_PAGE_SIZE);
  }
  const rawFilter = params.get('filter');
  if (rawFilter === null) return { ok: true, query: { field: null, value: '', offset: 0, size } };
  let filter: unknown;
  try {
    filter = JSON.parse(rawFilter);
  } catch {
    return { ok: false, description: 'The filter is not valid JSON.' };
  }
  if (typeof filter !== 'object' || filter === null) return { ok: false, description: 'The filter must be a JSON object.' };
  const { Field, Value, Operator } = filter as Record<string, unknown>;
  if (Field !== 'CompanyName' && Field !== 'Domain') {
    return { ok: false, description: `The filter field '${String(Field)}' is not supported; use CompanyName or Domain.` };
  }
  if (typeof Operator !== 'string' || Operator.toLowerCase() !== 'starts_with') {
    return { ok: false, description: `The filter operator '${String(Operator)}' is not supported; use starts_with.` };
  }
  if (typeof Value !== 'string' || Value.length === 0) return { ok: false, description: 'The filter value must be a non-empty string.' };
  return { ok: true, query: { field: Field, value: Value.toLowerCase(), offset: 0, size } };
}

/** Opaque to clients; base64 of a small JSON so the simulator needs no server-side paging state. */
export function encodeToken(query: CustomerQuery): string {
  return Buffer.from(JSON.stringify({ v: 1, f: query.field, q: query.value, o: query.offset, s: query.size })).toString('base64');
}

function decodeToken(token: string): CustomerQuery | null {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, unknown>;
    const { v, f, q, o: offset, s } = o;
    if (v !== 1 || (f !== null && f !== 'CompanyName' && f !== 'Domain') || typeof q !== 'string') return null;
    if (!Number.isInteger(offset) || (offset as number) < 0 || !Number.isInteger(s) || (s as number) <= 0 || (s as number) > MAX_PAGE_SIZE) return null;
    return { field: f, value: q, offset: offset as number, size: s as number };
  } catch {
    return null;
  }
}

function matches(customer: SimCustomer, field: FilterField, prefix: string): boolean {
  const text = field === 'Domain' ? customer.domain : customer.companyName;
  // Lower-casing only the prefix-length slice keeps a 50,000-customer scan cheap.
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix;
}

/** One page plus whether more remain; scans only as far as needed. */
export function selectPage(customers: readonly SimCustomer[], query: CustomerQuery): { page: SimCustomer[]; more: boolean } {
  const { field, value, offset, size } = query;
  if (field === null) {
    return { page: customers.slice(offset, offset + size), more: offset + size < customers.length };
  }
  const page: SimCustomer[] = [];
  let seen = 0;
  for (const customer of customers) {
    if (!matches(customer, field, value)) continue;
    if (seen++ < offset) continue;
    if (page.length === size) return { page, more: true };
    page.push(customer);
  }
  return { page, more: false };
}

export function customerPage(
  customers: readonly SimCustomer[], query: CustomerQuery, style: NextLinkStyle,
): WireCollection<ReturnType<typeof customerListItem>> {
  const { page, more } = selectPage(customers, query);
  const collection: WireCollection<ReturnType<typeof customerListItem>> = {
    totalCount: page.length,
    items: page.map(customerListItem),
    links: { self: link(`/customers?size=${query.size}`) },
    attributes: { objectType: 'Collection' },
  };
  if (more) {
    const next: CustomerQuery = { ...query, offset: query.offset + page.length };
    const token = encodeToken(next);
    const pageIndex = Math.floor(next.offset / query.size);
    const withV1 = style === 'with-v1' || (style === 'alternate' && pageIndex % 2 === 0);
    const nextLink: WireLink = {
      uri: `${withV1 ? '/v1' : ''}/customers?size=${query.size}&seekOperation=Next`,
      method: 'GET',
      headers: [{ key: 'MS-ContinuationToken', value: token }],
    };
    collection.links = { ...collection.links, next: nextLink };
    collection.continuationToken = token;
  }
  return collection;
}

export function customerListItem(c: SimCustomer) {
  return {
    id: c.id,
    companyProfile: {
      tenantId: c.id,
      domain: c.domain,
      companyName: c.companyName,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: c.relationshipToPartner,
    links: { self: link(`/customers/${c.id}`) },
    attributes: { objectType: 'Customer' },
  };
}

export function customerDetail(c: SimCustomer) {
  return {
    id: c.id,
    companyProfile: {
      tenantId: c.id,
      domain: c.domain,
      companyName: c.companyName,
      links: { self: link(`/customers/${c.id}/profiles/company`) },
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    ...(c.customDomains && c.customDomains.length > 0 ? { customDomains: c.customDomains } : {}),
    relationshipToPartner: c.relationshipToPartner,
    allowDelegatedAccess: c.allowDelegatedAccess,
    links: { self: link(`/customers/${c.id}`) },
    attributes: { objectType: 'Customer' },
  };
}

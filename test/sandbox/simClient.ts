// A deliberately naive Partner Center client for the simulator's tests: just fetch, so the tests
// check the wire itself rather than the product's client.

import assert from 'node:assert/strict';
import type { Simulator } from '../../src/sandbox/simulator.js';

export const USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation offline_access';
export const APP_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

export interface Got<T> {
  status: number;
  headers: Headers;
  raw: string;
  body: T;
}

export type Json = any;

export async function tokenRequest(sim: Simulator, fields: Record<string, string>, tenant = sim.credentials.tenantId): Promise<Got<Json>> {
  const res = await fetch(`${sim.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const raw = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, raw, body: JSON.parse(raw) };
}

export function refreshGrant(sim: Simulator, overrides: Record<string, string> = {}): Promise<Got<Json>> {
  const c = sim.credentials;
  return tokenRequest(sim, {
    grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret,
    refresh_token: c.refreshToken, scope: USER_SCOPE, ...overrides,
  });
}

export async function accessToken(sim: Simulator): Promise<string> {
  const got = await refreshGrant(sim);
  assert.equal(got.status, 200, got.raw);
  return got.body.access_token as string;
}

/** Parses a Partner Center body, insisting on the leading BOM unless told otherwise. */
export function parsePartnerBody(raw: string, expectBom = true): Json {
  assert.equal(raw.charCodeAt(0) === 0xfeff, expectBom, `BOM expected: ${expectBom}; body starts ${JSON.stringify(raw.slice(0, 10))}`);
  return JSON.parse(expectBom ? raw.slice(1) : raw);
}

export async function get(
  sim: Simulator, path: string, token: string | null, headers: Record<string, string> = {}, expectBom = true,
): Promise<Got<Json>> {
  const res = await fetch(`${sim.url}${path}`, {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  // Response#text() silently drops a BOM; decode by hand so the tests can see it.
  const raw = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, raw, body: raw.length > 0 ? parsePartnerBody(raw, expectBom) : null };
}

/** Resolves a next link the way the contract says: neither `/v1/v1` nor a missing `/v1`. */
export function nextPath(uri: string): string {
  return uri.startsWith('/v1/') ? uri : `/v1${uri.startsWith('/') ? '' : '/'}${uri}`;
}

export function filterQuery(field: string, value: string, operator = 'starts_with'): string {
  return encodeURIComponent(JSON.stringify({ Field: field, Value: value, Operator: operator }));
}

/** Follows links.next until it is absent; returns every page's body and the raw next URIs seen. */
export async function allPages(sim: Simulator, token: string, firstPath: string): Promise<{ pages: Json[]; nextUris: string[] }> {
  const pages: Json[] = [];
  const nextUris: string[] = [];
  let path: string | null = firstPath;
  let headers: Record<string, string> = {};
  while (path !== null) {
    const got = await get(sim, path, token, headers);
    assert.equal(got.status, 200, got.raw);
    pages.push(got.body);
    const next = got.body.links?.next;
    if (!next) break;
    nextUris.push(next.uri);
    path = nextPath(next.uri);
    headers = Object.fromEntries((next.headers as { key: string; value: string }[]).map((h) => [h.key, h.value]));
    assert.ok(pages.length < 1000, 'paging does not end');
  }
  return { pages, nextUris };
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Microsoft Graph's GDAP routes, as the simulator plays them: the delegated admin relationships (paged by an
// absolute @odata.nextLink carrying only $skiptoken, `$filter=customer/tenantId eq '<id>'`, `$top`) and a
// relationship's access assignments. Tokens by client credentials only; faults (429, 403) come from the
// simulator's fault list like every other route.
import { reply, type Exchange } from './simHttp.js';
import type { TokenInfo } from './simAuth.js';
import type { SimGdap } from './simGdap.js';

const PAGE = 50;
const RELATIONSHIPS = '/v1.0/tenantRelationships/delegatedAdminRelationships';

function graphError(status: number, code: string, message: string) {
  return { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': '00000000-0000-0000-0000-000000000000' } } };
}

export function isGraphPath(path: string): boolean {
  return path.startsWith('/v1.0/');
}

export function handleGraph(ex: Exchange, token: TokenInfo | null, gdap: SimGdap, baseUrl: string): void {
  if (!token) return reply(ex, 401, graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.'));
  // The app's own permission (client credentials): a delegated token would act as a user.
  if (token.kind !== 'app') return reply(ex, 403, graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
  if (ex.method !== 'GET') return reply(ex, 405, graphError(405, 'Request_BadRequest', `The method ${ex.method} is not allowed.`));
  if (ex.path === RELATIONSHIPS) return relationships(ex, gdap, baseUrl);
  const match = /^\/v1\.0\/tenantRelationships\/delegatedAdminRelationships\/([^/]+)\/accessAssignments$/.exec(ex.path);
  if (match) {
    const list = gdap.assignmentsOf(decodeURIComponent(match[1] ?? ''));
    if (!list) return reply(ex, 404, graphError(404, 'Request_ResourceNotFound', 'The relationship was not found.'));
    return reply(ex, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#accessAssignments`, value: list });
  }
  return reply(ex, 404, graphError(404, 'Request_ResourceNotFound', `Nothing is served at ${ex.path}.`));
}

function relationships(ex: Exchange, gdap: SimGdap, baseUrl: string): void {
  let offset = 0;
  let filter = ex.query.get('$filter');
  let top = Number(ex.query.get('$top') ?? PAGE);
  const skip = ex.query.get('$skiptoken');
  if (skip) {
    try {
      const state = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as { offset: number; filter: string | null; top: number };
      ({ offset, filter, top } = state);
    } catch {
      return reply(ex, 400, graphError(400, 'Request_BadRequest', 'The $skiptoken is not valid.'));
    }
  }
  if (!Number.isInteger(top) || top < 1 || top > 300) return reply(ex, 400, graphError(400, 'Request_BadRequest', '$top must be 1 to 300.'));
  let all = gdap.relationships;
  if (filter) {
    const wanted = /^customer\/tenantId eq '([0-9a-fA-F-]{36})'$/.exec(filter.trim());
    if (!wanted) return reply(ex, 400, graphError(400, 'Request_BadRequest', `The $filter "${filter}" is not supported.`));
    all = all.filter((r) => r.customer.tenantId === wanted[1]?.toLowerCase());
  }
  const value = all.slice(offset, offset + top);
  const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships`, value };
  if (offset + top < all.length) {
    const token = Buffer.from(JSON.stringify({ offset: offset + top, filter, top })).toString('base64url');
    body['@odata.nextLink'] = `${baseUrl}${RELATIONSHIPS}?$skiptoken=${token}`;
  }
  reply(ex, 200, body);
}

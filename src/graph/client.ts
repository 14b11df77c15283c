// Microsoft Graph for GDAP, in the partner's tenant: the delegated admin relationships and their access
// assignments. A token by client credentials only (the refresh-token grant would rotate Partner Center's
// refresh token); its own throttling, apart from Partner Center's budget: a 429 pauses every Graph call
// until Retry-After has passed. Lists follow @odata.nextLink, only on GRAPH_URL's own origin (the token
// goes nowhere else); a failed page fails the whole listing.
import { EntraTokenProvider, type TokenProvider } from '../partnerCenter/auth.js';
import { parseRetryAfter } from '../partnerCenter/http.js';
import { systemClock, type Clock } from '../partnerCenter/rateBudget.js';

export interface GraphSettings {
  /** GRAPH_URL, e.g. https://graph.microsoft.com (sovereign clouds differ). */
  baseUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
}

export interface GraphClientOptions {
  settings: GraphSettings;
  fetch?: typeof fetch;
  clock?: Clock;
  tokens?: TokenProvider;
  /** 429s waited out in a row before a call fails (default 3). */
  maxThrottledRetries?: number;
  /**
   * A pause longer than this is not waited out in place (default 60 s): the call fails at once, without
   * asking Graph, so a round or a command never hangs for an hour on a long Retry-After.
   */
  maxWaitMs?: number;
}

/** The permission the partner's app needs (an application permission, admin-consented). */
export const GDAP_PERMISSION = 'DelegatedAdminRelationship.Read.All';

/** Graph answered with an error status. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    description: string,
  ) {
    super(`Microsoft Graph answered ${status}${code ? ` (${code})` : ''}: ${description}`);
    this.name = 'GraphError';
  }
}

/** Pages followed at most: 50,000 relationships are 1,000 pages of Graph's default 50. */
const MAX_PAGES = 5_000;

export class GraphClient {
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;
  private readonly tokens: TokenProvider;
  private readonly origin: string;
  /** Every Graph call waits until then (a 429's Retry-After). */
  private pausedUntil = 0;

  constructor(private readonly options: GraphClientOptions) {
    const { settings } = options;
    this.fetchFn = options.fetch ?? fetch;
    this.clock = options.clock ?? systemClock;
    this.origin = new URL(settings.baseUrl).origin;
    this.tokens =
      options.tokens ??
      new EntraTokenProvider({
        credentials: { authorityHost: settings.authorityHost, tenantId: settings.tenantId, clientId: settings.clientId, clientSecret: settings.clientSecret, resource: this.resource() },
        fetch: this.fetchFn,
        clock: this.clock,
        timeoutMs: settings.timeoutMs,
      });
  }

  /** Every delegated admin relationship of the partner; `customerId` narrows it to one customer. */
  relationships(signal?: AbortSignal, customerId?: string): Promise<unknown[]> {
    const query = customerId ? `?$filter=${encodeURIComponent(`customer/tenantId eq '${customerId.replace(/'/g, "''")}'`)}` : '';
    return this.list(`/v1.0/tenantRelationships/delegatedAdminRelationships${query}`, signal);
  }

  /** The security groups given roles in one relationship. */
  accessAssignments(relationshipId: string, signal?: AbortSignal): Promise<unknown[]> {
    return this.list(`/v1.0/tenantRelationships/delegatedAdminRelationships/${encodeURIComponent(relationshipId)}/accessAssignments`, signal);
  }

  /** Graph's resource for the token: the sovereign cloud's Graph when GRAPH_URL points at one. */
  private resource(): string {
    return this.origin.startsWith('https://') ? this.origin : 'https://graph.microsoft.com';
  }

  private async list(path: string, signal?: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    let url: string | null = `${this.options.settings.baseUrl.replace(/\/+$/, '')}${path}`;
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_PAGES) throw new GraphError(0, null, `more than ${MAX_PAGES} pages; the listing was not finished`);
      const body = await this.get(url, signal);
      const value = body['value'];
      if (!Array.isArray(value)) throw new GraphError(200, null, 'a page without a "value" list');
      items.push(...value);
      const next = body['@odata.nextLink'];
      url = typeof next === 'string' && next !== '' ? this.sameOrigin(next) : null;
    }
    return items;
  }

  /** A next link must stay on GRAPH_URL's origin: the token is never sent anywhere else. */
  private sameOrigin(link: string): string {
    const url = new URL(link, this.origin);
    if (url.origin !== this.origin) throw new GraphError(0, null, `a next link to another host (${url.host}) was not followed`);
    return url.toString();
  }

  private async get(url: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let throttled = 0;
    let renewed = false;
    for (;;) {
      const wait = this.pausedUntil - this.clock.now();
      if (wait > (this.options.maxWaitMs ?? 60_000)) throw new GraphError(429, 'TooManyRequests', `throttled; try again in ${Math.ceil(wait / 1000)} s`);
      if (wait > 0) await this.clock.sleep(wait, signal);
      signal?.throwIfAborted();
      const token = await this.tokens.getToken();
      let response: Response;
      try {
        response = await this.fetchFn(url, {
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(this.options.settings.timeoutMs)]) : AbortSignal.timeout(this.options.settings.timeoutMs),
        });
      } catch (error) {
        throw new GraphError(0, null, `Microsoft Graph could not be reached (${(error as Error).message})`);
      }
      if (response.status === 429) {
        const seconds = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
        this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + seconds * 1000);
        await response.body?.cancel();
        if (++throttled > (this.options.maxThrottledRetries ?? 3)) throw new GraphError(429, 'TooManyRequests', `throttled; try again in ${seconds} s`);
        continue;
      }
      if (response.status === 401 && !renewed) {
        // An expired or revoked token: one new one, then the answer stands.
        renewed = true;
        this.tokens.invalidate();
        await response.body?.cancel();
        continue;
      }
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) throw toGraphError(response.status, body);
      if (typeof body !== 'object' || body === null) throw new GraphError(response.status, null, 'an answer that is not JSON');
      return body as Record<string, unknown>;
    }
  }
}

function toGraphError(status: number, body: unknown): GraphError {
  const error = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['error'] : null) as Record<string, unknown> | null;
  const code = typeof error?.['code'] === 'string' ? error['code'] : null;
  const message = typeof error?.['message'] === 'string' ? error['message'].split('\n')[0] ?? '' : `HTTP ${status}`;
  return new GraphError(status, code, message);
}

// The one request pipeline of a PSA connector: pacing under the PSA's rate limit, a timeout, 429 and
// Retry-After, and every failure turned into a PsaError of one sentence. Both vendors' connectors use it.
import { parseRetryAfter } from '../partnerCenter/http.js';
import { RateBudget, systemClock, type Clock } from '../partnerCenter/rateBudget.js';
import { PsaError } from './connector.js';

export interface PsaHttpOptions {
  /** 'Autotask', 'ConnectWise PSA': the start of every error sentence. */
  vendor: string;
  requestsPerMinute: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  /** A 429 whose Retry-After is at most this is waited out here (default 3 s: well inside the outbound attempt's 10 s); a longer one is the caller's. */
  maxInlineWaitMs?: number;
  /** Turns a vendor's error body into one sentence (null: nothing readable in it). */
  describeError: (body: unknown) => string | null;
}

export interface PsaResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export class PsaHttp {
  private readonly budget: RateBudget;
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;

  constructor(private readonly options: PsaHttpOptions) {
    // A small burst: a PSA's limiter counts requests per second or minute, and bursts are what trip it.
    this.budget = new RateBudget({ requestsPerMinute: options.requestsPerMinute, burst: 8, interactiveReserve: 0, clock: options.clock });
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
  }

  /** JSON in, JSON out. Throws PsaError for anything but 2xx (after waiting out a short 429 twice at most). */
  async request(method: string, url: string, headers: Record<string, string>, body?: unknown, signal?: AbortSignal): Promise<PsaResponse> {
    for (let attempt = 0; ; attempt += 1) {
      await this.budget.take('interactive', signal);
      const response = await this.send(method, url, headers, body, signal);
      if (response.status >= 200 && response.status < 300) return response;
      const error = this.errorOf(method, url, response);
      const shortWait = error.kind === 'throttled' && error.retryAfterMs !== null && error.retryAfterMs <= (this.options.maxInlineWaitMs ?? 3_000);
      if (!shortWait || attempt >= 2) throw error;
      await this.clock.sleep(error.retryAfterMs!, signal);
      if (signal?.aborted) throw error;
    }
  }

  private async send(method: string, url: string, headers: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<PsaResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      const limit = this.options.timeoutMs ?? 30_000;
      const why = timeout.aborted
        ? `did not answer within ${limit < 1000 ? `${limit} ms` : `${Math.round(limit / 1000)} s`}`
        : signal?.aborted
          ? 'did not answer before the delivery attempt ran out of time'
          : `could not be reached (${causeOf(error)})`;
      throw new PsaError('unavailable', `${this.options.vendor} ${why}.`, null);
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text.replace(/^\uFEFF/, '')) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  private errorOf(method: string, url: string, response: PsaResponse): PsaError {
    const { status } = response;
    const vendor = this.options.vendor;
    const said = this.options.describeError(response.body);
    const what = `${method} ${new URL(url).pathname}`;
    const because = said ? `: ${said.replace(/[.\s]+$/, '')}` : '';
    if (status === 401 || status === 403) {
      return new PsaError('auth', `${vendor} refused the credentials (${status}) on ${what}${because}. Check the API user and its security level, then restart.`, status);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now()) * 1000;
      return new PsaError('throttled', `${vendor} asked us to slow down (429) on ${what}${because}.`, status, retryAfterMs);
    }
    if (status === 408 || status >= 500) {
      const header = response.headers.get('retry-after');
      const retryAfterMs = header ? parseRetryAfter(header, this.clock.now()) * 1000 : null;
      return new PsaError('unavailable', `${vendor} answered ${status} on ${what}${because}.`, status, retryAfterMs);
    }
    return new PsaError('refused', `${vendor} refused ${what} (${status})${because}.`, status);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Collapses a vendor's message (which may span lines) into one line of at most 300 characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}…` : flat;
}

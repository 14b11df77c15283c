// The one request pipeline every Partner Center call goes through: headers, shared rate budget, token,
// timeout, BOM-tolerant JSON, retries, and error mapping. Operations in client.ts stay thin on top of it.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TokenProvider } from './auth.js';
import {
  AuthenticationError,
  PartnerCenterError,
  PartnerCenterUnavailableError,
  ThrottledError,
  type RequestIds,
} from './errors.js';
import { RateBudget, systemClock, type Clock, type Lane } from './rateBudget.js';
import { nodeHttpGet, viaFetch, type HttpAnswer, type HttpGet } from './transport.js';

export interface PipelineOptions {
  /** e.g. https://api.partnercenter.microsoft.com (with or without a trailing /v1). */
  baseUrl: string;
  tokens: TokenProvider;
  budget: RateBudget;
  /** How a GET is sent (default: node:http, transport.ts). */
  transport?: HttpGet;
  /** Send through this fetch instead (a test's, a proxy's). */
  fetch?: typeof fetch;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 5xx and short 429s. */
  maxRetries?: number;
  /** A 429 asking us to wait longer than this is surfaced to the caller instead of waited out. */
  maxRetryAfterSeconds?: number;
  locale?: string;
  /** Hears every attempt's answer: its lane and HTTP status, or "timeout"/"network" (the metrics count them). */
  onAnswer?: (lane: Lane, status: string) => void;
}

export interface RequestContext {
  /** Ties together every call of one poll cycle or one chat command. */
  correlationId: string;
  /** Which queue of the shared budget the call waits in (default 'interactive': a person is waiting). */
  lane?: Lane;
  /** The caller stopping: aborts the wait for the budget, the request in flight and any retry. Never retried. */
  signal?: AbortSignal;
}

export interface GetOptions {
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
}

const BACKOFF_BASE_MS = 500;

export class PartnerCenterPipeline {
  private readonly origin: string;
  private readonly get: HttpGet;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: PipelineOptions) {
    // Keep only scheme+host(+any path prefix before /v1) so both "/v1/x" and "x" resolve to one /v1.
    this.origin = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/i, '');
    this.get = options.transport ?? (options.fetch ? viaFetch(options.fetch) : nodeHttpGet);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** `path` is relative to /v1 ("customers/...") or a `links.next.uri` seen with or without "/v1". */
  urlFor(path: string, query: Record<string, string | undefined> = {}): string {
    const relative = path.replace(/^\/+/, '').replace(/^v1\//i, '');
    const url = new URL(`${this.origin}/v1/${relative}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    return url.toString();
  }

  /** GET a JSON document. Retries reuse one MS-RequestId: it is Partner Center's idempotency key. */
  async getJson(path: string, ctx: RequestContext, options: GetOptions = {}): Promise<unknown> {
    const url = this.urlFor(path, options.query);
    const ids: RequestIds = { requestId: randomUUID(), correlationId: ctx.correlationId };
    const maxRetries = this.options.maxRetries ?? 3;
    let refreshedToken = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(url, ids, ctx, options.headers ?? {});
      if (outcome.kind === 'ok') {
        this.options.tokens.accepted?.();
        return outcome.body;
      }
      const { error } = outcome;
      if (outcome.kind === 'unauthorized' && !refreshedToken) {
        // A token can be revoked before its expiry: fetch a fresh one once, then give up.
        refreshedToken = true;
        this.options.tokens.invalidate();
        continue;
      }
      // A fresh token refused too: the grant behind it is (a lost admin-agent role, no MFA), not one token.
      if (outcome.kind === 'unauthorized') this.options.tokens.rejected?.();
      if (outcome.kind === 'final' || outcome.kind === 'unauthorized' || attempt >= maxRetries) throw error;
      // The caller has stopped: no retry, and no backoff to sleep through.
      ctx.signal?.throwIfAborted();
      const delayMs = outcome.kind === 'throttled' ? outcome.retryAfterMs : this.backoffMs(attempt);
      // Each attempt is info; whoever finally gives up (a command, the sweep) warns once, so one failure is one warning.
      this.options.log?.info(
        { requestId: ids.requestId, correlationId: ids.correlationId, attempt: attempt + 1, delayMs, reason: error.message },
        'retrying Partner Center request',
      );
      await this.sleepUnlessAborted(delayMs, ctx.signal);
    }
  }

  private async attempt(
    url: string,
    ids: RequestIds,
    ctx: RequestContext,
    extraHeaders: Record<string, string>,
  ): Promise<
    | { kind: 'ok'; body: unknown }
    | { kind: 'retry' | 'final' | 'unauthorized'; error: Error }
    | { kind: 'throttled'; error: Error; retryAfterMs: number }
  > {
    const { signal } = ctx;
    // An abort by the caller is thrown, never turned into an outcome: it must not be retried or mapped.
    await this.options.budget.take(ctx.lane ?? 'interactive', signal);
    let token: string;
    try {
      token = await this.options.tokens.getToken();
    } catch (error) {
      signal?.throwIfAborted();
      return { kind: error instanceof AuthenticationError ? 'final' : 'retry', error: error as Error };
    }
    signal?.throwIfAborted();
    // One controller per attempt for both the timeout and the caller's stop; its listener on the caller's
    // long-lived signal is removed when the attempt ends (AbortSignal.any would leave that to the GC).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), this.options.timeoutMs ?? 30_000);
    const stop = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    let response: HttpAnswer;
    let bodyText: string;
    try {
      response = await this.get(url, {
        headers: {
          ...extraHeaders,
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'MS-RequestId': ids.requestId,
          'MS-CorrelationId': ids.correlationId,
          'X-Locale': this.options.locale ?? 'en-US',
        },
        signal: controller.signal,
      });
      // Decoded here with any byte-order mark kept (parseJson drops it), whichever transport sent it.
      bodyText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(response.body);
    } catch (error) {
      signal?.throwIfAborted();
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      this.options.onAnswer?.(ctx.lane ?? 'interactive', timedOut ? 'timeout' : 'network');
      return {
        kind: 'retry',
        error: new PartnerCenterUnavailableError(timedOut ? 'timeout' : 'network', describeFetchError(error), ids),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    this.options.onAnswer?.(ctx.lane ?? 'interactive', String(response.status));
    const body = parseJson(bodyText);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) {
        return { kind: 'final', error: new PartnerCenterUnavailableError('bad-response', 'the body is not JSON', ids) };
      }
      return { kind: 'ok', body };
    }
    if (response.status === 429) {
      const retryAfterSeconds = parseRetryAfter(response.header('retry-after'), this.clock.now());
      // Everyone in this process holds back, not just this request: the budget is per partner tenant.
      this.options.budget.pauseUntil(this.clock.now() + retryAfterSeconds * 1000);
      const error = new ThrottledError(retryAfterSeconds, ids);
      if (retryAfterSeconds > (this.options.maxRetryAfterSeconds ?? 60)) return { kind: 'final', error };
      const jitterMs = this.random() * 250;
      return { kind: 'throttled', error, retryAfterMs: retryAfterSeconds * 1000 + jitterMs };
    }
    const error = toPartnerCenterError(response.status, body, ids);
    // info, not warn: a retry may still succeed, and the caller that gives up says so once.
    this.options.log?.info(
      {
        status: response.status,
        code: error.code,
        requestId: ids.requestId,
        correlationId: ids.correlationId,
        msCv: response.header('ms-cv'),
        serverId: response.header('ms-serverid'),
      },
      'Partner Center error',
    );
    if (response.status === 401) return { kind: 'unauthorized', error };
    return { kind: response.status >= 500 ? 'retry' : 'final', error };
  }

  /** Waits before a retry; an abort ends the wait at once and rejects with the signal's reason. */
  private async sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.clock.sleep(ms);
    signal.throwIfAborted();
    let onAbort: () => void = () => undefined;
    // Not every Clock honours the signal: the race ends the wait regardless.
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.clock.sleep(ms, signal), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    signal.throwIfAborted();
  }

  /** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s ... each scaled by a random factor in [0.5, 1]. */
  private backoffMs(attempt: number): number {
    const ceiling = BACKOFF_BASE_MS * 2 ** attempt;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }
}

function parseJson(text: string): unknown {
  // Partner Center bodies may start with a UTF-8 byte-order mark.
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (clean.trim() === '') return undefined;
  try {
    return JSON.parse(clean);
  } catch {
    return undefined;
  }
}

/** Retry-After is seconds, or (rarely) an HTTP date. Missing or unreadable → a cautious default. */
export function parseRetryAfter(header: string | null, nowMs: number): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - nowMs) / 1000));
  }
  return 30;
}

function toPartnerCenterError(status: number, body: unknown, ids: RequestIds): PartnerCenterError {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const rawCode = record['code'] ?? record['errorCode'];
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' && /^\d+$/.test(rawCode) ? Number(rawCode) : null;
  const description =
    (typeof record['description'] === 'string' && record['description']) ||
    (typeof record['message'] === 'string' && record['message']) ||
    `HTTP ${status}`;
  return new PartnerCenterError(status, code, description, ids);
}

function describeFetchError(error: unknown): string {
  // fetch wraps the system error in `cause`; node:http throws it as it is.
  // (A DOMException's numeric legacy `code`, e.g. 23 for a timeout, is not a system error code.)
  const err = error as Error & { code?: unknown; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? (typeof err.code === 'string' ? err.code : undefined) ?? err.cause?.message ?? err.message;
}

// The webhook destination: every alert event POSTed as JSON (docs/webhook.schema.json) to each of
// WEBHOOK_URLS, signed with WEBHOOK_SECRET. Each URL is its own endpoint (its own queue in the engine).
// Answers: 2xx done; 408, 429 and 5xx retried (Retry-After honoured); 410 stops the URL; other 4xx dropped.
import { createHmac } from 'node:crypto';
import type { AlertEvent } from '../domain/alertEvent.js';
import type { AttemptOutcome, Destination } from './destination.js';
import { safeUrlName } from './outboundUrl.js';

export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookSettings {
  urls: string[];
  /** Signs every body when set (null: unsigned). */
  secret: string | null;
}

/** The signature header's value: HMAC-SHA256 of "<timestamp>.<body>" under the secret, in hex. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookBody(event: AlertEvent): string {
  return JSON.stringify({ schemaVersion: WEBHOOK_SCHEMA_VERSION, ...event });
}

export class WebhookDestination implements Destination {
  readonly name = 'webhook';
  /** Endpoint keys are the URLs' log-safe names (no query secrets in the state, logs or /healthz). */
  private readonly urls: Map<string, string>;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly options: { fetch?: typeof fetch; now?: () => number } = {},
  ) {
    this.urls = new Map(settings.urls.map((url) => [safeUrlName(url), url]));
  }

  endpoints(): readonly string[] {
    return [...this.urls.keys()];
  }

  accepts(): boolean {
    return true;
  }

  async deliver(endpoint: string, event: AlertEvent, signal: AbortSignal): Promise<AttemptOutcome> {
    const url = this.urls.get(endpoint);
    if (!url) return { kind: 'drop', reason: 'the URL is no longer in WEBHOOK_URLS' };
    const body = webhookBody(event);
    const timestamp = String(Math.floor((this.options.now?.() ?? Date.now()) / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'PartnerAlerts-Webhook/1',
      'x-partner-alerts-delivery': event.id,
      'x-partner-alerts-timestamp': timestamp,
    };
    if (this.settings.secret) headers['x-partner-alerts-signature'] = webhookSignature(this.settings.secret, timestamp, body);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    } catch {
      return { kind: 'retry', reason: signal.aborted ? 'no answer in time' : 'the URL could not be reached' };
    }
    // The body is not read beyond what frees the connection: a receiver's answer is not ours to show.
    await response.body?.cancel().catch(() => undefined);
    return answerOutcome(response.status, response.headers.get('retry-after'), endpoint, this.options.now?.() ?? Date.now());
  }
}

/** What an HTTP answer means for a webhook delivery. */
export function answerOutcome(status: number, retryAfter: string | null, endpoint: string, nowMs: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'done' };
  const reason = `HTTP ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(retryAfter, nowMs);
    return afterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, afterMs };
  }
  if (status === 410) {
    return { kind: 'stop', reason: 'HTTP 410 Gone', notice: `The webhook ${endpoint} answered 410 Gone: alerts are no longer sent there until Partner Alerts restarts. Remove it from WEBHOOK_URLS or fix the receiver.` };
  }
  return { kind: 'drop', reason };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable (the back-off applies). */
function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

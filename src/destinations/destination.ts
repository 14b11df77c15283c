// An outbound destination beside Teams (a signed webhook, PSA tickets). The engine keeps one durable queue per
// endpoint of each destination and one worker per queue, so a slow or broken endpoint holds up no other; a
// destination only says whether it wants an event and how one attempt went.
import type { AlertEvent } from '../domain/alertEvent.js';

export type AttemptOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; afterMs?: number; reason: string }   // 408/429/5xx/timeouts: back-off, Retry-After honoured
  | { kind: 'drop'; reason: string }                       // other 4xx: not retried, logged and counted
  | { kind: 'stop'; reason: string; notice: string };      // 410 (one URL) or 401/403 (a PSA): stop this endpoint, one notice

export interface Destination {
  /** 'webhook', 'tickets' */
  readonly name: string;
  /** One queue per endpoint key (e.g. each webhook URL): one slow endpoint holds up no other. */
  endpoints(): readonly string[];
  /** Does this destination want the event (rules such as a minimum severity)? */
  accepts(event: AlertEvent): boolean;
  deliver(endpoint: string, event: AlertEvent, signal: AbortSignal): Promise<AttemptOutcome>;
}

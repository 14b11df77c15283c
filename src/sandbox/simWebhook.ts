// The sandbox's webhook receiver: POST /sandbox/webhook takes what Partner Alerts' webhook sends, checks
// its signature the way the README shows a receiver should, and prints one line per event, so a user sees
// the scripted incident leave the bot. GET /sandbox/webhook lists what arrived (newest last).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSettings } from '../destinations/webhook.js';
import { readBody, reply, type Exchange } from './simHttp.js';

export interface ReceivedWebhook {
  delivery: string;
  timestamp: string;
  /** ok: the signature matches; wrong: it does not; unsigned: none was sent (or no secret is known). */
  signature: 'ok' | 'wrong' | 'unsigned';
  body: unknown;
}

export interface WebhookReceiver {
  readonly received: ReceivedWebhook[];
  /** The secret the sender signs with (WEBHOOK_SECRET), to check signatures; null: not checked. */
  secret: string | null;
  handle(ex: Exchange): Promise<void>;
}

const KEPT = 500;

/** The secret the sandbox signs with when WEBHOOK_SECRET is empty (a demo's, not a secret). */
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret';

/**
 * The sandbox's webhooks: WEBHOOK_URLS when set; else the simulator's receiver (at `simulatorUrl`), which
 * then checks signatures with the secret the bot signs with.
 */
export function sandboxWebhookSettings(configured: WebhookSettings | undefined, receiver: WebhookReceiver, simulatorUrl: string): WebhookSettings {
  if (configured?.urls.length) return configured;
  const secret = configured?.secret ?? SANDBOX_WEBHOOK_SECRET;
  receiver.secret = secret;
  return { urls: [`${simulatorUrl}/sandbox/webhook`], secret };
}

export function webhookReceiver(say: (line: string) => void = () => undefined): WebhookReceiver {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = {
    received,
    secret: null,
    async handle(ex) {
      if (ex.method === 'GET') return reply(ex, 200, { received });
      if (ex.method !== 'POST') return reply(ex, 405, { error: 'Only GET and POST are served here.' });
      const raw = await readBody(ex.req);
      const header = (name: string) => String(ex.req.headers[name] ?? '');
      const timestamp = header('x-partner-alerts-timestamp');
      const given = header('x-partner-alerts-signature');
      const signature = !given || !receiver.secret ? 'unsigned' : signatureMatches(receiver.secret, timestamp, raw, given) ? 'ok' : 'wrong';
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(ex, 400, { error: 'The body is not JSON.' });
      }
      received.push({ delivery: header('x-partner-alerts-delivery'), timestamp, signature, body });
      if (received.length > KEPT) received.splice(0, received.length - KEPT);
      const event = body as { type?: string; customer?: { name?: string }; title?: string };
      say(`[webhook] ${event.type ?? '?'} · ${event.customer?.name ?? '?'} · ${event.title ?? ''} (signature ${signature})`);
      reply(ex, 200, { received: true });
    },
  };
  return receiver;
}

/** The receiver's check: HMAC-SHA256 of "<timestamp>.<body>", compared in constant time. */
function signatureMatches(secret: string, timestamp: string, body: string, given: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

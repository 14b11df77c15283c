// The rule for every URL the bot sends alerts to (webhooks; a PSA's address): https, except http on this
// machine's loopback (the sandbox's fakes, a receiver under test). And a name for a URL that is safe to log:
// a Power Automate URL carries its secret in the query (`sig=`), which must never reach a log line.
import { createHash } from 'node:crypto';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** One sentence saying why `raw` may not be used, or null when it may. `name` is the setting, e.g. WEBHOOK_URLS. */
export function outboundUrlProblem(name: string, raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${name}: "${raw.replace(/\?.*$/, '?…')}" is not a URL.`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return `${name}: ${safeUrlName(raw)} must be an https URL (plain http only on loopback: 127.0.0.1, localhost or [::1]).`;
}

/** The URL without its query or user info; a query is replaced by a short digest so two URLs stay apart. */
export function safeUrlName(raw: string): string {
  try {
    const url = new URL(raw);
    const query = url.search ? `?…${createHash('sha256').update(raw).digest('hex').slice(0, 8)}` : '';
    return `${url.protocol}//${url.host}${url.pathname}${query}`;
  } catch {
    return '(not a URL)';
  }
}

// Who may read /healthz and /metrics: they show customer names, conversation keys, host names and the
// fencing token. A bearer token guards them, never the source address: behind a reverse proxy on the same
// host every request comes from loopback.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface GuardSettings {
  /** HEALTH_TOKEN, or null when it is not set. */
  token: string | null;
  /** The server can be reached beyond loopback (an app id, or LISTEN_ADDRESS): the token is always required. */
  production: boolean;
}

/**
 * - `allowed`: the right bearer, or no token needed (loopback without HEALTH_TOKEN);
 * - `missing`: no bearer given; `wrong`: a bearer that is not HEALTH_TOKEN;
 * - `unset`: production without HEALTH_TOKEN, so nobody may read them.
 */
export type GuardVerdict = 'allowed' | 'missing' | 'wrong' | 'unset';

export function guardVerdict(authorization: string | undefined, { token, production }: GuardSettings): GuardVerdict {
  if (token === null) return production ? 'unset' : 'allowed';
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (given === undefined) return 'missing';
  return sameSecret(given, token) ? 'allowed' : 'wrong';
}

/** Constant time whatever the lengths: both sides are hashed first, so timingSafeEqual compares equal sizes. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

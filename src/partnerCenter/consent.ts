// The secure application model's consent, as `npm run connect-partner-center` runs it: an admin agent signs
// in by device code, the answer must show MFA, and one Partner Center call (the first page of customers)
// proves the token before anyone stores it.
import { randomUUID } from 'node:crypto';
import { noMfa, partnerCenterProblem, unreachable, type ConsentContext } from './consentProblems.js';
import { signInWithDeviceCode, type DeviceCodePrompt } from './deviceCode.js';

export interface ConsentOptions {
  context: ConsentContext;
  onPrompt: (prompt: DeviceCodePrompt) => void;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Consent {
  refreshToken: string;
  /** Who signed in, when the token says (`upn` or `unique_name`). */
  user: string | null;
}

/** Partner Center's resource, whichever cloud's URL serves it (as EntraTokenProvider asks for it too). */
export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';

/** Throws a ConsentError (one sentence saying what to do) when any step fails. */
export async function obtainConsent(options: ConsentOptions): Promise<Consent> {
  const tokens = await signInWithDeviceCode({ ...options, resource: PARTNER_CENTER_RESOURCE });
  const claims = jwtClaims(tokens.accessToken);
  // Entra lists the sign-in's methods in `amr`; Partner Center refuses App+User tokens without "mfa" in them.
  if (Array.isArray(claims?.amr) && !claims.amr.includes('mfa')) throw noMfa();
  await proveToken(options, tokens.accessToken);
  const user = typeof claims?.upn === 'string' ? claims.upn : typeof claims?.unique_name === 'string' ? claims.unique_name : null;
  return { refreshToken: tokens.refreshToken, user };
}

async function proveToken(options: ConsentOptions, accessToken: string): Promise<void> {
  const url = `${options.context.partnerCenterUrl.replace(/\/+$/, '')}/v1/customers?size=1`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json', 'MS-RequestId': randomUUID(), 'MS-CorrelationId': randomUUID(), 'X-Locale': 'en-US' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw unreachable(`Partner Center at ${options.context.partnerCenterUrl}`, 'PARTNER_CENTER_URL', (error as Error).message);
  }
  await response.body?.cancel();
  if (response.status !== 200) throw partnerCenterProblem(response.status);
}

/** The access token's claims, read without checking the signature: it came straight from Entra over TLS. */
function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

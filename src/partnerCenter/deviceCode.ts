// The device-code sign-in (Microsoft identity platform v2.0, RFC 8628): two POSTs to the configured authority
// host only, `<host>/<tenant>/oauth2/v2.0/devicecode` then `…/token` polled until the admin agent answers.
// Hand-rolled rather than @azure/msal-node: MSAL refuses an http:// authority (the simulator), and it keeps
// the refresh token inside its cache instead of handing it over, which is the one thing this flow is for.
import { z } from 'zod';
import { ConsentError, entraProblem, expired, unreachable, type ConsentContext } from './consentProblems.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
}

export interface UserTokens {
  accessToken: string;
  refreshToken: string;
}

export interface DeviceCodeOptions {
  context: ConsentContext;
  /** The Partner Center resource, e.g. https://api.partnercenter.microsoft.com */
  resource: string;
  /** Told the code and the address to show the admin agent. */
  onPrompt: (prompt: DeviceCodePrompt) => void;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

const deviceCodeAnswer = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  interval: z.coerce.number().nonnegative().optional(),
});
const tokenAnswer = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1) });
const errorAnswer = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
});

/** RFC 8628 §3.5: each `slow_down` adds five seconds to the polling interval for good. */
const SLOW_DOWN_MS = 5_000;

export async function signInWithDeviceCode(options: DeviceCodeOptions): Promise<UserTokens> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { context } = options;
  const base = `${context.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(context.tenantId)}/oauth2/v2.0`;
  const resource = options.resource.replace(/\/+$/, '');

  const started = await post(options, `${base}/devicecode`, {
    client_id: context.clientId,
    scope: `${resource}/user_impersonation offline_access`,
  });
  if (started.status !== 200) throw problemOf(context, started.json);
  const code = deviceCodeAnswer.safeParse(started.json);
  if (!code.success) throw new ConsentError('refused', 'The sign-in endpoint answered without a device code: check PARTNER_CENTER_AUTHORITY_HOST.');
  options.onPrompt({ userCode: code.data.user_code, verificationUri: code.data.verification_uri, expiresInSeconds: code.data.expires_in });

  const deadline = now() + code.data.expires_in * 1000;
  let intervalMs = (code.data.interval ?? 5) * 1000;
  for (;;) {
    if (now() >= deadline) throw expired(Math.round(code.data.expires_in / 60));
    await sleep(intervalMs);
    const answer = await post(options, `${base}/token`, { grant_type: DEVICE_CODE_GRANT, client_id: context.clientId, device_code: code.data.device_code });
    if (answer.status === 200) {
      const tokens = tokenAnswer.safeParse(answer.json);
      if (!tokens.success) throw new ConsentError('refused', 'The sign-in endpoint answered without a refresh token: the scope offline_access must be allowed for the app.');
      return { accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token };
    }
    const error = errorAnswer.safeParse(answer.json);
    if (error.success && error.data.error === 'authorization_pending') continue;
    if (error.success && error.data.error === 'slow_down') {
      intervalMs += SLOW_DOWN_MS;
      continue;
    }
    if (error.success && error.data.error === 'expired_token') throw expired(Math.round(code.data.expires_in / 60));
    throw problemOf(context, answer.json);
  }
}

function problemOf(context: ConsentContext, json: unknown): ConsentError {
  const error = errorAnswer.safeParse(json);
  if (!error.success) return new ConsentError('refused', 'The sign-in endpoint answered with an unexpected body: check PARTNER_CENTER_AUTHORITY_HOST.');
  return entraProblem(context, error.data.error, error.data.error_codes ?? [], error.data.error_description ?? '');
}

async function post(options: DeviceCodeOptions, url: string, form: Record<string, string>): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw unreachable(`The sign-in endpoint ${options.context.authorityHost}`, 'PARTNER_CENTER_AUTHORITY_HOST', (error as Error).message);
  }
  return { status: response.status, json: await response.json().catch(() => null) };
}

// Entra's device-code flow (Microsoft identity platform v2.0, RFC 8628) for `npm run connect-partner-center`
// in the sandbox and in tests. What the admin agent does at the sign-in page is a plan: set in-process
// (`simulator.deviceSignIn.plan(...)`), by `POST /_sim/device-sign-in`, or decided by hand at the page the
// simulator names as `verification_uri` (/_sim/devicelogin). Each misconfiguration answers as Entra or
// Partner Center does, so the script's sentences meet the real error codes.
import { randomBytes } from 'node:crypto';
import { entraError, type AuthReply, type TokenService } from './simAuth.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export const SIGN_IN_OUTCOMES = ['wait', 'approve', 'decline', 'expire', 'no-public-client', 'no-admin-consent', 'no-mfa', 'not-admin-agent'] as const;
/**
 * - `wait`: pending until someone answers at /_sim/devicelogin (the sandbox's default);
 * - `approve`, `decline`, `expire`: the admin agent signs in, declines, or lets the code run out;
 * - `no-public-client`: the app lacks "Allow public client flows" (AADSTS7000218 at the token endpoint);
 * - `no-admin-consent`: `user_impersonation` was never consented (AADSTS65001);
 * - `no-mfa`: signed in with a password only, so the token's `amr` lacks `mfa`;
 * - `not-admin-agent`: signed in, but Partner Center answers 403 to the user's calls.
 */
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];

export interface SignInPlan {
  outcome: SignInOutcome;
  /** `authorization_pending` answers before the outcome (default 1). */
  pendingPolls?: number;
  /** `slow_down` answers before those (default 0). */
  slowDowns?: number;
}

export interface DeviceCodeSettings {
  clientId: string;
  now: () => number;
  intervalSeconds: number;
  expiresInSeconds: number;
  /** The simulator's own address is known only once it listens. */
  baseUrl: () => string;
}

interface PendingSignIn {
  deviceCode: string;
  userCode: string;
  expiresAt: number;
  plan: Required<SignInPlan>;
  polls: number;
}

export class DeviceSignIns {
  private nextPlan: Required<SignInPlan> = { outcome: 'wait', pendingPolls: 1, slowDowns: 0 };
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(
    private readonly tokens: TokenService,
    private readonly settings: DeviceCodeSettings,
  ) {}

  /** How the next sign-ins go (until planned again). */
  plan(plan: SignInPlan): void {
    this.nextPlan = { pendingPolls: 1, slowDowns: 0, ...plan };
  }

  /** POST /{tenant}/oauth2/v2.0/devicecode */
  start(tenant: string, form: URLSearchParams): AuthReply {
    if (!this.tokens.knowsTenant(tenant)) {
      return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const clientId = form.get('client_id');
    if (clientId !== this.settings.clientId) {
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.`);
    }
    if (!form.get('scope')) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const userCode = randomBytes(7).toString('base64url').replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 9);
    const deviceCode = `sim-dc.${randomBytes(24).toString('base64url')}`;
    const { expiresInSeconds, intervalSeconds } = this.settings;
    this.pruneExpired();
    this.pending.set(deviceCode, { deviceCode, userCode, expiresAt: this.settings.now() + expiresInSeconds * 1000, plan: { ...this.nextPlan }, polls: 0 });
    const verificationUri = `${this.settings.baseUrl()}/_sim/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: expiresInSeconds,
        interval: intervalSeconds,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  }

  /** The token endpoint's answer to `grant_type=device_code`. */
  redeem(form: URLSearchParams): AuthReply {
    const signIn = this.pending.get(form.get('device_code') ?? '');
    if (!signIn) return entraError(400, 'bad_verification_code', 70019, 'Verification code expired or was never issued.');
    if (form.get('client_id') !== this.settings.clientId) {
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`);
    }
    const { plan } = signIn;
    if (plan.outcome === 'no-public-client') {
      return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (this.settings.now() >= signIn.expiresAt) return this.finish(signIn, entraError(400, 'expired_token', 70020, 'The provided authorization code or refresh token has expired due to it being shown to unauthorized users.'));
    signIn.polls += 1;
    if (signIn.polls <= plan.slowDowns) return entraError(400, 'slow_down', 70023, 'The client is polling too quickly and should back off.');
    if (plan.outcome === 'wait' || signIn.polls <= plan.slowDowns + plan.pendingPolls) {
      return entraError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    }
    switch (plan.outcome) {
      case 'decline':
        return this.finish(signIn, entraError(400, 'authorization_declined', 70021, 'The end user denied the authorization request.'));
      case 'expire':
        return this.finish(signIn, entraError(400, 'expired_token', 70020, 'The provided authorization code or refresh token has expired due to it being shown to unauthorized users.'));
      case 'no-admin-consent':
        return this.finish(signIn, entraError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${this.settings.clientId}'. Send an interactive authorization request for this user and resource.`));
      default:
        return this.finish(signIn, {
          status: 200,
          body: this.tokens.issueUserTokens({ mfa: plan.outcome !== 'no-mfa', adminAgent: plan.outcome !== 'not-admin-agent' }),
        });
    }
  }

  /** The sign-in page's answer for `userCode`; false when no such code waits. */
  decide(userCode: string, answer: 'approve' | 'decline'): boolean {
    for (const signIn of this.pending.values()) {
      if (signIn.userCode !== userCode.trim().toUpperCase()) continue;
      signIn.plan = { outcome: answer, pendingPolls: 0, slowDowns: 0 };
      signIn.polls = 0;
      return true;
    }
    return false;
  }

  /** A device code answers its outcome once, as Entra's does. */
  private finish(signIn: PendingSignIn, answer: AuthReply): AuthReply {
    this.pending.delete(signIn.deviceCode);
    return answer;
  }

  private pruneExpired(): void {
    const now = this.settings.now();
    for (const [code, signIn] of this.pending) if (signIn.expiresAt <= now) this.pending.delete(code);
  }
}

/** The sandbox's stand-in for microsoft.com/devicelogin: a code and two buttons. */
export function deviceLoginPage(note = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox sign-in</title></head><body>
<h1>Sandbox sign-in (Partner Center simulator)</h1>${note ? `<p>${note}</p>` : ''}
<form method="post"><label>Code <input name="code" autofocus></label>
<button name="answer" value="approve">Sign in as an admin agent, with MFA</button>
<button name="answer" value="decline">Decline</button></form></body></html>`;
}

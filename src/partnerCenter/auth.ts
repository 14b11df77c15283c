// Access tokens for Partner Center from Microsoft Entra ID: App+User (the "secure application model",
// a stored refresh token exchanged for access tokens) or app-only (client credentials).
import { z } from 'zod';
import { AuthenticationError } from './errors.js';
import { systemClock, type Clock } from './rateBudget.js';
import { REFUSING_ERRORS } from './tokenStatus.js';

export interface TokenProvider {
  getToken(): Promise<string>;
  /** Partner Center rejected the token (401): forget it so the next call fetches a new one. */
  invalidate(): void;
  /** Partner Center answered 401 again to the token fetched after `invalidate()`: the grant itself is refused. */
  rejected?(): void;
  /** Partner Center answered a call made with the current token. */
  accepted?(): void;
}

/** Where a rotated refresh token is kept so that it survives restarts (the state store). */
export interface RefreshTokenStore {
  loadRefreshToken(): Promise<string | null>;
  /** A rotated token from a successful exchange (so also the time it was last used). */
  saveRefreshToken(token: string): Promise<void>;
  /** A successful exchange that returned no new token: the stored one was used now. */
  markUsed?(): Promise<void>;
}

/** Told how each refresh-token exchange ended, and how Partner Center took its access tokens (tokenStatus.ts's RefreshTokenWatch). */
export interface RefreshTokenObserver {
  exchanged(): void;
  refused(entraError: string): void;
  refusedByPartnerCenter?(): void;
  acceptedByPartnerCenter?(): void;
}

export interface EntraCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Present → App+User; absent → app-only. */
  refreshToken?: string;
  /** The Partner Center resource, e.g. https://api.partnercenter.microsoft.com */
  resource: string;
}

export interface EntraTokenProviderOptions {
  credentials: EntraCredentials;
  refreshTokenStore?: RefreshTokenStore;
  observer?: RefreshTokenObserver;
  fetch?: typeof fetch;
  clock?: Clock;
  timeoutMs?: number;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
});
const tokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/** Renew this long before Entra's expiry so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export class EntraTokenProvider implements TokenProvider {
  private cached: { token: string; renewAt: number } | null = null;
  /** The grant of the last token handed out: only App+User tokens say anything about the refresh token. */
  private lastGrant: 'refresh_token' | 'client_credentials' | null = null;
  private inFlight: Promise<string> | null = null;
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;

  constructor(private readonly options: EntraTokenProviderOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.clock = options.clock ?? systemClock;
  }

  /** As configured by the environment; a token stored by the consent makes the exchanges App+User too. */
  get mode(): 'app+user' | 'app-only' {
    return this.options.credentials.refreshToken ? 'app+user' : 'app-only';
  }

  async getToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.renewAt) return this.cached.token;
    // One request to Entra however many Partner Center calls are waiting for a token.
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  invalidate(): void {
    this.cached = null;
  }

  rejected(): void {
    // An app-only 401 is about the app registration, not a refresh token: it must not mark one refused.
    if (this.lastGrant === 'refresh_token') this.options.observer?.refusedByPartnerCenter?.();
  }

  accepted(): void {
    if (this.lastGrant === 'refresh_token') this.options.observer?.acceptedByPartnerCenter?.();
  }

  private async fetchToken(): Promise<string> {
    const { credentials, refreshTokenStore, observer } = this.options;
    // A token stored by `npm run connect-partner-center` (or rotated since) is App+User as much as one in the
    // environment, and newer...
    const stored = await refreshTokenStore?.loadRefreshToken();
    if (!credentials.refreshToken && !stored) return this.requestToken({ grant_type: 'client_credentials' });
    try {
      const token = await this.exchangeRefreshToken(stored ?? null);
      observer?.exchanged();
      return token;
    } catch (error) {
      if (error instanceof AuthenticationError && REFUSING_ERRORS.includes(error.entraError)) observer?.refused(error.entraError);
      throw error;
    }
  }

  private async exchangeRefreshToken(stored: string | null): Promise<string> {
    const configured = this.options.credentials.refreshToken;
    try {
      return await this.requestToken({ grant_type: 'refresh_token', refresh_token: stored ?? configured ?? '' });
    } catch (error) {
      // ...unless the environment was given a fresh consent since (or the sandbox's simulator restarted):
      // a refused stored token falls back to the configured one once.
      const refused = error instanceof AuthenticationError && error.entraError === 'invalid_grant';
      if (!refused || !stored || !configured || stored === configured) throw error;
      return this.requestToken({ grant_type: 'refresh_token', refresh_token: configured });
    }
  }

  private async requestToken(grant: { grant_type: 'client_credentials' } | { grant_type: 'refresh_token'; refresh_token: string }): Promise<string> {
    const { credentials, refreshTokenStore } = this.options;
    const resource = credentials.resource.replace(/\/+$/, '');
    const form = new URLSearchParams({ client_id: credentials.clientId, client_secret: credentials.clientSecret, ...grant });
    form.set('scope', grant.grant_type === 'refresh_token' ? `${resource}/user_impersonation offline_access` : `${resource}/.default`);
    const url = `${credentials.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new AuthenticationError('unreachable', `the sign-in endpoint could not be reached (${(error as Error).message})`);
    }
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const parsed = tokenError.safeParse(json);
      throw parsed.success
        ? new AuthenticationError(parsed.data.error, firstLine(parsed.data.error_description ?? 'no description'))
        : new AuthenticationError(`http_${response.status}`, 'the sign-in endpoint answered with an unexpected body');
    }
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) throw new AuthenticationError('bad_response', 'the sign-in endpoint answered without an access token');
    if (grant.grant_type === 'refresh_token') {
      if (parsed.data.refresh_token) await refreshTokenStore?.saveRefreshToken(parsed.data.refresh_token);
      else await refreshTokenStore?.markUsed?.();
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    this.lastGrant = grant.grant_type;
    this.cached = {
      token: parsed.data.access_token,
      renewAt: this.clock.now() + Math.max(lifetimeMs / 2, lifetimeMs - EXPIRY_MARGIN_MS),
    };
    return parsed.data.access_token;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? text;
}

// How Partner Center regards the stored App+User refresh token. One reader for /readyz, /healthz and the
// notices that tell conversations to sign in again, so none of them fails silently request by request.

/**
 * - `none`: app-only access (no refresh token) or the sandbox;
 * - `ok`: the token works;
 * - `expiring`: unused for so long that Entra will soon refuse it (refresh tokens lapse after 90 days unused);
 * - `refused`: Entra or Partner Center refused it; an admin agent must consent again.
 */
export type TokenCondition = 'none' | 'ok' | 'expiring' | 'refused';

export interface TokenStatus {
  condition(): TokenCondition;
  /** Why, in one sentence, when the condition is `expiring` or `refused`; null otherwise. */
  detail?(): string | null;
}

/** For set-ups without a refresh token. */
export const noTokenStatus: TokenStatus = { condition: () => 'none' };

const DAY_MS = 86_400_000;
/** Entra refuses a refresh token that was not used for 90 days. */
export const REFRESH_TOKEN_IDLE_LIMIT_MS = 90 * DAY_MS;
/** "Expiring" this long before that, so a desk has two weeks to run the consent again. */
export const EXPIRING_NOTICE_MS = 14 * DAY_MS;
/** Entra's answers that mean the refresh token itself is no good, as opposed to an outage. */
export const REFUSING_ERRORS: readonly string[] = ['invalid_grant', 'interaction_required', 'consent_required'];

/** What the store knows of the refresh token (read synchronously: both stores keep the state in memory). */
export interface RefreshTokenRecord {
  hasToken(): boolean;
  /** ISO time of the last consent or successful exchange; null when unknown. */
  usedAt(): string | null;
}

/**
 * The refresh token's condition as the token provider's exchanges and the clock show it. Listeners hear of
 * each change once (the notices); `look()` is called after exchanges and now and then as time passes.
 */
export class RefreshTokenWatch implements TokenStatus {
  /** Who refused the token: Entra at the token endpoint, or Partner Center a fresh access token (HTTP 401). */
  private refusal: { by: 'entra' | 'partner-center'; reason: string } | null = null;
  private reported: TokenCondition;
  private readonly listeners: ((condition: TokenCondition) => void)[] = [];

  constructor(private readonly options: { record: RefreshTokenRecord; now: () => number }) {
    // Not "expiring" at start: the first exchange renews an old token, so only a token that stays unused counts.
    this.reported = options.record.hasToken() ? 'ok' : 'none';
  }

  condition(): TokenCondition {
    if (!this.options.record.hasToken()) return 'none';
    if (this.refusal !== null) return 'refused';
    const usedAt = Date.parse(this.options.record.usedAt() ?? '');
    if (Number.isFinite(usedAt) && this.options.now() - usedAt >= REFRESH_TOKEN_IDLE_LIMIT_MS - EXPIRING_NOTICE_MS) return 'expiring';
    return 'ok';
  }

  detail(): string | null {
    switch (this.condition()) {
      case 'refused':
        return this.refusal?.by === 'partner-center'
          ? 'Partner Center refused the access tokens of the stored refresh token (HTTP 401): the admin agent who signed in may have lost that role, or signed in without MFA.'
          : `Microsoft Entra ID refused the stored Partner Center refresh token (${this.refusal?.reason ?? 'refused'}).`;
      case 'expiring': {
        const usedAt = this.options.record.usedAt() ?? '';
        const lapses = new Date(Date.parse(usedAt) + REFRESH_TOKEN_IDLE_LIMIT_MS).toISOString().slice(0, 10);
        return `The stored Partner Center refresh token was last used on ${usedAt.slice(0, 10)} and lapses unused on ${lapses}.`;
      }
      default:
        return null;
    }
  }

  onChange(listener: (condition: TokenCondition) => void): void {
    this.listeners.push(listener);
  }

  /**
   * An exchange worked: Entra's refusal is over. Partner Center's is not: Entra keeps issuing access tokens
   * that Partner Center refuses, and clearing it here would make every round refused → ok → refused again.
   */
  exchanged(): void {
    if (this.refusal?.by === 'entra') this.refusal = null;
    this.look();
  }

  /** Entra refused the token (`error` is its error code, e.g. invalid_grant). */
  refused(error: string): void {
    this.refusal = { by: 'entra', reason: error };
    this.look();
  }

  /** Partner Center answered 401 even to an access token exchanged just now from the refresh token. */
  refusedByPartnerCenter(): void {
    this.refusal = { by: 'partner-center', reason: 'HTTP 401' };
    this.look();
  }

  /** Partner Center answered a call made with the refresh token's access token: the token works. */
  acceptedByPartnerCenter(): void {
    if (this.refusal === null) return;
    this.refusal = null;
    this.look();
  }

  /** Looks again (time passes, the store changes) and tells the listeners when the condition changed. */
  look(): void {
    const condition = this.condition();
    if (condition === this.reported) return;
    this.reported = condition;
    for (const listener of this.listeners) listener(condition);
  }
}

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
  private refusal: string | null = null;
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
        return `Microsoft Entra ID refused the stored Partner Center refresh token (${this.refusal ?? 'refused'}).`;
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

  /** An exchange worked: whatever was refused before is no more. */
  exchanged(): void {
    this.refusal = null;
    this.look();
  }

  /** Entra refused the token (`error` is its error code, e.g. invalid_grant). */
  refused(error: string): void {
    this.refusal = error;
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

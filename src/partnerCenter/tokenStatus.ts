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
}

/** For set-ups without a refresh token. */
export const noTokenStatus: TokenStatus = { condition: () => 'none' };

// The Partner Center token port: the App+User refresh token (rotated by each exchange) and when it was last
// used. One small document, resident on both backends; sealed at rest by the backends (storedSecrets.ts).
import type { State } from '../state.js';

export interface PartnerCenterToken {
  refreshToken(): string | null;
  /** When it was last obtained or exchanged (Entra refuses one unused for 90 days). */
  usedAt(): string | null;
}

export interface PartnerCenterTokenWrites extends PartnerCenterToken {
  /** A new token (consent, or a rotation by an exchange), used at `at`. */
  replace(refreshToken: string, at: string): void;
  markUsed(at: string): void;
}

export function partnerCenterTokenOf(state: () => State): PartnerCenterTokenWrites {
  return {
    refreshToken: () => state().auth.refreshToken,
    usedAt: () => state().auth.usedAt ?? null,
    replace(refreshToken, at) {
      state().auth.refreshToken = refreshToken;
      state().auth.usedAt = at;
    },
    markUsed(at) {
      state().auth.usedAt = at;
    },
  };
}

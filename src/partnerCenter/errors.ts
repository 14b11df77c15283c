// Typed failures of the Partner Center pipeline. Callers above this layer branch on the class and on
// `code`; they never see raw HTTP bodies.

export interface RequestIds {
  requestId: string;
  correlationId: string;
}

/** Partner Center answered with an error status and (usually) its `{code, description}` body. */
export class PartnerCenterError extends Error {
  readonly status: number;
  readonly code: number | null;
  readonly description: string;
  readonly ids: RequestIds;

  constructor(status: number, code: number | null, description: string, ids: RequestIds) {
    super(`Partner Center answered ${status}${code === null ? '' : ` (code ${code})`}: ${description}`);
    this.name = 'PartnerCenterError';
    this.status = status;
    this.code = code;
    this.description = description;
    this.ids = ids;
  }
}

/** 429 that we chose not to wait out (Retry-After too long, or retries used up). */
export class ThrottledError extends Error {
  readonly retryAfterSeconds: number;
  readonly ids: RequestIds;
  constructor(retryAfterSeconds: number, ids: RequestIds) {
    super(`Partner Center is throttling requests; try again in ${retryAfterSeconds} s`);
    this.name = 'ThrottledError';
    this.retryAfterSeconds = retryAfterSeconds;
    this.ids = ids;
  }
}

/** No usable answer: network failure, timeout, or a body that is not the JSON we expect. */
export class PartnerCenterUnavailableError extends Error {
  readonly reason: 'timeout' | 'network' | 'bad-response';
  readonly ids: RequestIds;
  constructor(reason: 'timeout' | 'network' | 'bad-response', detail: string, ids: RequestIds) {
    super(`Partner Center ${reason === 'timeout' ? 'did not answer in time' : reason === 'network' ? 'could not be reached' : 'sent an unreadable answer'}: ${detail}`);
    this.name = 'PartnerCenterUnavailableError';
    this.reason = reason;
    this.ids = ids;
  }
}

/** Entra ID refused to give us a token (bad secret, expired refresh token...). Never retried blindly. */
export class AuthenticationError extends Error {
  readonly entraError: string;
  constructor(entraError: string, description: string) {
    // Entra descriptions carry trace ids, never secrets, so they are safe to keep.
    super(`Sign-in to Partner Center failed (${entraError}): ${description}`);
    this.name = 'AuthenticationError';
    this.entraError = entraError;
  }
}

/** Named Partner Center error codes (contract: "Codes worth naming to the user"). */
export const PC_CODES = {
  tokenMissing: 800001,
  noRelationship: 20002,
  tenantNotFound: 60003,
  orderNotFound: 20000,
  provisioningUnavailable: 800007,
  unexpected: 800003,
} as const;

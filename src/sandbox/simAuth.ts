// An Entra-like token endpoint: just enough of Microsoft identity platform v2.0 for the client's
// two flows (App+User via a stored refresh token, App-only via client credentials), with Entra's
// error shapes so the client's error handling meets the real thing.

import { randomBytes, randomUUID } from 'node:crypto';

export interface SimCredentials {
  /** Partner tenant id (GUID); the token endpoint also accepts `tenantDomain`. */
  tenantId: string;
  tenantDomain: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export const SANDBOX_CREDENTIALS: Readonly<SimCredentials> = Object.freeze({
  tenantId: '4a1c7e02-5f3b-4d8e-9c6a-2b7f0e1d3a58',
  tenantDomain: 'sandbox-partner.onmicrosoft.com',
  clientId: 'sandbox-client',
  clientSecret: 'sandbox-secret',
  refreshToken: 'sandbox-refresh-token',
});

export type TokenKind = 'app+user' | 'app';

export interface TokenInfo {
  kind: TokenKind;
  expiresAt: number;
  /** false: a user who is not an admin agent signed in; Partner Center answers 403 (device-code consent). */
  adminAgent?: boolean;
}

/** How a device-code sign-in went, for the App+User tokens it earns. */
export interface UserSignIn {
  mfa: boolean;
  adminAgent: boolean;
}

export interface AuthSettings {
  credentials: SimCredentials;
  rotateRefreshTokens: boolean;
  revokeUsedRefreshTokens: boolean;
  tokenLifetimeSeconds: number;
  now: () => number;
}

export interface AuthReply {
  status: number;
  body: Record<string, unknown>;
}

const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';

export class TokenService {
  issued = 0;
  private readonly access = new Map<string, TokenInfo>();
  private readonly refresh = new Set<string>();

  constructor(private readonly settings: AuthSettings) {
    this.refresh.add(settings.credentials.refreshToken);
  }

  knowsTenant(tenant: string): boolean {
    const { tenantId, tenantDomain } = this.settings.credentials;
    const t = tenant.toLowerCase();
    return t === tenantId.toLowerCase() || t === tenantDomain.toLowerCase();
  }

  /** The token's grant when `Authorization` carries a live token issued here; otherwise null. */
  verify(authorization: string | undefined): TokenInfo | null {
    if (!authorization || !authorization.startsWith('Bearer ')) return null;
    const info = this.access.get(authorization.slice(7).trim());
    return info && info.expiresAt > this.settings.now() ? info : null;
  }

  grant(tenant: string, form: URLSearchParams, basicAuthorization: string | undefined): AuthReply {
    const { credentials } = this.settings;
    if (!this.knowsTenant(tenant)) return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    const grantType = form.get('grant_type');
    if (!grantType) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType !== 'refresh_token' && grantType !== 'client_credentials') {
      return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    }
    const basic = parseBasic(basicAuthorization);
    const clientId = form.get('client_id') ?? basic?.id;
    const clientSecret = form.get('client_secret') ?? basic?.secret;
    if (clientId !== credentials.clientId) {
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${credentials.tenantDomain}'.`);
    }
    if (clientSecret !== credentials.clientSecret) {
      return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const scope = form.get('scope') ?? '';
    if (grantType === 'client_credentials') {
      if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
        return entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
      return { status: 200, body: this.issue('app', `${PARTNER_CENTER}/.default`) };
    }
    if (!scope.includes('user_impersonation')) {
      return entraError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} does not include user_impersonation.`);
    }
    const presented = form.get('refresh_token');
    if (!presented) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'refresh_token'.");
    if (!this.refresh.has(presented)) return entraError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
    let refreshToken = presented;
    if (this.settings.rotateRefreshTokens) {
      refreshToken = `0.sim.${randomBytes(24).toString('base64url')}`;
      this.refresh.add(refreshToken);
      if (this.settings.revokeUsedRefreshTokens) this.refresh.delete(presented);
    }
    return { status: 200, body: { ...this.issue('app+user', `${PARTNER_CENTER}/user_impersonation`), refresh_token: refreshToken } };
  }

  /** The tokens a finished device-code sign-in earns: a new refresh token the refresh grant then accepts. */
  issueUserTokens(signIn: UserSignIn): Record<string, unknown> {
    const refreshToken = `0.sim.${randomBytes(24).toString('base64url')}`;
    this.refresh.add(refreshToken);
    return { ...this.issue('app+user', `${PARTNER_CENTER}/user_impersonation`, signIn), refresh_token: refreshToken };
  }

  openIdConfiguration(baseUrl: string, tenant: string): Record<string, unknown> {
    const tid = this.settings.credentials.tenantId;
    return {
      token_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
      jwks_uri: `${baseUrl}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${baseUrl}/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'scp'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    };
  }

  private issue(kind: TokenKind, scope: string, signIn?: UserSignIn): Record<string, unknown> {
    const now = this.settings.now();
    const lifetime = this.settings.tokenLifetimeSeconds;
    const expiresAt = now + lifetime * 1000;
    this.prune(now);
    const token = jwtLooking({
      aud: PARTNER_CENTER, iss: `https://sts.windows.net/${this.settings.credentials.tenantId}/`,
      iat: Math.floor(now / 1000), exp: Math.floor(expiresAt / 1000), tid: this.settings.credentials.tenantId,
      appid: this.settings.credentials.clientId, scp: kind === 'app+user' ? 'user_impersonation' : undefined,
      // Entra's authentication methods: Partner Center requires "mfa" among them for App+User.
      amr: kind === 'app+user' ? (signIn?.mfa === false ? ['pwd'] : ['pwd', 'mfa']) : undefined,
    });
    this.access.set(token, { kind, expiresAt, ...(signIn ? { adminAgent: signIn.adminAgent } : {}) });
    this.issued += 1;
    return { token_type: 'Bearer', scope, expires_in: lifetime, ext_expires_in: lifetime, access_token: token };
  }

  /** Issuance is rare, so sweeping on issue keeps the map small without a timer. */
  private prune(now: number): void {
    for (const [token, info] of this.access) if (info.expiresAt <= now) this.access.delete(token);
  }
}

/** Shaped like a JWT (some clients peek at `exp`); the signature is random, nothing verifies it. */
function jwtLooking(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256', kid: 'sim' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function entraError(status: number, error: string, code: number, message: string): AuthReply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

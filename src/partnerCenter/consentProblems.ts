// What can go wrong while an admin agent connects Partner Alerts to Partner Center, as one sentence each
// that says what to do. Entra's AADSTS codes and Partner Center's statuses are mapped here, in one place.

export type ConsentProblemKind =
  | 'unknown-tenant'
  | 'unknown-app'
  | 'no-public-client'
  | 'no-admin-consent'
  | 'no-mfa'
  | 'not-admin-agent'
  | 'declined'
  | 'expired'
  | 'unreachable'
  | 'refused';

export class ConsentError extends Error {
  constructor(
    readonly kind: ConsentProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'ConsentError';
  }
}

export interface ConsentContext {
  tenantId: string;
  clientId: string;
  authorityHost: string;
  partnerCenterUrl: string;
}

/** An Entra error answer (`error`, `error_codes`, `error_description`) as the ConsentError it means. */
export function entraProblem(context: ConsentContext, error: string, codes: number[], description: string): ConsentError {
  const code = codes[0] ?? Number(/AADSTS(\d+)/.exec(description)?.[1] ?? NaN);
  switch (true) {
    case code === 90002 || error === 'invalid_tenant':
      return new ConsentError('unknown-tenant', `Microsoft Entra ID does not know the tenant "${context.tenantId}": set PARTNER_TENANT_ID to the partner's tenant id (a GUID) or its .onmicrosoft.com domain.`);
    case code === 700016:
      return new ConsentError('unknown-app', `Microsoft Entra ID knows no app "${context.clientId}" in tenant ${context.tenantId}: set PARTNER_CENTER_CLIENT_ID to the app registration's Application (client) ID.`);
    case code === 7000218:
      return new ConsentError('no-public-client', 'The app registration does not allow the device-code sign-in: in Entra ID open the app\'s Authentication page, set "Allow public client flows" to Yes, save, and run this again.');
    case code === 65001 || error === 'consent_required':
      return new ConsentError('no-admin-consent', "Admin consent for Partner Center's user_impersonation permission is missing: in the app's API permissions add Microsoft Partner Center › user_impersonation, grant admin consent for the tenant, and run this again.");
    case code === 50076 || code === 50079:
      return noMfa();
    case error === 'authorization_declined' || error === 'access_denied':
      return new ConsentError('declined', 'The sign-in was declined, so nothing was stored: run this again and accept the request.');
    default:
      return new ConsentError('refused', `Microsoft Entra ID refused the sign-in (${error}${Number.isFinite(code) ? `, AADSTS${code}` : ''}): ${firstSentence(description)}`);
  }
}

export function noMfa(): ConsentError {
  return new ConsentError('no-mfa', 'The sign-in did not use multi-factor authentication, which Partner Center requires for App+User calls: sign in again with MFA (require it for admin agents with Conditional Access or security defaults).');
}

export function expired(minutes: number): ConsentError {
  return new ConsentError('expired', `The code expired before the sign-in finished (it lasts ${minutes} min), so nothing was stored: run this again and sign in within that time.`);
}

export function unreachable(what: string, setting: string, cause: string): ConsentError {
  return new ConsentError('unreachable', `${what} could not be reached (${cause}): check ${setting} and the network, then run this again.`);
}

/** Partner Center's answer to the proving call, when it is not 200. */
export function partnerCenterProblem(status: number): ConsentError {
  if (status === 403) {
    return new ConsentError('not-admin-agent', 'Partner Center refused the signed-in user (403): sign in as a user with the Admin agent role in Partner Center, and run this again.');
  }
  if (status === 401) {
    return new ConsentError('refused', 'Partner Center refused the new token (401): check that the sign-in used MFA and that the app has the Partner Center user_impersonation permission, then run this again.');
  }
  return new ConsentError('refused', `Partner Center answered ${status} to the proving call (the first page of customers), so nothing was stored: check PARTNER_CENTER_URL and try again later.`);
}

/** Entra descriptions carry trace ids and timestamps after the first sentence: keep the part a person reads. */
function firstSentence(description: string): string {
  const text = description.replace(/^AADSTS\d+:\s*/, '').split(/\r?\n| Trace ID:/)[0] ?? description;
  return text.trim() || 'no description';
}

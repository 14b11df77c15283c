// The Partner Center simulator: one node:http server that plays both Partner Center (/v1/...) and
// its Entra token authority (/{tenant}/oauth2/v2.0/token), plus /_sim/ control endpoints so a
// demo or another process can drive the scenario and inject faults.

import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDataset, type SimDataset } from './dataset.js';
import { createScenario, type Scenario } from './scenario.js';
import { SANDBOX_CREDENTIALS, TokenService, type SimCredentials } from './simAuth.js';
import { control } from './simControl.js';
import { DEVICE_CODE_GRANT, DeviceSignIns } from './simDeviceCode.js';
import type { NextLinkStyle } from './simCustomers.js';
import { FaultList, RateLimiter, type FaultController, type FaultRule } from './simFaults.js';
import {
  openExchange, partnerError, rateLimitBody, readBody, recordOf, reply, UNAUTHORIZED, type Exchange, type RecordedRequest,
} from './simHttp.js';
import { handleApi, type IncidentShape } from './simRoutes.js';
import { webhookReceiver, type WebhookReceiver } from './simWebhook.js';
import { PsaFakes, type FakeCompany, type PsaFakeOptions } from './psaFake.js';
import { SimGdap } from './simGdap.js';
import { handleGraph, isGraphPath } from './simGraph.js';

export { SANDBOX_CREDENTIALS } from './simAuth.js';
export type { SimCredentials, TokenKind } from './simAuth.js';
export type { DeviceSignIns, SignInOutcome, SignInPlan } from './simDeviceCode.js';
export type { FaultController, FaultHandle, FaultRule } from './simFaults.js';
export type { RecordedRequest } from './simHttp.js';
export type { NextLinkStyle } from './simCustomers.js';
export type { IncidentShape } from './simRoutes.js';

export interface SimClock {
  now(): Date;
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  /** Default: the named customers (Contoso, Fabrikam, ...). */
  customerCount?: number;
  /** A prepared dataset instead of seed/customerCount. */
  data?: SimDataset;
  /** Added to every answer except /_sim/. */
  latencyMs?: number;
  /** UTF-8 byte-order mark before every Partner Center JSON body (default true, as the real service). */
  bom?: boolean;
  /** /v1 requests per second before 429; null (default) is unlimited. */
  rateLimitPerSecond?: number | null;
  credentials?: Partial<SimCredentials>;
  /** Each refresh-token grant returns a new refresh token (default true). */
  rotateRefreshTokens?: boolean;
  /** A refresh token stops working once exchanged (default false). */
  revokeUsedRefreshTokens?: boolean;
  tokenLifetimeSeconds?: number;
  /** The device-code flow's polling interval and lifetime, as Entra announces them (default 5 and 900). */
  deviceCodeIntervalSeconds?: number;
  deviceCodeExpiresInSeconds?: number;
  nextLinkStyle?: NextLinkStyle;
  incidentShape?: IncidentShape;
  /** Drives token expiry, the rate-limit window, request timestamps and scenario times. */
  clock?: SimClock;
  /** Older entries of `requests` are dropped beyond this (default 10,000) so long benchmarks stay small. */
  maxRecordedRequests?: number;
  /** Where the webhook receiver (/sandbox/webhook) prints a line per event it gets (default: nowhere). */
  webhookLog?: (line: string) => void;
  /** The PSA fakes (/autotask/, /connectwise/, GET /sandbox/tickets); companies default to the dataset's. */
  psa?: PsaFakeOptions;
}

export interface Simulator {
  /** Base URL; Partner Center lives under `${url}/v1`. */
  readonly url: string;
  /** Same server: the token endpoint is `${authorityHost}/${tenant}/oauth2/v2.0/token`. */
  readonly authorityHost: string;
  readonly credentials: Readonly<SimCredentials>;
  readonly data: SimDataset;
  readonly scenario: Scenario;
  /** Microsoft Graph's GDAP relationships and access assignments (served under /v1.0/). */
  readonly gdap: SimGdap;
  readonly faults: FaultController;
  /** Partner Center and token requests, oldest first (not /_sim/). */
  readonly requests: RecordedRequest[];
  /** All requests ever recorded, including those dropped from `requests`. */
  readonly requestCount: number;
  readonly tokensIssued: number;
  /** How device-code sign-ins (`npm run connect-partner-center`) go. */
  readonly deviceSignIn: DeviceSignIns;
  /**
   * Partner Center answers 401 to every App+User token while true, however freshly Entra issued it: the
   * consenting user lost the admin-agent role, or signed in without MFA. App-only tokens still work.
   */
  refuseAppUserTokens: boolean;
  /** The webhook receiver at `${url}/sandbox/webhook`: what arrived, and the secret it checks signatures with. */
  readonly webhooks: WebhookReceiver;
  /** The Autotask and ConnectWise PSA fakes and the tickets they hold. */
  readonly psa: PsaFakes;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock;
  const now = clock ? () => clock.now().getTime() : Date.now;
  const data = options.data ?? createDataset({ seed: options.seed ?? 42, customerCount: options.customerCount });
  const credentials: SimCredentials = { ...SANDBOX_CREDENTIALS, ...options.credentials };
  const tokens = new TokenService({
    credentials,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    revokeUsedRefreshTokens: options.revokeUsedRefreshTokens ?? false,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    now,
  });
  const deviceSignIn = new DeviceSignIns(tokens, {
    clientId: credentials.clientId,
    now,
    intervalSeconds: options.deviceCodeIntervalSeconds ?? 5,
    expiresInSeconds: options.deviceCodeExpiresInSeconds ?? 900,
    baseUrl: () => url,
  });
  const faults = new FaultList();
  const limiter = options.rateLimitPerSecond == null ? null : new RateLimiter(options.rateLimitPerSecond);
  const gdap = new SimGdap(data, now);
  const scenario = createScenario(data, clock ?? { now: () => new Date() }, gdap);
  const bom = options.bom ?? true;
  const api = { data, bom, nextLinkStyle: options.nextLinkStyle ?? 'alternate', incidentShape: options.incidentShape ?? 'flat' } as const;
  const latencyMs = options.latencyMs ?? 0;
  const maxRecorded = options.maxRecordedRequests ?? 10_000;
  const requests: RecordedRequest[] = [];
  let requestCount = 0;
  let closed = false;
  let refuseAppUserTokens = false;
  const timers = new Set<NodeJS.Timeout>();
  const webhooks = webhookReceiver(options.webhookLog);
  let url = '';
  const psa = new PsaFakes({ ...options.psa, companies: options.psa?.companies ?? sandboxCompanies(data) });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function remember(ex: Exchange): void {
    ex.record = recordOf(ex, now());
    requestCount += 1;
    requests.push(ex.record);
    // Trim in batches: one splice per thousand requests instead of a shift per request.
    if (requests.length > maxRecorded + 1000) requests.splice(0, requests.length - maxRecorded);
  }

  async function handle(ex: Exchange): Promise<void> {
    if (ex.path.startsWith('/_sim/')) return control(ex, simulator, tokens);
    if (ex.path === '/sandbox/webhook') return webhooks.handle(ex);
    if (psa.owns(ex.path)) return psa.handle(ex, sleep);
    remember(ex);
    const fault = faults.take(ex.method, ex.target);
    const delay = latencyMs + (fault?.latencyMs ?? 0);
    if (delay > 0) await sleep(delay);
    if (closed || fault?.hang) return; // a hung request is ended by close()
    if (fault?.status !== undefined) return replyFault(ex, fault, bom);

    if (ex.partner) {
      if (limiter) {
        const wait = limiter.check(now());
        if (wait !== null) return reply(ex, 429, rateLimitBody(wait), { bom, headers: { 'Retry-After': String(wait) } });
      }
      const token = tokens.verify(firstHeader(ex, 'authorization'));
      if (!token || (refuseAppUserTokens && token.kind === 'app+user')) {
        return reply(ex, 401, UNAUTHORIZED, { bom, headers: { 'WWW-Authenticate': 'OAuth realm=urn:cpsvc:cpid:sandbox' } });
      }
      if (token.adminAgent === false) return reply(ex, 403, partnerError(1002, 'Authorization Failed: the signed-in user is not an admin agent of the partner.'), { bom });
      return handleApi(ex, token, api);
    }

    if (isGraphPath(ex.path)) return handleGraph(ex, tokens.verify(firstHeader(ex, 'authorization')), gdap, url);

    const segments = ex.path.split('/');
    const tenant = safeDecode(segments[1] ?? '');
    if (segments.length === 5 && segments[2] === 'oauth2' && segments[3] === 'v2.0' && segments[4] === 'token') {
      if (ex.method !== 'POST') return reply(ex, 405, { error: 'invalid_request', error_description: 'The token endpoint only accepts POST.' });
      const form = new URLSearchParams(await readBody(ex.req));
      const deviceCode = form.get('grant_type') === DEVICE_CODE_GRANT && tokens.knowsTenant(tenant);
      const result = deviceCode ? deviceSignIn.redeem(form) : tokens.grant(tenant, form, firstHeader(ex, 'authorization'));
      return reply(ex, result.status, result.body, { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } });
    }
    if (segments.length === 5 && segments[2] === 'oauth2' && segments[3] === 'v2.0' && segments[4] === 'devicecode') {
      if (ex.method !== 'POST') return reply(ex, 405, { error: 'invalid_request', error_description: 'The device code endpoint only accepts POST.' });
      const result = deviceSignIn.start(tenant, new URLSearchParams(await readBody(ex.req)));
      return reply(ex, result.status, result.body, { headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } });
    }
    if (segments.length === 5 && segments[2] === 'v2.0' && segments[3] === '.well-known' && segments[4] === 'openid-configuration') {
      if (!tokens.knowsTenant(tenant)) return reply(ex, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
      return reply(ex, 200, tokens.openIdConfiguration(url, tenant));
    }
    return reply(ex, 404, { error: 'not_found', error_description: `Nothing is served at ${ex.path}.` });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const ex = openExchange(req, res);
    handle(ex).catch((error: unknown) => {
      const description = error instanceof Error ? error.message : String(error);
      reply(ex, 500, ex.partner ? partnerError(800003, 'Unexpected service error') : { error: 'server_error', error_description: description }, { bom });
    });
  });
  // Benchmarks open many keep-alive sockets; never let a slow client hold the port.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  const simulator: Simulator = {
    url,
    authorityHost: url,
    credentials,
    data,
    scenario,
    gdap,
    faults,
    requests,
    get requestCount() {
      return requestCount;
    },
    get tokensIssued() {
      return tokens.issued;
    },
    deviceSignIn,
    webhooks,
    psa,
    get refuseAppUserTokens() {
      return refuseAppUserTokens;
    },
    set refuseAppUserTokens(refuse: boolean) {
      refuseAppUserTokens = refuse;
    },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return simulator;
}

/**
 * The PSA companies of the sandbox: one per customer, found by web address (a custom domain) or by exact
 * name, except that Fabrikam's is "Fabrikam, Inc.", so `tickets unmapped` has a customer to show.
 */
function sandboxCompanies(data: SimDataset): FakeCompany[] {
  return data.customers.map((customer, index) => ({
    id: 100 + index,
    name: customer.companyName === 'Fabrikam' ? 'Fabrikam, Inc.' : customer.companyName,
    webAddress: customer.customDomains?.[0] ? `https://www.${customer.customDomains[0]}/` : null,
  }));
}

function replyFault(ex: Exchange, fault: FaultRule, bom: boolean): void {
  const status = fault.status ?? 500;
  const retryAfter = fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
  reply(ex, status, fault.body ?? defaultFaultBody(status, retryAfter ?? 1, ex.partner), { bom, headers });
}

/** The contract's error shapes: Partner Center's for /v1, Entra's for the token authority. */
function defaultFaultBody(status: number, retryAfter: number, partner: boolean): unknown {
  if (status === 429) return rateLimitBody(retryAfter);
  if (!partner) {
    const error = status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request';
    return { error, error_description: `AADSTS50000: ${STATUS_CODES[status] ?? 'Error'} (injected by the simulator).`, error_codes: [50000] };
  }
  if (status === 401) return UNAUTHORIZED;
  if (status === 500) return partnerError(800003, 'Unexpected service error');
  return partnerError(status, STATUS_CODES[status] ?? 'Error');
}

function firstHeader(ex: Exchange, name: string): string | undefined {
  const value = ex.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

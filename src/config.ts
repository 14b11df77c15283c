// Typed configuration from the environment (and an optional .env file, loaded by main.ts).
// Every problem is reported at once, one sentence each, so a first start is fixed in one go.
import { isIP } from 'node:net';
import { validate as cronIsValid } from 'node-cron';
import { KEY_BYTES, type StateEncryptionKeys } from './store/secretBox.js';
import { outboundUrlProblem } from './destinations/outboundUrl.js';
import type { WebhookSettings } from './destinations/webhook.js';
import { readTicketSettings, type TicketSettings } from './tickets/ticketSettings.js';

export interface BotFrameworkConfig {
  appId: string;
  appPassword: string;
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  appTenantId: string;
}

export interface PartnerCenterConfig {
  baseUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string | undefined;
  requestsPerMinute: number;
  timeoutMs: number;
}

/** What only the sandbox (`npm start` without Partner Center credentials) uses. */
export interface SandboxSettings {
  /** Seconds between steps of the simulator's scripted incident. */
  scenarioSeconds: number;
  /** The Agents Playground's port when it is free. */
  playgroundPort: number;
  /** PARTNER_CENTER_REQUESTS_PER_MINUTE and PARTNER_CENTER_TIMEOUT_SECONDS, applied to the simulator too. */
  requestsPerMinute: number;
  timeoutMs: number;
  /** SANDBOX_PLAYGROUND=false: the simulator and the bot only, for a container or compose (no browser there). */
  playground: boolean;
}

export interface Config {
  /** No Partner Center credentials → the built-in simulator and the Agents Playground. */
  sandbox: boolean;
  /** null → no Bot Framework auth, loopback only. */
  bot: BotFrameworkConfig | null;
  /** Filled for production; in the sandbox main.ts fills it with the simulator's address. */
  partnerCenter: PartnerCenterConfig | null;
  port: number;
  host: string;
  dataFile: string;
  /** A postgres:// URL: state in PostgreSQL, shared by several instances. null: the lowdb file DATA_FILE. */
  databaseUrl: string | null;
  /** PostgreSQL only: how long the sweep's leader keeps its lease without renewing it. */
  leaseSeconds: number;
  /** STATE_ENCRYPTION_KEY (and _PREVIOUS, read only): secrets in the state are encrypted. Absent: no key. */
  stateEncryption?: StateEncryptionKeys;
  /** Teams tenants whose users may talk to the bot. */
  allowedTenantIds: string[];
  pollSchedule: string;
  /** Customers with an active or recent incident, and those watched one by one, are refreshed this often. */
  fastLaneMinutes: number;
  /** Share of the sweep's requests the fast lane may take when the rolling sweep has work too. */
  fastLaneShare: number;
  /** /healthz answers 503 when the sweep or delivery made no progress for this long. */
  healthStallMinutes: number;
  /** The bearer token /healthz and /metrics require (always in production); null: not set. */
  healthToken: string | null;
  /** A watched customer's subscriptions are fetched once in this period, at its own moment of it (one request each time). */
  subscriptionPollMinutes: number;
  /** The first warning of a term ending without auto-renew, in days before its end (again at 7 and 1). */
  subscriptionWarnDays: number;
  /** Microsoft Graph's base URL (GRAPH_URL; sovereign clouds differ): GDAP relationships are read there. */
  graphUrl: string;
  /** The partner's GDAP relationships are listed at most this often (GDAP_POLL_MINUTES). */
  gdapPollMinutes: number;
  /** The first warning of a customer's access ending, in days before its end (again at 7 and 1). */
  accessWarnDays: number;
  logLevel: string;
  /** WEBHOOK_URLS and WEBHOOK_SECRET: every alert event is POSTed, signed, to each URL (none: no webhooks). */
  webhooks?: WebhookSettings;
  /** TICKETS=autotask or connectwise: a PSA ticket per problem episode per customer (null: no tickets). */
  tickets?: TicketSettings | null;
  /** Read and checked in every mode, so a typo in a copied .env is never ignored silently. */
  sandboxSettings: SandboxSettings;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUBLIC_PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';
const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';
const APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;
const HEALTH_TOKEN_MIN_LENGTH = 32;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const bot = readBotFramework(get, problems);
  const pcNames = ['PARTNER_TENANT_ID', 'PARTNER_CENTER_CLIENT_ID', 'PARTNER_CENTER_CLIENT_SECRET'];
  const givenPc = pcNames.filter((name) => get(name));
  const sandbox = givenPc.length === 0 && !get('PARTNER_CENTER_REFRESH_TOKEN');
  if (!sandbox && givenPc.length < pcNames.length) {
    const missing = pcNames.filter((name) => !get(name));
    problems.push(`Partner Center credentials are incomplete: set ${missing.join(', ')} (or remove them all to run the sandbox).`);
  }

  // Checked in the sandbox too (where the simulator's address replaces the URLs), so no value is ignored unseen.
  const baseUrl = readUrl(get, 'PARTNER_CENTER_URL', PUBLIC_PARTNER_CENTER, problems);
  const authorityHost = readUrl(get, 'PARTNER_CENTER_AUTHORITY_HOST', PUBLIC_AUTHORITY, problems);
  const requestsPerMinute = readInt(get, 'PARTNER_CENTER_REQUESTS_PER_MINUTE', 500, 1, 100_000, problems);
  const timeoutMs = readInt(get, 'PARTNER_CENTER_TIMEOUT_SECONDS', 30, 1, 600, problems) * 1000;
  const partnerCenter: PartnerCenterConfig | null = sandbox
    ? null
    : {
        baseUrl,
        authorityHost,
        tenantId: get('PARTNER_TENANT_ID') ?? '',
        clientId: get('PARTNER_CENTER_CLIENT_ID') ?? '',
        clientSecret: get('PARTNER_CENTER_CLIENT_SECRET') ?? '',
        refreshToken: get('PARTNER_CENTER_REFRESH_TOKEN'),
        requestsPerMinute,
        timeoutMs,
      };

  const port = readInt(get, 'PORT', 3978, 1, 65_535, problems);
  // The sandbox is for watching things happen: it polls every minute and keeps the terminal calm (warn).
  const pollSchedule = get('POLL_SCHEDULE') ?? (sandbox ? '* * * * *' : '*/5 * * * *');
  if (!cronIsValid(pollSchedule)) problems.push(`POLL_SCHEDULE "${pollSchedule}" is not a valid cron expression (e.g. "*/5 * * * *").`);
  const fastLaneMinutes = readNumber(get, 'FAST_LANE_MINUTES', 2, 0.1, 1_440, problems);
  const fastLaneShare = readNumber(get, 'FAST_LANE_SHARE', 0.5, 0.05, 0.95, problems);
  const healthStallMinutes = readNumber(get, 'HEALTH_STALL_MINUTES', 15, 1, 10_080, problems);
  const healthToken = readHealthToken(get, problems);
  const databaseUrl = readDatabaseUrl(get, problems);
  const leaseSeconds = readInt(get, 'LEASE_SECONDS', 30, 5, 600, problems);
  const stateEncryption = readStateEncryptionKeys(get, problems);
  // The sandbox's scenario changes subscriptions every minute: check them in every round there.
  const subscriptionPollMinutes = readNumber(get, 'SUBSCRIPTION_POLL_MINUTES', sandbox ? 0.5 : 60, 0.1, 10_080, problems);
  const subscriptionWarnDays = readInt(get, 'SUBSCRIPTION_WARN_DAYS', 30, 1, 365, problems);
  // In the sandbox the simulator serves Graph too (main.ts points GRAPH_URL at it), and lists every round.
  const graphUrl = readUrl(get, 'GRAPH_URL', 'https://graph.microsoft.com', problems);
  const gdapPollMinutes = readNumber(get, 'GDAP_POLL_MINUTES', sandbox ? 0.5 : 60, 0.1, 10_080, problems);
  const accessWarnDays = readInt(get, 'ACCESS_WARN_DAYS', 30, 1, 365, problems);
  const logLevel = get('LOG_LEVEL') ?? (sandbox ? 'warn' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}").`);
  const sandboxSettings: SandboxSettings = {
    // Number("abc") once made the scenario step every millisecond: whole seconds, checked like PORT.
    scenarioSeconds: readInt(get, 'SANDBOX_SCENARIO_SECONDS', 60, 1, 86_400, problems),
    playgroundPort: readInt(get, 'PLAYGROUND_PORT', 56_150, 1, 65_535, problems),
    requestsPerMinute,
    timeoutMs,
    playground: readBoolean(get, 'SANDBOX_PLAYGROUND', true, problems),
  };
  if (sandbox && sandboxSettings.playgroundPort === port) {
    problems.push(`PORT and PLAYGROUND_PORT are both ${port}: the bot and the Agents Playground need different ports.`);
  }

  const allowedTenantIds = (get('ALLOWED_TENANT_IDS') ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  for (const id of allowedTenantIds) {
    if (id !== '*' && !GUID.test(id)) problems.push(`ALLOWED_TENANT_IDS: "${id}" is not a tenant id (a GUID).`);
  }
  if (allowedTenantIds.length === 0 && !sandbox) {
    const partnerTenant = [get('PARTNER_TENANT_ID'), bot?.appTenantId].find((id) => id && GUID.test(id));
    if (partnerTenant) allowedTenantIds.push(partnerTenant.toLowerCase());
    else problems.push('ALLOWED_TENANT_IDS is empty and PARTNER_TENANT_ID is not a GUID: set ALLOWED_TENANT_IDS to your Teams tenant id.');
  }

  const listenAddress = readListenAddress(get, problems);
  const webhooks = readWebhooks(get, problems);
  const tickets = readTicketSettings(get, sandbox, problems);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      sandbox,
      bot,
      partnerCenter,
      port,
      // Without Bot Framework authentication nobody else may reach the endpoint, unless LISTEN_ADDRESS says
      // so on purpose (a container's private network, where loopback would shut out the proxy in front).
      host: listenAddress ?? (bot ? '0.0.0.0' : '127.0.0.1'),
      dataFile: get('DATA_FILE') ?? (sandbox ? 'data/sandbox-state.json' : 'data/state.json'),
      databaseUrl,
      leaseSeconds,
      stateEncryption,
      allowedTenantIds,
      pollSchedule,
      fastLaneMinutes,
      fastLaneShare,
      healthStallMinutes,
      healthToken,
      subscriptionPollMinutes,
      subscriptionWarnDays,
      graphUrl,
      gdapPollMinutes,
      accessWarnDays,
      logLevel,
      webhooks,
      tickets,
      sandboxSettings,
    },
  };
}

function readBotFramework(get: (name: string) => string | undefined, problems: string[]): BotFrameworkConfig | null {
  const appId = get('MicrosoftAppId');
  if (!appId) return null;
  const appType = get('MicrosoftAppType') ?? 'SingleTenant';
  if (!(APP_TYPES as readonly string[]).includes(appType)) {
    problems.push(`MicrosoftAppType must be one of ${APP_TYPES.join(', ')}.`);
  }
  const appPassword = get('MicrosoftAppPassword') ?? '';
  if (appType !== 'UserAssignedMSI' && !appPassword) problems.push('MicrosoftAppPassword is required when MicrosoftAppId is set.');
  const appTenantId = get('MicrosoftAppTenantId') ?? '';
  if (appType === 'SingleTenant' && !appTenantId) problems.push('MicrosoftAppTenantId is required for a SingleTenant bot.');
  return { appId, appPassword, appType: appType as BotFrameworkConfig['appType'], appTenantId };
}

function readDatabaseUrl(get: Getter, problems: string[]): string | null {
  const value = get('DATABASE_URL');
  if (value === undefined) return null;
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // below: not a URL at all
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    // Never echo the value: it may carry a password.
    problems.push('DATABASE_URL is not a postgres:// URL (e.g. postgres://user:password@host:5432/partner_alerts?sslmode=require).');
    return null;
  }
  return value;
}

function readStateEncryptionKeys(get: Getter, problems: string[]): StateEncryptionKeys {
  const current = readKey(get, 'STATE_ENCRYPTION_KEY', problems);
  const previous = readKey(get, 'STATE_ENCRYPTION_KEY_PREVIOUS', problems);
  if (previous && !get('STATE_ENCRYPTION_KEY')) {
    problems.push('STATE_ENCRYPTION_KEY_PREVIOUS is set without STATE_ENCRYPTION_KEY: the previous key only reads, so set the new key as STATE_ENCRYPTION_KEY.');
  }
  return { current, previous };
}

/** A 32-byte key in base64 (or base64url). Never echoed: the message says only what a key must look like. */
function readKey(get: Getter, name: string, problems: string[]): Buffer | null {
  const value = get(name);
  if (value === undefined) return null;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : null;
  if (key?.length === KEY_BYTES) return key;
  problems.push(`${name} must be ${KEY_BYTES} random bytes in base64 (44 characters; make one with: openssl rand -base64 32).`);
  return null;
}

/** A short token could be guessed by whoever reaches the port; never echoed, since it is a secret. */
function readHealthToken(get: Getter, problems: string[]): string | null {
  const value = get('HEALTH_TOKEN');
  if (value === undefined) return null;
  if (value.length < HEALTH_TOKEN_MIN_LENGTH) {
    problems.push(`HEALTH_TOKEN is ${value.length} characters long; use at least ${HEALTH_TOKEN_MIN_LENGTH} random ones (e.g. openssl rand -hex 32).`);
    return null;
  }
  return value;
}

function readUrl(get: (name: string) => string | undefined, name: string, fallback: string, problems: string[]): string {
  const value = get(name) ?? fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
    return value.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} "${value}" is not a valid http(s) URL.`);
    return fallback;
  }
}

const readInt = (get: Getter, name: string, fallback: number, min: number, max: number, problems: string[]) =>
  readNumeric(get, name, fallback, { min, max, whole: true }, problems);
const readNumber = (get: Getter, name: string, fallback: number, min: number, max: number, problems: string[]) =>
  readNumeric(get, name, fallback, { min, max, whole: false }, problems);

type Getter = (name: string) => string | undefined;

function readNumeric(get: Getter, name: string, fallback: number, range: { min: number; max: number; whole: boolean }, problems: string[]): number {
  const raw = get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const fits = range.whole ? Number.isInteger(value) : Number.isFinite(value);
  if (!fits || value < range.min || value > range.max) {
    problems.push(`${name} must be a ${range.whole ? 'whole number' : 'number'} from ${range.min} to ${range.max} (got "${raw}").`);
    return fallback;
  }
  return value;
}

function readListenAddress(get: Getter, problems: string[]): string | null {
  const value = get('LISTEN_ADDRESS');
  if (value === undefined) return null;
  if (isIP(value) === 0) {
    problems.push(`LISTEN_ADDRESS must be an IP address such as 0.0.0.0 or 127.0.0.1 (got "${value}").`);
    return null;
  }
  return value;
}

function readBoolean(get: Getter, name: string, fallback: boolean, problems: string[]): boolean {
  const value = get(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push(`${name} must be true or false (got "${get(name)}").`);
  return fallback;
}

/** Comma-separated https URLs (http on loopback only); refused at start, one sentence per URL, never showing a query. */
function readWebhooks(get: Getter, problems: string[]): WebhookSettings {
  const urls = (get('WEBHOOK_URLS') ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  const refused = urls.map((url) => outboundUrlProblem('WEBHOOK_URLS', url)).filter((problem): problem is string => problem !== null);
  problems.push(...refused);
  return { urls: refused.length > 0 ? [] : [...new Set(urls)], secret: get('WEBHOOK_SECRET') ?? null };
}

// The PSA ticket settings (TICKETS=autotask or connectwise), read and checked with the rest of the
// configuration. Every name is read in every mode, so a typo in a copied .env is never ignored silently.
import type { AlertSeverity } from '../domain/alertEvent.js';
import { outboundUrlProblem } from '../destinations/outboundUrl.js';

export const TICKET_SEVERITIES: readonly AlertSeverity[] = ['information', 'warning', 'critical'];
export const TICKET_SOURCE_NAMES = ['incidents', 'subscriptions', 'access', 'provisioning'] as const;
const DEFAULT_AUTOTASK_ZONE_URL = 'https://webservices.autotask.net/ATServicesRest/';

export interface AutotaskSettings {
  kind: 'autotask';
  /** Where the zone lookup is made; the URL it answers is used for every other call. */
  zoneUrl: string;
  username: string;
  secret: string;
  integrationCode: string;
  queueId: number;
  statusNew: number;
  statusComplete: number;
  /** Severity → Autotask priority id. */
  priorities: Record<AlertSeverity, number>;
}

/** A ConnectWise board, status or priority: by id, or by name (looked up once). */
export type NamedRef = { id: number } | { name: string };

export interface ConnectWiseSettings {
  kind: 'connectwise';
  url: string;
  company: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  board: NamedRef;
  statusNew: NamedRef | null;
  statusComplete: NamedRef;
  priorities: Partial<Record<AlertSeverity, NamedRef>>;
}

export interface TicketSettings {
  psa: AutotaskSettings | ConnectWiseSettings;
  minSeverity: AlertSeverity;
  sources: string[];
  /** PSA company id for customers without a company of their own; null: skipped, one notice each. */
  defaultCompanyId: number | null;
  /** Requests a minute this process sends to the PSA (they share one limit per PSA database). */
  requestsPerMinute: number;
}

type Getter = (name: string) => string | undefined;

/** null when TICKETS is empty. `sandbox`: missing credentials are fine (main.ts points at the PSA fakes). */
export function readTicketSettings(get: Getter, sandbox: boolean, problems: string[]): TicketSettings | null {
  const kind = get('TICKETS')?.toLowerCase();
  const autotask = readAutotask(get, problems);
  const connectwise = readConnectWise(get, problems);
  const minSeverity = (get('TICKET_MIN_SEVERITY') ?? 'critical').toLowerCase() as AlertSeverity;
  if (!TICKET_SEVERITIES.includes(minSeverity)) problems.push(`TICKET_MIN_SEVERITY must be one of ${TICKET_SEVERITIES.join(', ')} (got "${get('TICKET_MIN_SEVERITY')}").`);
  const sources = (get('TICKET_SOURCES') ?? TICKET_SOURCE_NAMES.join(','))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  for (const name of sources) {
    if (!(TICKET_SOURCE_NAMES as readonly string[]).includes(name)) problems.push(`TICKET_SOURCES: "${name}" is not a source (use ${TICKET_SOURCE_NAMES.join(', ')}).`);
  }
  const defaultCompanyId = readId(get, 'TICKET_DEFAULT_COMPANY', problems);
  // At least 30: a delivery attempt has 10 s, and may need two paced requests (Autotask: create, then read).
  const requestsPerMinute = readWhole(get, 'TICKET_REQUESTS_PER_MINUTE', 100, 30, 100_000, problems);
  if (kind === undefined) return null;
  if (kind !== 'autotask' && kind !== 'connectwise') {
    problems.push(`TICKETS must be autotask or connectwise (got "${get('TICKETS')}"), or empty for no tickets.`);
    return null;
  }
  const psa = kind === 'autotask' ? autotask : connectwise;
  const missing = psa.required.filter((name) => !get(name));
  if (missing.length > 0 && !sandbox) problems.push(`TICKETS=${kind} needs ${missing.join(', ')}.`);
  return { psa: psa.settings, minSeverity, sources, defaultCompanyId, requestsPerMinute };
}

function readAutotask(get: Getter, problems: string[]): { settings: AutotaskSettings; required: string[] } {
  const settings: AutotaskSettings = {
    kind: 'autotask',
    zoneUrl: readPsaUrl(get, 'AUTOTASK_ZONE_URL', DEFAULT_AUTOTASK_ZONE_URL, problems),
    username: get('AUTOTASK_USERNAME') ?? '',
    secret: get('AUTOTASK_SECRET') ?? '',
    integrationCode: get('AUTOTASK_INTEGRATION_CODE') ?? '',
    queueId: readId(get, 'AUTOTASK_QUEUE_ID', problems) ?? 0,
    statusNew: readId(get, 'AUTOTASK_STATUS_NEW', problems) ?? 1,
    statusComplete: readId(get, 'AUTOTASK_STATUS_COMPLETE', problems) ?? 5,
    priorities: { critical: 1, warning: 2, information: 3 },
  };
  const priorities = readPairs(get, 'AUTOTASK_PRIORITIES', problems);
  for (const [severity, value] of Object.entries(priorities)) {
    if (/^\d+$/.test(value)) settings.priorities[severity as AlertSeverity] = Number(value);
    else problems.push(`AUTOTASK_PRIORITIES: the priority of ${severity} must be an Autotask priority id, a whole number (got "${value}").`);
  }
  return { settings, required: ['AUTOTASK_USERNAME', 'AUTOTASK_SECRET', 'AUTOTASK_INTEGRATION_CODE', 'AUTOTASK_QUEUE_ID'] };
}

function readConnectWise(get: Getter, problems: string[]): { settings: ConnectWiseSettings; required: string[] } {
  const priorities: Partial<Record<AlertSeverity, NamedRef>> = {};
  for (const [severity, value] of Object.entries(readPairs(get, 'CONNECTWISE_PRIORITIES', problems))) priorities[severity as AlertSeverity] = namedRef(value);
  const statusNew = get('CONNECTWISE_STATUS_NEW');
  const settings: ConnectWiseSettings = {
    kind: 'connectwise',
    url: readPsaUrl(get, 'CONNECTWISE_URL', 'https://api-na.myconnectwise.net', problems),
    company: get('CONNECTWISE_COMPANY') ?? '',
    publicKey: get('CONNECTWISE_PUBLIC_KEY') ?? '',
    privateKey: get('CONNECTWISE_PRIVATE_KEY') ?? '',
    clientId: get('CONNECTWISE_CLIENT_ID') ?? '',
    board: namedRef(get('CONNECTWISE_BOARD') ?? ''),
    statusNew: statusNew ? namedRef(statusNew) : null,
    statusComplete: namedRef(get('CONNECTWISE_STATUS_COMPLETE') ?? 'Closed'),
    priorities,
  };
  return { settings, required: ['CONNECTWISE_COMPANY', 'CONNECTWISE_PUBLIC_KEY', 'CONNECTWISE_PRIVATE_KEY', 'CONNECTWISE_CLIENT_ID', 'CONNECTWISE_BOARD'] };
}

/** "12" is an id, anything else a name ("Service Board"). */
export function namedRef(value: string): NamedRef {
  return /^\d+$/.test(value.trim()) ? { id: Number(value.trim()) } : { name: value.trim() };
}

/** "critical:1,warning:2" → { critical: '1', warning: '2' }; unknown severities are problems. */
function readPairs(get: Getter, name: string, problems: string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of (get(name) ?? '').split(',').map((text) => text.trim()).filter(Boolean)) {
    const mark = part.indexOf(':');
    const severity = part.slice(0, mark).trim().toLowerCase();
    const value = part.slice(mark + 1).trim();
    if (mark < 1 || !value || !(TICKET_SEVERITIES as readonly string[]).includes(severity)) {
      problems.push(`${name}: "${part}" is not severity:priority (severities are ${TICKET_SEVERITIES.join(', ')}; e.g. critical:1).`);
      continue;
    }
    pairs[severity] = value;
  }
  return pairs;
}

/** https, or plain http on loopback only (the sandbox's fakes): credentials never cross a network in clear. */
function readPsaUrl(get: Getter, name: string, fallback: string, problems: string[]): string {
  const value = get(name) ?? fallback;
  const problem = outboundUrlProblem(name, value);
  if (problem) problems.push(problem);
  return problem ? fallback : value;
}

function readId(get: Getter, name: string, problems: string[]): number | null {
  const raw = get(name);
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name} must be a whole number, an id from your PSA (got "${raw}").`);
    return null;
  }
  return Number(raw);
}

function readWhole(get: Getter, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
    return fallback;
  }
  return value;
}

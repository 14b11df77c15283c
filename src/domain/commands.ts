// The chat command grammar: text (mention already removed) → a typed command or a specific complaint.
import { parseDigest, parseQuietHours, type DigestCommand, type QuietHoursCommand } from './scheduleGrammar.js';
import { SEVERITIES, type Severity } from './types.js';

export const MAX_COMMAND_LENGTH = 500;
const MAX_CUSTOMER_LENGTH = 120;
/** Order ids are opaque (GUIDs, base64url, digits) but never contain spaces or URL specials. */
const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface WatchFilters {
  minSeverity: Severity | null;
  /** Lower-cased workload names as typed, e.g. ["exchange", "teams"]; empty = every workload. */
  workloads: string[];
}

export type Command =
  | { kind: 'help' }
  | { kind: 'customers'; prefix: string | null }
  | { kind: 'status'; customer: string }
  | { kind: 'subscriptions'; customer: string }
  /** A customer's recent orders, newest first. */
  | { kind: 'orders'; customer: string }
  | { kind: 'provisioning'; orderId: string; customer: string | null }
  | { kind: 'watchCustomer'; customer: string; filters: WatchFilters }
  | { kind: 'watchAll'; filters: WatchFilters }
  | { kind: 'watchOrder'; orderId: string; customer: string }
  | { kind: 'unwatchCustomer'; customer: string }
  /** Keep "watch all" but leave this customer out of it. */
  | { kind: 'excludeCustomer'; customer: string }
  | { kind: 'unwatchAll' }
  | { kind: 'unwatchOrder'; orderId: string }
  | { kind: 'watches' }
  | { kind: 'pollNow' }
  /** Subscription alerts of one customer, or of every customer (`customer` null). */
  | { kind: 'watchSubscriptions'; customer: string | null; filters: WatchFilters }
  | { kind: 'unwatchSubscriptions'; customer: string | null }
  /** PSA tickets: the connector, rules and counts; the watched customers without a PSA company. */
  | { kind: 'tickets' }
  | { kind: 'ticketsUnmapped' }
  /** Set (or clear) a customer's PSA company by hand. */
  | { kind: 'ticketMap'; customer: string; companyId: number }
  | { kind: 'ticketUnmap'; customer: string }
  /** A customer's GDAP relationships. */
  | { kind: 'accessFor'; customer: string }
  /** Customers whose GDAP access ends within `days`. */
  | { kind: 'accessExpiring'; days: number }
  /** GDAP access alerts of one customer, or of every customer (`customer` null). */
  | { kind: 'watchAccess'; customer: string | null }
  | { kind: 'unwatchAccess'; customer: string | null }
  | DigestCommand
  | QuietHoursCommand;

export { scheduleCommandText, type DigestCommand, type QuietHoursCommand } from './scheduleGrammar.js';

/** The days "access expiring" takes, and its default. */
export const ACCESS_DAYS = { min: 1, max: 365, default: 30 } as const;

export type ParseResult =
  | { ok: true; command: Command }
  /** `unknown`: not a command at all (answer with help); `invalid`: a known command used wrongly. */
  | { ok: false; reason: 'empty' | 'tooLong' | 'unknown' | 'invalid'; message: string; example?: string };

export function parseCommand(input: string): ParseResult {
  if (input.length > MAX_COMMAND_LENGTH) {
    return {
      ok: false,
      reason: 'tooLong',
      message: `That message is ${input.length} characters long; commands are at most ${MAX_COMMAND_LENGTH}. Try a shorter one, like "status for contoso".`,
    };
  }
  const text = normalise(input);
  if (text === '') return { ok: false, reason: 'empty', message: 'Say "help" to see what I can do.' };
  const [verb = '', ...rest] = text.split(' ');
  const args = rest.join(' ');
  switch (verb.toLowerCase()) {
    case 'help':
    case '?':
      return ok({ kind: 'help' });
    case 'customers':
    case 'customer':
      return args.length > MAX_CUSTOMER_LENGTH
        ? invalid('That prefix is too long.', 'customers con')
        : ok({ kind: 'customers', prefix: args || null });
    case 'status':
      return withCustomer(stripFor(args), 'status for contoso', (customer) => ({ kind: 'status', customer }));
    case 'subscriptions':
    case 'subscription':
      return withCustomer(stripFor(args), 'subscriptions for fabrikam', (customer) => ({ kind: 'subscriptions', customer }));
    case 'orders':
      return withCustomer(stripFor(args), 'orders for contoso', (customer) => ({ kind: 'orders', customer }));
    case 'provisioning':
      return parseProvisioning(args);
    case 'watch':
      return parseWatch(args);
    case 'unwatch':
      return parseUnwatch(args);
    case 'exclude':
      // "exclude contoso" or "exclude contoso from watch all"
      return withCustomer(args.replace(/\s+from\s+(watch\s+)?all$/i, '').trim(), 'exclude contoso', (customer) => ({ kind: 'excludeCustomer', customer }));
    case 'access':
      return parseAccess(args);
    case 'watches':
      return args ? unknown(text) : ok({ kind: 'watches' });
    case 'poll':
      return args.toLowerCase() === 'now' ? ok({ kind: 'pollNow' }) : unknown(text);
    case 'digest':
      return parseDigest(args);
    case 'quiet':
      return parseQuietHours(args);
    case 'tickets':
      if (args === '') return ok({ kind: 'tickets' });
      return args.toLowerCase() === 'unmapped' ? ok({ kind: 'ticketsUnmapped' }) : unknown(text);
    case 'ticket':
      return parseTicket(args);
    default:
      return unknown(text);
  }
}

function parseProvisioning(args: string): ParseResult {
  const example = 'provisioning order <order id> for contoso';
  const match = /^order\s+(\S+)(?:\s+for\s+(.+))?$/i.exec(args);
  if (!match) return invalid('Tell me which order, like this:', example);
  const orderId = match[1] ?? '';
  if (!ORDER_ID.test(orderId)) return badOrderId(orderId, example);
  const customer = match[2]?.trim() ?? null;
  if (customer !== null && customer.length > MAX_CUSTOMER_LENGTH) return invalid('That customer name is too long.', example);
  return ok({ kind: 'provisioning', orderId, customer });
}

/** "access for contoso", "access contoso", "access expiring", "access expiring 7". */
function parseAccess(args: string): ParseResult {
  const expiring = /^expiring(?:\s+(.*))?$/i.exec(args);
  if (!expiring) return withCustomer(stripFor(args), 'access for contoso', (customer) => ({ kind: 'accessFor', customer }));
  const value = (expiring[1] ?? '').trim().replace(/\s*days?$/i, '');
  if (value === '') return ok({ kind: 'accessExpiring', days: ACCESS_DAYS.default });
  const days = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= ACCESS_DAYS.min && days <= ACCESS_DAYS.max)) {
    const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value;
    return invalid(`“${shown}” is not a number of days: “access expiring” takes ${ACCESS_DAYS.min} to ${ACCESS_DAYS.max} days.`, 'access expiring 30');
  }
  return ok({ kind: 'accessExpiring', days });
}

/** "watch access all", "watch access contoso", "watch access for contoso". */
function parseAccessWatch(args: string, verb: 'watch' | 'unwatch'): ParseResult {
  const target = stripFor(args.trim());
  const example = `${verb} access contoso`;
  if (target === '') return invalid(verb === 'watch' ? 'Whose GDAP access should I watch here? For example:' : 'Whose GDAP access should I stop watching here? For example:', `${verb} access all`);
  if (target.toLowerCase() === 'all') return ok({ kind: verb === 'watch' ? 'watchAccess' : 'unwatchAccess', customer: null });
  return withCustomer(target, example, (customer) => ({ kind: verb === 'watch' ? 'watchAccess' : 'unwatchAccess', customer }));
}

function parseWatch(args: string): ParseResult {
  const access = /^access(?:\s+(.*))?$/i.exec(args);
  if (access) return parseAccessWatch(access[1] ?? '', 'watch');
  const subscriptions = /^subscriptions?(?:\s+(.*))?$/i.exec(args);
  if (subscriptions) return parseSubscriptionWatch(subscriptions[1] ?? '');
  const orderMatch = /^order\s+(\S+)(?:\s+for\s+(.+))?$/i.exec(args);
  if (orderMatch) {
    const orderId = orderMatch[1] ?? '';
    const example = `watch order ${ORDER_ID.test(orderId) ? orderId : '<order id>'} for contoso`;
    if (!ORDER_ID.test(orderId)) return badOrderId(orderId, example);
    const customer = orderMatch[2]?.trim();
    if (!customer) return invalid('Which customer does the order belong to? Say it like this:', example);
    return withCustomer(customer, example, (name) => ({ kind: 'watchOrder', orderId, customer: name }));
  }
  const example = 'watch contoso severity warning workloads Exchange,Teams';
  // Options come after the customer name, which may itself contain spaces ("Northwind Traders").
  const optionAt = args.search(/\s(severity|workloads?)(\s|$)/i);
  const target = (optionAt >= 0 ? args.slice(0, optionAt) : args).trim();
  const filters = parseFilters(optionAt >= 0 ? args.slice(optionAt + 1) : '');
  if (typeof filters === 'string') return invalid(filters, example);
  if (target === '') return invalid('Which customer should I watch here? For example:', 'watch contoso');
  if (target.toLowerCase() === 'all') return ok({ kind: 'watchAll', filters });
  return withCustomer(target, example, (customer) => ({ kind: 'watchCustomer', customer, filters }));
}

/** "watch subscriptions contoso [severity warning]", "watch subscriptions all", "watch subscriptions for contoso". */
function parseSubscriptionWatch(args: string): ParseResult {
  const example = 'watch subscriptions all severity warning';
  const optionAt = args.search(/(^|\s)(severity|workloads?)(\s|$)/i);
  const target = stripFor((optionAt >= 0 ? args.slice(0, optionAt) : args).trim());
  const filters = parseFilters(optionAt >= 0 ? args.slice(optionAt).trim() : '');
  if (typeof filters === 'string') return invalid(filters, example);
  if (filters.workloads.length > 0) return invalid('Subscription alerts have no workloads; they take a severity only, like this:', example);
  if (target === '') return invalid('Whose subscriptions should I watch here? For example:', 'watch subscriptions contoso');
  if (target.toLowerCase() === 'all') return ok({ kind: 'watchSubscriptions', customer: null, filters });
  return withCustomer(target, 'watch subscriptions contoso', (customer) => ({ kind: 'watchSubscriptions', customer, filters }));
}

function parseFilters(text: string): WatchFilters | string {
  const filters: WatchFilters = { minSeverity: null, workloads: [] };
  const tokens = text.split(' ').filter(Boolean);
  for (let i = 0; i < tokens.length; i += 2) {
    const key = tokens[i]?.toLowerCase();
    const value = tokens[i + 1];
    if (value === undefined) return `"${tokens[i]}" needs a value.`;
    if (key === 'severity') {
      const severity = value.toLowerCase() === 'info' ? 'information' : value.toLowerCase();
      if (!(SEVERITIES as readonly string[]).includes(severity)) {
        return `"${value}" is not a severity. Use one of: ${SEVERITIES.join(', ')}.`;
      }
      filters.minSeverity = severity as Severity;
    } else if (key === 'workloads' || key === 'workload') {
      filters.workloads = value
        .split(',')
        .map((workload) => workload.trim().toLowerCase())
        .filter(Boolean);
      if (filters.workloads.length === 0 || filters.workloads.some((workload) => workload.length > 60)) {
        return 'List workloads separated by commas, like Exchange,Teams.';
      }
    } else {
      return `I don't know the option "${tokens[i]}". Options are "severity" and "workloads".`;
    }
  }
  return filters;
}

function parseUnwatch(args: string): ParseResult {
  if (args.toLowerCase() === 'all') return ok({ kind: 'unwatchAll' });
  const access = /^access(?:\s+(.*))?$/i.exec(args);
  if (access) return parseAccessWatch(access[1] ?? '', 'unwatch');
  const subscriptions = /^subscriptions?(?:\s+(.*))?$/i.exec(args);
  if (subscriptions) {
    const target = stripFor(subscriptions[1]?.trim() ?? '');
    if (target.toLowerCase() === 'all') return ok({ kind: 'unwatchSubscriptions', customer: null });
    return withCustomer(target, 'unwatch subscriptions contoso', (customer) => ({ kind: 'unwatchSubscriptions', customer }));
  }
  const orderMatch = /^order\s+(\S+)$/i.exec(args);
  if (orderMatch) {
    const orderId = orderMatch[1] ?? '';
    return ORDER_ID.test(orderId) ? ok({ kind: 'unwatchOrder', orderId }) : badOrderId(orderId, 'unwatch order <order id>');
  }
  return withCustomer(args, 'unwatch contoso', (customer) => ({ kind: 'unwatchCustomer', customer }));
}

/** "ticket map contoso to 142", "ticket unmap contoso". */
function parseTicket(args: string): ParseResult {
  const example = 'ticket map contoso to <company id>';
  const unmap = /^unmap\s*(.*)$/i.exec(args);
  if (unmap) return withCustomer(unmap[1]?.trim() ?? '', 'ticket unmap contoso', (customer) => ({ kind: 'ticketUnmap', customer }));
  const map = /^map\s+(.+?)\s+to\s+(\S+)$/i.exec(args);
  if (!map) return invalid('Say which customer goes to which PSA company, like this:', example);
  const companyId = map[2] ?? '';
  if (!/^\d{1,12}$/.test(companyId)) {
    return invalid(`"${companyId.slice(0, 40)}" is not a PSA company id: it is a number, as "tickets unmapped" shows.`, example);
  }
  return withCustomer(map[1]?.trim() ?? '', example, (customer) => ({ kind: 'ticketMap', customer, companyId: Number(companyId) }));
}

function withCustomer(customer: string, example: string, build: (customer: string) => Command): ParseResult {
  if (customer === '') return invalid('Which customer? For example:', example);
  if (customer.length > MAX_CUSTOMER_LENGTH) return invalid('That customer name is too long.', example);
  return ok(build(customer));
}

function stripFor(args: string): string {
  return args.replace(/^for(\s+|$)/i, '').trim();
}

/** Teams text arrives with non-breaking spaces, stray line breaks and trailing punctuation. */
function normalise(input: string): string {
  return input
    .replace(/[\u00a0\u2000-\u200b\u202f\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[?!.]+$/, '')
    .trim();
}

function badOrderId(orderId: string, example: string): ParseResult {
  const shown = orderId.length > 40 ? `${orderId.slice(0, 40)}…` : orderId;
  return invalid(`"${shown}" is not an order id: order ids are letters, digits, "-" and "_" only (at most 64).`, example);
}

const ok = (command: Command): ParseResult => ({ ok: true, command });
const invalid = (message: string, example: string): ParseResult => ({ ok: false, reason: 'invalid', message, example });
const unknown = (text: string): ParseResult => ({
  ok: false,
  reason: 'unknown',
  message: `I didn’t understand “${text.length > 60 ? `${text.slice(0, 60)}…` : text}”.`,
});

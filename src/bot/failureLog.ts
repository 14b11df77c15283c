// How a failed command is logged. Partner Center saying no (an error status, throttling, a timeout, a refused
// sign-in) and the database being out of reach are expected: the log gets one sentence, the status, code and request ids, and no stack, which would
// only show our own call path (3 KB of it). Anything else is a bug and keeps its stack.
import { stdSerializers } from 'pino';
import { scheduleCommandText, type Command } from '../domain/commands.js';
import { AuthenticationError, PartnerCenterError, PartnerCenterUnavailableError, ThrottledError } from '../partnerCenter/errors.js';
import { StoreUnavailableError } from '../store/stateStore.js';
import { CustomerScopedError } from './failureText.js';

export type ExpectedFailure = PartnerCenterError | ThrottledError | PartnerCenterUnavailableError | AuthenticationError | StoreUnavailableError;

/** The Partner Center failure behind `error` (also inside a CustomerScopedError), or null for anything else. */
export function expectedFailure(error: unknown): ExpectedFailure | null {
  const inner = error instanceof CustomerScopedError ? error.inner : error;
  return inner instanceof PartnerCenterError ||
    inner instanceof ThrottledError ||
    inner instanceof PartnerCenterUnavailableError ||
    inner instanceof AuthenticationError ||
    inner instanceof StoreUnavailableError
    ? inner
    : null;
}

/** "Partner Center answered 500 (code 800003)": what happened, without Partner Center's own wording. */
export function failureReason(error: unknown): string {
  const expected = expectedFailure(error);
  if (expected instanceof PartnerCenterError) return `Partner Center answered ${expected.status}${expected.code === null ? '' : ` (code ${expected.code})`}`;
  if (expected instanceof ThrottledError) return `Partner Center is throttling requests (retry in ${expected.retryAfterSeconds} s)`;
  if (expected instanceof PartnerCenterUnavailableError) {
    return expected.reason === 'timeout'
      ? 'Partner Center did not answer in time'
      : expected.reason === 'network'
        ? 'Partner Center could not be reached'
        : 'Partner Center sent an answer that could not be read';
  }
  if (expected instanceof AuthenticationError) return `signing in to Partner Center failed (${oneLine(expected.entraError, 80)})`;
  if (expected instanceof StoreUnavailableError) return 'the database could not be reached';
  const inner = error instanceof CustomerScopedError ? error.inner : error;
  const name = inner instanceof Error ? inner.name : typeof inner;
  const message = inner instanceof Error ? inner.message : String(inner);
  return `unexpected ${name}: ${oneLine(message, 200)}`;
}

/** "status for contoso failed: Partner Center answered 500 (code 800003); the user was told." */
export function commandFailureLine(command: Command, error: unknown): string {
  return `${commandLabel(command)} failed: ${failureReason(error)}; the user was told.`;
}

/** The command as it would be typed, on one line (customer text comes from the user). */
export function commandLabel(command: Command): string {
  const user = (text: string) => oneLine(text, 80);
  switch (command.kind) {
    case 'help':
      return 'help';
    case 'customers':
      return command.prefix ? `customers ${user(command.prefix)}` : 'customers';
    case 'status':
      return `status for ${user(command.customer)}`;
    case 'subscriptions':
      return `subscriptions for ${user(command.customer)}`;
    case 'orders':
      return `orders for ${user(command.customer)}`;
    case 'provisioning':
      return `provisioning order ${user(command.orderId)}${command.customer ? ` for ${user(command.customer)}` : ''}`;
    case 'watchCustomer':
      return `watch ${user(command.customer)}`;
    case 'watchAll':
      return 'watch all';
    case 'watchOrder':
      return `watch order ${user(command.orderId)} for ${user(command.customer)}`;
    case 'unwatchCustomer':
      return `unwatch ${user(command.customer)}`;
    case 'excludeCustomer':
      return `exclude ${user(command.customer)}`;
    case 'unwatchAll':
      return 'unwatch all';
    case 'unwatchOrder':
      return `unwatch order ${user(command.orderId)}`;
    case 'watches':
      return 'watches';
    case 'pollNow':
      return 'poll now';
    case 'digest':
    case 'quietHours':
      return oneLine(scheduleCommandText(command), 120);
    case 'watchSubscriptions':
      return `watch subscriptions ${command.customer === null ? 'all' : user(command.customer)}`;
    case 'unwatchSubscriptions':
      return `unwatch subscriptions ${command.customer === null ? 'all' : user(command.customer)}`;
    case 'tickets':
      return 'tickets';
    case 'ticketsUnmapped':
      return 'tickets unmapped';
    case 'ticketMap':
      return `ticket map ${user(command.customer)} to ${command.companyId}`;
    case 'ticketUnmap':
      return `ticket unmap ${user(command.customer)}`;
    case 'accessFor':
      return `access for ${user(command.customer)}`;
    case 'accessExpiring':
      return `access expiring ${command.days}`;
    case 'watchAccess':
      return `watch access ${command.customer === null ? 'all' : user(command.customer)}`;
    case 'unwatchAccess':
      return `unwatch access ${command.customer === null ? 'all' : user(command.customer)}`;
  }
}

/**
 * pino's `err` serializer: the standard one, but an expected Partner Center failure loses its stack, and a
 * CustomerScopedError is logged as the failure inside it plus the customer's name (not two stacks).
 */
export function serializeError(error: unknown): unknown {
  if (error instanceof CustomerScopedError) {
    const inner = serializeError(error.inner);
    return typeof inner === 'object' && inner !== null ? { ...inner, customer: error.customerName } : inner;
  }
  const serialized = stdSerializers.err(error as Error) as unknown;
  if (!expectedFailure(error) || typeof serialized !== 'object' || serialized === null) return serialized;
  const { stack: _stack, ...fields } = serialized as Record<string, unknown>;
  return fields;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

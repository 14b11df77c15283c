// Turns a failure into a sentence a support engineer can act on. Nothing here ever shows a stack trace,
// a token or a raw body: unknown failures get a reference id to find the log line instead.
import {
  AuthenticationError,
  PartnerCenterError,
  PartnerCenterUnavailableError,
  PC_CODES,
  ThrottledError,
} from '../partnerCenter/errors.js';
import { StoreUnavailableError } from '../store/stateStore.js';
import { GDAP_PERMISSION, GraphError } from '../graph/client.js';

/** A failure that happened while working on a known customer, so the sentence can name it properly. */
export class CustomerScopedError extends Error {
  constructor(
    readonly inner: unknown,
    readonly customerName: string,
  ) {
    super((inner as Error)?.message ?? String(inner));
    this.name = 'CustomerScopedError';
  }
}

/** Run a Partner Center call for a resolved customer; failures carry the customer's real name. */
export async function forCustomer<T>(customerName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CustomerScopedError(error, customerName);
  }
}

export interface FailureContext {
  customerName?: string;
  orderId?: string;
  /** What we were doing, for the fallback sentence: "reading the incidents of Contoso". */
  doing: string;
  correlationId: string;
}

export interface FailureText {
  title: string;
  text: string;
}

export function describeFailure(error: unknown, ctx: FailureContext): FailureText {
  if (error instanceof CustomerScopedError) return describeFailure(error.inner, { ...ctx, customerName: error.customerName });
  const customer = ctx.customerName ?? 'this customer';
  if (error instanceof PartnerCenterError) {
    const code = error.code === null ? '' : ` (code ${error.code})`;
    switch (error.code) {
      case PC_CODES.orderNotFound:
        return {
          title: 'Order not found',
          text: `Partner Center says order ${ctx.orderId ?? ''} does not exist for ${customer}${code}. Check the order id, or the customer it belongs to.`,
        };
      case PC_CODES.provisioningUnavailable:
        return {
          title: 'No provisioning information yet',
          text: `Partner Center has no provisioning information for order ${ctx.orderId ?? ''} of ${customer} yet${code}. Try again in a few minutes.`,
        };
      case PC_CODES.tenantNotFound:
        return { title: 'Customer not found', text: `Partner Center does not know the customer ${customer}${code}.` };
      case PC_CODES.noRelationship:
        return {
          title: 'No access to this customer',
          text: `Partner Center says the partner has no relationship with ${customer}${code}, so I cannot read its data.`,
        };
    }
    if (error.status === 401 || error.status === 403) {
      return {
        title: 'Partner Center refused access',
        text: `Partner Center refused the request while ${ctx.doing}${code}: ${error.description}. An administrator should check the app's Partner Center permissions.`,
      };
    }
    if (error.status >= 500) {
      return {
        title: 'Partner Center is having trouble',
        text: `Partner Center failed while ${ctx.doing}${code}, even after retries. Try again in a minute.`,
      };
    }
    return { title: 'Partner Center said no', text: `Partner Center refused the request while ${ctx.doing}${code}: ${error.description}` };
  }
  if (error instanceof ThrottledError) {
    return {
      title: 'Partner Center is busy',
      text: `Partner Center is limiting how fast we may ask. Try again in ${error.retryAfterSeconds} seconds.`,
    };
  }
  if (error instanceof PartnerCenterUnavailableError) {
    const what = error.reason === 'timeout' ? 'did not answer in time' : error.reason === 'network' ? 'could not be reached' : 'sent an answer I could not read';
    return { title: 'Partner Center unavailable', text: `Partner Center ${what} while ${ctx.doing}. Try again in a minute.` };
  }
  if (error instanceof AuthenticationError) {
    return {
      title: 'Cannot sign in to Partner Center',
      text: `Signing in to Partner Center failed (${error.entraError}). An administrator needs to check the app's credentials or renew its refresh token.`,
    };
  }
  if (error instanceof GraphError) {
    if (error.status === 403) {
      return {
        title: 'Microsoft Graph refused access',
        text: `Microsoft Graph refused to list the GDAP relationships while ${ctx.doing}. An administrator should grant the bot's app the application permission ${GDAP_PERMISSION} (Microsoft Graph) with admin consent.`,
      };
    }
    if (error.status === 429) return { title: 'Microsoft Graph is busy', text: `Microsoft Graph is limiting how fast we may ask while ${ctx.doing}. Try again in a minute.` };
    return { title: 'Microsoft Graph unavailable', text: `Microsoft Graph failed while ${ctx.doing}. Try again in a minute.` };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      title: 'Database unreachable',
      text: `I can't reach my database right now, so nothing was changed while ${ctx.doing}. Try again in a minute.`,
    };
  }
  return {
    title: 'Something went wrong',
    text: `Something went wrong on my side while ${ctx.doing}. It is logged with reference ${ctx.correlationId}.`,
  };
}

// The line items of orders (which product each line is), read once per order and kept in memory: an order's
// line items never change once it is placed, so the order is read at most once for its whole life (the
// provisioning status, which does change, is read every time). Bounded: the least recently used order goes.
import type { OrderLines } from '../domain/types.js';
import { AuthenticationError, PartnerCenterError, PartnerCenterUnavailableError, ThrottledError } from './errors.js';
import type { RequestContext } from './http.js';
import type { OrderSummary } from './wire.js';

/** Orders kept; a busy partner has far fewer orders in flight than this. */
export const ORDER_LINES_CACHED = 2_000;

export interface OrderSource {
  order(ctx: RequestContext, customerId: string, orderId: string): Promise<OrderSummary>;
}

export class OrderLineBook {
  private readonly known = new Map<string, OrderLines & { ok: true }>();
  private readonly reading = new Map<string, Promise<OrderLines>>();

  constructor(
    private readonly source: OrderSource,
    private readonly limit = ORDER_LINES_CACHED,
  ) {}

  /**
   * The order's line items, or why they could not be read. Never throws: a card without product names is
   * better than no card. Only a successful read is kept, so a failure is tried again next time.
   */
  async lines(ctx: RequestContext, customerId: string, orderId: string): Promise<OrderLines> {
    const key = `${customerId.toLowerCase()}/${orderId}`;
    const cached = this.known.get(key);
    if (cached) {
      // Map order is the recency order: touch it.
      this.known.delete(key);
      this.known.set(key, cached);
      return cached;
    }
    // Two cards for one order at once (an alert in two channels) share one request.
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.read(ctx, key, customerId, orderId).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    return pending;
  }

  /** How many orders are kept (for tests and health). */
  get size(): number {
    return this.known.size;
  }

  private async read(ctx: RequestContext, key: string, customerId: string, orderId: string): Promise<OrderLines> {
    try {
      const order = await this.source.order(ctx, customerId, orderId);
      const lines = {
        ok: true as const,
        items: order.lineItems.map((item) => ({
          lineItemNumber: item.lineItemNumber,
          offerId: item.offerId,
          friendlyName: item.friendlyName,
          quantity: item.quantity ?? null,
        })),
      };
      this.known.set(key, lines);
      while (this.known.size > this.limit) {
        const oldest = this.known.keys().next().value;
        if (oldest === undefined) break;
        this.known.delete(oldest);
      }
      return lines;
    } catch (error) {
      return { ok: false, reason: whyUnreadable(error) };
    }
  }
}

/** A sentence for the card: what went wrong reading the order, without internals. */
function whyUnreadable(error: unknown): string {
  if (error instanceof PartnerCenterError) {
    if (error.status === 404) return 'Partner Center did not find the order itself.';
    if (error.status === 401 || error.status === 403) return 'Partner Center refused to show the order.';
    return `Partner Center could not show the order (HTTP ${error.status}).`;
  }
  if (error instanceof ThrottledError) return 'Partner Center was too busy to show the order.';
  if (error instanceof PartnerCenterUnavailableError) {
    return error.reason === 'bad-response' ? 'Partner Center’s answer about the order could not be read.' : 'Partner Center did not answer when asked for the order.';
  }
  if (error instanceof AuthenticationError) return 'Signing in to Partner Center failed.';
  return 'The order could not be read.';
}

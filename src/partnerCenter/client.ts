// Typed Partner Center operations over the shared pipeline. Each one fetches, follows paging where the
// resource pages, and returns domain types.
import type { Customer, CustomerPage, Incident, OrderProvisioning, PageLink, Subscription } from '../domain/types.js';
import { PartnerCenterUnavailableError } from './errors.js';
import type { PartnerCenterPipeline, RequestContext } from './http.js';
import { SharedIncidents } from './sharedIncidents.js';
import {
  collectionSchema,
  customerSchema,
  nextLink,
  orderSchema,
  parseIncidents,
  provisioningLineSchema,
  subscriptionSchema,
  type OrderSummary,
} from './wire.js';

export type CustomerFilterField = 'CompanyName' | 'Domain';

/** Largest page Partner Center is known to return. */
export const MAX_PAGE_SIZE = 500;

export class PartnerCenterClient {
  private readonly sharedIncidents = new SharedIncidents();

  constructor(private readonly pipeline: PartnerCenterPipeline) {}

  /** One page of customers: the first (optionally filtered), or the one `next` points at. */
  async customersPage(
    ctx: RequestContext,
    request: { filter?: { field: CustomerFilterField; prefix: string }; size?: number } | { next: PageLink },
  ): Promise<CustomerPage> {
    let body: unknown;
    if ('next' in request) {
      // The continuation token remembers filter and size: send only what links.next says.
      const headers = Object.fromEntries(request.next.headers.map(({ key, value }) => [key, value]));
      body = await this.pipeline.getJson(request.next.uri, ctx, { headers });
    } else {
      const filter = request.filter
        ? JSON.stringify({ Field: request.filter.field, Value: request.filter.prefix, Operator: 'starts_with' })
        : undefined;
      body = await this.pipeline.getJson('customers', ctx, {
        query: { size: String(request.size ?? MAX_PAGE_SIZE), filter },
      });
    }
    const collection = this.collection(body, ctx);
    const customers = collection.items.map((item) => this.guard(ctx, () => customerSchema.parse(item)));
    return { customers, next: nextLink(collection) };
  }

  /** Every customer, following links.next to the end. */
  async *allCustomers(ctx: RequestContext, filter?: { field: CustomerFilterField; prefix: string }): AsyncGenerator<Customer[]> {
    let page = await this.customersPage(ctx, { filter });
    yield page.customers;
    while (page.next) {
      page = await this.customersPage(ctx, { next: page.next });
      yield page.customers;
    }
  }

  async incidents(ctx: RequestContext, customerId: string): Promise<Incident[]> {
    const body = await this.pipeline.getJson(`customers/${encodeURIComponent(customerId)}/serviceincidents/office`, ctx);
    return this.guard(ctx, () => parseIncidents(customerId, collectionSchema.parse(body).items, this.sharedIncidents.detailOf));
  }

  async subscriptions(ctx: RequestContext, customerId: string): Promise<Subscription[]> {
    const body = await this.pipeline.getJson(`customers/${encodeURIComponent(customerId)}/subscriptions`, ctx);
    return this.collection(body, ctx).items.map((item) => this.guard(ctx, () => subscriptionSchema.parse(item)));
  }

  /** Every order of a customer (GET /customers/{id}/orders), following links.next to the end, in Partner Center's order. */
  async orders(ctx: RequestContext, customerId: string, size = MAX_PAGE_SIZE): Promise<OrderSummary[]> {
    const orders: OrderSummary[] = [];
    let body = await this.pipeline.getJson(`customers/${encodeURIComponent(customerId)}/orders`, ctx, { query: { size: String(size) } });
    for (;;) {
      const collection = this.collection(body, ctx);
      orders.push(...collection.items.map((item) => this.guard(ctx, () => orderSchema.parse(item))));
      const next = nextLink(collection);
      if (!next) return orders;
      // As with customers: the continuation token remembers the size, so send only what links.next says.
      body = await this.pipeline.getJson(next.uri, ctx, { headers: Object.fromEntries(next.headers.map(({ key, value }) => [key, value])) });
    }
  }

  /** One order with its line items (GET /customers/{id}/orders/{orderId}). */
  async order(ctx: RequestContext, customerId: string, orderId: string): Promise<OrderSummary> {
    const body = await this.pipeline.getJson(`customers/${encodeURIComponent(customerId)}/orders/${encodeURIComponent(orderId)}`, ctx);
    return this.guard(ctx, () => orderSchema.parse(body));
  }

  async provisioning(ctx: RequestContext, customerId: string, orderId: string): Promise<OrderProvisioning> {
    // Order ids are opaque (GUIDs, base64url, digits): always encode, never assume a shape.
    const path = `customers/${encodeURIComponent(customerId)}/orders/${encodeURIComponent(orderId)}/provisioningstatus`;
    const body = await this.pipeline.getJson(path, ctx);
    const lines = this.collection(body, ctx).items.map((item) => this.guard(ctx, () => provisioningLineSchema.parse(item)));
    return { customerId, orderId, lines: lines.sort((a, b) => a.lineItemNumber - b.lineItemNumber) };
  }

  private collection(body: unknown, ctx: RequestContext) {
    return this.guard(ctx, () => collectionSchema.parse(body));
  }

  /** A body that does not fit the contract is an unreadable answer, not a crash. */
  private guard<T>(ctx: RequestContext, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw new PartnerCenterUnavailableError('bad-response', (error as Error).message.slice(0, 300), {
        requestId: '',
        correlationId: ctx.correlationId,
      });
    }
  }
}

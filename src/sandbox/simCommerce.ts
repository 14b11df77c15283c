// Orders, their provisioning status and the subscriptions they created, generated together
// because they reference each other (subscription.orderId, order line → subscription).

import type { SubscriptionStatus } from '../domain/types.js';
import { base64urlId, chance, DAY, guid, int, iso, pick, streamFor, type Rng } from './simRandom.js';
import {
  link, type SimCustomer, type SimOrder, type WireCollection, type WireOrder, type WireOrderStatus, type WireProvisioningLine, type WireSubscription,
} from './simWire.js';

interface Offer {
  offerId: string;
  offerName: string;
  productType: string;
  minQuantity: number;
  maxQuantity: number;
}

const OFFERS: readonly Offer[] = [
  offer('CFQ7TTC0LFLX:0001', 'Microsoft 365 E3', 10, 300),
  offer('CFQ7TTC0LFK5:0001', 'Microsoft 365 E5', 5, 150),
  offer('CFQ7TTC0LCHC:0002', 'Microsoft 365 Business Premium', 5, 300),
  offer('CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', 5, 300),
  offer('CFQ7TTC0LH16:0001', 'Exchange Online (Plan 1)', 1, 200),
  offer('CFQ7TTC0J1FV:0001', 'Microsoft Teams Phone Standard', 1, 100),
  offer('CFQ7TTC0LCH4:0001', 'Microsoft Intune Plan 1', 10, 500),
  offer('CFQ7TTC0HD33:0002', 'Visio Plan 2', 1, 25),
  offer('CFQ7TTC0HDB0:0002', 'Project Plan 3', 1, 25),
  offer('CFQ7TTC0L3PB:0001', 'Power BI Pro', 1, 50),
  { offerId: '796B6B5F-613C-4E24-A17C-EBA730D49C02', offerName: 'Office 365 E3', productType: 'OnlineServices', minQuantity: 5, maxQuantity: 200 },
];

function offer(offerId: string, offerName: string, minQuantity: number, maxQuantity: number): Offer {
  return { offerId, offerName, productType: 'OnlineServicesNCE', minQuantity, maxQuantity };
}

function offerNamed(name: string): Offer {
  const found = OFFERS.find((o) => o.offerName === name);
  if (!found) throw new Error(`no offer ${name}`);
  return found;
}

/** How each line of an order provisions; each entry is one quantity bucket `[quantity, wire status]`. */
type LinePlan = { offer: Offer; quantity: number; buckets: [number, string][] };
interface OrderPlan {
  id: string;
  lines: LinePlan[];
  status: WireOrderStatus;
  /** false: provisioning info is unavailable (404 / 800007). */
  provisioningAvailable: boolean;
  subscriptionStatus?: SubscriptionStatus;
}

export interface Commerce {
  orders: SimOrder[];
  subscriptions: WireSubscription[];
}

export type CommerceScript = 'contoso' | 'fabrikam' | undefined;

/** Contoso's order ids are fixed (seed-independent) so docs, demos and tests can name them. */
export const CONTOSO_ORDERS = {
  fulfilled: 'b7e3f1a2-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  pending: '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1',
  partlyPending: 'Zk3rT8vQ_p1LmN0xYb-7Wc2dEfGh4JsA5',
  unfulfilled: '5041',
  unavailable: '7d2e9b10-3c4a-4e8f-9b6d-0a1c2e3f4a5b',
} as const;

export function commerceFor(seed: number, customer: SimCustomer, script: CommerceScript, referenceMs: number): Commerce {
  const rng = streamFor(seed, customer.index, 0xc0e);
  const plans =
    script === 'contoso' ? contosoPlans() : script === 'fabrikam' ? fabrikamPlans(rng) : generatedPlans(rng);
  const orders: SimOrder[] = [];
  const subscriptions: WireSubscription[] = [];
  plans.forEach((plan, n) => {
    const created = referenceMs - (plans.length - n) * int(rng, 20, 120) * DAY;
    orders.push(buildOrder(customer.id, plan, created));
    plan.lines.forEach((line) => subscriptions.push(buildSubscription(rng, customer.id, plan, line, created, referenceMs)));
  });
  return { orders, subscriptions };
}

const F = 'fulfilled';
const P = 'PrefulfillmentPending';
const U = 'Unfulfilled';

function line(offerName: string, quantity: number, ...buckets: [number, string][]): LinePlan {
  return { offer: offerNamed(offerName), quantity, buckets: buckets.length > 0 ? buckets : [[quantity, F]] };
}

function contosoPlans(): OrderPlan[] {
  return [
    { id: CONTOSO_ORDERS.fulfilled, status: 'completed', provisioningAvailable: true,
      lines: [line('Microsoft 365 E3', 250), line('Microsoft Teams Phone Standard', 40)] },
    { id: CONTOSO_ORDERS.unavailable, status: 'completed', provisioningAvailable: false,
      lines: [line('Office 365 E3', 30)] },
    { id: CONTOSO_ORDERS.unfulfilled, status: 'cancelled', provisioningAvailable: true, subscriptionStatus: 'deleted',
      lines: [line('Power BI Pro', 10, [10, U])] },
    { id: CONTOSO_ORDERS.partlyPending, status: 'pending', provisioningAvailable: true,
      lines: [line('Microsoft Intune Plan 1', 100), line('Visio Plan 2', 25, [20, 'Fulfilled'], [5, P])] },
    { id: CONTOSO_ORDERS.pending, status: 'pending', provisioningAvailable: true,
      lines: [line('Microsoft 365 E5', 50, [50, P]), line('Project Plan 3', 10, [10, P]), line('Exchange Online (Plan 1)', 20, [20, P])] },
  ];
}

function fabrikamPlans(rng: Rng): OrderPlan[] {
  return [
    { id: guid(rng), status: 'completed', provisioningAvailable: true,
      lines: [line('Microsoft 365 Business Premium', 120), line('Exchange Online (Plan 1)', 15)] },
    { id: base64urlId(rng), status: 'completed', provisioningAvailable: true, subscriptionStatus: 'suspended',
      lines: [line('Microsoft Teams Phone Standard', 30)] },
    { id: String(int(rng, 1000, 99999)), status: 'completed', provisioningAvailable: true,
      lines: [line('Visio Plan 2', 4), line('Project Plan 3', 6), line('Power BI Pro', 12)] },
  ];
}

function generatedPlans(rng: Rng): OrderPlan[] {
  const plans: OrderPlan[] = [];
  const count = int(rng, 1, 3);
  for (let n = 0; n < count; n++) {
    const form = rng();
    const id = form < 0.5 ? guid(rng) : form < 0.85 ? base64urlId(rng) : String(int(rng, 1000, 99999));
    const lines: LinePlan[] = [];
    const lineCount = int(rng, 1, 3);
    const roll = rng();
    const status: WireOrderStatus = roll < 0.85 ? 'completed' : roll < 0.94 ? 'pending' : 'cancelled';
    for (let k = 0; k < lineCount; k++) {
      const o = pick(rng, OFFERS);
      const quantity = int(rng, o.minQuantity, o.maxQuantity);
      const fulfilled = chance(rng, 0.1) ? 'Fulfilled' : F;
      const buckets: [number, string][] =
        status === 'cancelled' ? [[quantity, U]]
        : status === 'pending' && (k === 0 || chance(rng, 0.5)) ? [[quantity, P]]
        : [[quantity, fulfilled]];
      lines.push({ offer: o, quantity, buckets });
    }
    plans.push({
      id, lines, status, provisioningAvailable: !chance(rng, 0.03),
      subscriptionStatus: status === 'cancelled' ? 'deleted' : undefined,
    });
  }
  return plans;
}

/** Line status is the "worst" of its buckets: any pending bucket keeps the line pending. */
export function lineStatus(buckets: readonly { status: string }[]): string {
  const lower = buckets.map((b) => b.status.toLowerCase());
  if (lower.includes('prefulfillmentpending')) return P;
  if (lower.length > 0 && lower.every((s) => s === 'unfulfilled')) return U;
  return buckets.find((b) => b.status.toLowerCase() === 'fulfilled')?.status ?? F;
}

function buildOrder(customerId: string, plan: OrderPlan, created: number): SimOrder {
  const self = `/customers/${customerId}/orders/${encodeURIComponent(plan.id)}`;
  const billingCycle = plan.lines[0]?.offer.productType === 'OnlineServices' ? 'monthly' : 'annual';
  const order: WireOrder = {
    id: plan.id,
    referenceCustomerId: customerId,
    billingCycle,
    lineItems: plan.lines.map((l, k) => ({ lineItemNumber: k, offerId: l.offer.offerId, friendlyName: l.offer.offerName, quantity: l.quantity })),
    creationDate: iso(created),
    status: plan.status,
    links: { self: link(self), provisioningStatus: link(`${self}/provisioningstatus`) },
    attributes: { objectType: 'Order' },
  };
  const provisioning: WireProvisioningLine[] | null = plan.provisioningAvailable
    ? plan.lines.map((l, k) => {
        const quantityProvisioningInformation = l.buckets.map(([quantity, status]) => ({ quantity, status }));
        return { orderLineItemId: k, lineItemNumber: k, status: lineStatus(quantityProvisioningInformation), quantityProvisioningInformation };
      })
    : null;
  return { order, provisioning };
}

/**
 * The end of the term running at `referenceMs` (the start of the sandbox): a subscription still in force has
 * renewed term after term since it was created, so its end is never in the past.
 */
function currentTermEnd(created: number, termDays: number, referenceMs: number): number {
  const term = termDays * DAY;
  const terms = Math.max(1, Math.ceil((referenceMs - created) / term));
  const end = created + terms * term;
  return end > referenceMs ? end : end + term;
}

function buildSubscription(
  rng: Rng, customerId: string, plan: OrderPlan, line: LinePlan, created: number, referenceMs: number,
): WireSubscription {
  const id = guid(rng);
  const legacy = line.offer.productType === 'OnlineServices';
  const isTrial = !legacy && chance(rng, 0.05);
  const termDuration = legacy || isTrial ? 'P1M' : pick(rng, ['P1M', 'P1Y', 'P1Y', 'P3Y']);
  const termDays = termDuration === 'P1M' ? 30 : termDuration === 'P1Y' ? 365 : 1095;
  let status: SubscriptionStatus =
    plan.subscriptionStatus ?? (plan.status === 'pending' ? 'pending' : rng() < 0.9 ? 'active' : pick(rng, ['suspended', 'expired'] as const));
  if (line.buckets.every(([, s]) => s.toLowerCase() === 'fulfilled') && status === 'pending') status = 'active';
  const commitmentEnd =
    status === 'expired' ? referenceMs - int(rng, 1, 60) * DAY
    : status === 'deleted' ? created + termDays * DAY
    : currentTermEnd(created, termDays, referenceMs);
  return {
    id,
    offerId: line.offer.offerId,
    offerName: line.offer.offerName,
    friendlyName: isTrial ? `${line.offer.offerName} Trial` : chance(rng, 0.2) ? `${line.offer.offerName} - ${pick(rng, ['Sales', 'HQ', 'Field staff', 'Finance'])}` : line.offer.offerName,
    productType: { id: line.offer.productType, displayName: line.offer.productType },
    quantity: line.quantity,
    unitType: 'Licenses',
    creationDate: iso(created),
    commitmentEndDate: iso(commitmentEnd),
    status,
    autoRenewEnabled: !isTrial && status !== 'expired' && status !== 'deleted' && chance(rng, 0.85),
    isTrial,
    billingType: 'license',
    billingCycle: termDuration === 'P1M' ? 'monthly' : 'annual',
    termDuration,
    contractType: 'subscription',
    publisherName: 'Microsoft Corporation',
    orderId: plan.id,
    links: {
      self: link(`/customers/${customerId}/subscriptions/${id}`),
      offer: link(`/offers/${line.offer.offerId}`),
    },
    attributes: { etag: String(int(rng, 100000000, 999999999)), objectType: 'Subscription' },
  };
}

/** Largest page of orders the simulator serves (Partner Center documents none; 500 is its usual most). */
export const MAX_ORDERS_PAGE = 500;

/**
 * GET /v1/customers/{id}/orders, paged as Partner Center pages its collections: `size` on the first request,
 * then `links.next` with `seekOperation=Next` and an MS-ContinuationToken header that carries the position
 * (base64 of a small JSON, so the simulator keeps no paging state).
 */
export function orderPage(
  customerId: string, orders: readonly SimOrder[], params: URLSearchParams, continuation: string | undefined,
): { ok: true; body: WireCollection<WireOrder> } | { ok: false; description: string } {
  let offset = 0;
  let size = MAX_ORDERS_PAGE;
  if (params.get('seekOperation') !== null) {
    if (params.get('seekOperation')?.toLowerCase() !== 'next') return { ok: false, description: 'The simulator supports only seekOperation=Next.' };
    if (params.has('size')) return { ok: false, description: 'A seek request must not carry a size; the continuation token holds it.' };
    const token = continuation ? readOrderToken(continuation, customerId) : null;
    if (!token) return { ok: false, description: 'The MS-ContinuationToken header is missing, invalid or for another customer.' };
    ({ offset, size } = token);
  } else if (params.get('size') !== null) {
    size = Number(params.get('size'));
    if (!Number.isInteger(size) || size <= 0) return { ok: false, description: `Invalid size '${params.get('size')}'.` };
    size = Math.min(size, MAX_ORDERS_PAGE);
  }
  const page = orders.slice(offset, offset + size).map((o) => o.order);
  const self = `/customers/${customerId}/orders`;
  const body: WireCollection<WireOrder> = { totalCount: page.length, items: page, links: { self: link(self) }, attributes: { objectType: 'Collection' } };
  if (offset + size < orders.length) {
    const token = Buffer.from(JSON.stringify({ v: 1, c: customerId, o: offset + size, s: size })).toString('base64');
    body.links = { ...body.links, next: { uri: `${self}?seekOperation=Next`, method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: token }] } };
    body.continuationToken = token;
  }
  return { ok: true, body };
}

function readOrderToken(token: string, customerId: string): { offset: number; size: number } | null {
  try {
    const { v, c, o, s } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, unknown>;
    if (v !== 1 || c !== customerId || !Number.isInteger(o) || !Number.isInteger(s) || (o as number) < 0 || (s as number) <= 0) return null;
    return { offset: o as number, size: s as number };
  } catch {
    return null;
  }
}

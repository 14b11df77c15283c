// The simulator's data: customers built eagerly (cheap, 50,000 in a few milliseconds) and each
// customer's incidents, orders and subscriptions built on first use, deterministically from the
// seed and the customer's index, then cached so tests and the scenario can mutate them.

import type { RelationshipToPartner } from '../domain/types.js';
import { commerceFor, type Commerce, type CommerceScript } from './simCommerce.js';
import { buildSharedIncidents, incidentsForCustomer, type SharedIncident } from './simIncidents.js';
import { chance, guid, HOUR, pick, streamFor, type Rng } from './simRandom.js';
import type { SimCustomer, SimOrder, WireIncident, WireSubscription } from './simWire.js';

interface NamedCustomer {
  name: string;
  domain: string;
  customDomains?: string[];
  relationship?: RelationshipToPartner;
  noRelationship?: boolean;
  script?: CommerceScript;
}

const NAMED: readonly NamedCustomer[] = [
  { name: 'Contoso', domain: 'contoso.onmicrosoft.com', script: 'contoso' },
  { name: 'Contoso Pharmaceuticals', domain: 'contosopharma.onmicrosoft.com' },
  { name: 'Contoso Electronics', domain: 'contosoelectronics.onmicrosoft.com' },
  { name: 'Fabrikam', domain: 'fabrikam.onmicrosoft.com', script: 'fabrikam' },
  { name: 'Fabrikam Residences', domain: 'fabrikamresidences.onmicrosoft.com' },
  { name: 'Northwind Traders', domain: 'northwindtraders.com', customDomains: ['northwindtraders.com'] },
  { name: 'Adventure Works', domain: 'adventureworks.onmicrosoft.com', customDomains: ['adventure-works.com'] },
  { name: 'Tailspin Toys', domain: 'tailspintoys.onmicrosoft.com' },
  { name: 'Wide World Importers', domain: 'wideworldimporters.onmicrosoft.com' },
  { name: 'Woodgrove Bank', domain: 'woodgrovebank.com', customDomains: ['woodgrovebank.com'] },
  { name: 'Litware', domain: 'litwareinc.onmicrosoft.com', relationship: 'advisor' },
  { name: 'Proseware', domain: 'proseware.onmicrosoft.com' },
  { name: 'Fourth Coffee', domain: 'fourthcoffee.onmicrosoft.com', customDomains: ['fourthcoffee.com'] },
  { name: 'Alpine Ski House', domain: 'alpineskihouse.onmicrosoft.com' },
  { name: 'Blue Yonder Airlines', domain: 'blueyonderairlines.onmicrosoft.com' },
  { name: 'Coho Winery', domain: 'cohowinery.onmicrosoft.com' },
  { name: "Margie's Travel", domain: 'margiestravel.onmicrosoft.com' },
  { name: 'Lamna Healthcare', domain: 'lamnahealthcare.onmicrosoft.com' },
  { name: 'Trey Research', domain: 'treyresearch.onmicrosoft.com', relationship: 'advisor' },
  { name: 'Relecloud', domain: 'relecloud.onmicrosoft.com' },
  { name: 'Humongous Insurance', domain: 'humongousinsurance.onmicrosoft.com' },
  { name: 'Wingtip Toys', domain: 'wingtiptoys.onmicrosoft.com' },
  { name: 'VanArsdel', domain: 'vanarsdel.onmicrosoft.com' },
  { name: 'City Power & Light', domain: 'citypowerlight.onmicrosoft.com' },
  { name: 'Consolidated Messenger', domain: 'consolidatedmessenger.onmicrosoft.com' },
  { name: 'Southridge Video', domain: 'southridgevideo.onmicrosoft.com' },
  { name: 'Graphic Design Institute', domain: 'graphicdesigninstitute.onmicrosoft.com', relationship: 'advisor' },
  { name: 'Bellows College', domain: 'bellowscollege.onmicrosoft.com' },
  { name: "Munson's Pickles and Preserves Farm", domain: 'munsonspickles.onmicrosoft.com' },
  { name: 'A. Datum Corporation', domain: 'adatum.onmicrosoft.com' },
  { name: 'Former Customer Inc', domain: 'formercustomer.onmicrosoft.com', relationship: 'none', noRelationship: true },
];

export const NAMED_CUSTOMER_NAMES: readonly string[] = NAMED.map((n) => n.name);

const SUFFIXES = ['Ltd', 'Inc', 'GmbH', 'BV', 'LLC', 'SA', 'Pty Ltd', 'plc'] as const;

export interface DatasetOptions {
  seed?: number;
  /** Default: the named customers only. Larger counts append "Customer 00042 Ltd" and the like. */
  customerCount?: number;
  /** Generated timestamps are relative to this (default: now, floored to the hour). */
  referenceTime?: Date | number;
}

export class SimDataset {
  readonly seed: number;
  readonly referenceMs: number;
  /** In Partner Center's listing order. Use `addCustomer` to add, so lookups see the newcomer. */
  readonly customers: SimCustomer[] = [];
  private readonly byId = new Map<string, SimCustomer>();
  private readonly shared: SharedIncident[];
  private readonly incidentCache = new Map<string, WireIncident[]>();
  private readonly commerceCache = new Map<string, Commerce>();

  constructor(options: DatasetOptions = {}) {
    this.seed = options.seed ?? 42;
    const reference = options.referenceTime ?? Date.now();
    this.referenceMs = Math.floor(Number(reference) / HOUR) * HOUR;
    const count = options.customerCount ?? NAMED.length;
    // One sequential stream: customer i still comes out the same whatever the total count, and
    // 50,000 customers cost one closure instead of 50,000.
    const rng = streamFor(this.seed, 0xc057);
    for (let index = 0; index < count; index++) this.register(this.makeCustomer(index, rng));
    this.shared = buildSharedIncidents(this.seed, count, this.referenceMs);
  }

  /** The Microsoft-wide incidents; customers' lists hold references to these objects. */
  get sharedIncidents(): WireIncident[] {
    return this.shared.map((s) => s.incident);
  }

  customer(id: string): SimCustomer | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** Exact company name, ignoring case (a test and demo convenience, not a Partner Center feature). */
  customerNamed(name: string): SimCustomer | undefined {
    const wanted = name.toLowerCase();
    return this.customers.find((c) => c.companyName.toLowerCase() === wanted);
  }

  /** The named customer, or an error: for callers that rely on the default dataset. */
  requireCustomer(name: string): SimCustomer {
    const found = this.customerNamed(name);
    if (!found) throw new Error(`the dataset has no customer named ${name}`);
    return found;
  }

  addCustomer(input: Pick<SimCustomer, 'companyName' | 'domain'> & Partial<SimCustomer>): SimCustomer {
    const index = this.customers.length;
    const generated = this.makeCustomer(index, streamFor(this.seed, index, 0xadd));
    const customer: SimCustomer = { ...generated, ...input, index };
    customer.id = customer.id.toLowerCase();
    this.register(customer);
    return customer;
  }

  incidentsOf(customerId: string): WireIncident[] {
    const customer = this.known(customerId);
    let list = this.incidentCache.get(customer.id);
    if (!list) {
      list = incidentsForCustomer(this.shared, this.seed, customer.index, this.scriptOf(customer) === 'contoso', this.referenceMs);
      this.incidentCache.set(customer.id, list);
    }
    return list;
  }

  subscriptionsOf(customerId: string): WireSubscription[] {
    return this.commerceOf(customerId).subscriptions;
  }

  ordersOf(customerId: string): SimOrder[] {
    return this.commerceOf(customerId).orders;
  }

  /** Order ids are opaque: exact match, except GUIDs, which Partner Center matches in any case. */
  findOrder(customerId: string, orderId: string): SimOrder | undefined {
    const orders = this.ordersOf(customerId);
    const exact = orders.find((o) => o.order.id === orderId);
    if (exact || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(orderId)) return exact;
    const lower = orderId.toLowerCase();
    return orders.find((o) => o.order.id.toLowerCase() === lower);
  }

  private commerceOf(customerId: string): Commerce {
    const customer = this.known(customerId);
    let commerce = this.commerceCache.get(customer.id);
    if (!commerce) {
      commerce = commerceFor(this.seed, customer, this.scriptOf(customer), this.referenceMs);
      this.commerceCache.set(customer.id, commerce);
    }
    return commerce;
  }

  private known(customerId: string): SimCustomer {
    const customer = this.customer(customerId);
    if (!customer) throw new Error(`unknown customer ${customerId}`);
    return customer;
  }

  private scriptOf(customer: SimCustomer): CommerceScript {
    const named = NAMED[customer.index];
    return named && named.name === customer.companyName ? named.script : undefined;
  }

  private register(customer: SimCustomer): void {
    this.customers.push(customer);
    this.byId.set(customer.id, customer);
  }

  private makeCustomer(index: number, rng: Rng): SimCustomer {
    const id = guid(rng);
    const named = NAMED[index];
    if (named) {
      return {
        id, companyName: named.name, domain: named.domain, customDomains: named.customDomains?.slice(),
        relationshipToPartner: named.relationship ?? 'reseller', allowDelegatedAccess: !named.noRelationship,
        noRelationship: named.noRelationship ?? false, index,
      };
    }
    const number = String(index).padStart(5, '0');
    return {
      id, companyName: `Customer ${number} ${pick(rng, SUFFIXES)}`, domain: `customer${number}.onmicrosoft.com`,
      customDomains: undefined, relationshipToPartner: chance(rng, 0.05) ? 'advisor' : 'reseller',
      allowDelegatedAccess: chance(rng, 0.9), noRelationship: false, index,
    };
  }
}

export function createDataset(options: DatasetOptions = {}): SimDataset {
  return new SimDataset(options);
}

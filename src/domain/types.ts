// The product's own vocabulary (the words of docs/architecture.md). Partner Center wire shapes are parsed into these
// by src/partnerCenter/; everything above that layer sees only these types.

export const SEVERITIES = ['normal', 'information', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type RelationshipToPartner =
  | 'unknown'
  | 'reseller'
  | 'advisor'
  | 'syndication'
  | 'microsoft_support'
  | 'none';

export interface Customer {
  /** The customer's Entra tenant id (Partner Center uses it as the customer id). */
  id: string;
  companyName: string;
  domain: string;
  relationshipToPartner: RelationshipToPartner;
}

export interface IncidentMessage {
  publishedTime: string; // ISO 8601
  text: string; // plain text (HTML already stripped)
}

export type IncidentKind = 'incident' | 'message_center' | 'none' | 'all';

export interface Incident {
  id: string; // e.g. EX123456
  customerId: string;
  kind: IncidentKind;
  workload: string; // e.g. "Exchange Online"
  title: string; // impactedArea or category, whichever Partner Center gave
  severity: Severity;
  status: Severity;
  startTime: string; // ISO 8601
  endTime: string | null; // null while not ended
  resolved: boolean;
  /** Update history, oldest first. */
  messages: IncidentMessage[];
  /** How many updates Partner Center listed, when `messages` keeps only the latest few (an alert thread's copy). */
  messageCount?: number;
}

export type SubscriptionStatus =
  | 'none'
  | 'active'
  | 'pending'
  | 'suspended'
  | 'expired'
  | 'deleted'
  | 'disabled';

export interface Subscription {
  id: string;
  offerName: string;
  friendlyName: string;
  quantity: number;
  unitType: string;
  status: SubscriptionStatus;
  billingCycle: string; // monthly, annual, ...
  termDuration: string; // P1M, P1Y, P3Y or ''
  commitmentEndDate: string | null;
  autoRenewEnabled: boolean;
  isTrial: boolean;
  orderId: string | null;
  /** Partner Center flags a subscription that needs the partner to act (e.g. a payment problem). */
  attentionNeeded: boolean;
  attentionReason: string | null;
  /** Why a suspended subscription is suspended, as Partner Center says it (e.g. "CreditCheck"). */
  suspensionReasons: string[];
}

/** Provisioning status as Partner Center says it, lower-cased; unknown values are kept verbatim. */
export type ProvisioningState = 'fulfilled' | 'unfulfilled' | 'prefulfillmentpending' | (string & {});

export interface ProvisioningQuantity {
  quantity: number;
  status: ProvisioningState;
}

export interface ProvisioningLine {
  lineItemNumber: number;
  status: ProvisioningState;
  quantities: ProvisioningQuantity[];
}

export interface OrderProvisioning {
  customerId: string;
  orderId: string;
  lines: ProvisioningLine[];
}

/** One line of an order as ordered: which product, how many. Line items never change once ordered. */
export interface OrderLineItem {
  lineItemNumber: number;
  offerId: string;
  friendlyName: string;
  quantity: number | null;
}

/** An order's line items, or why they could not be read (a sentence, e.g. "Partner Center did not answer"). */
export type OrderLines = { ok: true; items: OrderLineItem[] } | { ok: false; reason: string };

/** A page of customers plus the way to the next page, if Partner Center offered one. */
export interface CustomerPage {
  customers: Customer[];
  next: PageLink | null;
}

export interface PageLink {
  uri: string;
  headers: { key: string; value: string }[];
}

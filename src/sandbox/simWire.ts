// Partner Center's wire shapes as the simulator stores and serves them. The dataset keeps these
// exact camelCase objects so serving a resource is a JSON.stringify away, and so tests can mutate
// the served data directly.

import type { RelationshipToPartner, Severity, SubscriptionStatus } from '../domain/types.js';

export interface WireHeader {
  key: string;
  value: string;
}

export interface WireLink {
  uri: string;
  method: 'GET';
  headers: WireHeader[];
}

export interface WireAttributes {
  objectType: string;
  etag?: string;
}

export interface WireCollection<T> {
  totalCount: number;
  items: T[];
  links?: { self?: WireLink; next?: WireLink };
  continuationToken?: string;
  attributes: WireAttributes;
}

export interface SimCustomer {
  /** Entra tenant id, lower-case GUID; Partner Center's customer id. */
  id: string;
  companyName: string;
  /** Default domain: usually `*.onmicrosoft.com`, sometimes a custom domain. */
  domain: string;
  /** Verified custom domains, when the customer has any. */
  customDomains: string[] | undefined;
  relationshipToPartner: RelationshipToPartner;
  allowDelegatedAccess: boolean;
  /** Not on the wire: the partner lost its relationship, so sub-resources answer 403 / 20002. */
  noRelationship: boolean;
  /** Not on the wire: position in the generated list, which seeds the lazy per-customer details. */
  index: number;
}

export type WireMessageType = 'none' | 'incident' | 'message_center' | 'all';

export interface WireIncidentMessage {
  publishedTime: string;
  messageText: string;
}

/** ServiceIncidentDetail (seed 000). */
export interface WireIncident {
  id: string;
  actionType: string;
  affectedWorkloadNames: string[];
  category: string;
  endTime: string;
  impactedArea: string;
  impactedCustomers: number;
  messageType: WireMessageType;
  messages: WireIncidentMessage[];
  requiredBy: string;
  resolved: boolean;
  severity: Severity;
  startTime: string;
  status: Severity;
  workload: string;
}

export interface WireIncidentGroup {
  workload: string;
  status: Severity;
  incidents: WireIncident[];
  messageCenterMessages: WireIncident[];
}

export type WireBillingType = 'none' | 'usage' | 'license';

export interface WireSubscription {
  id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  productType: { id: string; displayName: string };
  quantity: number;
  unitType: string;
  creationDate: string;
  commitmentEndDate: string;
  status: SubscriptionStatus;
  autoRenewEnabled: boolean;
  isTrial: boolean;
  billingType: WireBillingType;
  billingCycle: string;
  termDuration: string;
  contractType: string;
  publisherName: string;
  orderId: string;
  links: { self: WireLink; offer: WireLink };
  attributes: WireAttributes;
  /** Sent only when set (the scripted scenario sets them), as Partner Center leaves them out when empty. */
  suspensionReasons?: string[];
  attentionNeeded?: boolean;
  attentionReason?: string;
}

export interface WireOrderLineItem {
  lineItemNumber: number;
  offerId: string;
  friendlyName: string;
  quantity: number;
}

export type WireOrderStatus = 'unknown' | 'completed' | 'pending' | 'cancelled';

export interface WireOrder {
  id: string;
  referenceCustomerId: string;
  billingCycle: string;
  lineItems: WireOrderLineItem[];
  creationDate: string;
  status: WireOrderStatus;
  links: { self: WireLink; provisioningStatus: WireLink };
  attributes: WireAttributes;
}

export interface WireQuantityProvisioning {
  quantity: number;
  /** Kept verbatim: the wire mixes `fulfilled`, `Fulfilled`, `PrefulfillmentPending`, `Unfulfilled`. */
  status: string;
}

export interface WireProvisioningLine {
  orderLineItemId: number;
  lineItemNumber: number;
  status: string;
  quantityProvisioningInformation: WireQuantityProvisioning[];
}

/** An order and its provisioning status; `provisioning: null` makes Partner Center answer 404 / 800007. */
export interface SimOrder {
  order: WireOrder;
  provisioning: WireProvisioningLine[] | null;
}

export function link(uri: string): WireLink {
  return { uri, method: 'GET', headers: [] };
}

// The Partner Center /v1 resources. Authentication, faults and rate limiting have already run;
// these handlers only resolve the resource and choose status and body.

import type { Severity } from '../domain/types.js';
import type { SimDataset } from './dataset.js';
import { orderPage } from './simCommerce.js';
import { customerDetail, customerPage, parseCustomerQuery, type NextLinkStyle } from './simCustomers.js';
import { partnerError, reply, type Exchange } from './simHttp.js';
import type { TokenInfo } from './simAuth.js';
import type { SimCustomer, WireCollection, WireIncident, WireIncidentGroup } from './simWire.js';
import { link } from './simWire.js';

export type IncidentShape = 'flat' | 'grouped';

export interface ApiSettings {
  data: SimDataset;
  bom: boolean;
  nextLinkStyle: NextLinkStyle;
  incidentShape: IncidentShape;
}

const SEVERITY_RANK: Record<Severity, number> = { normal: 0, information: 1, warning: 2, critical: 3 };

export function handleApi(ex: Exchange, token: TokenInfo, api: ApiSettings): void {
  const send = (status: number, body: unknown) => reply(ex, status, body, { bom: api.bom });
  if (ex.method !== 'GET') return send(405, partnerError(405, `The method ${ex.method} is not allowed on this resource.`));
  const segments = decodeSegments(ex.path);
  if (!segments) return send(400, partnerError(400, 'The request path is not correctly encoded.'));
  // segments[0] is 'v1'.
  const [, collection, customerId, resource, resourceId, child, ...rest] = segments;
  if (collection?.toLowerCase() !== 'customers' || rest.length > 0) return notFound(send);

  if (customerId === undefined) {
    const parsed = parseCustomerQuery(ex.query, header(ex, 'ms-continuationtoken'));
    if (!parsed.ok) return send(400, partnerError(400, parsed.description));
    return send(200, customerPage(api.data.customers, parsed.query, api.nextLinkStyle));
  }

  const customer = api.data.customer(customerId);
  if (!customer) return send(404, partnerError(60003, `Tenant with id ${customerId} was not found.`));
  if (resource === undefined) return send(200, customerDetail(customer));
  if (customer.noRelationship) {
    return send(403, partnerError(20002, `The partner has no commerce relationship with the customer ID ${customer.id}.`));
  }

  switch (resource.toLowerCase()) {
    case 'serviceincidents':
      if (resourceId?.toLowerCase() !== 'office' || child !== undefined) return notFound(send);
      return send(200, incidents(api, customer));
    case 'subscriptions':
      if (resourceId !== undefined) return notFound(send);
      return send(200, subscriptions(api, customer, ex.query.get('order_id')));
    case 'orders':
      return orders(api, customer, resourceId, child, token, send, ex);
    default:
      return notFound(send);
  }
}

type Send = (status: number, body: unknown) => void;

function notFound(send: Send): void {
  send(404, partnerError(404, 'The requested resource was not found.'));
}

function collection<T>(items: T[], self: string): WireCollection<T> {
  return { totalCount: items.length, items, links: { self: link(self) }, attributes: { objectType: 'Collection' } };
}

function incidents(api: ApiSettings, customer: SimCustomer): WireCollection<WireIncident> | WireCollection<WireIncidentGroup> {
  const list = api.data.incidentsOf(customer.id);
  const self = `/customers/${customer.id}/serviceincidents/office`;
  if (api.incidentShape === 'flat') return collection(list, self);
  const groups = new Map<string, WireIncidentGroup>();
  for (const incident of list) {
    let group = groups.get(incident.workload);
    if (!group) {
      group = { workload: incident.workload, status: 'normal', incidents: [], messageCenterMessages: [] };
      groups.set(incident.workload, group);
    }
    if (incident.messageType === 'message_center') {
      group.messageCenterMessages.push(incident);
    } else {
      group.incidents.push(incident);
      if (!incident.resolved && SEVERITY_RANK[incident.status] > SEVERITY_RANK[group.status]) group.status = incident.status;
    }
  }
  return collection([...groups.values()], self);
}

function subscriptions(api: ApiSettings, customer: SimCustomer, orderId: string | null) {
  const all = api.data.subscriptionsOf(customer.id);
  const items = orderId === null ? all : all.filter((s) => s.orderId === orderId);
  return collection(items, `/customers/${customer.id}/subscriptions`);
}

function orders(
  api: ApiSettings, customer: SimCustomer, orderId: string | undefined, child: string | undefined, token: TokenInfo, send: Send, ex: Exchange,
): void {
  if (orderId === undefined) {
    const page = orderPage(customer.id, api.data.ordersOf(customer.id), ex.query, header(ex, 'ms-continuationtoken'));
    return page.ok ? send(200, page.body) : send(400, partnerError(400, page.description));
  }
  const found = api.data.findOrder(customer.id, orderId);
  if (!found) return send(404, partnerError(20000, `Order ${orderId} was not found for customer ${customer.id}.`));
  if (child === undefined) return send(200, found.order);
  if (child.toLowerCase() !== 'provisioningstatus') return notFound(send);
  if (token.kind !== 'app+user') {
    return send(403, partnerError(1002, 'Authorization Failed: provisioning status requires App+User authentication.'));
  }
  if (!found.provisioning) {
    return send(404, partnerError(800007, `Provisioning status information is not available for order ${found.order.id}.`));
  }
  return send(200, {
    totalCount: found.provisioning.length,
    items: found.provisioning,
    attributes: { objectType: 'Collection' },
  });
}

function decodeSegments(path: string): string[] | null {
  try {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    return trimmed.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

function header(ex: Exchange, name: string): string | undefined {
  const value = ex.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

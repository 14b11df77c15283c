// Every card the bot sends, in its fullest realistic variant, for checks that apply to all of them
// (readability on every theme, buttons, layout). Built through the same functions the bot uses.
import {
  buttons as b,
  customerChoiceCard,
  customerOverviewCard,
  customersCard,
  helpCard,
  incidentHistoryCard,
  messageCard,
  ordersCard,
  statusCard,
  subscriptionsCard,
  watchesCard,
  welcomeCard,
  type AdaptiveCardJson,
} from '../../src/cards.js';
import { alertCustomersCard, threadAlertCard } from '../../src/sources/incidents/threadCard.js';
import { provisioningAlertCard, provisioningCard } from '../../src/sources/provisioning/card.js';
import type { OrderProvisioning } from '../../src/domain/types.js';
import { NOW } from './cardChecks.js';
import { contoso, customer, incident, subscription } from './samples.js';
import { accessAlertCard } from '../../src/sources/access/card.js';
import { accessCard, accessExpiringCard } from '../../src/sources/access/views.js';

/** An update as Microsoft writes them: a "Title:" line repeating the heading, then labelled paragraphs. */
export const M365_UPDATE = [
  'Title: Users can’t send mail',
  'User Impact: Users may be unable to send or receive email using Outlook on the web and mobile clients, and delivery of messages to external recipients may be delayed by up to an hour.',
  'Current status: We’ve identified a recent configuration change as the likely cause and are reverting it across the affected infrastructure while we monitor the service for recovery.',
  'Next update by: within 2 hours',
].join('\n');

const critical = incident('EX500', {
  severity: 'critical',
  status: 'critical',
  title: 'Users can’t send mail',
  messages: [
    { publishedTime: '2026-11-22T10:05:00Z', text: 'Investigating.' },
    { publishedTime: '2026-11-22T13:00:00Z', text: M365_UPDATE },
  ],
});
const order: OrderProvisioning = {
  customerId: contoso.id,
  orderId: '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1',
  lines: [
    { lineItemNumber: 0, status: 'fulfilled', quantities: [{ quantity: 50, status: 'fulfilled' }] },
    { lineItemNumber: 1, status: 'prefulfillmentpending', quantities: [{ quantity: 10, status: 'prefulfillmentpending' }] },
    { lineItemNumber: 2, status: 'unfulfilled', quantities: [{ quantity: 20, status: 'unfulfilled' }] },
  ],
};
const products = {
  ok: true as const,
  items: [
    { lineItemNumber: 0, offerId: 'CFQ7TTC0LFK5:0001', friendlyName: 'Microsoft 365 E5', quantity: 50 },
    { lineItemNumber: 1, offerId: 'CFQ7TTC0HDB0:0002', friendlyName: 'Project Plan 3', quantity: 10 },
    { lineItemNumber: 2, offerId: 'CFQ7TTC0LH16:0001', friendlyName: 'Exchange Online (Plan 1)', quantity: 20 },
  ],
};
const customers = [contoso, customer(2, { companyName: 'Contoso Electronics', domain: 'contosoelectronics.onmicrosoft.com' })];

export function cardGallery(): Record<string, AdaptiveCardJson> {
  const subs = [
    subscription(1, { status: 'suspended' }),
    subscription(2, { status: 'expired', commitmentEndDate: '2026-10-01T00:00:00Z' }),
    subscription(3, { status: 'pending' }),
    subscription(4, { commitmentEndDate: '2026-11-01T00:00:00Z' }),
    subscription(5),
  ];
  return {
    help: helpCard({ lead: 'I didn’t understand “xyz”.', buttons: [b.customers('', 1), b.watches()] }),
    welcome: welcomeCard({ buttons: [b.customers('', 1), b.help()] }),
    messageError: messageCard({ title: 'Order not found', text: 'Partner Center says order 1 does not exist for Contoso.', tone: 'error' }),
    messageWarning: messageCard({ title: 'No such customer', text: 'No customer’s name starts with “contsoo”.', tryThis: 'status for Contoso', tone: 'warning' }),
    messageSuccess: messageCard({ title: 'Done', text: 'Saved.', tone: 'success' }),
    customers: customersCard({ prefix: 'con', customers, now: NOW, buttons: [b.refresh(b.customers('con', 1))] }),
    customerChoice: customerChoiceCard({
      query: 'con',
      candidates: customers.map((c) => ({ customer: c, command: `status for ${c.companyName}`, button: b.status(c.id, c.companyName) })),
      buttons: [b.customers('', 1, 'All customers')],
    }),
    status: statusCard({ customer: contoso, incidents: [critical, incident('EX501'), incident('EX502', { resolved: true })], now: NOW, buttons: [b.overview(contoso.id)] }),
    history: incidentHistoryCard({ customer: contoso, incident: critical, now: NOW, buttons: [b.backToAlert('EX500'), b.overview(contoso.id)] }),
    overview: customerOverviewCard({ customer: contoso, incidents: [critical], subscriptions: subs, watch: { kind: 'customer', by: 'Ana', since: '2026-11-01T00:00:00Z' }, now: NOW, buttons: [b.status(contoso.id)] }),
    subscriptions: subscriptionsCard({ customer: contoso, subscriptions: subs, now: NOW, buttons: [b.overview(contoso.id)] }),
    provisioning: provisioningCard({ customer: contoso, provisioning: order, products, now: NOW, watch: { by: 'Ana', since: '2026-11-01T00:00:00Z' }, buttons: [b.provisioning(contoso.id, order.orderId)] }),
    orders: ordersCard({
      customer: contoso,
      orders: [
        { id: order.orderId, status: 'pending', creationDate: '2026-11-20T09:00:00Z', lineItems: products.items },
        { id: '5041', status: 'cancelled', creationDate: '2026-10-02T09:00:00Z', lineItems: [{ friendlyName: 'Power BI Pro', quantity: 10 }] },
      ],
      now: NOW,
      buttons: [b.overview(contoso.id), b.refresh(b.orders(contoso.id, 1))],
    }),
    provisioningAlert: provisioningAlertCard({ customer: contoso, provisioning: order, products, changes: [{ lineItemNumber: 2, from: 'prefulfillmentpending', to: 'unfulfilled' }], updatedAt: NOW, interactive: true }),
    incidentAlert: threadAlertCard(
      {
        incident: critical,
        customers: { [contoso.id]: { name: 'Contoso', resolved: false, vanished: false }, [customer(2).id]: { name: 'Fabrikam', resolved: true, vanished: false } },
        openedAt: '2026-11-22T13:00:00Z',
        updatedAt: '2026-11-22T14:00:00Z',
        resolvedAt: null,
        mutedUntil: '2026-11-22T18:00:00Z',
        mutedBy: 'Ben',
        acknowledgedBy: 'Ana',
        acknowledgedAt: '2026-11-22T14:01:00Z',
      },
      NOW,
    ),
    alertCustomers: alertCustomersCard(
      {
        incident: critical,
        customers: Object.fromEntries(
          Array.from({ length: 6 }, (_, i) => [customer(i + 10).id, { name: `Customer ${i + 1}`, resolved: i === 5, vanished: false }]),
        ),
        openedAt: '2026-11-22T13:00:00Z',
        updatedAt: '2026-11-22T14:00:00Z',
        resolvedAt: null,
        mutedUntil: null,
        mutedBy: null,
        acknowledgedBy: null,
        acknowledgedAt: null,
      },
      NOW,
      (id) => `${id.slice(0, 8)}.onmicrosoft.com`,
    ),
    watches: watchesCard({
      watches: [
        { kind: 'customer', customerId: contoso.id, customerName: 'Contoso', orderId: null, minSeverity: 'warning', workloads: ['exchange'], createdAt: '2026-11-01T09:00:00Z' },
        { kind: 'all', customerName: null, orderId: null, minSeverity: null, workloads: [], createdAt: '2026-11-02T09:00:00Z' },
        { kind: 'order', customerName: 'Contoso', orderId: order.orderId, minSeverity: null, workloads: [], createdAt: '2026-11-03T09:00:00Z' },
      ],
      now: NOW,
    }),
    watchesEmpty: watchesCard({ watches: [], now: NOW }),
    accessAlert: accessAlertCard(
      {
        customerId: contoso.id,
        customerName: 'Contoso',
        episode: 1,
        relationships: [{ id: 'r1', name: 'Contoso support', status: 'active', endDay: '2026-11-29', roles: ['f2ef992c-3afb-46b9-b7cf-a126ee74c451'], groups: [{ groupId: 'g1', status: 'active', roles: [] }] }],
        severity: 'warning',
        changes: [{ at: '2026-11-22T09:00:00Z', kind: 'ending', text: 'Access ends in 7 days (29 Nov): no active relationship lasts longer or auto-extends.', severity: 'warning', recovery: false }],
        updatedAt: '2026-11-22T09:00:00Z',
        closedAt: null,
        mutedUntil: null,
        mutedBy: null,
        acknowledgedBy: 'Ana',
        acknowledgedAt: '2026-11-22T10:00:00Z',
      },
      NOW,
    ),
    access: accessCard({ customer: contoso, relationships: [{ id: 'r1', name: 'Contoso support', status: 'expired', endDay: '2026-11-20', roles: [] }], now: NOW }),
    accessExpiring: accessExpiringCard({ endings: [{ customerId: contoso.id, customerName: 'Contoso', day: '2026-11-29', daysLeft: 7 }], days: 30, page: 1, now: NOW }),
  };
}

// Representative domain objects for card tests: one builder each, with overrides for the case at hand.
import type { Customer, Incident, Subscription } from '../../src/domain/types.js';
import type { Watch } from '../../src/domain/watch.js';
import type { Target } from '../../src/store/state.js';

export const customer = (n: number, overrides: Partial<Customer> = {}): Customer => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  companyName: `Customer ${n}`,
  domain: `customer${n}.onmicrosoft.com`,
  relationshipToPartner: 'reseller',
  ...overrides,
});

export const contoso = customer(1, { companyName: 'Contoso', domain: 'contoso.onmicrosoft.com' });

export const incident = (id: string, overrides: Partial<Incident> = {}): Incident => ({
  id,
  customerId: contoso.id,
  kind: 'incident',
  workload: 'Exchange Online',
  title: `Problem ${id}`,
  severity: 'warning',
  status: 'warning',
  startTime: '2026-11-22T10:00:00Z',
  endTime: null,
  resolved: false,
  messages: [{ publishedTime: '2026-11-22T10:05:00Z', text: `First update of ${id}.` }],
  ...overrides,
});

export const subscription = (n: number, overrides: Partial<Subscription> = {}): Subscription => ({
  id: `sub-${n}`,
  offerName: 'Microsoft 365 Business Premium',
  friendlyName: `Licenses ${n}`,
  quantity: 25,
  unitType: 'Licenses',
  status: 'active',
  billingCycle: 'monthly',
  termDuration: 'P1Y',
  commitmentEndDate: '2027-03-01T00:00:00Z',
  autoRenewEnabled: true,
  isTrial: false,
  orderId: null,
  attentionNeeded: false,
  attentionReason: null,
  suspensionReasons: [],
  ...overrides,
});

/** An active channel the bot may post to (or an inactive one, as after an uninstall). */
export const target = (key: string, active = true): Target => ({
  key,
  kind: 'channel',
  tenantId: 't',
  teamId: 'team',
  name: key,
  reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: key }, bot: { id: 'bot' } },
  active,
  inactiveReason: active ? null : 'app uninstalled',
  updatedAt: '2026-11-22T12:00:00.000Z',
});

/** A watch of Contoso (customer c1) in conversation "A". */
export const watch = (overrides: Partial<Watch> = {}): Watch => ({
  id: 'w',
  targetKey: 'A',
  kind: 'customer',
  customerId: 'c1',
  customerName: 'Contoso',
  orderId: null,
  minSeverity: null,
  workloads: [],
  createdBy: 'Ana',
  createdAt: '2026-11-22T10:00:00Z',
  ...overrides,
});

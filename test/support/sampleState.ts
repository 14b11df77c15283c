// A state with a record of every kind, for tests of the stores and of migrate-state.
import { emptySweep, type Delivery, type IncidentThread, type State, type Target } from '../../src/store/state.js';
import type { Watch } from '../../src/domain/watch.js';

export const target = (key: string): Target => ({
  key,
  kind: 'channel',
  tenantId: 'tenant',
  teamId: 'team',
  name: `Channel ${key}`,
  reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: key }, bot: { id: 'bot' } },
  active: true,
  inactiveReason: null,
  updatedAt: '2026-11-30T10:00:00.000Z',
});

export const watch = (id: string, targetKey: string, customerId: string): Watch => ({
  id,
  targetKey,
  kind: 'customer',
  customerId,
  customerName: `Customer ${customerId}`,
  orderId: null,
  minSeverity: null,
  workloads: ['exchange'],
  createdBy: 'Ana',
  createdAt: '2026-11-30T10:00:00.000Z',
});

export const notice = (id: string, targetKey: string, text: string): Delivery => ({
  id,
  kind: 'notice',
  targetKey,
  text,
  createdAt: '2026-11-30T10:00:00.000Z',
  attempts: 0,
  notBefore: '2026-11-30T10:00:00.000Z',
  lastError: null,
});

export const thread = (key: string, targetKey: string): IncidentThread => ({
  key,
  targetKey,
  incidentId: 'EX1',
  activityId: null,
  incident: {
    id: 'EX1',
    title: 'Mail delayed',
    workload: 'Exchange Online',
    severity: 'warning',
    status: 'active',
    startTime: '2026-11-30T09:00:00.000Z',
    lastUpdatedTime: '2026-11-30T09:30:00.000Z',
    messages: [],
  } as unknown as IncidentThread['incident'],
  customers: { c1: { name: 'Contoso', resolved: false, vanished: false } },
  openedAt: '2026-11-30T09:31:00.000Z',
  updatedAt: '2026-11-30T09:31:00.000Z',
  resolvedAt: null,
  mutedUntil: null,
  mutedBy: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
});

/** Everything a store keeps, in every kind of collection. */
export function fill(state: State): void {
  state.auth.refreshToken = 'refresh-token';
  state.auth.usedAt = '2026-11-20T08:00:00.000Z';
  state.targets.t1 = target('t1');
  state.targets.t2 = target('t2');
  state.watches.push(watch('w1', 't1', 'c1'), watch('w2', 't2', 'c2'), { ...watch('w3', 't1', 'c3'), kind: 'all', customerId: null, excluded: [{ customerId: 'c9', name: 'Fabrikam' }] });
  state.orderCustomers.o1 = 'c1';
  state.incidentSnapshots.c1 = { customerId: 'c1', fetchedAt: '2026-11-30T10:00:00.000Z', incidents: {} } as unknown as State['incidentSnapshots'][string];
  state.orderSnapshots['c1/o1'] = { fetchedAt: '2026-11-30T10:00:00.000Z' } as unknown as State['orderSnapshots'][string];
  // As this release writes a card: with its count of customers still affected (an older file's gets it at open).
  state.threads['t1|EX1'] = { ...thread('t1|EX1', 't1'), open: 1 };
  state.outbox.push(notice('d1', 't1', 'first'), notice('d2', 't1', 'second'), notice('d3', 't2', 'third'));
  state.deliveryLog.d0 = '2026-11-30T09:59:00.000Z';
  state.accessDenied.c7 = '2026-11-30T08:00:00.000Z';
  state.sweep = { ...emptySweep(), roundId: 'r1', cursor: 'c|c1', done: 1, total: 3 };
  state.lastCycle = {
    correlationId: 'r0',
    startedAt: '2026-11-30T09:55:00.000Z',
    endedAt: '2026-11-30T09:56:00.000Z',
    customersFetched: 2,
    customersFailed: [{ customerId: 'c3', name: 'Northwind', error: 'HTTP 500' }],
    ordersFetched: 1,
    ordersFailed: [],
    events: 1,
    deliveriesQueued: 1,
  };
  state.subscriptionSnapshots.c1 = { customerId: 'c1', fetchedAt: '2026-11-30T10:00:00.000Z', subscriptions: {} } as unknown as State['subscriptionSnapshots'][string];
  state.subscriptionThreads['t1|sub1|1'] = { key: 't1|sub1|1', targetKey: 't1', activityId: null } as unknown as State['subscriptionThreads'][string];
  state.outbound['webhook|https://hooks.example/a|evt_1'] = {
    id: 'webhook|https://hooks.example/a|evt_1',
    destination: 'webhook',
    endpoint: 'https://hooks.example/a',
    seq: 1,
    event: { id: 'evt_1', type: 'incident.opened' } as unknown as State['outbound'][string]['event'],
    createdAt: '2026-11-30T10:00:00.000Z',
    attempts: 1,
    notBefore: '2026-11-30T10:00:05.000Z',
    lastError: 'HTTP 503',
  };
  state.ticketCompanies.c9 = { customerId: 'c9', customerName: 'Fabrikam', companyId: 103, companyName: 'Fabrikam, Inc.', setBy: 'Ana', setAt: '2026-11-30T10:00:00.000Z' };
  state.tickets['incident|EX1|c1|0'] = {
    episodeKey: 'incident|EX1|c1|0', customerId: 'c1', customerName: 'Contoso', psa: 'autotask', reference: 'incident|EX1|c1|0', state: 'open',
    ticketId: 1001, number: 'T20261130.0001', url: null, companyId: 100, createdAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z',
  };
  state.accessListing = { fetchedAt: '2026-11-30T10:00:00.000Z', refusedSince: null, refusalTold: [] };
  state.accessSnapshots.c1 = { customerId: 'c1', customerName: 'Contoso', relationships: [{ id: 'r1', name: 'Contoso support', status: 'active', endDay: '2026-12-14', roles: [] }], warned: 30 };
  state.accessThreads['t1|access|c1|1'] = { key: 't1|access|c1|1', targetKey: 't1', activityId: null } as unknown as State['accessThreads'][string];
}

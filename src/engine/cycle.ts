// One poll cycle: plan what to fetch, fetch it through the shared budget with bounded concurrency,
// diff each successful fetch, then store the new snapshots and queue the deliveries in ONE durable write.
// Delivery is a separate step (delivery.ts), so a crash after this write loses nothing.
import type { Logger } from 'pino';
import { diffIncidents, type IncidentEvent } from '../domain/incidentDiff.js';
import { diffProvisioning, type OrderSnapshot, type ProvisioningEvent } from '../domain/provisioningDiff.js';
import type { CustomerIncidentSnapshot } from '../domain/incidentDiff.js';
import type { Customer } from '../domain/types.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import type { CustomerDirectory } from '../partnerCenter/customerDirectory.js';
import { orderKey, type CycleReport } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import { mapWithConcurrency } from './concurrency.js';
import { pruneState } from './retention.js';
import { routeEvents } from './routing.js';

export interface CycleDeps {
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  store: StateStore;
  log: Logger;
  now?: () => Date;
  /** Requests in flight at once; the rate budget still spaces them. */
  concurrency?: number;
}

interface Plan {
  customers: Customer[];
  orders: { customerId: string; orderId: string }[];
}

export async function runCycle(deps: CycleDeps, correlationId: string): Promise<CycleReport> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const ctx = { correlationId };
  const log = deps.log.child({ correlationId });
  const plan = await planFetches(deps, ctx);
  // Enough requests in flight to keep the budget busy while each waits on Partner Center's latency
  // (Little's law: 200/s x ~60 ms needs ~12); the budget, not this number, sets the pace.
  const concurrency = deps.concurrency ?? 16;

  const customersFailed: CycleReport['customersFailed'] = [];
  const incidentResults = await mapWithConcurrency(plan.customers, concurrency, async (customer) => {
    try {
      return { customer, incidents: await deps.client.incidents(ctx, customer.id) };
    } catch (error) {
      customersFailed.push({ customerId: customer.id, name: customer.companyName, error: (error as Error).message });
      return null;
    }
  });
  const ordersFailed: CycleReport['ordersFailed'] = [];
  const orderResults = await mapWithConcurrency(plan.orders, concurrency, async (order) => {
    try {
      return await deps.client.provisioning(ctx, order.customerId, order.orderId);
    } catch (error) {
      ordersFailed.push({ orderId: order.orderId, error: (error as Error).message });
      return null;
    }
  });

  const fetchedAt = now().toISOString();
  const state = deps.store.read();
  const incidentEvents: IncidentEvent[] = [];
  const incidentSnapshots: Record<string, CustomerIncidentSnapshot> = {};
  for (const result of incidentResults) {
    if (!result) continue; // a failed fetch changes nothing: it must never read as "resolved"
    const diff = diffIncidents(result.customer.id, state.incidentSnapshots[result.customer.id], result.incidents, fetchedAt);
    incidentEvents.push(...diff.events);
    incidentSnapshots[result.customer.id] = diff.snapshot;
  }
  const provisioningEvents: ProvisioningEvent[] = [];
  const orderSnapshots: Record<string, OrderSnapshot> = {};
  for (const result of orderResults) {
    if (!result) continue;
    const key = orderKey(result.customerId, result.orderId);
    const diff = diffProvisioning(state.orderSnapshots[key], result, fetchedAt);
    if (diff.event) provisioningEvents.push(diff.event);
    orderSnapshots[key] = diff.snapshot;
  }

  const names = new Map(plan.customers.map((customer) => [customer.id, customer.companyName]));
  const customerName = (id: string) => names.get(id) ?? deps.directory.find(id)?.companyName ?? id;
  const report = await deps.store.update((draft) => {
    Object.assign(draft.incidentSnapshots, incidentSnapshots);
    Object.assign(draft.orderSnapshots, orderSnapshots);
    const deliveriesQueued = routeEvents(draft, incidentEvents, provisioningEvents, customerName, now());
    pruneState(draft, now());
    const cycleReport: CycleReport = {
      correlationId,
      startedAt: startedAt.toISOString(),
      endedAt: now().toISOString(),
      customersFetched: plan.customers.length - customersFailed.length,
      customersFailed,
      ordersFetched: plan.orders.length - ordersFailed.length,
      ordersFailed,
      events: incidentEvents.length + provisioningEvents.length,
      deliveriesQueued,
    };
    draft.lastCycle = cycleReport;
    return cycleReport;
  });
  log.info(
    {
      customersFetched: report.customersFetched,
      customersFailed: customersFailed.length,
      ordersFetched: report.ordersFetched,
      ordersFailed: ordersFailed.length,
      events: report.events,
      deliveriesQueued: report.deliveriesQueued,
    },
    'poll cycle finished',
  );
  for (const failure of customersFailed) log.warn(failure, 'customer fetch failed; its state is unchanged');
  return report;
}

/** Each watched customer once, however many conversations watch it; each watched order once. */
async function planFetches(deps: CycleDeps, ctx: { correlationId: string }): Promise<Plan> {
  const state = deps.store.read();
  const active = state.watches.filter((watch) => state.targets[watch.targetKey]?.active);
  const customers = new Map<string, Customer>();
  if (active.some((watch) => watch.kind === 'all')) {
    // "watch all" includes customers added since the last cycle: list them afresh.
    for (const customer of await deps.directory.reload(ctx)) customers.set(customer.id, customer);
  }
  for (const watch of active) {
    if (watch.kind !== 'customer' || !watch.customerId || customers.has(watch.customerId)) continue;
    customers.set(watch.customerId, deps.directory.find(watch.customerId) ?? {
      id: watch.customerId,
      companyName: watch.customerName ?? watch.customerId,
      domain: '',
      relationshipToPartner: 'unknown',
    });
  }
  const orders = new Map<string, { customerId: string; orderId: string }>();
  for (const watch of active) {
    if (watch.kind === 'order' && watch.customerId && watch.orderId) {
      orders.set(orderKey(watch.customerId, watch.orderId), { customerId: watch.customerId, orderId: watch.orderId });
    }
  }
  return { customers: [...customers.values()], orders: [...orders.values()] };
}

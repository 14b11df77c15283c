// Storing and removing a conversation's watches, shared by the chat commands and the card buttons. A new
// watch stores the current state as its baseline in the same write, so the next cycle reports only what
// changes after it.
import { randomUUID } from 'node:crypto';
import type { OverviewWatch } from '../cards.js';
import type { WatchFilters } from '../domain/commands.js';
import { diffIncidents } from '../sources/incidents/diff.js';
import { diffProvisioning } from '../sources/provisioning/diff.js';
import type { Customer, Incident, OrderProvisioning } from '../domain/types.js';
import { watchesEveryCustomer, type Watch } from '../domain/watch.js';
import { markSeen } from '../sources/incidents/routing.js';
import { orderKey, threadKey, type Target } from '../store/state.js';
import type { Watches } from '../store/ports/watches.js';
import { txPorts } from '../store/ports/index.js';
import type { BotServices } from './services.js';

export interface WatchContext {
  correlationId: string;
  target: Target;
  user: { id: string; name: string };
  now: Date;
}

export function watchesOf(services: BotServices, ctx: { target: { key: string } }): readonly Readonly<Watch>[] {
  return services.store.ports.watches.forConversation(ctx.target.key);
}

export function newWatch(
  ctx: WatchContext,
  fields: Pick<Watch, 'kind' | 'customerId' | 'customerName' | 'minSeverity' | 'workloads'> & { orderId?: string },
): Watch {
  return {
    id: randomUUID(),
    targetKey: ctx.target.key,
    orderId: null,
    ...fields,
    createdBy: ctx.user.name,
    createdAt: ctx.now.toISOString(),
  };
}

/** Watch a customer here (replacing an earlier watch of it here), with `incidents` as the baseline. */
export async function saveCustomerWatch(
  services: BotServices,
  ctx: WatchContext,
  customer: Customer,
  incidents: readonly Incident[],
  filters: WatchFilters,
): Promise<Watch> {
  const watch = newWatch(ctx, { kind: 'customer', customerId: customer.id, customerName: customer.companyName, ...filters });
  await services.store.update((state) => {
    // The watch through its port; its baseline (a snapshot, the cards' seen marks) still on the draft.
    const { watches } = txPorts(state);
    watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'customer' && w.customerId === customer.id);
    watches.add(watch);
    // Watching it on its own brings it back into this conversation's "watch all" too.
    for (const all of watches.forConversation(ctx.target.key)) {
      if (all.kind === 'all' && all.excluded) all.excluded = all.excluded.filter((entry) => entry.customerId !== customer.id);
    }
    state.incidentSnapshots[customer.id] ??= diffIncidents(customer.id, undefined, [...incidents], ctx.now.toISOString()).snapshot;
    markSeen(state, watch, customer.companyName, incidents, ctx.now);
    // The incident cards it may join here: by key, with only this customer of each (a card may list thousands).
  }, { load: { incidentSnapshots: [customer.id], threads: { keys: incidents.map((incident) => threadKey(ctx.target.key, incident.id)), only: [customer.id] } } });
  services.engine.watchesChanged();
  return watch;
}

export async function removeCustomerWatch(services: BotServices, ctx: { target: { key: string } }, customerId: string): Promise<void> {
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'customer' && w.customerId === customerId));
}

/**
 * Leaves a customer out of every "all" watch of this conversation: "watch all" and "watch subscriptions
 * all" alike, since an exclusion is about the customer, not about one source. Returns the watches it
 * applies to (none when the conversation watches no source with "all").
 */
export async function excludeFromWatchAll(services: BotServices, ctx: { target: { key: string } }, customer: Customer): Promise<readonly Readonly<Watch>[]> {
  const everyCustomer = watchesOf(services, ctx).filter(watchesEveryCustomer);
  if (everyCustomer.length === 0) return [];
  const ids = new Set(everyCustomer.map((watch) => watch.id));
  await services.store.transaction((tx) => {
    for (const stored of tx.watches.forConversation(ctx.target.key)) {
      if (!ids.has(stored.id)) continue;
      const excluded = (stored.excluded ?? []).filter((entry) => entry.customerId !== customer.id);
      stored.excluded = [...excluded, { customerId: customer.id, name: customer.companyName }];
    }
  });
  services.engine.watchesChanged();
  return everyCustomer;
}

/**
 * The customers a new "all" watch starts without: those this conversation already leaves out of its other
 * "all" watch, so "exclude contoso" then "watch subscriptions all" keeps Contoso out of both.
 */
export function conversationExclusions(watches: Watches, targetKey: string, kind: Watch['kind']): NonNullable<Watch['excluded']> {
  const other = watches.forConversation(targetKey).find((watch) => watch.targetKey === targetKey && watchesEveryCustomer(watch) && watch.kind !== kind && watch.excluded?.length);
  return other?.excluded ? other.excluded.map((entry) => ({ ...entry })) : [];
}

/** Watch an order here until every line item is final, with `provisioning` as the baseline. */
export async function saveOrderWatch(services: BotServices, ctx: WatchContext, customer: Customer, provisioning: OrderProvisioning): Promise<Watch> {
  const { orderId } = provisioning;
  const watch = newWatch(ctx, { kind: 'order', customerId: customer.id, customerName: customer.companyName, orderId, minSeverity: null, workloads: [] });
  await services.store.update((state) => {
    // The watch and the order's customer through their ports; the order's snapshot still on the draft.
    const tx = txPorts(state);
    tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'order' && w.orderId === orderId);
    tx.watches.add(watch);
    tx.orderCustomers.remember(orderId, customer.id);
    state.orderSnapshots[orderKey(customer.id, orderId)] = diffProvisioning(undefined, provisioning, ctx.now.toISOString()).snapshot;
  });
  services.engine.watchesChanged();
  return watch;
}

export async function removeOrderWatch(services: BotServices, ctx: { target: { key: string } }, orderId: string): Promise<void> {
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'order' && w.orderId === orderId));
}

/** Stops "watch all" here; the watches of single customers and orders stay. */
export async function removeAllCustomersWatch(services: BotServices, ctx: { target: { key: string } }): Promise<void> {
  await services.store.transaction((tx) => tx.watches.removeWhere((w) => w.targetKey === ctx.target.key && w.kind === 'all'));
}

/** How this conversation hears about a customer: its own watch first, else a "watch all". */
export function customerWatchOf(watches: Watches, targetKey: string, customerId: string): OverviewWatch {
  const mine = watches.forConversation(targetKey);
  const own = mine.find((watch) => watch.kind === 'customer' && watch.customerId === customerId);
  if (own) return { kind: 'customer', by: own.createdBy, since: own.createdAt };
  const all = mine.find((watch) => watch.kind === 'all');
  return all ? { kind: 'all', by: all.createdBy, since: all.createdAt } : null;
}

export function orderWatchOf(watches: Watches, targetKey: string, orderId: string): { by: string; since: string } | null {
  const watch = watches.forConversation(targetKey).find((w) => w.kind === 'order' && w.orderId === orderId);
  return watch ? { by: watch.createdBy, since: watch.createdAt } : null;
}

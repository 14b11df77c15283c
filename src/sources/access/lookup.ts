// Live reads for the commands: one customer's relationships with the groups holding their roles ("access
// for"), and every customer whose access ends within some days ("access expiring"). Straight from Graph,
// so they answer without any watch (a baseline posts nothing; this is where its state shows).
import type { GraphClient } from '../../graph/client.js';
import { printOf } from './diff.js';
import { endingWithin, type AccessEnding } from './digestSection.js';
import type { AccessSnapshot, RelationshipPrint } from './model.js';
import { readAssignments, readRelationships } from './read.js';
import { isCovering } from './words.js';

/** A customer's relationships (Graph's `$filter` on customer/tenantId), covering ones with their groups. */
export async function customerAccess(graph: GraphClient, customerId: string, now: Date, signal?: AbortSignal): Promise<RelationshipPrint[]> {
  const relationships = readRelationships(await graph.relationships(signal, customerId)).filter((r) => r.customerId === customerId.toLowerCase());
  const groups = await Promise.all(relationships.map((r) => (isCovering(r) ? graph.accessAssignments(r.id, signal).then(readAssignments) : Promise.resolve(undefined))));
  return relationships.map((r, i) => printOf(r, undefined, groups[i], now.toISOString()));
}

/** Every customer whose access ends within `days` UTC calendar days, soonest first (lost ones are not "ending"). */
export async function accessEndingWithin(graph: GraphClient, days: number, now: Date, signal?: AbortSignal): Promise<AccessEnding[]> {
  const byCustomer = new Map<string, Pick<AccessSnapshot, 'customerId' | 'customerName' | 'relationships'>>();
  for (const r of readRelationships(await graph.relationships(signal))) {
    const snapshot = byCustomer.get(r.customerId) ?? { customerId: r.customerId, customerName: r.customerName, relationships: [] };
    snapshot.relationships.push(printOf(r, undefined, undefined, now.toISOString()));
    byCustomer.set(r.customerId, snapshot);
  }
  return endingWithin(byCustomer.values(), now, days).filter((ending) => ending.daysLeft !== null && ending.daysLeft >= 0);
}

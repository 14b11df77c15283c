// View data of a customer's overview: who the customer is, how many incidents are active by severity,
// how many subscriptions by status, and whether this conversation is alerted about it.
import { isAlertable } from '../domain/incidentRecords.js';
import type { Customer, Incident, Subscription } from '../domain/types.js';
import { relationshipLabel } from './customers.js';
import { asOf, count, formatUtcDate, name, type CardButton } from './format.js';
import { attentionCount, attentionText, subscriptionCounts } from './subscriptions.js';

/** This conversation's watch that covers the customer, if any. */
export type OverviewWatch = { kind: 'customer'; by: string; since: string } | { kind: 'all'; by: string; since: string } | null;

export interface CustomerOverviewInput {
  customer: Customer;
  incidents: readonly Incident[];
  subscriptions: readonly Subscription[];
  watch: OverviewWatch;
  now: Date;
  buttons?: readonly CardButton[];
}

const SEVERITY_ORDER = ['critical', 'warning', 'information', 'normal'] as const;

function incidentSummary(all: readonly Incident[], customer: string): { text: string; resolved: string } {
  // Counted as the status card counts them: message-center announcements are not incidents.
  const incidents = all.filter(isAlertable);
  const active = incidents.filter((incident) => !incident.resolved);
  const resolved = incidents.length - active.length;
  const resolvedText = resolved > 0 ? `${count(resolved, 'resolved incident')} still listed by Partner Center.` : '';
  if (active.length === 0) return { text: `No active incidents for ${customer}.`, resolved: resolvedText };
  const parts = SEVERITY_ORDER.map((severity) => ({ severity, n: active.filter((i) => i.severity === severity).length }))
    .filter(({ n }) => n > 0)
    .map(({ severity, n }) => `${n} ${severity}`);
  return { text: `${count(active.length, 'active incident')}: ${parts.join(', ')}`, resolved: resolvedText };
}

function watchText(watch: OverviewWatch, customer: string): string {
  if (!watch) return `This conversation is not alerted about ${customer}.`;
  const by = name(watch.by, 80) || 'someone';
  if (watch.kind === 'all') return `Alerted here through “watch all” (set by ${by} on ${formatUtcDate(watch.since)}).`;
  return `Watched here: alerts about ${customer} come to this conversation (set by ${by} on ${formatUtcDate(watch.since)}).`;
}

export function customerOverviewView(input: CustomerOverviewInput) {
  const customer = name(input.customer.companyName) || 'Unnamed customer';
  const incidents = incidentSummary(input.incidents, customer);
  const counts = subscriptionCounts(input.subscriptions);
  const flagged = attentionCount(input.subscriptions, input.now);
  return {
    title: customer,
    subtitle: `Customer overview · ${asOf(input.now)}`,
    facts: [
      { title: 'Domain', value: name(input.customer.domain) || 'unknown' },
      { title: 'Tenant id', value: name(input.customer.id, 60) },
      { title: 'Relationship', value: relationshipLabel(input.customer.relationshipToPartner) },
    ],
    incidentsText: incidents.text,
    hasResolved: incidents.resolved !== '',
    resolvedText: incidents.resolved,
    subscriptionsText:
      input.subscriptions.length === 0
        ? `${customer} has no product subscriptions.`
        : `${count(input.subscriptions.length, 'subscription')}: ${counts.map((c) => c.text).join(', ')}`,
    hasFlagged: flagged > 0,
    flaggedText: attentionText(flagged),
    watchText: watchText(input.watch, customer),
  };
}

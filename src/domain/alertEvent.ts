// An alert as the world outside Teams sees it: one change of one customer's problem episode, in words any
// destination can use (a signed webhook, a PSA ticket). Every source emits these beside its Teams cards, in
// the same write, so an outbound destination is exactly-once through the same outbox.
import type { Customer } from './types.js';

export type AlertSeverity = 'critical' | 'warning' | 'information';

/** Where in its episode a change falls: the first sign of a problem, a later change, or its end. */
export type EpisodeChange = 'opened' | 'updated' | 'resolved';

export interface AlertEventCustomer {
  /** The customer's Entra tenant id (Partner Center's customer id). */
  tenantId: string;
  name: string;
  /** The customer's default domain, when known. */
  domain: string | null;
}

/**
 * The customer as every source names it outside Teams: Partner Center's company name and domain from the
 * customer directory (a PSA company is matched by that domain); the source's own name, and no domain, only
 * when the directory does not know the customer.
 */
export function eventCustomer(customerId: string, customer: Customer | undefined, name: string): AlertEventCustomer {
  return { tenantId: customerId, name: customer?.companyName || name, domain: customer?.domain ? customer.domain : null };
}

export interface AlertEventLink {
  title: string;
  url: string;
}

export interface AlertEvent {
  /** Unique per change and deterministic: the same change found twice (a retried batch) has the same id. */
  id: string;
  /** The source that found it: `incidents`, `provisioning`, `subscriptions`, `access`. */
  source: string;
  /** `<subject>.<what>`, e.g. `incident.opened`, `incident.resolved`, `provisioning.failed`. */
  type: string;
  severity: AlertSeverity;
  customer: AlertEventCustomer;
  episode: {
    /** One problem episode of one customer (an incident id and tenant id and when it opened, …): a ticket's
     * external reference. */
    key: string;
    change: EpisodeChange;
    /** The episode this one follows (an incident that returned): a new ticket names the old one. */
    previousKey?: string | null;
  };
  /** One line, e.g. "EX123456 · Users can't send mail (Exchange Online)". */
  title: string;
  /** What changed, as plain text. */
  text: string;
  /** ISO 8601. */
  occurredAt: string;
  /** The links the card has (Partner Center, the service health page, …). */
  links: AlertEventLink[];
  /** The source's own fields, as plain JSON. */
  data: Record<string, unknown>;
}

// The incident alert card, and an incident thread (one incident's card in one conversation) as its input.
// The delivery pipeline and the card buttons (mute, acknowledge) both render the card from here, so a card
// edited by a poll cycle keeps the mute and acknowledgement that a click put on it, and the other way round.
import type { CardTicket } from '../../cardData/alertThread.js';
import type { Incident } from '../../domain/types.js';
import { customerChoiceCard, renderCard, type AdaptiveCardJson } from '../../cards.js';
import { alertCustomersChoice, incidentAlertButtons, incidentAlertView, SHRUNK_INCIDENT_ALERT_LIMITS, type IncidentAlertInput } from './card.js';

/** What the card needs of a stored thread; the store's `IncidentThread` fits as it is. */
export interface AlertThread {
  incident: Incident;
  customers: Readonly<Record<string, { name: string; resolved: boolean; vanished: boolean }>>;
  updatedAt: string;
  /** When the thread began; a thread not updated since is a new incident here. */
  openedAt?: string;
  resolvedAt: string | null;
  mutedUntil: string | null;
  mutedBy: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** The customers' PSA tickets of this incident (src/tickets/cardTickets.ts), when tickets are on. */
  tickets?: readonly CardTicket[];
}

export function threadAlertInput(thread: AlertThread, now: Date, options: { shrink: boolean } = { shrink: false }): IncidentAlertInput {
  return {
    incident: thread.incident,
    customers: Object.entries(thread.customers).map(([id, customer]) => ({
      customer: { id, companyName: customer.name, domain: '', relationshipToPartner: 'unknown' },
      resolved: customer.resolved,
      vanished: customer.vanished,
    })),
    updatedAt: new Date(thread.updatedAt),
    latestChange: thread.resolvedAt ? 'Resolved' : thread.openedAt === thread.updatedAt ? 'New' : 'Updated',
    acknowledged: thread.acknowledgedBy && thread.acknowledgedAt ? { by: thread.acknowledgedBy, at: new Date(thread.acknowledgedAt) } : null,
    muted: thread.mutedBy && thread.mutedUntil ? { by: thread.mutedBy, until: new Date(thread.mutedUntil) } : null,
    interactive: true,
    now,
    ...(thread.tickets?.length ? { tickets: thread.tickets } : {}),
    ...(options.shrink ? { shrink: SHRUNK_INCIDENT_ALERT_LIMITS } : {}),
  };
}

/**
 * The proactive alert for one incident in one conversation, listing every watched customer it touches.
 * After a 413 from Teams, send again with `shrink: SHRUNK_INCIDENT_ALERT_LIMITS`.
 */
export function incidentAlertCard(input: IncidentAlertInput): AdaptiveCardJson {
  return renderCard('incidentAlert', incidentAlertView(input), incidentAlertButtons(input));
}

/** The alert card of a stored incident thread, with its mute and acknowledgement, as everyone sees it. */
export function threadAlertCard(thread: AlertThread, now: Date, options: { shrink: boolean } = { shrink: false }): AdaptiveCardJson {
  return incidentAlertCard(threadAlertInput(thread, now, options));
}

/**
 * "Customer" on an alert of several customers: which one, a button each (up to five), then All customers.
 * `domainOf` adds what a thread does not keep, so two customers of the same name can be told apart.
 */
export function alertCustomersCard(thread: AlertThread, now: Date, domainOf: (customerId: string) => string | undefined): AdaptiveCardJson {
  const input = threadAlertInput(thread, now);
  const customers = input.customers.map((entry) => ({ ...entry, customer: { ...entry.customer, domain: domainOf(entry.customer.id) ?? '' } }));
  return customerChoiceCard(alertCustomersChoice({ ...input, customers }));
}

// An incident thread (one incident's card in one conversation) as the alert card's input. The delivery
// pipeline and the card buttons (mute, acknowledge) both render the card from here, so a card edited by a
// poll cycle keeps the mute and acknowledgement that a click put on it, and the other way round.
import type { CardTicket } from '../../cardData/alertThread.js';
import type { Incident } from '../../domain/types.js';
import { SHRUNK_INCIDENT_ALERT_LIMITS, type IncidentAlertInput } from './card.js';

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

// One interface for every PSA (Autotask, ConnectWise PSA): what the ticket destination needs of a PSA, and
// nothing more. Each implementation speaks its vendor's REST API through psaHttp.ts.
import type { AlertSeverity } from '../domain/alertEvent.js';

export interface PsaCompany {
  id: number;
  name: string;
  /** The company's web address as the PSA holds it ("www.contoso.com", "https://contoso.com/"), if any. */
  webAddress: string | null;
}

export interface PsaTicket {
  id: number;
  /**
   * What people call it: Autotask "T20261207.0012", ConnectWise "#4711". Null when the create did not say it
   * (Autotask answers only the id): `numbers` reads it later, many tickets in one request.
   */
  number: string | null;
  /** The ticket in the PSA's web interface, when the PSA tells us how to build it. */
  url: string | null;
}

export interface NewTicket {
  companyId: number;
  title: string;
  description: string;
  severity: AlertSeverity;
  /** The episode it stands for: Autotask externalID, ConnectWise externalXRef. */
  reference: string;
}

export interface TicketConnector {
  readonly name: 'autotask' | 'connectwise';
  /** How long an external reference may be (Autotask externalID: 50, ConnectWise externalXRef: 100). */
  readonly referenceMaxLength: number;
  /** The ticket carrying this external reference, if one exists (a create whose answer was lost). */
  findByReference(reference: string, signal?: AbortSignal): Promise<PsaTicket | null>;
  create(ticket: NewTicket, signal?: AbortSignal): Promise<PsaTicket>;
  addNote(ticketId: number, note: { title: string; text: string }, signal?: AbortSignal): Promise<void>;
  /** Sets the configured complete status. */
  complete(ticketId: number, signal?: AbortSignal): Promise<void>;
  /** Every active company, all pages. */
  companies(signal?: AbortSignal): Promise<PsaCompany[]>;
  /** One company by id, null when there is none (a typo in `ticket map`). */
  company(id: number, signal?: AbortSignal): Promise<PsaCompany | null>;
  /** The numbers of these tickets, for a PSA whose create does not answer them (one request per 500). */
  numbers?(ids: readonly number[], signal?: AbortSignal): Promise<Map<number, string>>;
}

/**
 * A PSA call that failed, sorted by what to do about it. `message` is one sentence a person can read
 * (the vendor's own error text when it sent one); it never carries a credential.
 */
export class PsaError extends Error {
  constructor(
    readonly kind: 'auth' | 'throttled' | 'unavailable' | 'refused',
    message: string,
    readonly status: number | null,
    /** For `throttled` (and a 503 that said so): when to try again. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'PsaError';
  }
}

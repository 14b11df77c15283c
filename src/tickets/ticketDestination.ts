// PSA tickets as an outbound destination: one ticket per problem episode of one customer. The first change
// opens it under the customer's PSA company, each later change adds a note, the resolution adds a note and
// sets the complete status; an episode that follows an earlier one (an incident that returned) gets a new
// ticket that names the old one. Exactly once: "creating" is stored before the create is sent, and only a
// create left in that state (a crash, a timeout) makes the PSA be asked by external reference first, so a
// ticket costs one request in the normal case and is never made twice.
import type { AlertEvent } from '../domain/alertEvent.js';
import type { AttemptOutcome, Destination } from '../destinations/destination.js';
import type { StateStore } from '../store/stateStore.js';
import type { TicketRecord } from '../store/state.js';
import { CompanyBook, type ResolvedCompany } from './companyBook.js';
import { PsaError, type PsaTicket, type TicketConnector } from './connector.js';
import { queueCustomerNotice } from './ticketNotices.js';
import { TicketNumbers } from './ticketNumbers.js';
import { ticketReference } from './ticketReference.js';
import { TICKET_SEVERITIES, type TicketSettings } from './ticketSettings.js';

export interface TicketDestinationOptions {
  connector: TicketConnector;
  store: StateStore;
  settings: Pick<TicketSettings, 'minSeverity' | 'sources' | 'defaultCompanyId'>;
  now?: () => Date;
}

export class TicketDestination implements Destination {
  readonly name = 'tickets';
  readonly companies: CompanyBook;
  /** Numbers the PSA's create did not answer, read in batches (Autotask). */
  readonly numbers: TicketNumbers;
  private readonly connector: TicketConnector;
  private readonly store: StateStore;
  private readonly now: () => Date;

  constructor(private readonly options: TicketDestinationOptions) {
    this.connector = options.connector;
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.companies = new CompanyBook(this.connector, this.store, options.settings.defaultCompanyId, () => this.now().getTime());
    this.numbers = new TicketNumbers(this.connector, this.store);
  }

  endpoints(): readonly string[] {
    return [`tickets:${this.connector.name}`];
  }

  /**
   * TICKET_SOURCES (provisioning only when it failed) and, for the change that opens an episode,
   * TICKET_MIN_SEVERITY. Later changes are always taken: whether a ticket exists is decided when they are
   * delivered, after the ticket of the opening change is made.
   */
  accepts(event: AlertEvent): boolean {
    if (!this.options.settings.sources.includes(event.source)) return false;
    if (event.source === 'provisioning' && !event.type.endsWith('failed')) return false;
    return event.episode.change !== 'opened' || this.severe(event);
  }

  async deliver(_endpoint: string, event: AlertEvent, signal: AbortSignal): Promise<AttemptOutcome> {
    this.numbers.sweepStored();
    try {
      await this.apply(event, signal);
      return { kind: 'done' };
    } catch (error) {
      return outcomeOf(error);
    }
  }

  private async apply(event: AlertEvent, signal: AbortSignal): Promise<void> {
    const found = await this.ticketFor(event, signal);
    if (!found) return;
    const { record, opened } = found;
    if (!opened) await this.connector.addNote(record.ticketId!, { title: noteTitle(event), text: describe(event) }, signal);
    if (event.episode.change === 'resolved' && record.state !== 'complete') {
      await this.connector.complete(record.ticketId!, signal);
      await this.write(event.episode.key, { state: 'complete' });
    }
  }

  /** The episode's ticket (opened: made just now, its description says this change), or null for none. */
  private async ticketFor(event: AlertEvent, signal: AbortSignal): Promise<{ record: TicketRecord; opened: boolean } | null> {
    const key = event.episode.key;
    const known = this.store.ports.tickets.get(key);
    // The resolution delivered again (its "done" was never recorded): the ticket is noted and complete already.
    if (known?.state === 'complete') return null;
    // The opening change delivered again: the ticket already says it.
    if (known?.state === 'open') return { record: known, opened: event.episode.change === 'opened' };
    if (known) {
      // A create was sent and its answer never recorded: the ticket may exist.
      const ticket = await this.connector.findByReference(known.reference, signal);
      if (ticket) return { record: await this.recordCreated(key, ticket), opened: event.episode.change === 'opened' };
      if (event.episode.change === 'resolved') {
        await this.store.transaction((tx) => tx.tickets.remove(key));
        return null;
      }
    } else if (event.episode.change === 'resolved' || !this.severe(event)) {
      // No ticket for an episode that opened before the watch (its baseline) or below the minimum severity.
      return null;
    }
    // A pending create keeps the company it was sent with.
    const company: ResolvedCompany | null = known
      ? { companyId: known.companyId, companyName: '', how: known.companyId === this.options.settings.defaultCompanyId ? 'default' : 'match' }
      : await this.companies.resolve(event.customer, signal);
    if (!company) {
      await this.noticeUnmapped(event);
      return null;
    }
    const reference = known?.reference ?? ticketReference(key, this.connector.referenceMaxLength);
    if (!known) await this.recordCreating(event, reference, company);
    const ticket = await this.connector.create({
      companyId: company.companyId,
      title: `${company.how === 'default' ? `${event.customer.name}: ` : ''}${event.title}`,
      description: this.openingText(event, company),
      severity: event.severity,
      reference,
    }, signal);
    return { record: await this.recordCreated(key, ticket), opened: true };
  }

  private severe(event: AlertEvent): boolean {
    return TICKET_SEVERITIES.indexOf(event.severity) >= TICKET_SEVERITIES.indexOf(this.options.settings.minSeverity);
  }

  private openingText(event: AlertEvent, company: ResolvedCompany): string {
    const previous = event.episode.previousKey ? this.store.ports.tickets.get(event.episode.previousKey) : undefined;
    return [
      company.how === 'default' ? `Customer: ${event.customer.name} (${event.customer.domain ?? event.customer.tenantId}); it has no PSA company of its own.` : '',
      describe(event),
      previous?.number ? `This returns after ticket ${previous.number}, which was closed when it ended.` : event.episode.previousKey ? 'This returns after an earlier episode.' : '',
      `Opened by Partner Alerts (${event.episode.key}).`,
    ].filter(Boolean).join('\n\n');
  }

  private async recordCreating(event: AlertEvent, reference: string, company: ResolvedCompany): Promise<void> {
    const at = this.now().toISOString();
    const record: TicketRecord = {
      episodeKey: event.episode.key, customerId: event.customer.tenantId, customerName: event.customer.name, psa: this.connector.name, reference,
      state: 'creating', ticketId: null, number: null, url: null, companyId: company.companyId, createdAt: at, updatedAt: at,
    };
    await this.store.transaction((tx) => tx.tickets.put(record));
  }

  private async recordCreated(key: string, ticket: PsaTicket): Promise<TicketRecord> {
    const record = await this.write(key, { state: 'open', ticketId: ticket.id, number: ticket.number, url: ticket.url });
    if (ticket.number === null) this.numbers.want(key, ticket.id);
    return record;
  }

  private write(key: string, change: Partial<TicketRecord>): Promise<TicketRecord> {
    const at = this.now().toISOString();
    return this.store.transaction((tx) => {
      const record = { ...tx.tickets.get(key)!, ...change, updatedAt: at };
      tx.tickets.put(record);
      return record;
    });
  }

  private async noticeUnmapped(event: AlertEvent): Promise<void> {
    const { tenantId, name } = event.customer;
    const text = `${name} has no PSA company: no ticket is opened for it. Say "tickets unmapped" to choose one, or "ticket map ${name} to <company id>".`;
    await this.store.transaction((tx) => queueCustomerNotice(tx, tenantId, `tickets-unmapped|${tenantId}`, text, this.now()));
  }
}

/** What the engine does with a failed attempt: 401/403 stops the PSA (one notice), 429/5xx/timeouts wait. */
export function outcomeOf(error: unknown): AttemptOutcome {
  if (error instanceof PsaError) {
    switch (error.kind) {
      case 'auth':
        return { kind: 'stop', reason: error.message, notice: `PSA tickets are paused: ${error.message}` };
      case 'throttled':
      case 'unavailable':
        return { kind: 'retry', ...(error.retryAfterMs === null ? {} : { afterMs: error.retryAfterMs }), reason: error.message };
      case 'refused':
        return { kind: 'drop', reason: error.message };
    }
  }
  // The store could not be written (a database outage): nothing was lost, try again.
  return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
}

function noteTitle(event: AlertEvent): string {
  return event.episode.change === 'resolved' ? `Resolved: ${event.title}` : `Update: ${event.title}`;
}

/** The change as plain text, with the links the card has. */
function describe(event: AlertEvent): string {
  const links = event.links.map((link) => `${link.title}: ${link.url}`);
  return [event.title, event.text, `Severity: ${event.severity}. At ${event.occurredAt}.`, ...links].filter(Boolean).join('\n');
}

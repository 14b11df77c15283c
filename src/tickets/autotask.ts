// Autotask PSA over its REST API v1.0: the zone lookup first (the API lives in one zone per database), then
// Tickets, Tickets/{id}/Notes and Companies with the ApiIntegrationCode, UserName and Secret headers.
// Queries are POST <entity>/query with a JSON filter; each answer holds at most 500 items and the
// pageDetails.nextPageUrl of the next page. Autotask's own error body is { "errors": ["..."] }.
import { PsaError, type NewTicket, type PsaCompany, type PsaTicket, type TicketConnector } from './connector.js';
import { oneLine, PsaHttp, type PsaHttpOptions } from './psaHttp.js';
import { AUTOTASK_WIRE, fromWire } from './psaWire.js';
import type { AutotaskSettings } from './ticketSettings.js';

/** Autotask's page size for queries (its maximum). */
const PAGE = 500;
/** Autotask's ticket title and description limits. */
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 8000;
/** Ticket note: noteType is a picklist whose value 1 every Autotask database has; publish 1 = all Autotask users. */
const NOTE_TYPE = 1;
const PUBLISH_ALL = 1;

interface Zone {
  apiUrl: string;
  webUrl: string | null;
}

export class AutotaskConnector implements TicketConnector {
  readonly name = 'autotask' as const;
  readonly referenceMaxLength = 50;
  private readonly http: PsaHttp;
  private zone: Promise<Zone> | null = null;

  constructor(private readonly settings: AutotaskSettings, options: Omit<PsaHttpOptions, 'vendor' | 'describeError'>) {
    this.http = new PsaHttp({ ...options, vendor: 'Autotask', describeError: autotaskError });
  }

  async findByReference(reference: string, signal?: AbortSignal): Promise<PsaTicket | null> {
    const items = await this.query('Tickets', [{ op: 'eq', field: 'externalID', value: reference }], ['id', 'ticketNumber'], signal);
    const found = items[0];
    return found ? this.ticketOf(found) : null;
  }

  async create(ticket: NewTicket, signal?: AbortSignal): Promise<PsaTicket> {
    const body = {
      companyID: ticket.companyId,
      title: clip(ticket.title, TITLE_MAX),
      description: clip(ticket.description, DESCRIPTION_MAX),
      status: this.settings.statusNew,
      priority: this.settings.priorities[ticket.severity],
      queueID: this.settings.queueId,
      externalID: ticket.reference,
      // Required by Autotask: the bot sets none of its own, so "now" (the desk's SLA takes over).
      dueDateTime: new Date().toISOString(),
    };
    const created = fromWire(AUTOTASK_WIRE.created, (await this.call('POST', 'Tickets', body, signal)).body, 'Autotask', 'a ticket create');
    // The create answers only the id: the number people use is read later, many at once (`numbers`), so a
    // ticket costs one request.
    return this.ticketOf({ id: created.itemId });
  }

  async numbers(ids: readonly number[], signal?: AbortSignal): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    for (let at = 0; at < ids.length; at += PAGE) {
      const items = await this.query('Tickets', [{ op: 'in', field: 'id', value: ids.slice(at, at + PAGE) }], ['id', 'ticketNumber'], signal);
      for (const item of items) if (typeof item.ticketNumber === 'string') found.set(Number(item.id), item.ticketNumber);
    }
    return found;
  }

  async addNote(ticketId: number, note: { title: string; text: string }, signal?: AbortSignal): Promise<void> {
    await this.call('POST', `Tickets/${ticketId}/Notes`, {
      ticketID: ticketId,
      title: clip(note.title, 250),
      description: clip(note.text, 32_000),
      noteType: NOTE_TYPE,
      publish: PUBLISH_ALL,
    }, signal);
  }

  async complete(ticketId: number, signal?: AbortSignal): Promise<void> {
    await this.call('PATCH', 'Tickets', { id: ticketId, status: this.settings.statusComplete }, signal);
  }

  async companies(signal?: AbortSignal): Promise<PsaCompany[]> {
    const items = await this.query('Companies', [{ op: 'eq', field: 'isActive', value: true }], ['id', 'companyName', 'webAddress'], signal);
    return items.map(companyOf);
  }

  async company(id: number, signal?: AbortSignal): Promise<PsaCompany | null> {
    const answer = fromWire(AUTOTASK_WIRE.item, (await this.call('GET', `Companies/${id}`, undefined, signal)).body, 'Autotask', `company ${id}`);
    return answer.item ? companyOf(answer.item) : null;
  }

  private async query(entity: string, filter: unknown[], fields: string[], signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const page = (body: unknown) => fromWire(AUTOTASK_WIRE.page, body, 'Autotask', `a ${entity} query`);
    let answer = page((await this.call('POST', `${entity}/query`, { MaxRecords: PAGE, IncludeFields: fields, filter }, signal)).body);
    for (;;) {
      items.push(...answer.items);
      const next = answer.pageDetails?.nextPageUrl;
      if (!next) return items;
      const zone = await this.zoneOf(signal);
      // The next page's URL comes from Autotask itself: follow it only within its zone.
      if (!next.startsWith(zone.apiUrl)) throw new PsaError('unavailable', `Autotask pointed the next page outside its zone (${new URL(next).host}).`, null);
      answer = page((await this.http.request('GET', next, this.headers(), undefined, signal)).body);
    }
  }

  private async call(method: string, path: string, body: unknown, signal?: AbortSignal) {
    const zone = await this.zoneOf(signal);
    return this.http.request(method, `${zone.apiUrl}V1.0/${path}`, this.headers(), body, signal);
  }

  /** Asked once per process; a failed lookup is asked again next time. */
  private zoneOf(signal?: AbortSignal): Promise<Zone> {
    if (!this.zone) {
      this.zone = this.lookUpZone(signal).catch((error: unknown) => {
        this.zone = null;
        throw error;
      });
    }
    return this.zone;
  }

  private async lookUpZone(signal?: AbortSignal): Promise<Zone> {
    const base = withSlash(this.settings.zoneUrl);
    const url = `${base}V1.0/zoneInformation?user=${encodeURIComponent(this.settings.username)}`;
    const answer = fromWire(AUTOTASK_WIRE.zone, (await this.http.request('GET', url, this.headers(), undefined, signal)).body, 'Autotask', 'the zone lookup');
    return { apiUrl: withSlash(answer.url), webUrl: answer.webUrl ? withSlash(answer.webUrl) : null };
  }

  private headers(): Record<string, string> {
    return { ApiIntegrationCode: this.settings.integrationCode, UserName: this.settings.username, Secret: this.settings.secret };
  }

  private async ticketOf(item: Record<string, unknown>): Promise<PsaTicket> {
    const id = Number(item.id);
    const zone = await this.zoneOf();
    const url = zone.webUrl ? `${zone.webUrl}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketID=${id}` : null;
    return { id, number: typeof item.ticketNumber === 'string' ? item.ticketNumber : null, url };
  }
}

function companyOf(item: Record<string, unknown>): PsaCompany {
  return { id: Number(item.id), name: String(item.companyName ?? ''), webAddress: typeof item.webAddress === 'string' && item.webAddress ? item.webAddress : null };
}

function autotaskError(body: unknown): string | null {
  const errors = (body as { errors?: unknown })?.errors;
  if (Array.isArray(errors) && errors.length > 0) return oneLine(errors.map(String).join(' '));
  return typeof body === 'string' && body.trim() ? oneLine(body) : null;
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// ConnectWise PSA over its REST API (/v4_6_release/apis/3.0/): Basic auth "company+publicKey:privateKey"
// and the clientId header; service/tickets (JSON Patch for changes), service/tickets/{id}/notes and
// company/companies, filtered with conditions=. Lists come in pages (page, pageSize up to 1000). A board,
// status or priority given by name is looked up once and used by id. Errors are { code, message, errors }.
import type { AlertSeverity } from '../domain/alertEvent.js';
import { PsaError, type NewTicket, type PsaCompany, type PsaTicket, type TicketConnector } from './connector.js';
import { oneLine, PsaHttp, type PsaHttpOptions } from './psaHttp.js';
import { CONNECTWISE_WIRE, fromWire } from './psaWire.js';
import type { ConnectWiseSettings, NamedRef } from './ticketSettings.js';

const PAGE = 1000;
/** ConnectWise's summary limit. */
const SUMMARY_MAX = 100;

export class ConnectWiseConnector implements TicketConnector {
  readonly name = 'connectwise' as const;
  readonly referenceMaxLength = 100;
  private readonly http: PsaHttp;
  private readonly base: string;
  private ids: Promise<{ board: number; statusNew: number | null; statusComplete: number; priorities: Partial<Record<AlertSeverity, number>> }> | null = null;

  constructor(private readonly settings: ConnectWiseSettings, options: Omit<PsaHttpOptions, 'vendor' | 'describeError'>) {
    this.http = new PsaHttp({ ...options, vendor: 'ConnectWise PSA', describeError: connectWiseError });
    this.base = `${settings.url.replace(/\/+$/, '')}/v4_6_release/apis/3.0/`;
  }

  async findByReference(reference: string, signal?: AbortSignal): Promise<PsaTicket | null> {
    const found = await this.list('service/tickets', `externalXRef=${quote(reference)}`, 'id', signal);
    return found[0] ? this.ticketOf(found[0]) : null;
  }

  async create(ticket: NewTicket, signal?: AbortSignal): Promise<PsaTicket> {
    const ids = await this.idsOf(signal);
    const priority = ids.priorities[ticket.severity];
    const body = {
      summary: clip(ticket.title, SUMMARY_MAX),
      initialDescription: ticket.description,
      company: { id: ticket.companyId },
      board: { id: ids.board },
      ...(ids.statusNew === null ? {} : { status: { id: ids.statusNew } }),
      ...(priority === undefined ? {} : { priority: { id: priority } }),
      externalXRef: ticket.reference,
    };
    const created = fromWire(CONNECTWISE_WIRE.ticket, (await this.call('POST', 'service/tickets', body, signal)).body, 'ConnectWise PSA', 'a ticket create');
    return this.ticketOf(created);
  }

  async addNote(ticketId: number, note: { title: string; text: string }, signal?: AbortSignal): Promise<void> {
    // One of the three flags is required; a discussion note is what the desk and the customer both see.
    await this.call('POST', `service/tickets/${ticketId}/notes`, { text: `${note.title}\n\n${note.text}`, detailDescriptionFlag: true }, signal);
  }

  async complete(ticketId: number, signal?: AbortSignal): Promise<void> {
    const ids = await this.idsOf(signal);
    await this.call('PATCH', `service/tickets/${ticketId}`, [{ op: 'replace', path: 'status', value: { id: ids.statusComplete } }], signal);
  }

  async companies(signal?: AbortSignal): Promise<PsaCompany[]> {
    const items = await this.list('company/companies', 'deletedFlag=false', 'id,name,website', signal);
    return items.map(companyOf);
  }

  async company(id: number, signal?: AbortSignal): Promise<PsaCompany | null> {
    try {
      return companyOf(fromWire(CONNECTWISE_WIRE.company, (await this.call('GET', `company/companies/${id}`, undefined, signal)).body, 'ConnectWise PSA', `company ${id}`));
    } catch (error) {
      if (error instanceof PsaError && error.status === 404) return null;
      throw error;
    }
  }

  /** Every page of a list: page 1, 2, … until one comes back short. */
  private async list(path: string, conditions: string, fields: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let page = 1; ; page += 1) {
      const query = new URLSearchParams({ conditions, fields, pageSize: String(PAGE), page: String(page) });
      const batch = fromWire(CONNECTWISE_WIRE.list, (await this.call('GET', `${path}?${query}`, undefined, signal)).body, 'ConnectWise PSA', `the list ${path}`);
      items.push(...batch);
      if (batch.length < PAGE) return items;
    }
  }

  private call(method: string, path: string, body: unknown, signal?: AbortSignal) {
    const basic = Buffer.from(`${this.settings.company}+${this.settings.publicKey}:${this.settings.privateKey}`).toString('base64');
    return this.http.request(method, `${this.base}${path}`, { Authorization: `Basic ${basic}`, clientId: this.settings.clientId }, body, signal);
  }

  /** Names become ids once per process (a failed look-up is tried again next time). */
  private idsOf(signal?: AbortSignal) {
    if (!this.ids) {
      this.ids = this.resolveIds(signal).catch((error: unknown) => {
        this.ids = null;
        throw error;
      });
    }
    return this.ids;
  }

  private async resolveIds(signal?: AbortSignal) {
    const s = this.settings;
    const board = await this.idOf(s.board, 'service/boards', 'board', 'CONNECTWISE_BOARD', signal);
    const statuses = `service/boards/${board}/statuses`;
    const statusNew = s.statusNew ? await this.idOf(s.statusNew, statuses, 'status', 'CONNECTWISE_STATUS_NEW', signal) : null;
    const statusComplete = await this.idOf(s.statusComplete, statuses, 'status', 'CONNECTWISE_STATUS_COMPLETE', signal);
    const priorities: Partial<Record<AlertSeverity, number>> = {};
    for (const [severity, ref] of Object.entries(s.priorities) as [AlertSeverity, NamedRef][]) {
      priorities[severity] = await this.idOf(ref, 'service/priorities', 'priority', 'CONNECTWISE_PRIORITIES', signal);
    }
    return { board, statusNew, statusComplete, priorities };
  }

  private async idOf(ref: NamedRef, path: string, what: string, setting: string, signal?: AbortSignal): Promise<number> {
    if ('id' in ref) return ref.id;
    const found = await this.list(path, `name=${quote(ref.name)}`, 'id,name', signal);
    if (!found[0]) throw new PsaError('refused', `ConnectWise PSA has no ${what} named "${ref.name}": correct ${setting} (a name or an id).`, null);
    return Number(found[0].id);
  }

  private ticketOf(item: Record<string, unknown>): PsaTicket {
    const id = Number(item.id);
    // The web interface sits on the API host without "api-" (api-na.myconnectwise.net → na.myconnectwise.net).
    const web = new URL(this.settings.url);
    web.hostname = web.hostname.replace(/^api-/, '');
    const url = `${web.origin}/v4_6_release/services/system_io/Service/fv_sr100_request.rails?service_recid=${id}&companyName=${encodeURIComponent(this.settings.company)}`;
    return { id, number: `#${id}`, url };
  }
}

function companyOf(item: Record<string, unknown>): PsaCompany {
  return { id: Number(item.id), name: String(item.name ?? ''), webAddress: typeof item.website === 'string' && item.website ? item.website : null };
}

/** A string in a conditions expression: double quotes, with \ and " escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function connectWiseError(body: unknown): string | null {
  const record = (body ?? {}) as { message?: unknown; errors?: { message?: unknown; field?: unknown }[] };
  const details = Array.isArray(record.errors) ? record.errors.map((e) => (e.field ? `${String(e.field)}: ${String(e.message)}` : String(e.message))) : [];
  const parts = [typeof record.message === 'string' ? record.message.replace(/[.\s]+$/, '') : '', ...details].filter(Boolean);
  if (parts.length > 0) return oneLine(parts.join('; '));
  return typeof body === 'string' && body.trim() ? oneLine(body) : null;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

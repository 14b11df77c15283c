// The ConnectWise PSA fake (/v4_6_release/apis/3.0/): service/tickets (create, list with conditions, JSON
// Patch), ticket notes, company/companies, and the boards, statuses and priorities a name is looked up in.
// Basic auth "company+publicKey:privateKey" and a clientId header. It refuses what ConnectWise refuses: a
// ticket without summary, company or board, a summary over 100 characters, an externalXRef over 100, a
// note with no text or none of its three flags, a patch that is not a JSON Patch array.
import type { FakeAnswer, FakeTicket, PsaRoute } from './psaFake.js';
import { errorBody, PSA_SANDBOX_CREDENTIALS } from './psaFakeWire.js';

const CREDS = PSA_SANDBOX_CREDENTIALS.connectwise;
const API = '/v4_6_release/apis/3.0/';
const BOARDS = [{ id: 1, name: CREDS.board }];
const STATUSES = [{ id: 16, name: 'New' }, { id: 17, name: 'In Progress' }, { id: 20, name: 'Closed' }];
const PRIORITIES = [{ id: 1, name: 'Priority 1 - Critical' }, { id: 2, name: 'Priority 2 - High' }, { id: 3, name: 'Priority 3 - Normal' }];

type Refuse = (status: number, message: string) => FakeAnswer;

export function handleConnectWise(route: PsaRoute): FakeAnswer {
  const { ex, path } = route;
  const refuse: Refuse = (status, message) => ({ status, body: errorBody('connectwise', message) });
  if (!path.toLowerCase().startsWith(API)) return refuse(404, `Nothing is served at ${path}.`);
  const basic = `Basic ${Buffer.from(`${CREDS.company}+${CREDS.publicKey}:${CREDS.privateKey}`).toString('base64')}`;
  if (ex.req.headers.authorization !== basic) return refuse(401, 'The company, public key or private key is not valid.');
  if (!ex.req.headers.clientid) return refuse(400, 'The clientId header is required.');
  const segments = path.slice(API.length).split('/');
  const [area, collection, id, child] = segments;
  const list = (items: Record<string, unknown>[]) => listed(route, items);
  if (area === 'service' && collection === 'boards' && id === undefined) return list(BOARDS);
  if (area === 'service' && collection === 'boards' && child === 'statuses') return list(BOARDS.some((b) => b.id === Number(id)) ? STATUSES : []);
  if (area === 'service' && collection === 'priorities') return list(PRIORITIES);
  if (area === 'company' && collection === 'companies') {
    const wire = route.fakes.companies.map((c) => ({ id: c.id, name: c.name, website: c.webAddress, deletedFlag: false }));
    if (id === undefined) return list(wire);
    const found = wire.find((c) => c.id === Number(id));
    return found ? { status: 200, body: found } : refuse(404, `Company with id ${id} was not found.`);
  }
  if (area === 'service' && collection === 'tickets') return tickets(route, id, child, refuse);
  return refuse(404, `Nothing is served at ${path}.`);
}

function tickets(route: PsaRoute, id: string | undefined, child: string | undefined, refuse: Refuse): FakeAnswer {
  const { fakes, ex } = route;
  const method = ex.method;
  if (id === undefined && method === 'GET') return listed(route, fakes.tickets.filter((t) => t.psa === 'connectwise').map(wireTicket));
  if (id === undefined && method === 'POST') {
    const body = (route.body ?? {}) as Record<string, { id?: number; name?: string } | string | undefined>;
    const company = fakes.company((body.company as { id?: number } | undefined)?.id);
    const board = BOARDS.find((b) => b.id === (body.board as { id?: number } | undefined)?.id);
    if (typeof body.summary !== 'string' || !body.summary) return refuse(400, 'summary: summary is required.');
    if (body.summary.length > 100) return refuse(400, 'summary: summary may not exceed 100 characters.');
    if (!company) return refuse(400, 'company: the company was not found.');
    if (!board) return refuse(400, 'board: the board was not found.');
    if (typeof body.externalXRef === 'string' && body.externalXRef.length > 100) return refuse(400, 'externalXRef: externalXRef may not exceed 100 characters.');
    const ticketId = fakes.newId();
    const status = (body.status as { id?: number } | undefined)?.id ?? STATUSES[0]!.id;
    const ticket: FakeTicket = {
      psa: 'connectwise', id: ticketId, number: `#${ticketId}`, companyId: company.id, title: body.summary,
      description: String(body.initialDescription ?? ''), status, priority: (body.priority as { id?: number } | undefined)?.id ?? null,
      reference: typeof body.externalXRef === 'string' ? body.externalXRef : null, notes: [], createdAt: new Date().toISOString(),
    };
    fakes.tickets.push(ticket);
    fakes.say(ticket, 'opened');
    return { status: 201, body: wireTicket(ticket) };
  }
  const ticket = fakes.ticket('connectwise', Number(id));
  if (!ticket) return refuse(404, `Ticket with id ${id} was not found.`);
  if (child === undefined && method === 'GET') return { status: 200, body: wireTicket(ticket) };
  if (child === undefined && method === 'PATCH') {
    const ops = route.body;
    if (!Array.isArray(ops) || ops.some((op) => typeof op?.op !== 'string' || typeof op?.path !== 'string')) return refuse(400, 'The body must be a JSON Patch array of { op, path, value }.');
    for (const op of ops as { op: string; path: string; value?: { id?: number } }[]) {
      const field = op.path.replace(/^\//, '').split('/')[0];
      if (field !== 'status' || op.op !== 'replace') return refuse(400, `${op.path}: this fake only changes the status.`);
      const status = STATUSES.find((s) => s.id === op.value?.id);
      if (!status) return refuse(400, 'status: the status was not found on the ticket\'s board.');
      ticket.status = status.id;
      fakes.say(ticket, `set to ${status.name}`);
    }
    return { status: 200, body: wireTicket(ticket) };
  }
  if (child === 'notes' && method === 'POST') {
    const body = (route.body ?? {}) as Record<string, unknown>;
    if (typeof body.text !== 'string' || !body.text) return refuse(400, 'text: text is required.');
    if (!body.detailDescriptionFlag && !body.internalAnalysisFlag && !body.resolutionFlag) {
      return refuse(400, 'A note needs one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag.');
    }
    const [title = '', ...rest] = body.text.split('\n\n');
    ticket.notes.push({ title, text: rest.join('\n\n'), at: new Date().toISOString() });
    fakes.say(ticket, 'noted');
    return { status: 201, body: { id: fakes.newId(), ticketId: ticket.id, text: body.text } };
  }
  return refuse(405, `${method} is not served on tickets/${id}/${child ?? ''}.`);
}

function wireTicket(t: FakeTicket): Record<string, unknown> {
  return {
    id: t.id, summary: t.title, initialDescription: t.description, company: { id: t.companyId }, board: { id: 1, name: CREDS.board },
    status: { id: t.status, name: STATUSES.find((s) => s.id === t.status)?.name }, priority: t.priority === null ? null : { id: t.priority }, externalXRef: t.reference,
  };
}

/** conditions (field=value or field="value", joined by "and"), then page and pageSize (at most 1000). */
function listed(route: PsaRoute, items: Record<string, unknown>[]): FakeAnswer {
  const query = route.ex.query;
  const conditions = parseConditions(query.get('conditions') ?? '');
  if (!conditions) return { status: 400, body: errorBody('connectwise', 'conditions: the expression could not be parsed.') };
  const pageSize = Math.min(1000, Number(query.get('pageSize') ?? 25) || 25);
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const matching = items.filter((item) => conditions.every(([field, value]) => String(item[field] ?? '') === value));
  return { status: 200, body: matching.slice((page - 1) * pageSize, page * pageSize) };
}

function parseConditions(text: string): [string, string][] | null {
  const found: [string, string][] = [];
  const pattern = /\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))\s*(?:and\s+|$)/giy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text))) {
    found.push([match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!]);
  }
  return pattern.lastIndex >= text.length || text.trim() === '' ? found : null;
}

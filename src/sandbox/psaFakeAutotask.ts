// The Autotask REST v1.0 fake: zone lookup, Tickets (create, read, PATCH, query with pages), ticket Notes and
// Companies, behind the ApiIntegrationCode/UserName/Secret headers. It refuses what Autotask refuses, as
// Autotask does (HTTP 500 with { "errors": [reason] }): a
// ticket without its required fields (companyID, title, status, priority, dueDateTime, a queue), an
// externalID over 50 characters, a company that does not exist, a note without title, description,
// noteType or publish.
import type { FakeAnswer, FakeTicket, PsaRoute } from './psaFake.js';
import { errorBody, PSA_SANDBOX_CREDENTIALS } from './psaFakeWire.js';

const CREDS = PSA_SANDBOX_CREDENTIALS.autotask;
const API = '/zone1/ATServicesRest/V1.0/';
const PAGE_MAX = 500;
/** Autotask answers a business-rule refusal (a missing field, an unknown company) with 500 and its reason. */
const REFUSED = 500;

export function handleAutotask(route: PsaRoute): FakeAnswer {
  const { ex, path } = route;
  const refuse = (status: number, message: string): FakeAnswer => ({ status, body: errorBody('autotask', message) });
  if (ex.method === 'GET' && path.toLowerCase() === '/atservicesrest/v1.0/zoneinformation') {
    const user = ex.query.get('user');
    if (user !== CREDS.username) return refuse(404, `No zone knows the user ${user ?? '(none)'}.`);
    return { status: 200, body: { zoneName: 'Sandbox zone', url: `${route.origin}/autotask/zone1/ATServicesRest/`, webUrl: `${route.origin}/autotask/web/`, ci: 1 } };
  }
  if (!path.startsWith(API)) return refuse(404, `Nothing is served at ${path}.`);
  const h = ex.req.headers;
  if (h['apiintegrationcode'] !== CREDS.integrationCode || h['username'] !== CREDS.username || h['secret'] !== CREDS.secret) {
    return refuse(401, 'The user name, secret or API integration code is not valid.');
  }
  const resource = path.slice(API.length);
  const segments = resource.split('/');
  const entity = segments[0]?.toLowerCase();
  if (entity === 'tickets') return tickets(route, segments.slice(1), ex.method, refuse);
  if (entity === 'companies') return companies(route, segments.slice(1), ex.method, refuse);
  return refuse(404, `Nothing is served at ${path}.`);
}

type Refuse = (status: number, message: string) => FakeAnswer;

function tickets(route: PsaRoute, rest: string[], method: string, refuse: Refuse): FakeAnswer {
  const { fakes } = route;
  const body = (route.body ?? {}) as Record<string, unknown>;
  if (rest.length === 0 && method === 'POST') {
    const missing = ['companyID', 'title', 'status', 'priority', 'dueDateTime'].filter((field) => body[field] === undefined || body[field] === null || body[field] === '');
    if (missing.length > 0) return refuse(REFUSED, `Missing required field(s): ${missing.join(', ')}.`);
    if (!body.queueID && !body.assignedResourceID) return refuse(REFUSED, 'A ticket needs a queueID or an assigned resource.');
    if (!fakes.company(body.companyID)) return refuse(REFUSED, `Value ${String(body.companyID)} does not exist for the field companyID.`);
    if (String(body.title).length > 255) return refuse(REFUSED, 'title is longer than 255 characters.');
    if (typeof body.externalID === 'string' && body.externalID.length > 50) return refuse(REFUSED, 'externalID is longer than 50 characters.');
    const id = fakes.newId();
    const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const ticket: FakeTicket = {
      psa: 'autotask', id, number: `T${date}.${String(id).padStart(4, '0').slice(-4)}`, companyId: Number(body.companyID), title: String(body.title),
      description: String(body.description ?? ''), status: Number(body.status), priority: Number(body.priority),
      reference: typeof body.externalID === 'string' ? body.externalID : null, notes: [], createdAt: new Date().toISOString(),
    };
    fakes.tickets.push(ticket);
    fakes.say(ticket, 'opened');
    return { status: 200, body: { itemId: id } };
  }
  if (rest.length === 0 && method === 'PATCH') {
    const ticket = fakes.ticket('autotask', Number(body.id));
    if (!ticket) return refuse(404, `No ticket has the id ${String(body.id)}.`);
    if (body.status !== undefined) ticket.status = Number(body.status);
    fakes.say(ticket, `set to status ${ticket.status}`);
    return { status: 200, body: { itemId: ticket.id } };
  }
  if (rest[0]?.toLowerCase() === 'query' && (method === 'POST' || method === 'GET')) {
    const search = method === 'POST' ? body : parseSearch(route.ex.query.get('search'));
    if (!search) return refuse(400, 'The search parameter is not valid JSON.');
    const items = filtered(fakes.tickets.filter((t) => t.psa === 'autotask').map(wireTicket), search);
    return page(route, 'Tickets', items, search);
  }
  const ticket = fakes.ticket('autotask', Number(rest[0]));
  if (rest.length === 1 && method === 'GET') return { status: 200, body: { item: ticket ? wireTicket(ticket) : null } };
  if (rest.length === 2 && rest[1]?.toLowerCase() === 'notes' && method === 'POST') {
    if (!ticket) return refuse(REFUSED, `Value ${rest[0]} does not exist for the field ticketID.`);
    const missing = ['title', 'description', 'noteType', 'publish'].filter((field) => body[field] === undefined || body[field] === null || body[field] === '');
    if (missing.length > 0) return refuse(REFUSED, `Missing required field(s): ${missing.join(', ')}.`);
    ticket.notes.push({ title: String(body.title), text: String(body.description), at: new Date().toISOString() });
    fakes.say(ticket, 'noted');
    return { status: 200, body: { itemId: route.fakes.newId() } };
  }
  return refuse(405, `${method} is not served at Tickets/${rest.join('/')}.`);
}

function companies(route: PsaRoute, rest: string[], method: string, refuse: Refuse): FakeAnswer {
  const wire = route.fakes.companies.map((c) => ({ id: c.id, companyName: c.name, webAddress: c.webAddress, isActive: true }));
  if (rest[0]?.toLowerCase() === 'query' && (method === 'POST' || method === 'GET')) {
    const search = method === 'POST' ? ((route.body ?? {}) as Record<string, unknown>) : parseSearch(route.ex.query.get('search'));
    if (!search) return refuse(400, 'The search parameter is not valid JSON.');
    return page(route, 'Companies', filtered(wire, search), search);
  }
  if (rest.length === 1 && method === 'GET') return { status: 200, body: { item: wire.find((c) => c.id === Number(rest[0])) ?? null } };
  return refuse(405, `${method} is not served at Companies/${rest.join('/')}.`);
}

function wireTicket(t: FakeTicket): Record<string, unknown> {
  return { id: t.id, ticketNumber: t.number, companyID: t.companyId, title: t.title, description: t.description, status: t.status, priority: t.priority, externalID: t.reference };
}

/** The "eq" and "in" filters of a search (all the bot sends), and id > after for the next page. */
function filtered(items: Record<string, unknown>[], search: Record<string, unknown>): Record<string, unknown>[] {
  const filter = Array.isArray(search.filter) ? (search.filter as { op?: string; field?: string; value?: unknown }[]) : [];
  const after = typeof search.after === 'number' ? search.after : -1;
  return items
    .filter((item) => (item.id as number) > after)
    .filter((item) => filter.every((f) => f.field !== undefined && matches(fieldOf(item, f.field), f.op?.toLowerCase(), f.value)))
    .sort((a, b) => (a.id as number) - (b.id as number));
}

/** The operators the bot uses: eq, and in (a list of values). */
function matches(value: unknown, op: string | undefined, wanted: unknown): boolean {
  if (op === 'eq') return value === wanted;
  if (op === 'in') return Array.isArray(wanted) && wanted.includes(value);
  return false;
}

const fieldOf = (item: Record<string, unknown>, field: string) => item[Object.keys(item).find((key) => key.toLowerCase() === field.toLowerCase()) ?? field];

function page(route: PsaRoute, entity: string, items: Record<string, unknown>[], search: Record<string, unknown>): FakeAnswer {
  const size = Math.min(PAGE_MAX, Number(search.MaxRecords ?? PAGE_MAX) || PAGE_MAX);
  const shown = items.slice(0, size);
  const more = items.length > size;
  const next = more ? `${route.origin}/autotask${API}${entity}/query/next?search=${encodeURIComponent(JSON.stringify({ ...search, after: shown.at(-1)!.id }))}` : null;
  return { status: 200, body: { items: shown, pageDetails: { count: shown.length, requestCount: size, prevPageUrl: null, nextPageUrl: next } } };
}

function parseSearch(text: string | null): Record<string, unknown> | null {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

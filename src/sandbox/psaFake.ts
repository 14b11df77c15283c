// The PSA fakes of the sandbox: small in-memory stand-ins for Autotask (/autotask/...) and ConnectWise PSA
// (/connectwise/...), served by the simulator's HTTP server, with the calls the bot makes and the refusals
// the real services make. `GET /sandbox/tickets` lists every ticket either one holds. Latency, a request
// rate limit (a token bucket, as real limiters are) and injected failures serve the tests and the bench.
import { readBody, reply, type Exchange } from './simHttp.js';
import { handleAutotask } from './psaFakeAutotask.js';
import { handleConnectWise } from './psaFakeConnectWise.js';
import { errorBody } from './psaFakeWire.js';

export { PSA_SANDBOX_CREDENTIALS } from './psaFakeWire.js';

export interface FakeCompany {
  id: number;
  name: string;
  webAddress: string | null;
}

export interface FakeNote {
  title: string;
  text: string;
  at: string;
}

export interface FakeTicket {
  psa: 'autotask' | 'connectwise';
  id: number;
  number: string;
  companyId: number;
  title: string;
  description: string;
  status: number;
  priority: number | null;
  /** Autotask externalID, ConnectWise externalXRef. */
  reference: string | null;
  notes: FakeNote[];
  createdAt: string;
}

export interface PsaFakeOptions {
  /** Added to every answer. */
  latencyMs?: number;
  /** Requests a second per PSA (a bucket of as many): beyond it, 429 with Retry-After. null: unlimited. */
  requestsPerSecond?: number | null;
  companies?: FakeCompany[];
  /** Hears a line per ticket opened, noted or completed (the sandbox prints them). */
  log?: (line: string) => void;
}

export interface FailureRule {
  status: number;
  /** Instead of the vendor's error body (e.g. a 200 of an unexpected shape). */
  body?: unknown;
  /** How many requests it answers (default 1). */
  times?: number;
  retryAfterSeconds?: number;
}

export interface FakeRequest {
  psa: 'autotask' | 'connectwise';
  method: string;
  path: string;
  status: number;
}

export interface PsaRoute {
  ex: Exchange;
  /** The path below the PSA's prefix, e.g. "/ATServicesRest/V1.0/Tickets". */
  path: string;
  body: unknown;
  /** The URL the fake is reached at (from the Host header), for URLs it hands out. */
  origin: string;
  fakes: PsaFakes;
}

export class PsaFakes {
  readonly tickets: FakeTicket[] = [];
  readonly companies: FakeCompany[];
  readonly requests: FakeRequest[] = [];
  private readonly failures: Record<'autotask' | 'connectwise', FailureRule[]> = { autotask: [], connectwise: [] };
  private buckets = { autotask: new TokenBucket(null), connectwise: new TokenBucket(null) };
  private nextId = 1000;
  latencyMs: number;
  private readonly log: (line: string) => void;

  constructor(options: PsaFakeOptions = {}) {
    this.companies = options.companies ?? [];
    this.log = options.log ?? (() => undefined);
    this.latencyMs = options.latencyMs ?? 0;
    this.setRateLimit(options.requestsPerSecond ?? null);
  }

  setRateLimit(perSecond: number | null): void {
    this.buckets = { autotask: new TokenBucket(perSecond), connectwise: new TokenBucket(perSecond) };
  }

  /** The next `times` requests to this PSA answer `status` (a vendor-shaped error body). */
  failNext(psa: 'autotask' | 'connectwise', rule: FailureRule): void {
    this.failures[psa].push({ ...rule, times: rule.times ?? 1 });
  }

  /** One line for the sandbox's terminal: "[autotask] T20261207.1001 opened for Contoso: …". */
  say(ticket: FakeTicket, what: string): void {
    const company = this.company(ticket.companyId)?.name ?? `company ${ticket.companyId}`;
    this.log(`[${ticket.psa}] ticket ${ticket.number} ${what} (${company}): ${ticket.title}`);
  }

  newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  ticket(psa: 'autotask' | 'connectwise', id: number): FakeTicket | undefined {
    return this.tickets.find((ticket) => ticket.psa === psa && ticket.id === id);
  }

  company(id: unknown): FakeCompany | undefined {
    return this.companies.find((company) => company.id === Number(id));
  }

  owns(path: string): boolean {
    return path.startsWith('/autotask/') || path.startsWith('/connectwise/') || path === '/sandbox/tickets';
  }

  async handle(ex: Exchange, sleep: (ms: number) => Promise<void>): Promise<void> {
    if (ex.path === '/sandbox/tickets') return reply(ex, 200, { tickets: this.tickets });
    const psa = ex.path.startsWith('/autotask/') ? 'autotask' : 'connectwise';
    const record: FakeRequest = { psa, method: ex.method, path: ex.path, status: 0 };
    this.requests.push(record);
    if (this.requests.length > 20_000) this.requests.splice(0, 10_000);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      reply(ex, status, body, { headers });
    };
    const wait = this.buckets[psa].take(Date.now());
    if (wait !== null) return answer(429, errorBody(psa, 'Rate limit exceeded: too many requests.'), { 'Retry-After': String(wait) });
    const failure = this.failures[psa][0];
    if (failure) {
      failure.times! -= 1;
      if (failure.times! <= 0) this.failures[psa].shift();
      const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) };
      const body = failure.body ?? errorBody(psa, failure.status === 401 ? 'The credentials are not valid.' : `Injected failure ${failure.status}.`);
      return answer(failure.status, body, headers);
    }
    let body: unknown = null;
    if (ex.method === 'POST' || ex.method === 'PATCH') {
      try {
        const text = await readBody(ex.req);
        body = text ? JSON.parse(text) : null;
      } catch {
        return answer(400, errorBody(psa, 'The request body is not valid JSON.'));
      }
    }
    const route: PsaRoute = { ex, path: ex.path.slice(psa.length + 1), body, origin: `http://${ex.req.headers.host ?? '127.0.0.1'}`, fakes: this };
    const result = psa === 'autotask' ? handleAutotask(route) : handleConnectWise(route);
    return answer(result.status, result.body);
  }
}

export interface FakeAnswer {
  status: number;
  body: unknown;
}

/** `perSecond` tokens a second, holding at most `perSecond`: a steady client at the limit is never refused. */
class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(private readonly perSecond: number | null) {
    this.tokens = perSecond ?? 0;
  }

  /** null: go; otherwise whole seconds to wait. */
  take(now: number): number | null {
    if (this.perSecond === null) return null;
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}

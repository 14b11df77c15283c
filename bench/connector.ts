// A Bot Connector for the benchmark: like test/support/fakeConnector.ts (which the bench may not change),
// but every call carries the moment it arrived (performance.now()), and a conversation can be made to
// answer 429 with a Retry-After on every send, or never to answer at all (a hung Teams connection).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { readBody } from '../test/support/fakeConnector.js';

export interface BenchCall {
  kind: 'post' | 'update';
  /** Decoded conversation id as sent (a thread reply carries ";messageid=<root>"). */
  conversationId: string;
  activityId: string | null;
  /** performance.now() when the request arrived. */
  at: number;
  status: number;
  /** The activity as sent (JSON text), to find an incident id in a card. */
  body: string;
}

export type ConversationBehaviour = { kind: 'throttle'; retryAfterSeconds: number } | { kind: 'hang' };

export class BenchConnector {
  readonly calls: BenchCall[] = [];
  /** Conversation id prefix → how that conversation answers (default: 200 at once). */
  readonly behaviours = new Map<string, ConversationBehaviour>();
  private readonly events = new EventEmitter();
  private readonly hung = new Set<ServerResponse>();
  private server: Server | null = null;
  private nextId = 1;
  url = '';

  async start(): Promise<this> {
    this.events.setMaxListeners(0);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    return this;
  }

  /** Successful posts (new cards, replies, command answers). */
  posts(): BenchCall[] {
    return this.calls.filter((call) => call.kind === 'post' && call.status < 300);
  }

  /** Resolves once `predicate` holds (checked on every call); resolves false after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.events.off('call', check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.events.off('call', check);
        resolve(true);
      };
      this.events.on('call', check);
    });
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const body = await readBody(req);
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const conversationId = decodeURIComponent(match[1] ?? '');
    const activityId = match[2] ? decodeURIComponent(match[2]) : null;
    const kind: BenchCall['kind'] = req.method === 'PUT' ? 'update' : 'post';
    let behaviour: ConversationBehaviour | undefined;
    for (const [prefix, value] of this.behaviours) if (conversationId.startsWith(prefix)) behaviour = value;
    const call: BenchCall = { kind, conversationId, activityId, at, status: 200, body };
    if (behaviour?.kind === 'hang') {
      call.status = 0;
      this.record(call);
      this.hung.add(res); // never answered; destroyed by close()
      return;
    }
    if (behaviour?.kind === 'throttle') {
      call.status = 429;
      this.record(call);
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(behaviour.retryAfterSeconds) });
      res.end(JSON.stringify({ error: { code: 'Throttled', message: 'too many requests' } }));
      return;
    }
    const id = kind === 'update' ? (activityId ?? '') : `activity-${this.nextId++}`;
    this.record(call);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id }));
  }

  private record(call: BenchCall): void {
    this.calls.push(call);
    this.events.emit('call');
  }
}

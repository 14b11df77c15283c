// A small Bot Connector service over real HTTP: records what the bot posts, edits and replies, and can
// answer like Teams does when things go wrong (403/404/413/429/5xx with Teams' error codes).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { EventEmitter } from 'node:events';

export interface ConnectorCall {
  /**
   * 'post' for every POST (botbuilder sends proactive messages as replyToActivity with a made-up id,
   * which Teams posts as a new message); 'update' for a PUT. A thread reply is a post whose
   * conversation id carries ";messageid=<root>".
   */
  kind: 'post' | 'update';
  /** Decoded conversation id as sent, e.g. "19:abc@thread.tacv2;messageid=activity-1". */
  conversationId: string;
  /** The activity id in the path: the edited activity of an update, the replyToId of a post. */
  activityId: string | null;
  /** The id this connector gave a successful post. */
  id: string | null;
  activity: Record<string, unknown> & { type?: string; text?: string; attachments?: { content?: unknown }[] };
  status: number;
}

export interface ConnectorFault {
  kind?: ConnectorCall['kind'];
  conversationId?: string;
  status: number;
  code?: string;
  retryAfterSeconds?: number;
  times?: number;
  /** Never answer (the request stays open until the connector closes), as a hanging Teams would. */
  hang?: boolean;
}

export interface TeamsLimits {
  perConversationPerSecond: number;
}

/** A request the connector has received and not answered yet (see `latencyMs`). */
export interface PendingRequest {
  kind: ConnectorCall['kind'];
  conversationId: string;
  receivedAt: number;
}

export interface FakeConnectorOptions {
  /** See FakeConnector.latencyMs. */
  latencyMs?: number | ((request: PendingRequest) => number);
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private readonly faults: (ConnectorFault & { left: number })[] = [];
  private readonly events = new EventEmitter();
  private nextId = 1;
  private server: Server | null = null;
  url = '';
  throttled = 0;
  /** Requests left unanswered by a `hang` fault. */
  hanging = 0;
  private readonly sendTimes = new Map<string, number[]>();
  /**
   * Each answer is delayed this long (ms), as a slow Teams would take; a function chooses per request. May be
   * changed at any time. As with Teams, a request is carried out (and recorded) even if its sender went away
   * while it waited: a bot killed mid-send still gets its message posted.
   */
  latencyMs: number | ((request: PendingRequest) => number);
  /** Requests received and still waiting out `latencyMs`, oldest first. */
  readonly pending: PendingRequest[] = [];

  constructor(
    private readonly limits: TeamsLimits | null = null,
    options: FakeConnectorOptions = {},
  ) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    return this;
  }

  fail(fault: ConnectorFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Successful calls of a kind (failed attempts are kept in `calls` with their status). */
  ok(kind?: ConnectorCall['kind']): ConnectorCall[] {
    return this.calls.filter((call) => call.status < 300 && (!kind || call.kind === kind));
  }

  /** Successful thread replies under the message `rootId` of a channel. */
  threadReplies(channelId: string, rootId: string): ConnectorCall[] {
    return this.ok('post').filter((call) => call.conversationId === `${channelId};messageid=${rootId}`);
  }

  /** Resolves once `predicate` holds for the recorded calls (checked on every new call). */
  waitFor(predicate: (calls: ConnectorCall[]) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.calls)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('call', check);
        reject(new Error(`fake connector: condition not met in ${timeoutMs} ms; calls: ${JSON.stringify(this.calls.map((c) => [c.kind, c.status, c.conversationId]))}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.calls)) return;
        clearTimeout(timer);
        this.events.off('call', check);
        resolve();
      };
      this.events.on('call', check);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const text = await readBody(req);
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (!match) return { status: 404, body: { error: { code: 'NotFound', message: req.url } } };
    const conversationId = decodeURIComponent(match[1] ?? '');
    const activityId = match[2] ? decodeURIComponent(match[2]) : null;
    const kind: ConnectorCall['kind'] = req.method === 'PUT' ? 'update' : 'post';
    const activity = JSON.parse(text || '{}') as ConnectorCall['activity'];
    await this.delay({ kind, conversationId, receivedAt: Date.now() });
    const fault = this.faults.find(
      (f) => f.left > 0 && (!f.kind || f.kind === kind) && (!f.conversationId || conversationId.startsWith(f.conversationId)),
    );
    if (fault) {
      fault.left--;
      if (fault.hang) {
        this.hanging++;
        this.events.emit('call'); // nothing is recorded, but whoever waits for `hanging` looks again
        return new Promise(() => undefined);
      }
      return this.record({ kind, conversationId, activityId, activity, status: fault.status, id: null }, {
        error: { code: fault.code ?? 'Failure', message: `fake connector fault ${fault.status}` },
      }, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : undefined);
    }
    if (this.limits && this.overLimit(conversationId.split(';')[0] ?? conversationId)) {
      this.throttled++;
      return this.record({ kind, conversationId, activityId, activity, status: 429, id: null }, { error: { code: 'Throttled', message: 'too many' } }, { 'Retry-After': '1' });
    }
    const id = kind === 'update' ? (activityId ?? '') : `activity-${this.nextId++}`;
    return this.record({ kind, conversationId, activityId, activity, status: 200, id: kind === 'post' ? id : null }, { id });
  }

  private async delay(request: PendingRequest): Promise<void> {
    const ms = typeof this.latencyMs === 'function' ? this.latencyMs(request) : this.latencyMs;
    if (!(ms > 0)) return;
    this.pending.push(request);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.pending.splice(this.pending.indexOf(request), 1);
  }

  private record(call: ConnectorCall, body: unknown, headers?: Record<string, string>) {
    this.calls.push(call);
    this.events.emit('call');
    return { status: call.status, body, headers };
  }

  private overLimit(conversation: string): boolean {
    const now = Date.now();
    const times = (this.sendTimes.get(conversation) ?? []).filter((time) => time > now - 1_000);
    times.push(now);
    this.sendTimes.set(conversation, times);
    return times.length > (this.limits?.perConversationPerSecond ?? Infinity);
  }
}

/** The whole request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Adaptive Card inside a recorded activity, if any. */
export function cardOf(call: ConnectorCall | undefined): Record<string, unknown> | undefined {
  return call?.activity.attachments?.[0]?.content as Record<string, unknown> | undefined;
}

/** Every text in a card, joined, for content assertions that don't depend on layout. */
export function cardText(card: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string') texts.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return texts.join('\n');
}

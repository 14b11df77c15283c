// A real HTTP webhook receiver for tests (node:http on loopback): records every request with its headers
// and raw body, and answers as the test scripts it — a status (with Retry-After), or no answer at all.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
  at: number;
}

/** What the receiver answers: a status (default 200) and headers, or `hang` (it never answers). */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  hang?: boolean;
}

export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Answers to give, in order, before falling back to `otherwise`. */
  answers: ScriptedAnswer[];
  otherwise: ScriptedAnswer;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(otherwise: ScriptedAnswer = { status: 200 }): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  const receiver: TestReceiver = {
    url: '',
    received,
    answers: [],
    otherwise,
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the receiver got ${received.length} requests, not ${count}`)), timeoutMs);
        const check = () => {
          if (received.length < count) return void waiters.push(check);
          clearTimeout(timer);
          resolve(received);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // kept as the raw body
      }
      received.push({ headers, body, json, at: Date.now() });
      for (const wake of waiters.splice(0)) wake();
      const answer = receiver.answers.shift() ?? receiver.otherwise;
      if (answer.hang) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

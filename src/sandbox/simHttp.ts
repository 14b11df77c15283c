// The request/response plumbing shared by every simulator route: one place decides the headers,
// the byte-order mark and what gets recorded, so routes only choose a status and a body.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, as sent (not decoded). */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** 0 until answered (a hung request stays 0). */
  status: number;
  /** Epoch milliseconds by the simulator's clock. */
  at: number;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  /** Path and query exactly as received; what fault rules match against. */
  target: string;
  query: URLSearchParams;
  record: RecordedRequest | null;
  /** Partner Center conventions apply: BOM (when enabled) and the MS-* response headers. */
  partner: boolean;
}

export function openExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  const path = mark < 0 ? target : target.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? '' : target.slice(mark + 1));
  return { req, res, method: req.method ?? 'GET', path, target, query, record: null, partner: path.startsWith('/v1/') || path === '/v1' };
}

export function recordOf(ex: Exchange, at: number): RecordedRequest {
  const headers: Record<string, string> = {};
  const raw = ex.req.headers;
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: ex.method, path: ex.path, query: Object.fromEntries(ex.query), headers, status: 0, at };
}

let serverCounter = 0;
const SERVER_ID = String(30020000 + Math.floor(Math.random() * 9999)).padStart(9, '0');

function header(ex: Exchange, name: string): string | undefined {
  const value = ex.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface ReplyOptions {
  bom?: boolean;
  headers?: Record<string, string>;
}

/** Sends JSON; Partner Center responses get the MS-* headers (echoing the caller's ids) and, by default, a BOM. */
export function reply(ex: Exchange, status: number, body: unknown, options: ReplyOptions = {}): void {
  if (ex.record) ex.record.status = status;
  if (ex.res.headersSent || ex.res.destroyed) return;
  const json = JSON.stringify(body);
  const text = options.bom && ex.partner ? `\uFEFF${json}` : json;
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...options.headers,
  };
  if (ex.partner) {
    headers['MS-CorrelationId'] = header(ex, 'ms-correlationid') ?? randomUUID();
    headers['MS-RequestId'] = header(ex, 'ms-requestid') ?? randomUUID();
    headers['MS-CV'] = header(ex, 'ms-cv') ?? `${randomUUID().slice(0, 16)}.${++serverCounter}`;
    headers['MS-ServerId'] = SERVER_ID;
  }
  ex.res.writeHead(status, headers);
  ex.res.end(text);
}

export interface PartnerErrorBody {
  code: number;
  description: string;
  data: unknown[];
  source: 'PartnerFD';
}

export function partnerError(code: number, description: string): PartnerErrorBody {
  return { code, description, data: [], source: 'PartnerFD' };
}

export function rateLimitBody(seconds: number): { statusCode: 429; message: string } {
  return { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` };
}

export const UNAUTHORIZED = partnerError(800001, 'Authorization token is missing or invalid');

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

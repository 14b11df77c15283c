// How the pipeline sends one GET: Node's own http/https client. The global fetch (undici) builds a Request, a
// Response, Headers and web streams for every call; in a round of thousands of fetches a second those live
// until the answer is read, survive young-generation collections, and were half of what the sweep pushed into
// V8's old generation, so the heap grew to four times what was alive (npm run bench: pg_rss_mb_50k).
// An injected `fetch` (tests, a proxy) still works through `viaFetch`.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  /** A response header, case-insensitive; null when absent. */
  header(name: string): string | null;
  /** The body's bytes as sent: decoding (and any byte-order mark) is the caller's. */
  body: Buffer;
}

export type HttpGet = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<HttpAnswer>;

/** A GET over node:http/https, on the default agents (keep-alive since Node 19). Rejects as fetch does on an abort: with the signal's reason. */
export const nodeHttpGet: HttpGet = (url, { headers, signal }) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    signal.throwIfAborted();
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const fail = (error: unknown) => reject(signal.aborted ? signal.reason : error);
    const request = client.request(target, { method: 'GET', headers, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      // A connection cut mid-body ends in 'close' without 'end': that is a network failure, not an empty body.
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error('the connection closed before the whole answer came'), { code: 'ECONNRESET' }));
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const answerHeaders = response.headers;
        resolve({
          status,
          header: (name) => {
            const value = answerHeaders[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
          body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
        });
      });
    });
    request.on('error', fail);
    request.end();
  });

/** The same GET through a fetch function. */
export function viaFetch(fetchFn: typeof fetch): HttpGet {
  return async (url, init) => {
    const response = await fetchFn(url, init);
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, header: (name) => response.headers.get(name), body };
  };
}

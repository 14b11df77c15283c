import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHttpGet } from '../../src/partnerCenter/transport.js';

/** A real HTTP server whose every answer `respond` writes. */
async function server(respond: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const srv = http.createServer(respond);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/x`,
    close: () =>
      new Promise((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}

const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

describe('nodeHttpGet (the Partner Center pipeline transport)', () => {
  it('returns the body bytes as sent (a byte-order mark kept) from several chunks, and headers by any case', async () => {
    const srv = await server((req, res) => {
      res.writeHead(200, { 'MS-CV': 'abc.1', 'content-type': 'application/json', 'x-seen-auth': req.headers.authorization ?? '' });
      res.write('\uFEFF{"items":[');
      setTimeout(() => res.end('1,2]}'), 10);
    });
    try {
      const answer = await nodeHttpGet(srv.url, { headers: { Authorization: 'Bearer t' }, signal: new AbortController().signal });
      assert.equal(answer.status, 200);
      assert.deepEqual([...answer.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.equal(answer.body.subarray(3).toString('utf8'), '{"items":[1,2]}');
      assert.equal(answer.header('ms-cv'), 'abc.1');
      assert.equal(answer.header('X-Seen-Auth'), 'Bearer t');
      assert.equal(answer.header('retry-after'), null);
    } finally {
      await srv.close();
    }
  });

  it('rejects when the connection is cut in the middle of the body, instead of answering with half of it', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"items":[');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    try {
      const error = await rejectionOf(nodeHttpGet(srv.url, { headers: {}, signal: new AbortController().signal }));
      assert.notEqual(error.name, 'TimeoutError');
    } finally {
      await srv.close();
    }
  });

  it('rejects with the signal’s reason when aborted while the body is still coming', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
    });
    const controller = new AbortController();
    try {
      const pending = nodeHttpGet(srv.url, { headers: {}, signal: controller.signal });
      setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), 50);
      const error = await rejectionOf(pending);
      assert.equal(error.name, 'TimeoutError');
    } finally {
      await srv.close();
    }
  });

  it('rejects with the system error code when nothing listens', async () => {
    const srv = await server((_req, res) => res.end());
    const { url } = srv;
    await srv.close();
    const error = (await rejectionOf(nodeHttpGet(url, { headers: {}, signal: new AbortController().signal }))) as Error & { code?: string };
    assert.equal(error.code, 'ECONNREFUSED');
  });
});

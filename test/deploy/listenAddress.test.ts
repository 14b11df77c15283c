// LISTEN_ADDRESS: compose's sandbox bots listen beyond their loopback so Caddy can reach them, without any
// authentication; that is allowed on purpose, but the start says so as a warning, never quietly.
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.js';
import type { Logger } from 'pino';
import { capturedLog, type LogEntry } from '../support/capturedLog.js';

function recordingLog(): { log: Logger; lines: () => LogEntry[] } {
  const { log, entries } = capturedLog('info');
  return { log, lines: entries };
}

/** The status /healthz answers at this address and port (127.0.0.2 is loopback, but not 127.0.0.1), or null. */
async function healthzStatus(address: string, port: number, headers: Record<string, string> = {}): Promise<number | null> {
  const response = await fetch(`http://${address}:${port}/healthz`, { headers, signal: AbortSignal.timeout(3_000) }).catch(() => null);
  await response?.arrayBuffer();
  return response?.status ?? null;
}

/** Whether anything answers /livez at this address and port. */
async function answers(address: string, port: number): Promise<boolean> {
  const response = await fetch(`http://${address}:${port}/livez`, { signal: AbortSignal.timeout(3_000) }).catch(() => null);
  await response?.arrayBuffer();
  return response?.status === 200;
}

describe('LISTEN_ADDRESS without an app id', () => {
  it('listens on every address it is told and warns that nothing is authenticated', async () => {
    const { log, lines } = recordingLog();
    const h = await startHarness({ config: { host: '0.0.0.0' }, app: { log } });
    try {
      // Bound to 0.0.0.0, another loopback address reaches it; bound to 127.0.0.1 it would not.
      assert.equal(await answers('127.0.0.2', h.app.port), true, 'the app is not listening beyond 127.0.0.1');
      const warning = lines().find((line) => /WITHOUT Bot Framework authentication/.test(line.msg));
      assert.ok(warning, 'no warning that an unauthenticated bot listens beyond loopback');
      assert.equal(warning.level, 40, 'the warning is not logged at warn');
      // Its details (customer names, conversation keys, hosts) are as guarded as in production.
      assert.equal(await healthzStatus('127.0.0.2', h.app.port), 401, '/healthz is open beyond loopback without HEALTH_TOKEN');
      assert.equal(await healthzStatus('127.0.0.1', h.app.port), 401, 'the source address is not the guard');
    } finally {
      await h.close();
    }
  });

  it('with HEALTH_TOKEN, shows /healthz to its bearer only', async () => {
    const token = 'a'.repeat(40);
    const h = await startHarness({ config: { host: '0.0.0.0', healthToken: token } });
    try {
      assert.equal(await healthzStatus('127.0.0.2', h.app.port), 401);
      assert.equal(await healthzStatus('127.0.0.2', h.app.port, { authorization: `Bearer ${token}` }), 200);
    } finally {
      await h.close();
    }
  });

  it('stays on loopback, with no such warning, by default', async () => {
    const { log, lines } = recordingLog();
    const h = await startHarness({ app: { log } });
    try {
      assert.equal(await answers('127.0.0.2', h.app.port), false);
      assert.equal(await answers('127.0.0.1', h.app.port), true);
      assert.equal(await healthzStatus('127.0.0.1', h.app.port), 200, 'on loopback without HEALTH_TOKEN, /healthz needs none');
      assert.ok(lines().some((line) => /listening on loopback only/.test(line.msg)));
      assert.ok(!lines().some((line) => line.level >= 40 && /listening/.test(line.msg)));
    } finally {
      await h.close();
    }
  });
});

// `npm start` in the sandbox with TICKETS=autotask and no credentials, as a real process (dist/src/main.js): its
// start-up banner gives the address of the simulator's ticket list, and the bot's PSA is the simulator's fake
// (`ticket map` finds the fake's company there). Without TICKETS the banner says nothing of tickets.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { message, sendToBot } from '../support/activities.js';
import { FakeConnector } from '../support/fakeConnector.js';
import { waitFor } from '../support/instances.js';
import { freePort, keepTail } from '../support/postgres.js';

const MAIN = new URL('../../src/main.js', import.meta.url).pathname;
const BANNER = /sandbox without the Playground/;

interface Sandbox {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** The sandbox as `npm start` runs it headless, in an empty folder (no developer's .env leaks in). */
async function startSandbox(env: Record<string, string>): Promise<Sandbox> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'pa-sandbox-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--no-deprecation', MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), SANDBOX_PLAYGROUND: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepTail(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the sandbox exited at start:\n${output()}`);
    return BANNER.test(output());
  }, 'the sandbox banner', { timeoutMs: 30_000 });
  return {
    url: `http://127.0.0.1:${port}`,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

describe('the sandbox start with TICKETS set and no credentials', function () {
  this.timeout(60_000);
  let sandbox: Sandbox | undefined;
  let connector: FakeConnector | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await connector?.close();
    sandbox = undefined;
    connector = undefined;
  });

  it('prints the address of the simulator\'s ticket list, and the bot\'s PSA is the simulator\'s fake', async () => {
    sandbox = await startSandbox({ TICKETS: 'autotask' });
    const line = /PSA tickets \(autotask, the simulator's fake\): (http:\/\/127\.0\.0\.1:\d+\/sandbox\/tickets)\n/.exec(sandbox.output());
    assert.ok(line, `the banner gives no ticket list:\n${sandbox.output()}`);
    const listed = await fetch(line[1]!);
    assert.equal(listed.status, 200);
    assert.deepEqual(await listed.json(), { tickets: [] });

    // The company with id 103 exists only in the simulator's Autotask fake.
    connector = await new FakeConnector().start();
    const answer = await sendToBot(sandbox.url, message('ticket map fabrikam to 103', { serviceUrl: connector.url }));
    assert.equal(answer.status, 200);
    const answered = (call: { activity: unknown }) => /Mapped|did not answer|No such company/.test(JSON.stringify(call.activity));
    await connector.waitFor((calls) => calls.some(answered), 30_000);
    assert.match(JSON.stringify(connector.calls.find(answered)!.activity), /Fabrikam's tickets now go to Fabrikam, Inc\. \(103\) in Autotask/);
  });

  it('says nothing of tickets without TICKETS', async () => {
    sandbox = await startSandbox({});
    assert.doesNotMatch(sandbox.output(), /sandbox\/tickets|PSA tickets/);
  });
});

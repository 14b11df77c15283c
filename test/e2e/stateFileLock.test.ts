// The report that started it: a second `npm start` with another PORT on the same DATA_FILE ran silently, and
// its `watch contoso` was gone from disk after the first instance's next save. Now the second one stops at
// start with a sentence naming the file and the first process; the first keeps the file to itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startApp } from '../../src/app.js';
import { StateFileError } from '../../src/store/state.js';
import { startHarness, type Harness } from '../support/harness.js';
import { simulatorConfig } from '../support/appConfig.js';
import { TENANT } from '../support/activities.js';
import { install, stateOnDisk, watch } from '../support/alertSteps.js';

const MAIN = new URL('../../src/main.js', import.meta.url).pathname;

describe('one Partner Alerts per state file (end to end) [state file]', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a second `npm start` on the same DATA_FILE stops at start, naming the file and the running process', async () => {
    h = await startHarness();
    await install(h);
    await watch(h, 'watch contoso');
    const watchesBefore = (await stateOnDisk(h)).watches;

    // The real entry point, as `npm start` runs it, with Partner Center settings (not the sandbox) and another port.
    const env = {
      PATH: process.env.PATH ?? '',
      PARTNER_TENANT_ID: TENANT,
      PARTNER_CENTER_CLIENT_ID: 'second-instance',
      PARTNER_CENTER_CLIENT_SECRET: 'second-instance-secret',
      PARTNER_CENTER_URL: h.sim.url,
      PARTNER_CENTER_AUTHORITY_HOST: h.sim.authorityHost,
      ALLOWED_TENANT_IDS: TENANT,
      DATA_FILE: h.dataFile,
      PORT: '1', // never reached: the state file is checked first
      LOG_LEVEL: 'silent',
    };
    const run = promisify(execFile)(process.execPath, ['--no-deprecation', MAIN], { env, cwd: path.dirname(h.dataFile), timeout: 15_000 });
    const failure = await run.then(
      () => assert.fail('the second instance started'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(failure.code, 1);
    assert.match(
      failure.stderr,
      new RegExp(`^Partner Alerts cannot start: The state file ${escape(h.dataFile)} is in use by process ${process.pid} on host ${escape(hostname())} since \\d\\d:\\d\\d UTC\\. .*Stop that Partner Alerts first, or point DATA_FILE elsewhere\\.`),
    );

    // The first instance's file is untouched, and a restart of the first (close, then open) is no second instance.
    assert.deepEqual((await stateOnDisk(h)).watches, watchesBefore);
    await h.restart();
    assert.deepEqual((await stateOnDisk(h)).watches, watchesBefore);
  });

  it('a second app in the same process is refused too; closing the app gives the file back', async () => {
    h = await startHarness();
    const config = await simulatorConfig(h.sim, { dataFile: h.dataFile, allowedTenantIds: [TENANT] });
    await assert.rejects(startApp({ config, log: pino({ level: 'silent' }), schedule: false }), (error: Error) => {
      assert.ok(error instanceof StateFileError, String(error));
      assert.match(error.message, /is in use by process \d+ on host .* since .*this very process/);
      return true;
    });
    await h.close();
    h = undefined;
    assert.deepEqual(await readdir(path.dirname(config.dataFile)), [path.basename(config.dataFile)], 'no lock after close');
    const app = await startApp({ config, log: pino({ level: 'silent' }), schedule: false });
    await app.close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

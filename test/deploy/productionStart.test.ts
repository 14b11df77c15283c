// The container image, as far as it can be checked without Docker (no registry is reachable here to build
// it): the Dockerfile's runtime stage replayed in a clean folder — production dependencies only, the built
// dist/ and runtime files it copies, its ENV and CMD — started as an unprivileged user in the sandbox. A
// runtime import of a dev dependency, of dist/test or dist/bench, or of a file the image does not copy, stops
// the start or the chat command here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { message, sendToBot } from '../support/activities.js';
import { cardOf, cardText, FakeConnector } from '../support/fakeConnector.js';
import { waitFor } from '../support/instances.js';
import { freePort } from '../support/postgres.js';
import { replayRuntimeStage, runInStage, type ReplayedStage } from '../support/runtimeStage.js';
import { findProjectRoot } from '../../scripts/packaging/projectRoot.js';

const root = findProjectRoot(import.meta.url);

describe('the container image, its runtime stage replayed outside Docker', function () {
  // npm ci of the production dependencies (from npm's cache, else the registry) and a cold start.
  this.timeout(180_000);
  let stage: ReplayedStage;
  let bot: ReturnType<typeof runInStage>;
  let env: Record<string, string>;
  let url = '';
  let connector: FakeConnector;

  before(async () => {
    stage = await replayRuntimeStage(root);
    const port = await freePort();
    // The image's environment; only PORT differs, since 3978 may be taken on a shared machine.
    env = { ...stage.env, PORT: String(port) };
    url = `http://127.0.0.1:${port}`;
    connector = await new FakeConnector().start();
    bot = runInStage(stage, stage.command, env);
    await waitFor(
      async () => {
        if (bot.child.exitCode !== null) throw new Error(`the bot exited at start (${bot.child.exitCode}):\n${bot.output()}`);
        return (await fetch(`${url}/livez`, { signal: AbortSignal.timeout(2_000) })).ok;
      },
      'the replayed image to answer /livez',
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${bot.output()}`);
    });
  });

  after(async () => {
    if (bot?.child.pid && bot.child.exitCode === null) {
      const exited = new Promise((resolve) => bot.child.once('exit', resolve));
      process.kill(-bot.child.pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-bot.child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await connector?.close();
    await stage?.remove();
  });

  it('installs production dependencies only, and leaves out dist/test and dist/bench', () => {
    assert.ok(stage.npmCiArgs.includes('--omit=dev'), `the runtime stage runs npm ${stage.npmCiArgs.join(' ')}, without --omit=dev`);
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([where, entry]) => entry.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(where))
      .map(([where]) => where);
    assert.ok(devOnly.includes('node_modules/typescript'), 'the lockfile marks no dev-only package: has its format changed?');
    const installed = devOnly.filter((where) => existsSync(path.join(stage.appDir, where)));
    assert.deepEqual(installed, [], 'dev dependencies in the runtime');
    assert.ok(existsSync(path.join(stage.appDir, 'node_modules', 'botbuilder')), 'the production dependencies are missing');
    for (const folder of ['test', 'bench']) assert.ok(!existsSync(path.join(stage.appDir, 'dist', folder)), `dist/${folder} is copied into the image`);
  });

  it('starts what `npm run serve` starts: the built code, no compiling', () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.serve, stage.command.join(' '));
  });

  it('runs as the unprivileged user, its state on the volume where DATA_FILE points', () => {
    assert.notEqual(stage.user, 'root');
    assert.notEqual(stage.user, '0');
    assert.ok(env.DATA_FILE?.startsWith(stage.dataDir), `DATA_FILE ${env.DATA_FILE} is not on the volume`);
    // The state file's lock is written by the running bot, so its owner is the user the bot runs as.
    const lock = statSync(`${env.DATA_FILE}.lock`);
    assert.equal(lock.uid, stage.runAs.uid);
    if (stage.runAs.name === 'nobody') assert.notEqual(lock.uid, 0);
  });

  it('runs the sandbox headless: the simulator and the bot, without the Agents Playground', () => {
    assert.equal(env.SANDBOX_PLAYGROUND, 'false');
    assert.match(bot.output(), /sandbox without the Playground/);
    assert.doesNotMatch(bot.output(), /Open http:\/\/\S+ in a browser/);
  });

  it('answers a chat command in the sandbox with a card drawn from the simulator', async () => {
    const before = connector.calls.length;
    const answer = await sendToBot(url, message('status for contoso', { serviceUrl: connector.url }));
    assert.equal(answer.status, 200);
    await connector.waitFor((calls) => calls.slice(before).some((call) => /Contoso/.test(`${call.activity.text ?? ''}\n${cardText(cardOf(call))}`)), 30_000);
    const reply = connector.calls.slice(before).find((call) => cardOf(call));
    assert.ok(reply, 'no card came back');
    assert.match(cardText(cardOf(reply)), /EX\d+/, 'the card lists no incident of Contoso');
  });

  it('loads the consent command the README runs inside the container, which then asks for its setting', async () => {
    // An import of a dev dependency would fail before the script's first line: ERR_MODULE_NOT_FOUND.
    const consent = runInStage(stage, ['node', '--no-deprecation', 'dist/scripts/connectPartnerCenter.js'], env);
    const code = await new Promise<number | null>((resolve) => consent.child.once('exit', (exitCode) => resolve(exitCode)));
    assert.doesNotMatch(consent.output(), /ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    assert.equal(code, 1);
    assert.match(consent.output(), /PARTNER_CENTER_CLIENT_ID is not set/);
  });

  it('passes its own HEALTHCHECK: the command the image runs, with the image\'s environment and user', async () => {
    const check = runInStage(stage, stage.healthcheck, env);
    const code = await new Promise<number | null>((resolve) => check.child.once('exit', (exitCode) => resolve(exitCode)));
    assert.equal(code, 0, `HEALTHCHECK ${stage.healthcheck.join(' ')} failed:\n${check.output()}`);
  });
});

// The device-code polling against the simulator over HTTP, with the waits recorded instead of slept:
// `interval` honoured, each `slow_down` adds five seconds for good, the code's `expires_in` ends the wait,
// and the sandbox's sign-in page answers a waiting code.
import assert from 'node:assert/strict';
import { ConsentError } from '../../src/partnerCenter/consentProblems.js';
import { signInWithDeviceCode, type DeviceCodePrompt } from '../../src/partnerCenter/deviceCode.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { refreshGrant } from '../sandbox/simClient.js';

describe('device-code sign-in (partnerCenter/deviceCode.ts) against the simulator', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  /** A clock that moves only when the flow sleeps. */
  function run(onPrompt: (prompt: DeviceCodePrompt) => void = () => undefined, yieldMs = 0) {
    let now = Date.parse('2026-12-01T09:00:00Z');
    const sleeps: number[] = [];
    const signIn = signInWithDeviceCode({
      context: { tenantId: sim.credentials.tenantId, clientId: sim.credentials.clientId, authorityHost: sim.authorityHost, partnerCenterUrl: sim.url },
      resource: 'https://api.partnercenter.microsoft.com',
      onPrompt,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        if (yieldMs > 0) await new Promise((resolve) => setTimeout(resolve, yieldMs));
      },
    });
    return { signIn, sleeps };
  }

  it('waits the announced interval before each poll, and five seconds more after each slow_down', async () => {
    sim = await startSimulator({ deviceCodeIntervalSeconds: 5 });
    sim.deviceSignIn.plan({ outcome: 'approve', slowDowns: 2, pendingPolls: 1 });
    const { signIn, sleeps } = run();
    const tokens = await signIn;
    assert.deepEqual(sleeps, [5_000, 10_000, 15_000, 15_000]);
    assert.equal((await refreshGrant(sim, { refresh_token: tokens.refreshToken })).status, 200);
  });

  it('gives up when the code runs out, even if Entra keeps answering "pending"', async () => {
    sim = await startSimulator({ deviceCodeIntervalSeconds: 5, deviceCodeExpiresInSeconds: 60 });
    sim.deviceSignIn.plan({ outcome: 'wait' });
    const { signIn, sleeps } = run();
    await assert.rejects(signIn, (error: unknown) => error instanceof ConsentError && error.kind === 'expired' && /lasts 1 min/.test(error.message));
    assert.equal(sleeps.length, 12, 'twelve polls of five seconds fill the minute');
  });

  it('maps a declined sign-in to its own problem', async () => {
    sim = await startSimulator({ deviceCodeIntervalSeconds: 1 });
    sim.deviceSignIn.plan({ outcome: 'decline', pendingPolls: 0 });
    await assert.rejects(run().signIn, (error: unknown) => error instanceof ConsentError && error.kind === 'declined');
  });

  it('the sandbox sign-in page answers the code it was shown', async () => {
    sim = await startSimulator({ deviceCodeIntervalSeconds: 1 });
    let shown: DeviceCodePrompt | null = null;
    // Polls yield a few milliseconds each, so the page can be answered while the code is still pending.
    const { signIn } = run((prompt) => {
      shown = prompt;
    }, 5);
    // Let the flow start polling, then answer at the page as the sandbox user would.
    while (!shown) await new Promise((resolve) => setImmediate(resolve));
    const prompt = shown as DeviceCodePrompt;
    assert.equal(prompt.verificationUri, `${sim.url}/_sim/devicelogin`);
    const page = await fetch(prompt.verificationUri);
    assert.match(await page.text(), /<input name="code"/);
    const unknown = await fetch(prompt.verificationUri, { method: 'POST', body: new URLSearchParams({ code: 'NOSUCHCOD', answer: 'approve' }) });
    assert.equal(unknown.status, 404);
    const answered = await fetch(prompt.verificationUri, { method: 'POST', body: new URLSearchParams({ code: prompt.userCode.toLowerCase(), answer: 'approve' }) });
    assert.equal(answered.status, 200);
    const tokens = await signIn;
    assert.ok(tokens.refreshToken);
  });
});

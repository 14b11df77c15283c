import assert from 'node:assert/strict';
import { createLogger } from '../../src/app.js';
import { CustomerScopedError } from '../../src/bot/failureText.js';
import { PartnerCenterError } from '../../src/partnerCenter/errors.js';
import { terminalLine, terminalLogStream } from '../../src/sandbox/terminalLog.js';
import { CHANNEL_ID } from '../support/activities.js';
import { install, watch } from '../support/alertSteps.js';
import { startHarness } from '../support/harness.js';

const ids = { requestId: 'req-1', correlationId: 'corr-1' };

/** The sandbox's own logger, writing into an array instead of the terminal. */
function sandboxLogger(level = 'warn') {
  const out: string[] = [];
  return { out, log: createLogger(level, terminalLogStream((text) => out.push(text))) };
}

describe('sandbox terminal log', () => {
  it('shows a failed command as one readable line', () => {
    const { out, log } = sandboxLogger();
    const error = new CustomerScopedError(new PartnerCenterError(500, 800003, 'Unexpected service error', ids), 'Contoso');
    log.child({ correlationId: 'c-1', command: 'status' }).warn(
      { err: error, summary: 'status for contoso failed: Partner Center answered 500 (code 800003); the user was told.' },
      'command failed',
    );
    assert.deepEqual(out, ['  [bot] status for contoso failed: Partner Center answered 500 (code 800003); the user was told.\n']);
  });

  it('shows a record without a summary as its message and error, and a bug with its stack', () => {
    assert.equal(terminalLine('{"level":40,"msg":"fetch failed; its state is unchanged","err":"timeout"}'), '  [bot] fetch failed; its state is unchanged: timeout\n');
    const { out, log } = sandboxLogger();
    log.error({ err: new TypeError('x is undefined') }, 'unhandled error in a turn');
    const lines = out.join('').trimEnd().split('\n');
    assert.equal(lines[0], '  [bot] error: unhandled error in a turn: x is undefined');
    assert.ok(lines.length > 1 && lines.slice(1).every((line) => /^ {6}at /.test(line)), lines.join('\n'));
    assert.equal(terminalLine('not json'), '  [bot] not json\n');
  });

  it('keeps below the level quiet and shows no secret', () => {
    const { out, log } = sandboxLogger();
    log.info('command answered');
    assert.deepEqual(out, []);
    log.warn({ auth: { refresh_token: 'rt-secret', client_secret: 'cs-secret' } }, 'sign-in failed');
    assert.deepEqual(out, ['  [bot] sign-in failed\n']);
  });

  it('says which conversation a delivery failed in, what Teams answered and what happens next', async () => {
    const { out, log } = sandboxLogger();
    const h = await startHarness({ app: { log } });
    try {
      await install(h);
      await watch(h, 'watch contoso');
      await h.app.engine.sweepNow();
      // The conversation is gone from Teams (as an earlier Playground run's conversation is after a restart).
      h.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 404, code: 'ConversationNotFound', times: Infinity });
      h.sim.scenario.step();
      await h.app.engine.sweepNow();
      const line = out.find((text) => text.includes('delivery'));
      assert.ok(line, out.join(''));
      assert.match(line, new RegExp(`^ {2}\\[bot\\] delivery to the channel (“[^”]+” )?\\(${CHANNEL_ID.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) failed: Teams answered 404 \\(ConversationNotFound\\); `));
      assert.match(line, /it is marked inactive and gets nothing more until someone writes to the bot there\.\n$/);
    } finally {
      await h.close();
    }
  });
});

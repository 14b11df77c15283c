import assert from 'node:assert/strict';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsRateLimiter } from '../../src/engine/teamsRateLimiter.js';
import { BotFrameworkSender, classifySendError, SendFailure } from '../../src/engine/teamsSender.js';
import type { Target } from '../../src/store/state.js';
import { BOT, CHANNEL_ID, TENANT } from '../support/activities.js';
import { FakeConnector } from '../support/fakeConnector.js';

describe('Teams sender', () => {
  describe('classifying connector failures', () => {
    const restError = (status: number, code?: string, retryAfter?: string) => ({
      statusCode: status,
      code,
      message: `status ${status}`,
      response: { status, bodyAsText: JSON.stringify({ error: { code, message: 'x' } }), headers: { get: (name: string) => (name === 'retry-after' ? retryAfter : undefined) } },
    });
    const cases: [string, unknown, SendFailure['kind'], number | null][] = [
      ['403 BotNotInConversationRoster', restError(403, 'BotNotInConversationRoster'), 'gone', null],
      ['403 ConversationBlockedByUser', restError(403, 'ConversationBlockedByUser'), 'gone', null],
      ['403 BotDisabledByAdmin', restError(403, 'BotDisabledByAdmin'), 'gone', null],
      ['403 with another code', restError(403, 'Forbidden'), 'other', null],
      ['404 ConversationNotFound', restError(404, 'ConversationNotFound'), 'gone', null],
      ['413 MessageSizeTooBig', restError(413, 'MessageSizeTooBig'), 'tooBig', null],
      ['429 with Retry-After', restError(429, 'Throttled', '3'), 'transient', 3000],
      ['412 PreconditionFailed', restError(412, 'PreconditionFailed'), 'transient', null],
      ['502', restError(502), 'transient', null],
      ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient', null],
      ['400 BadArgument', restError(400, 'BadArgument'), 'other', null],
    ];
    for (const [name, error, kind, retryAfterMs] of cases) {
      it(`${name} → ${kind}`, () => {
        const failure = classifySendError(error);
        assert.equal(failure.kind, kind);
        assert.equal(failure.retryAfterMs, retryAfterMs);
      });
    }
  });

  describe('over HTTP, with an adapter whose onTurnError swallows errors (as the app sets it)', () => {
    let connector: FakeConnector;
    let sender: BotFrameworkSender;
    let target: Target;
    const turnErrors: unknown[] = [];

    beforeEach(async () => {
      connector = await new FakeConnector().start();
      const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
      adapter.onTurnError = async (_context, error) => void turnErrors.push(error);
      sender = new BotFrameworkSender(adapter, '', new TeamsRateLimiter({ clock: { now: () => Date.now(), sleep: async () => undefined } }));
      target = {
        key: CHANNEL_ID,
        kind: 'channel',
        tenantId: TENANT,
        teamId: null,
        name: 'Incidents',
        reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: CHANNEL_ID, conversationType: 'channel', tenantId: TENANT }, bot: BOT },
        active: true,
        inactiveReason: null,
        updatedAt: new Date().toISOString(),
      };
    });
    afterEach(() => connector.close());

    it('posts, edits and replies in the thread of the card', async () => {
      const id = await sender.post(target, { type: 'AdaptiveCard', version: '1.5', body: [] });
      await sender.update(target, id, { type: 'AdaptiveCard', version: '1.5', body: [] });
      await sender.reply(target, id, 'Resolved for Contoso.');
      assert.deepEqual(
        connector.calls.map((call) => [call.kind, call.conversationId, call.status]),
        [['post', CHANNEL_ID, 200], ['update', CHANNEL_ID, 200], ['post', `${CHANNEL_ID};messageid=${id}`, 200]],
      );
      assert.equal(connector.calls[1]?.activityId, id);
    });

    it('rejects with the connector’s answer instead of resolving as if sent', async () => {
      connector.fail({ kind: 'post', status: 403, code: 'BotNotInConversationRoster' });
      await assert.rejects(sender.post(target, {}), (error: SendFailure) => error.kind === 'gone' && error.code === 'BotNotInConversationRoster');
      connector.fail({ kind: 'update', status: 413, code: 'MessageSizeTooBig' });
      await assert.rejects(sender.update(target, 'activity-1', {}), (error: SendFailure) => error.kind === 'tooBig');
      connector.fail({ kind: 'post', status: 404, code: 'ConversationNotFound' });
      await assert.rejects(sender.reply(target, 'activity-1', 'note'), (error: SendFailure) => error.kind === 'gone' && error.status === 404);
    });

    it('makes one HTTP request per send: botbuilder’s own retries of 429 and 5xx are off', async () => {
      connector.fail({ kind: 'post', status: 429, code: 'Throttled', retryAfterSeconds: 2 });
      const started = Date.now();
      await assert.rejects(sender.post(target, {}), (error: SendFailure) => error.kind === 'transient' && error.retryAfterMs === 2000);
      assert.ok(Date.now() - started < 1000, 'no real-time wait inside the SDK');
      connector.fail({ kind: 'post', status: 503, code: 'ServiceUnavailable' });
      await assert.rejects(sender.post(target, {}), (error: SendFailure) => error.kind === 'transient' && error.status === 503);
      assert.deepEqual(connector.calls.map((call) => call.status), [429, 503]);
    });
  });
});

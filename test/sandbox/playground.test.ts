// Proves the Agents Playground harness (src/sandbox/playground.ts + test/support/playgroundClient.ts)
// against a minimal bot defined here: echo, a card whose button answers an adaptiveCard/action invoke,
// and proactive messages (continueConversationAsync + updateActivity + a thread reply).

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import restify from 'restify';
import {
  ActivityHandler,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationReference,
} from 'botbuilder';
import { PlaygroundStartError, startPlayground, type PlaygroundProcess } from '../../src/sandbox/playground.js';
import {
  PLAYGROUND,
  PlaygroundClient,
  PlaygroundHttpError,
  cardText,
  isMessageItem,
  messageConversationId,
  type MessageItem,
} from '../support/playgroundClient.js';

/** The bot under test: records everything it receives and every error it meets. */
class ProbeBot extends ActivityHandler {
  readonly received: Activity[] = [];
  /** Errors of turns (onTurnError). */
  readonly errors: unknown[] = [];
  /** Errors of proactive sends, which run outside any turn. */
  readonly proactiveErrors: unknown[] = [];
  /** Conversation references captured at installation, by conversation id. */
  readonly references = new Map<string, Partial<ConversationReference>>();

  constructor(private readonly adapter: CloudAdapter) {
    super();
    this.onInstallationUpdateAdd(async (context, next) => {
      this.references.set(context.activity.conversation.id, TurnContext.getConversationReference(context.activity));
      await next();
    });
    this.onMessage(async (context, next) => {
      const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim();
      if (text === 'card') {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(probeCard('Pending'))));
      } else if (text === 'proactive') {
        void this.proactive().catch((error: unknown) => this.proactiveErrors.push(error));
        await context.sendActivity('going proactive');
      } else {
        await context.sendActivity(`echo: ${text}`);
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // A copy: removeRecipientMention() rewrites context.activity.text in place.
    this.received.push({ ...context.activity });
    await super.run(context);
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    if (invokeValue.action.verb === 'explode') throw new Error('the bot failed on purpose');
    const card = probeCard(`Acknowledged by ${context.activity.from.name ?? context.activity.from.id}`);
    // For everyone: replace the card message itself. The invoke answer replaces it for the clicker.
    await context.updateActivity({
      type: 'message',
      id: context.activity.replyToId,
      attachments: [CardFactory.adaptiveCard(card)],
    });
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
  }

  /** Posts to the General channel with the reference from installation, edits it, replies in its thread. */
  private async proactive(): Promise<void> {
    const reference = this.references.get(PLAYGROUND.teamId);
    if (!reference?.conversation) throw new Error('no reference for the team; install first');
    let rootId = '';
    await this.adapter.continueConversationAsync('', reference, async (context) => {
      const sent = await context.sendActivity('proactive notice');
      rootId = sent?.id ?? '';
      await context.updateActivity({ type: 'message', id: rootId, text: 'proactive notice (edited)' });
    });
    const thread = {
      ...reference,
      conversation: { ...reference.conversation, id: `${reference.conversation.id};messageid=${rootId}` },
    };
    await this.adapter.continueConversationAsync('', thread, async (context) => {
      await context.sendActivity('thread reply');
    });
  }
}

function probeCard(status: string): Record<string, unknown> {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text: `Status: ${status}` }],
    actions: [
      {
        type: 'Action.Execute',
        title: 'Acknowledge',
        verb: 'ack',
        data: { n: 1 },
        fallback: { type: 'Action.Submit', title: 'Acknowledge', data: { verb: 'ack', n: 1 } },
      },
    ],
  };
}

interface BotServer {
  endpoint: string;
  close(): Promise<void>;
}

async function startBotServer(bot: ProbeBot, adapter: CloudAdapter): Promise<BotServer> {
  const server = restify.createServer({ name: 'playground-probe-bot' });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${address.port}/api/messages`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server.server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

async function waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Agents Playground harness', function () {
  let adapter: CloudAdapter;
  let bot: ProbeBot;
  let botServer: BotServer | undefined;
  let playground: PlaygroundProcess | undefined;
  let client: PlaygroundClient | undefined;
  const output: string[] = [];

  const pg = (): PlaygroundProcess => playground ?? assert.fail('Playground not started');
  const user = (): PlaygroundClient => client ?? assert.fail('client not connected');
  const received = (predicate: (activity: Activity) => boolean, what: string): Promise<Activity> =>
    waitUntil(() => bot.received.find(predicate), what);

  before(async function () {
    this.timeout(90_000);
    adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    bot = new ProbeBot(adapter);
    adapter.onTurnError = async (_context, error) => {
      bot.errors.push(error);
    };
    botServer = await startBotServer(bot, adapter);
    const started = Date.now();
    playground = await startPlayground({ botEndpoint: botServer.endpoint, log: (line) => output.push(line) });
    // Startup takes about a second; the bound is generous for slow CI machines.
    assert.ok(Date.now() - started < 60_000);
    client = await PlaygroundClient.connect(playground.url);
  });

  after(async function () {
    this.timeout(30_000);
    await client?.close();
    await playground?.close();
    await botServer?.close();
  });

  it('is ready on loopback with the built-in team, channels and chats', async () => {
    assert.match(pg().url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(pg().serviceUrl, `${pg().url}/_connector`);
    const ping = await fetch(`${pg().url}/_debug/ping`);
    assert.equal(await ping.text(), 'pong');
    const conversations = await user().conversations();
    assert.equal(conversations.teamId, PLAYGROUND.teamId);
    assert.deepEqual(
      conversations.channels.map((c) => c.id),
      [PLAYGROUND.generalChannelId, PLAYGROUND.announcementsChannelId],
    );
    assert.equal(conversations.botId, PLAYGROUND.botId);
    assert.equal(conversations.tenantId, PLAYGROUND.tenantId);
    assert.match(conversations.personalChatId, /^[0-9a-f-]{36}$/);
    assert.notEqual(conversations.groupChatId, conversations.personalChatId);
  });

  it('installs into a team: installationUpdate add with tenant, team, channel and the serviceUrl', async () => {
    await user().install(PLAYGROUND.teamId);
    const install = await received(
      (a) => a.type === 'installationUpdate' && a.conversation.id === PLAYGROUND.teamId,
      'installationUpdate in the team',
    );
    assert.equal(install.action, 'add');
    assert.equal(install.channelId, 'msteams');
    assert.equal(install.serviceUrl, pg().serviceUrl);
    assert.equal(install.recipient.id, PLAYGROUND.botId);
    assert.equal(install.conversation.conversationType, 'channel');
    assert.equal(install.conversation.tenantId, PLAYGROUND.tenantId);
    assert.deepEqual(install.channelData.tenant, { id: PLAYGROUND.tenantId });
    assert.equal(install.channelData.team.id, PLAYGROUND.teamId);
    assert.equal(install.channelData.settings.selectedChannel.id, PLAYGROUND.teamId);
    await received(
      (a) =>
        a.type === 'conversationUpdate' &&
        a.conversation.id === PLAYGROUND.teamId &&
        (a.membersAdded ?? []).some((m) => m.id === PLAYGROUND.botId),
      'conversationUpdate membersAdded (the bot)',
    );
  });

  it('echoes a channel message that mentions the bot into the thread it started', async () => {
    const sent = await user().sendMessage(PLAYGROUND.announcementsChannelId, 'hello there', { mentionBot: true });
    assert.equal(sent.postConversationId, `${PLAYGROUND.announcementsChannelId};messageid=${sent.messageId}`);
    const echo = await user().stream.waitForMessage({ text: 'echo: hello there' });
    assert.equal(echo.actionConversationId, sent.postConversationId);
    assert.equal(echo.message.from.id, PLAYGROUND.botId);

    const incoming = await received((a) => a.type === 'message' && a.id !== undefined && a.text?.includes('hello there') === true, 'the message');
    assert.equal(incoming.conversation.id, sent.postConversationId);
    assert.equal(incoming.text, '<at>Test Bot</at> hello there');
    assert.deepEqual(incoming.channelData.channel, { id: PLAYGROUND.announcementsChannelId });
    assert.deepEqual(incoming.channelData.team, { id: PLAYGROUND.teamId });
    assert.ok(
      (incoming.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === PLAYGROUND.botId),
      'mention entity present',
    );
  });

  it('never delivers a channel message without a mention', async () => {
    await user().sendMessage(PLAYGROUND.announcementsChannelId, 'unmentioned-7f3', { mentionBot: false });
    await user().sendMessage(PLAYGROUND.announcementsChannelId, 'marker-7f3', { mentionBot: true });
    await user().stream.waitForMessage({ text: 'echo: marker-7f3' });
    assert.equal(bot.received.filter((a) => a.text?.includes('unmentioned-7f3')).length, 0);
  });

  it('answers in the personal chat without a mention', async () => {
    const { personalChatId } = await user().conversations();
    await user().install(personalChatId);
    await user().sendMessage(personalChatId, 'hi in private');
    const echo = await user().stream.waitForMessage({ text: 'echo: hi in private' });
    assert.equal(echo.actionConversationId, personalChatId);
    const incoming = await received((a) => a.text === 'hi in private', 'the personal message');
    assert.equal(incoming.conversation.conversationType, 'personal');
    assert.deepEqual(incoming.channelData, { tenant: { id: PLAYGROUND.tenantId } });
  });

  it('clicks a card button: the invoke answer is the new card and updateActivity reaches everyone', async () => {
    await user().sendMessage(PLAYGROUND.announcementsChannelId, 'card');
    const card = await user().waitFor(
      (item): item is MessageItem => isMessageItem(item) && item.action === 'createMessage' && cardText(item) === 'Status: Pending',
    );
    const answer = await user().invoke(
      messageConversationId(card),
      { action: { verb: 'ack', data: { n: 1 } } },
      card.message.messageId,
    );
    assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(answer.value), /Acknowledged by Alex Wilber/);

    const updated = await user().waitFor(
      (item): item is MessageItem =>
        isMessageItem(item) && item.action === 'updateMessage' && item.message.messageId === card.message.messageId,
    );
    assert.equal(cardText(updated), 'Status: Acknowledged by Alex Wilber');
    const invoke = await received((a) => a.type === 'invoke', 'the invoke');
    assert.equal(invoke.name, 'adaptiveCard/action');
    assert.equal(invoke.replyToId, card.message.messageId);
    assert.equal(invoke.conversation.id, messageConversationId(card));
    assert.equal((invoke.value as AdaptiveCardInvokeValue).action.verb, 'ack');
  });

  it('rejects an invoke the bot fails with 502 UserBotError', async () => {
    await user().sendMessage(PLAYGROUND.announcementsChannelId, 'card');
    const card = await user().waitFor(
      (item): item is MessageItem =>
        isMessageItem(item) &&
        item.action === 'createMessage' &&
        cardText(item) === 'Status: Pending' &&
        bot.received.filter((a) => a.type === 'invoke').every((a) => a.replyToId !== item.message.messageId),
    );
    const error = await user()
      .invoke(messageConversationId(card), { action: { verb: 'explode' } }, card.message.messageId)
      .then(() => assert.fail('invoke should have failed'), (e: unknown) => e);
    assert.ok(error instanceof PlaygroundHttpError, String(error));
    assert.equal(error.status, 502);
    assert.equal(error.code, 'UserBotError');
    assert.ok(bot.errors.some((e) => e instanceof Error && e.message === 'the bot failed on purpose'));
  });

  it('sends proactively: continueConversationAsync, updateActivity and a thread reply', async () => {
    await user().sendMessage(PLAYGROUND.generalChannelId, 'proactive');
    const root = await user().stream.waitForMessage({ text: 'proactive notice', conversationId: PLAYGROUND.teamId });
    assert.equal(root.message.postConversationId, `${PLAYGROUND.teamId};messageid=${root.message.messageId}`);
    const edited = await user().stream.waitForMessage({
      action: 'updateMessage',
      text: 'proactive notice (edited)',
      conversationId: PLAYGROUND.teamId,
    });
    assert.equal(edited.message.messageId, root.message.messageId);
    const reply = await user().stream.waitForMessage({ text: 'thread reply' });
    assert.equal(reply.actionConversationId, root.message.postConversationId);
    assert.deepEqual(bot.proactiveErrors, []);
  });

  it('delivers lifecycle events: uninstall from the team', async () => {
    const sent = await user().lifecycle(PLAYGROUND.announcementsChannelId, 'uninstall');
    assert.equal(sent.type, 'installationUpdate');
    const removal = await received(
      (a) => a.type === 'installationUpdate' && a.action === 'remove',
      'installationUpdate remove',
    );
    // Uninstalling acts on the whole team: the activity comes from the General channel.
    assert.equal(removal.conversation.id, PLAYGROUND.teamId);
    assert.equal(removal.channelData.team.id, PLAYGROUND.teamId);
  });

  it('reports unknown conversations as 404 ConversationNotFound', async () => {
    const error = await user()
      .sendMessage('no-such-conversation', 'hello', { mentionBot: false })
      .then(() => assert.fail('should have failed'), (e: unknown) => e);
    assert.ok(error instanceof PlaygroundHttpError, String(error));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'ConversationNotFound');
  });

  it('refuses an explicit port that is busy, with the Playground output in the error', async function () {
    this.timeout(60_000);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const address = blocker.address();
    const busyPort = typeof address === 'object' && address ? address.port : assert.fail('no port');
    try {
      const error = await startPlayground({ botEndpoint: botServer?.endpoint ?? '', port: busyPort }).then(
        async (unexpected) => {
          await unexpected.close();
          return assert.fail('startPlayground should have failed');
        },
        (e: unknown) => e,
      );
      assert.ok(error instanceof PlaygroundStartError, String(error));
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${busyPort} \\(in use\\)`));
      assert.ok(error.output.some((line) => line.includes(`Port ${busyPort} is already in use`)), error.message);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('close() ends the process and frees the port', async function () {
    this.timeout(30_000);
    assert.ok(output.some((line) => line.includes('Listening on')));
    const { pid, url } = pg();
    await client?.close();
    await pg().close();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    await assert.rejects(fetch(`${url}/_debug/ping`, { signal: AbortSignal.timeout(2_000) }));
    await pg().close(); // idempotent
  });
});

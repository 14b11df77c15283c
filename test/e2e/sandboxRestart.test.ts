// A restart of the sandbox (`npm start` again) through the real Agents Playground: the Playground is started
// with the sandbox's config, so the bot is called "Partner Alerts" and the personal chat keeps its id; the
// watches made there before the restart are still this chat's watches after it.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { startPlayground, type PlaygroundProcess } from '../../src/sandbox/playground.js';
import { SANDBOX_BOT_NAME, SANDBOX_CHATS, sandboxPlaygroundConfig } from '../../src/sandbox/playgroundConfig.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { simulatorConfig, type AppConfig } from '../support/appConfig.js';
import { cardText, isMessageItem, PLAYGROUND, PlaygroundClient, type MessageItem } from '../support/playgroundClient.js';

describe('a restart of the sandbox keeps its conversations [state file]', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let config: AppConfig;
  let running: { app: App; playground: PlaygroundProcess; client: PlaygroundClient } | null = null;

  /** The bot on the state file and the Playground with the sandbox's config, as `npm start` starts them. */
  async function start() {
    const app = await startApp({ config, log: pino({ level: 'silent' }), schedule: false });
    const playground = await startPlayground({ botEndpoint: `${app.url}/api/messages`, configText: sandboxPlaygroundConfig() });
    running = { app, playground, client: await PlaygroundClient.connect(playground.url) };
    return running;
  }

  async function stop() {
    await running?.client.close();
    await running?.playground.close();
    await running?.app.close();
    running = null;
  }

  before(async () => {
    sim = await startSimulator();
    config = await simulatorConfig(sim, { sandbox: true, allowedTenantIds: [PLAYGROUND.tenantId] });
  });

  after(async () => {
    await stop();
    await sim?.close();
  });

  it('names the bot Partner Alerts and finds the personal chat\'s watches again after a restart', async () => {
    const first = await start();
    const conversations = await first.client.conversations();
    assert.equal(conversations.botName, SANDBOX_BOT_NAME);
    assert.equal(conversations.personalChatId, SANDBOX_CHATS.personalChatId);
    await first.client.sendMessage(conversations.personalChatId, 'watch contoso');
    await first.client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /now watches Contoso/.test(item.message.text ?? cardText(item)));
    await stop();

    const second = await start();
    const again = await second.client.conversations();
    assert.equal(again.personalChatId, conversations.personalChatId, 'the same personal chat');
    await second.client.sendMessage(again.personalChatId, 'watches');
    const watches = await second.client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /^Watches in this conversation/.test(cardText(item)));
    assert.match(cardText(watches), /\n1 watch · /, 'the watch made before the restart');
    assert.ok(JSON.stringify(watches.message.attachments).includes('Contoso'));
  });
});

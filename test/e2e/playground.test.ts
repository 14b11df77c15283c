// The product through Microsoft's own Teams emulator: the real bot, the simulator, and the Agents
// Playground, driven over its HTTP and WebSocket endpoints as a Teams client would be.
import assert from 'node:assert/strict';
import type { App } from '../../src/app.js';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { startSandboxStack, type SandboxStack } from '../support/sandboxStack.js';
import { cardText, isMessageItem, messageConversationId, PLAYGROUND, PlaygroundClient, type MessageItem } from '../support/playgroundClient.js';

const CHANNEL = PLAYGROUND.generalChannelId;
/** The first Action.Execute with this title anywhere in the card. */
function findAction(node: unknown, title: string): { verb: string; data: unknown } | undefined {
  if (Array.isArray(node)) return node.map((child) => findAction(child, title)).find(Boolean);
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  if (record.type === 'Action.Execute' && record.title === title) return { verb: String(record.verb), data: record.data };
  return Object.values(record).map((child) => findAction(child, title)).find(Boolean);
}

/** The whole card as JSON: facts (ids, severities) live in values, not only in text blocks. */
const cardJson = (item: MessageItem): string => JSON.stringify(item.message.attachments);

describe('the product in the Agents Playground', function () {
  this.timeout(90_000);
  let stack: SandboxStack;
  let sim: Simulator;
  let app: App;
  let client: PlaygroundClient;

  before(async () => {
    stack = await startSandboxStack();
    ({ sim, app } = stack);
    client = await PlaygroundClient.connect(stack.playground.url);
  });

  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('answers "status for contoso" in a channel, with a mention, with the incidents card', async () => {
    client.stream.clear();
    await client.sendMessage(CHANNEL, 'status for contoso', { mentionBot: true });
    const reply = await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /Incidents for Contoso/.test(cardText(item)));
    const contoso = sim.data.requireCustomer('Contoso');
    for (const incident of sim.data.incidentsOf(contoso.id).filter((i) => !i.resolved && i.messageType === 'incident')) {
      assert.match(cardText(reply), new RegExp(incident.id));
    }
  });

  it('clicks History on an incident of the status card and gets the history card back', async () => {
    client.stream.clear();
    await client.sendMessage(CHANNEL, 'status for contoso', { mentionBot: true });
    const status = await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /Incidents for Contoso/.test(cardText(item)));
    const history = findAction(status.message.attachments, 'History');
    assert.ok(history, 'the status card offers History');
    const result = await client.invoke(messageConversationId(status), { action: { verb: history.verb, data: history.data } }, status.message.messageId);
    const answer = JSON.stringify(result);
    assert.match(answer, /application\/vnd.microsoft.card.adaptive/);
    assert.match(answer, /Incident history/);
    assert.match(answer, new RegExp(String((history.data as { incidentId?: string }).incidentId)));
  });

  it('installs into a team, watches Contoso, and posts then edits the incident card', async () => {
    client.stream.clear();
    await client.install(PLAYGROUND.teamId);
    const welcome = await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && item.actionConversationId === CHANNEL);
    assert.match(cardText(welcome), /I’m Partner Alerts/);

    await client.sendMessage(CHANNEL, 'watch contoso', { mentionBot: true });
    await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /now watches Contoso here/.test(item.message.text ?? ''));

    const opened = sim.scenario.step();
    await app.engine.sweepNow();
    const card = await client.stream.waitFor(
      (item): item is MessageItem =>
        isMessageItem(item) && item.action === 'createMessage' && item.actionConversationId === CHANNEL && cardJson(item).includes(opened.incidentId),
    );
    assert.match(cardJson(card), /Critical/);

    sim.scenario.step();
    await app.engine.sweepNow();
    const updated = await client.stream.waitFor(
      (item): item is MessageItem => isMessageItem(item) && item.action === 'updateMessage' && item.message.messageId === card.message.messageId,
    );
    assert.match(cardJson(updated), new RegExp(opened.incidentId));
    const reply = await client.stream.waitFor(
      (item): item is MessageItem => isMessageItem(item) && item.action === 'createMessage' && /Update for Contoso/.test(item.message.text ?? ''),
    );
    assert.equal(reply.actionConversationId, `${CHANNEL};messageid=${card.message.messageId}`);
  });
});

// The cards of "Cards that tell the whole story" as a person sees them: typed and clicked in the Agents
// Playground's web chat (headless Chromium), then the same cards — as the bot sent them — rendered by the
// Adaptive Cards renderer on a Teams-like light and dark host, where every piece of text must stand out from
// what is behind it. Screenshots go to test/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import type { PlaygroundProcess } from '../../src/sandbox/playground.js';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import type { Simulator } from '../../src/sandbox/simulator.js';
import type { App } from '../../src/app.js';
import { chromiumInstalled, launchChromium, openPersonalChat, typeInChat, screenshot } from '../support/browser.js';
import { cardText, isMessageItem, PlaygroundClient, type MessageItem } from '../support/playgroundClient.js';
import { startSandboxStack, type SandboxStack } from '../support/sandboxStack.js';
import { lowContrast, renderOnTheme, type Theme } from '../support/themes.js';

const cards = (page: Page, text: string | RegExp): Locator => page.locator('.ac-adaptiveCard').filter({ hasText: text });
const cardOfItem = (item: MessageItem): unknown => item.message.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

/** The first Action.Execute with this title anywhere in a card. */
function action(node: unknown, title: string): { verb: string; data: unknown } | undefined {
  if (Array.isArray(node)) return node.map((child) => action(child, title)).find(Boolean);
  if (!node || typeof node !== 'object') return undefined;
  const el = node as Record<string, unknown>;
  if (el.type === 'Action.Execute' && el.title === title) return { verb: String(el.verb), data: el.data };
  return Object.values(el).map((child) => action(child, title)).find(Boolean);
}

if (chromiumInstalled()) {
  describe('the whole-story cards in the Playground web UI and on light and dark Teams-like themes (Chromium)', function () {
    this.timeout(60_000);
    let stack: SandboxStack;
    let sim: Simulator;
    let app: App;
    let playground: PlaygroundProcess;
    let client: PlaygroundClient;
    let browser: Browser;
    let page: Page;
    /** The cards as the bot sent them, for the theme renderings. */
    const sent: Record<string, unknown> = {};
    const pageErrors: string[] = [];

    before(async () => {
      stack = await startSandboxStack();
      ({ sim, app, playground } = stack);
      // Connected before the page, so it sees every card the bot sends from here on.
      client = await PlaygroundClient.connect(playground.url);
      browser = await launchChromium();
      page = await openPersonalChat(browser, playground.url, pageErrors);
    });

    after(async () => {
      await browser?.close();
      await client?.close();
      await stack?.close();
    });

    afterEach(() => assert.deepEqual(pageErrors.splice(0), [], 'uncaught errors in the Playground page'));

    const type = (text: string): Promise<void> => typeInChat(page, text);

    const sentCard = async (pattern: RegExp): Promise<MessageItem> =>
      client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && pattern.test(cardText(item)));

    it('lists customers with clickable rows and no command column', async () => {
      await type('customers');
      const card = cards(page, 'Click a customer for its overview');
      await card.waitFor();
      assert.doesNotMatch(await card.innerText(), /status for /);
      sent.customers = cardOfItem(await sentCard(/^Customers\n/));
      await screenshot(card, '10-customers.png');
    });

    it('names the products of an order’s lines', async () => {
      await type(`provisioning order ${CONTOSO_ORDERS.partlyPending} for contoso`);
      const card = cards(page, 'Provisioning of order');
      await card.waitFor();
      const text = await card.innerText();
      assert.match(text, /Microsoft Intune Plan 1/);
      assert.match(text, /Visio Plan 2/);
      assert.doesNotMatch(text, /Line \d/);
      sent.provisioning = cardOfItem(await sentCard(/^Provisioning of order/));
      await screenshot(card, '11-provisioning.png');
    });

    it('posts the alert, and after History offers "Back to alert", which brings back Acknowledge and Mute', async () => {
      await type('watch contoso');
      await page.getByText(/now watches Contoso here/).first().waitFor();
      const { incidentId } = sim.scenario.step();
      await app.engine.sweepNow();
      const alert = cards(page, incidentId).filter({ hasText: 'New · Critical incident' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /^Contoso: /);
      const alertItem = await client.stream.waitFor(
        (item): item is MessageItem => isMessageItem(item) && /^Contoso: /.test(cardText(item)) && JSON.stringify(item.message.attachments).includes(incidentId),
      );
      sent.alert = cardOfItem(alertItem);
      await screenshot(alert, '12-alert.png');

      await alert.getByRole('button', { name: 'History', exact: true }).click();
      const history = cards(page, 'Incident history').filter({ hasText: incidentId });
      await history.waitFor();
      await history.getByRole('button', { name: 'Back to alert', exact: true }).waitFor();
      await screenshot(history, '13-history-with-back.png');
      // The same click through the Playground's API gives the card as JSON for the theme renderings.
      const click = action(sent.alert, 'History');
      assert.ok(click);
      const answer = await client.invoke(alertItem.message.postConversationId ?? alertItem.actionConversationId, { action: click }, alertItem.message.messageId);
      sent.history = answer.value;

      await history.getByRole('button', { name: 'Back to alert', exact: true }).click();
      const back = cards(page, incidentId).filter({ hasText: 'New · Critical incident' });
      await back.getByRole('button', { name: 'Acknowledge', exact: true }).waitFor();
      await back.getByRole('button', { name: 'Mute 4 h', exact: true }).waitFor();
    });

    it('replies to an update with a short first line, then the update in paragraphs of its own (issue 21, item 2)', async () => {
      sim.scenario.step(); // the incident gets an update
      await app.engine.sweepNow();
      // The innermost element holding the whole reply: its first line and the update's text.
      const reply = page.locator('div', { hasText: /Update for Contoso[\s\S]*User impact/i }).last();
      await reply.waitFor();
      const text = (await reply.innerText()).trim();
      assert.match(text, /^Update for Contoso[^\n]*:\n+Title: [^\n]+\n+User impact: /i, `a first line, then the update's own lines: ${JSON.stringify(text)}`);
      await screenshot(reply, '14-alert-reply.png');
    });

    it('the contrast check sees what was wrong before: yellow and pale green on light, red on dark', async () => {
      const themed = await browser.newPage();
      try {
        const colored = (color: string) => ({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: color, color }] });
        for (const color of ['Warning', 'Good']) {
          await renderOnTheme(themed, colored(color), 'light');
          assert.equal((await lowContrast(themed)).length, 1, `${color} on light`);
        }
        await renderOnTheme(themed, colored('Attention'), 'dark');
        assert.equal((await lowContrast(themed)).length, 1, 'Attention on dark');
        await renderOnTheme(themed, colored('Default'), 'dark');
        assert.deepEqual(await lowContrast(themed), []);
      } finally {
        await themed.close();
      }
    });

    for (const theme of ['light', 'dark'] as Theme[]) {
      it(`keeps every text of these cards readable on a ${theme} Teams-like theme`, async () => {
        const themed = await browser.newPage({ viewport: { width: 700, height: 900 }, deviceScaleFactor: 2 });
        try {
          for (const name of ['customers', 'provisioning', 'alert', 'history']) {
            assert.ok(sent[name], `the bot sent the ${name} card`);
            await renderOnTheme(themed, sent[name], theme);
            await screenshot(themed.locator('.ac-adaptiveCard'), `20-${name}-${theme}.png`);
            assert.deepEqual(await lowContrast(themed), [], `${name} on ${theme}: text under 4.5:1`);
          }
        } finally {
          await themed.close();
        }
      });
    }
  });
}

// The digest's subscription section as a person sees it in the Agents Playground's web chat (headless
// Chromium), started as `npm start` starts it: the bot is called Partner Alerts there, "watch subscriptions
// all", then "digest now". Screenshots go to test/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { SANDBOX_BOT_NAME } from '../../src/sandbox/playgroundConfig.js';
import { chromiumInstalled, launchChromium, openPersonalChat, typeInChat, screenshot } from '../support/browser.js';
import { cardText, isMessageItem, PlaygroundClient, type MessageItem } from '../support/playgroundClient.js';
import { startSandboxStack, type SandboxStack } from '../support/sandboxStack.js';
import { lowContrast, renderOnTheme, type Theme } from '../support/themes.js';

if (chromiumInstalled()) {
  describe('the digest\'s subscription section in the Playground web UI (Chromium)', function () {
    this.timeout(60_000);
    let stack: SandboxStack;
    let client: PlaygroundClient;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    before(async () => {
      stack = await startSandboxStack();
      client = await PlaygroundClient.connect(stack.playground.url);
      browser = await launchChromium();
      page = await openPersonalChat(browser, stack.playground.url, pageErrors);
    });

    after(async () => {
      await browser?.close();
      await client?.close();
      await stack?.close();
    });

    afterEach(() => assert.deepEqual(pageErrors.splice(0), [], 'uncaught errors in the Playground page'));

    const type = (text: string): Promise<void> => typeInChat(page, text);

    it('calls the bot Partner Alerts', async () => {
      await type('help');
      await page.locator('.ac-adaptiveCard').filter({ hasText: 'status for' }).first().waitFor();
      const text = await page.locator('body').innerText();
      // Each message of the bot is signed with its name and time, as Teams does.
      assert.match(text, new RegExp(`\\n${SANDBOX_BOT_NAME}\\n\\d{1,2}:\\d{2} [AP]M\\n`), 'the bot\'s name over its messages');
      assert.doesNotMatch(text, /Test Bot/);
    });

    it('shows "Subscriptions needing attention" in "digest now", suspensions first, readable on light and dark themes', async () => {
      await type('watch subscriptions all');
      await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /now watches/.test(item.message.text ?? ''));
      await stack.app.engine.sweepNow();

      await type('digest now');
      const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Subscriptions needing attention' });
      await card.waitFor();
      const text = await card.innerText();
      assert.match(text, /Subscriptions needing attention \(\d+\)/);
      // The simulator's suspended subscriptions (Fabrikam's Teams Phone among them) come first.
      assert.match(text, /Suspended\n+Microsoft Teams Phone Standard · Fabrikam\n+30 licen[cs]es · term ends/);
      await screenshot(card, '30-digest-subscriptions.png');

      const sent = await client.stream.waitFor((item): item is MessageItem => isMessageItem(item) && /Subscriptions needing attention/.test(cardText(item)));
      const content = sent.message.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
      const themed = await browser.newPage({ viewport: { width: 700, height: 900 }, deviceScaleFactor: 2 });
      try {
        for (const theme of ['light', 'dark'] as Theme[]) {
          await renderOnTheme(themed, content, theme);
          await screenshot(themed.locator('.ac-adaptiveCard'), `31-digest-subscriptions-${theme}.png`);
          assert.deepEqual(await lowContrast(themed), [], `digest on ${theme}: text under 4.5:1`);
        }
      } finally {
        await themed.close();
      }
    });
  });
}

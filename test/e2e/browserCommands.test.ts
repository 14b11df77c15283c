// Answers to commands that cannot run as typed, as a person sees them in the Agents Playground's web chat
// (headless Chromium): the "several customers match" card with a button named after each candidate and
// All customers, a time-zone hint with the real underscore, and "Did you mean …?" for a mistyped command.
// Screenshots go to test/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromiumInstalled, launchChromium, openPersonalChat, typeInChat, screenshot } from '../support/browser.js';
import { startSandboxStack, type SandboxStack } from '../support/sandboxStack.js';

const cards = (page: Page, text: string | RegExp): Locator => page.locator('.ac-adaptiveCard').filter({ hasText: text });

if (chromiumInstalled()) {
  describe('answers to commands that cannot run as typed, in the Playground web UI (Chromium)', function () {
    this.timeout(60_000);
    let stack: SandboxStack;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    before(async () => {
      stack = await startSandboxStack();
      browser = await launchChromium();
      page = await openPersonalChat(browser, stack.playground.url, pageErrors);
    });

    after(async () => {
      await browser?.close();
      await stack?.close();
    });

    afterEach(() => assert.deepEqual(pageErrors.splice(0), [], 'uncaught errors in the Playground page'));

    const type = (text: string): Promise<void> => typeInChat(page, text);

    it('names each candidate’s button after it, offers All customers, and runs the command for the one picked', async () => {
      await type('status for con');
      const choice = cards(page, 'Several customers match');
      await choice.waitFor();
      for (const name of ['Contoso', 'Contoso Electronics', 'All customers']) await choice.getByRole('button', { name, exact: true }).waitFor();
      assert.equal(await choice.getByRole('button', { name: 'Show incidents', exact: true }).count(), 0, 'no button is titled by its verb alone');
      await screenshot(choice, '30-candidate-buttons.png');

      await choice.getByRole('button', { name: 'Contoso Electronics', exact: true }).click();
      await cards(page, 'Incidents for Contoso Electronics').waitFor();
    });

    it('shows a time-zone hint with the real underscore, next to the time that is wrong too', async () => {
      await type('quiet hours 25:00-07:00 America/New_Yrok');
      const hint = cards(page, 'is not a time zone I know');
      await hint.waitFor();
      const text = await hint.innerText();
      assert.match(text, /“25:00” is not a time of day I know\./);
      assert.match(text, /“America\/New_Yrok” is not a time zone I know\. Try America\/New_York\./);
      assert.doesNotMatch(text, /\uFF3F/, 'no look-alike of the underscore');
      await screenshot(hint, '31-time-zone-hint.png');
    });

    it('answers a mistyped command with "Did you mean …?" and a button that runs it, not the help card', async () => {
      await type('stauts for contoso');
      const answer = cards(page, 'Did you mean');
      await answer.waitFor();
      assert.match(await answer.innerText(), /Did you mean “status for contoso”\?/);
      await answer.getByRole('button', { name: 'Help', exact: true }).waitFor();
      assert.doesNotMatch(await answer.innerText(), /quiet hours|provisioning order|watch all/, 'not the help card');
      await screenshot(answer, '32-did-you-mean.png');

      // The click answers with Contoso's incidents in place of this card (the Electronics one is further up).
      const incidents = cards(page, 'Incidents for Contoso');
      const before = await incidents.count();
      await answer.getByRole('button', { name: 'status for contoso', exact: true }).click();
      await incidents.nth(before).waitFor();
      assert.doesNotMatch(await incidents.nth(before).innerText(), /Contoso Electronics/);
    });
  });
}

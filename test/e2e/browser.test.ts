// The product as a person sees it: the real bot, the Partner Center simulator and Microsoft's Agents
// Playground, used through the Playground's web chat in a headless Chromium. Types in the personal chat,
// reads the rendered Adaptive Cards, clicks their buttons, and saves screenshots to test/artifacts/.
//
// What the Playground UI (0.2.28) offers to find things by, as inspected:
// - Conversations are a tree: `role="treeitem"` with aria-label "Personal Chat" (selected at start),
//   "Group Chat", "My Team - General", "My Team - Announcements".
// - The compose box is a Lexical editor: a contenteditable `<div role="textbox" data-lexical-editor>`, the
//   only textbox on the page. "Type a message..." is a sibling <span>, not a placeholder attribute, so
//   getByPlaceholder finds nothing. Enter sends; the send button is `aria-label="Send Message"`.
// - Bot cards are rendered by the Adaptive Cards JS renderer: the card root has class `ac-adaptiveCard`,
//   every Container/Column an `ac-container`, and every action is a `<button role="button">` whose
//   aria-label and title are the action's title ("History", "Customer", "Refresh").
// - A button click (Action.Execute) replaces the card in place with the card of the bot's invoke answer
//   and shows "Your response was sent to the app" under it.
// - The Playground notes "Full width control is not supported yet" under every card with
//   `msteams.width: "Full"`: a limitation of the emulator, not a fault of the card.
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { formatUtc } from '../../src/cardData/format.js';
import type { PlaygroundProcess } from '../../src/sandbox/playground.js';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { startSandboxStack, type SandboxStack } from '../support/sandboxStack.js';
import { CHROMIUM_PATH, chromiumInstalled, keepToOrigin, launchChromium, positionsInOrder, screenshot } from '../support/browser.js';

/** Adaptive Cards on the page whose text matches. */
function cards(page: Page, text: string | RegExp): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasText: text });
}

if (!chromiumInstalled()) {
  // Not skipped but not registered: a machine without a browser has nothing to report here.
  console.log(`browser test not run: ${CHROMIUM_PATH} is missing (apt-get install chromium)`);
} else {
  describe('the product in the Agents Playground web UI (Chromium)', function () {
    this.timeout(60_000);
    let stack: SandboxStack;
    let sim: Simulator;
    let playground: PlaygroundProcess;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    before(async () => {
      stack = await startSandboxStack();
      ({ sim, playground } = stack);
      browser = await launchChromium();
      // Twice the pixels: screenshots stay sharp when zoomed into.
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await keepToOrigin(page, playground.url);
      await page.goto(playground.url);
    });

    after(async () => {
      await browser?.close();
      await stack?.close();
    });

    afterEach(() => {
      assert.deepEqual(pageErrors.splice(0), [], 'uncaught errors in the Playground page');
    });

    const contosoActive = () => {
      const contoso = sim.data.requireCustomer('Contoso');
      const all = sim.data.incidentsOf(contoso.id).filter((i) => i.messageType === 'incident');
      return { active: all.filter((i) => !i.resolved), resolved: all.filter((i) => i.resolved) };
    };

    it('answers "status for contoso" typed in the personal chat with the incidents card', async () => {
      await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
      const compose = page.getByRole('textbox');
      await compose.click();
      await compose.pressSequentially('status for contoso');
      await compose.press('Enter');

      const card = cards(page, 'Incidents for Contoso');
      await card.waitFor();
      const text = await card.innerText();
      const { active, resolved } = contosoActive();
      assert.ok(active.length > 0, 'the simulator should give Contoso active incidents');
      for (const incident of active) {
        assert.match(text, new RegExp(`\\b${incident.id}\\b`), `active incident ${incident.id} on the card`);
        // Every active incident row has its own drill-down buttons.
        const row = incidentRow(card, incident.id);
        await row.getByRole('button', { name: 'History', exact: true }).waitFor();
        await row.getByRole('button', { name: 'Customer', exact: true }).waitFor();
      }
      for (const incident of resolved) assert.doesNotMatch(text, new RegExp(`\\b${incident.id}\\b`), `resolved ${incident.id} not listed`);
      assert.equal((await compose.innerText()).trim(), '', 'the compose box is empty again after sending');

      await screenshot(card, '01-status-card.png');
    });

    it('opens an incident’s history, newest update first, from the History button of its row', async () => {
      // The active incident with the most updates shows best that they come newest first.
      const incident = [...contosoActive().active].sort((a, b) => b.messages.length - a.messages.length)[0];
      assert.ok(incident);
      const card = cards(page, 'Incidents for Contoso');
      await incidentRow(card, incident.id).getByRole('button', { name: 'History', exact: true }).click();

      const history = cards(page, 'Incident history').filter({ hasText: incident.id });
      await history.waitFor();
      const text = await history.innerText();
      const n = incident.messages.length;
      assert.match(text, new RegExp(`${n} updates?, newest first`));
      const newestFirst = [...incident.messages].sort((a, b) => Date.parse(b.publishedTime) - Date.parse(a.publishedTime));
      const updates = text.slice(text.indexOf('newest first'));
      const at = positionsInOrder(updates, newestFirst.map((m) => formatUtc(m.publishedTime)));
      assert.ok(!at.includes(-1), `updates newest first (${newestFirst.map((m) => m.publishedTime).join(', ')}):\n${updates}`);
      for (const label of ['Customer', 'Incidents', 'Refresh']) {
        await history.getByRole('button', { name: label, exact: true }).waitFor();
      }
      await page.getByText('Your response was sent to the app').first().waitFor();

      await screenshot(history, '02-drill-down.png');
    });

    it('opens the customer overview from the Customer button of the history card', async () => {
      const history = cards(page, 'Incident history');
      await history.getByRole('button', { name: 'Customer', exact: true }).click();

      const overview = cards(page, 'Customer overview').filter({ hasText: 'Contoso' });
      await overview.waitFor();
      const text = await overview.innerText();
      const contoso = sim.data.requireCustomer('Contoso');
      assert.match(text, new RegExp(contoso.id), 'tenant id');
      assert.ok(text.includes(contoso.domain), `domain ${contoso.domain}`);
      assert.match(text, /\d+ active incidents?/);
      assert.match(text, /\d+ subscriptions?/);
      await overview.getByRole('button', { name: 'Subscriptions', exact: true }).waitFor();

      await screenshot(overview, '03-customer-overview.png');
    });
  });
}

/**
 * The row of one incident on a status card: the innermost container that holds both the incident's id
 * and a History button (the columns inside it hold the id but no button; the card around it holds all).
 */
function incidentRow(card: Locator, incidentId: string): Locator {
  return card
    .locator('.ac-container')
    .filter({ hasText: incidentId }) // a string: textContent runs words of blocks together, so no \b
    .filter({ has: card.page().getByRole('button', { name: 'History', exact: true }) })
    .last();
}

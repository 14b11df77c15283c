// A headless Chromium for end-to-end tests of the Agents Playground's web UI (test/e2e/browser.test.ts).
// It is Debian's Chromium (`apt-get install chromium`), driven by playwright-core: no browser is ever
// downloaded. The machine may be offline; the page is kept to the Playground's own origin (see
// `keepToOrigin`), so a run looks the same with and without internet.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where screenshots go (git-ignored). Relative to the working directory: run tests from the repo root. */
export const ARTIFACTS_DIR = path.resolve('test', 'artifacts');

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright adds its own --headless; the flags below are those every run of this project uses.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Refuses every request that leaves `origin`. The Playground UI asks a Microsoft CDN for Segoe UI fonts and
 * an animation worklet; it works without them (the fonts fall back to the system sans-serif). Refusing
 * them at once keeps runs offline-equal and fast instead of waiting on DNS. Returns the refused URLs.
 */
export async function keepToOrigin(page: Page, origin: string): Promise<string[]> {
  const refused: string[] = [];
  const own = new URL(origin).origin;
  await page.route(
    (url) => url.origin !== own,
    (route) => {
      refused.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return refused;
}

/**
 * Saves a screenshot of `target` (a page, or one element such as a card) as test/artifacts/<name> and
 * returns its path. The pointer is moved away first, so the button just clicked is not shown hovered. An
 * element taller than the viewport would be cut by the chat's scroll pane (and overlaid by the page
 * header): the viewport is made tall enough for it for the shot, then put back.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, name);
  const page = 'page' in target ? target.page() : target;
  await page.mouse.move(0, 0);
  if (page === target) {
    await page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }
  const element = target as Locator;
  const viewport = page.viewportSize();
  const box = await element.boundingBox();
  const needed = box ? Math.ceil(box.height) + VIEWPORT_ROOM : 0;
  const grow = viewport !== null && needed > viewport.height;
  if (grow) await page.setViewportSize({ width: viewport.width, height: needed });
  try {
    await element.scrollIntoViewIfNeeded();
    await element.screenshot({ path: file, animations: 'disabled' });
  } finally {
    if (grow) await page.setViewportSize(viewport);
  }
  return file;
}

/** Room above and below an element for the page header and the compose box. */
const VIEWPORT_ROOM = 320;

/** Positions of `needles` in `text`, each searched after the previous one; -1 from the first one missing. */
export function positionsInOrder(text: string, needles: readonly string[]): number[] {
  const positions: number[] = [];
  let from = 0;
  for (const needle of needles) {
    const at = from < 0 ? -1 : text.indexOf(needle, from);
    positions.push(at);
    from = at < 0 ? -1 : at + needle.length;
  }
  return positions;
}

/**
 * A page on the Playground's personal chat, as the browser tests read it: a wide viewport at double scale
 * (for the screenshots), only the Playground's own origin, and every uncaught page error pushed to `errors`.
 */
export async function openPersonalChat(browser: Browser, playgroundUrl: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => errors.push(error.message));
  await keepToOrigin(page, playgroundUrl);
  await page.goto(playgroundUrl);
  await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
  return page;
}

/** Types `text` into the chat's compose box, as a person does, and sends it. */
export async function typeInChat(page: Page, text: string): Promise<void> {
  const compose = page.getByRole('textbox');
  await compose.click();
  await compose.pressSequentially(text);
  await compose.press('Enter');
}

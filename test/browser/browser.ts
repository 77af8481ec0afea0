/** Shared bits of the browser tests: a headless Chromium, logging in through the form, optional screenshots. */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PASSWORD, type Harness } from '../support/harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEB_INDEX = path.resolve(import.meta.dirname, '..', '..', 'dist', 'web', 'index.html');

/** `scrollbars`: draw scrollbars as a desktop browser does (Playwright hides them by default). */
export async function launch(opts: { scrollbars?: boolean } = {}): Promise<Browser> {
  if (!fs.existsSync(WEB_INDEX)) throw new Error('dist/web is not built: run `npm test` (or vite build) first');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ARGS,
    ignoreDefaultArgs: opts.scrollbars ? ['--hide-scrollbars'] : undefined,
  });
}

export async function logIn(page: Page, h: Harness, email: string) {
  await page.goto(`${h.baseUrl}/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}

/** Saves a full-page screenshot when SCREENSHOT_DIR is set (to look at the pages by eye). */
export async function screenshot(page: Page, name: string) {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  // a viewport as tall as the page rather than fullPage, which draws the sticky sidebar and top bar mid-page
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (size && height > size.height) await page.setViewportSize({ width: size.width, height });
  try {
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
  } finally {
    if (size && height > size.height) await page.setViewportSize(size);
  }
}

/**
 * Waits until a board card can be picked up: dragging comes after the board's first paint, and a card that can be
 * dragged tells screen readers how (dnd-kit's instructions, by aria-describedby).
 */
export async function draggable(card: Locator) {
  await card.and(card.page().locator('[aria-describedby]')).waitFor({ timeout: 20_000 });
}

/** Drags with the mouse in small steps, as a person does (dnd-kit picks a card up after it moved a few pixels). */
export async function mouseDrag(
  page: Page,
  from: Locator,
  to: { boundingBox: () => Promise<{ x: number; y: number; width: number; height: number } | null> },
) {
  await draggable(from);
  const a = (await from.boundingBox())!;
  await page.mouse.move(a.x + 20, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 30, a.y + a.height / 2 + 5, { steps: 4 });
  const b = (await to.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + 60, { steps: 12 });
  await page.mouse.move(b.x + b.width / 2 + 2, b.y + 62, { steps: 2 });
  await page.mouse.up();
}

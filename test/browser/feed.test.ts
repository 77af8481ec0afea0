/**
 * The feed in the browser, two people in two browser contexts: Anna writes a post mentioning Carl (picked from the
 * suggestions as she types @), and it reaches Carl's session live — the feed's unread count in his navigation, his
 * notification bell, and the post itself on his open feed page — without a reload. A post carrying a script, an
 * onerror handler and a javascript: link renders inert. A post with an attachment is made a catalog document into a
 * folder picked in a dialog, and its link opens the document in the catalog; a post refers to a document picked from
 * the catalog in the composer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let anna: { id: string; email: string };
let carl: { id: string; email: string };
let annaApi: Session;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const dept = await f.department('Sales');
  anna = await f.user('manager', { name: 'Anna Author', departmentId: dept.id });
  carl = await f.user('manager', { name: 'Carl Colleague', departmentId: dept.id });
  annaApi = await login(h, anna.email);
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await h?.close();
});

async function session(email: string, path: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  await logIn(page, h, email);
  await page.goto(`${h.baseUrl}${path}`);
  return page;
}

describe('feed', () => {
  it("posts with an @mention and it arrives live in the colleague's session", async () => {
    const carlPage = await session(carl.email, '/deals');
    await carlPage.getByTestId('notification-bell').waitFor();
    expect(await carlPage.getByTestId('nav-count-feed').count()).toBe(0);
    // Carl's stream is open before Anna posts
    await expect.poll(() => h.ctx.live.size, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    const annaPage = await session(anna.email, '/feed');
    await annaPage.getByTestId('feed-composer').waitFor();
    const box = annaPage.getByTestId('feed-body');
    await box.click();
    await box.pressSequentially('Please review the **offer**, @Car');
    await annaPage.getByTestId('mention-list').getByRole('option', { name: 'Carl Colleague' }).click();
    await box.pressSequentially('— thanks!');
    expect(await box.inputValue()).toBe(`Please review the **offer**, @[Carl Colleague](${carl.id}) — thanks!`);
    await annaPage.getByTestId('feed-submit').click();
    const annaPost = annaPage.getByTestId('feed-post').filter({ hasText: 'Please review' });
    await annaPost.waitFor();
    await expect.poll(() => annaPost.locator('.mention').textContent()).toBe('@Carl Colleague');
    await screenshot(annaPage, 'feed-author');

    // Carl, on the board: the feed's unread count and the bell, live
    await carlPage.getByTestId('nav-count-feed').filter({ hasText: '1' }).waitFor({ timeout: 15_000 });
    await carlPage.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 15_000 });
    await carlPage.getByRole('link', { name: /Feed/ }).click();
    const post = carlPage.getByTestId('feed-post').filter({ hasText: 'Please review' });
    await post.waitFor();
    expect(await post.locator('strong', { hasText: 'offer' }).count()).toBe(1);
    // reading the feed clears the count
    await carlPage.getByTestId('nav-count-feed').waitFor({ state: 'detached', timeout: 10_000 });

    // with the feed open, Anna's next post and her comment appear without a reload
    const next = await annaApi.post('/feed/posts', { audience: 'company', body: 'Second news of the day' });
    expect(next.status).toBe(201);
    await carlPage.getByTestId('feed-post').filter({ hasText: 'Second news of the day' }).waitFor({ timeout: 15_000 });
    await post.getByTestId('post-comments').click();
    const postId = await post.getAttribute('data-post-id');
    expect((await annaApi.post(`/feed/posts/${postId}/comments`, { body: 'Sent the numbers' })).status).toBe(201);
    await post.getByTestId('feed-comment').filter({ hasText: 'Sent the numbers' }).waitFor({ timeout: 15_000 });
    // the commented post rose to the top
    await expect
      .poll(() => carlPage.getByTestId('feed-post').first().textContent(), { timeout: 10_000 })
      .toContain('Please review');
    await screenshot(carlPage, 'feed-colleague');
  });

  it('renders a hostile post inert: no script runs, no handler, no javascript: link', async () => {
    const hostile = [
      '<script>window.__xss = 1</script>',
      '<img src=x onerror="window.__xss = 2">',
      '[click me](javascript:window.__xss=3)',
      '<a href="javascript:window.__xss=4">raw link</a>',
      '[ok](https://example.com)',
    ].join('\n\n');
    expect((await annaApi.post('/feed/posts', { audience: 'company', body: hostile })).status).toBe(201);
    const page = await session(carl.email, '/feed');
    const post = page.getByTestId('feed-post').filter({ hasText: 'click me' });
    await post.waitFor();
    const body = post.getByTestId('post-body');
    expect(await body.locator('script, img, [onerror]').count()).toBe(0);
    expect(await body.locator('a[href^="javascript"]').count()).toBe(0);
    // the raw HTML shows as text
    expect(await body.textContent()).toContain('<script>window.__xss = 1</script>');
    const safe = body.getByRole('link', { name: 'ok' });
    expect(await safe.getAttribute('href')).toBe('https://example.com');
    expect(await safe.getAttribute('rel')).toContain('noopener');
    await post.getByText('click me').click();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(page, 'feed-hostile');
  });

  it('makes a post with an attachment a document in a picked folder and opens it in the catalog', async () => {
    const form = new FormData();
    form.append('file', new Blob(['Discount ladder: 5% from ten units']), 'ladder.txt');
    const up = await annaApi.request('POST', '/feed/attachments', form);
    expect(up.status).toBe(201);
    const posted = await annaApi.post('/feed/posts', {
      audience: 'company',
      body: 'Discounts agreed for partners',
      attachmentIds: [up.body.id],
    });
    expect(posted.status).toBe(201);
    const folder = await annaApi.post('/document-folders', { name: 'Partner terms' });
    expect(folder.status).toBe(201);

    const page = await session(anna.email, '/feed');
    const post = page.getByTestId('feed-post').filter({ hasText: 'Discounts agreed' });
    await post.getByTestId('post-make-document').click();
    const dialog = page.getByTestId('make-document-dialog');
    await dialog.getByTestId('make-document-folder').selectOption({ label: 'Partner terms' });
    await dialog.getByTestId('make-document-save').click();
    const made = dialog.getByTestId('made-document');
    await made.waitFor();
    expect(await made.textContent()).toContain('Discounts agreed for partners');
    // the post tells what it was filed as
    await post.getByTestId('post-made-documents').filter({ hasText: 'Discounts agreed for partners' }).waitFor();
    await screenshot(page, 'feed-made-document');
    await made.click();
    const doc = page.getByTestId('document-dialog');
    await doc.waitFor();
    await doc.getByTestId('document-versions').filter({ hasText: 'ladder.txt' }).waitFor();
    const inFolder = await annaApi.get(`/documents?folderId=${folder.body.id}`);
    expect(inFolder.body.items.map((d: { title: string }) => d.title)).toEqual(['Discounts agreed for partners']);
  });

  it('writes a post referring to a document picked from the catalog, which opens from the post', async () => {
    const form = new FormData();
    form.set('file', new Blob(['Bring brochures and the demo unit']), 'fair-checklist.txt');
    form.set('title', 'Fair checklist');
    expect((await annaApi.request('POST', '/documents', form)).status).toBe(201);

    const page = await session(anna.email, '/feed');
    await page.getByTestId('feed-composer').waitFor();
    await page.getByTestId('feed-body').fill('Before the fair, read this');
    await page.getByTestId('feed-pick-documents').click();
    const picker = page.getByTestId('catalog-picker');
    await picker.getByTestId('catalog-picker-search').fill('Fair checklist');
    const item = picker.getByTestId('catalog-picker-list').locator('li', { hasText: 'Fair checklist' });
    await item.getByTestId('catalog-pick').click();
    await picker.getByTestId('catalog-picker-done').click();
    await page.getByTestId('composer-documents').filter({ hasText: 'Fair checklist' }).waitFor();
    await page.getByTestId('feed-submit').click();

    const post = page.getByTestId('feed-post').filter({ hasText: 'Before the fair' });
    const chip = post.getByTestId('post-document');
    await chip.waitFor();
    expect(await chip.textContent()).toContain('Fair checklist');
    await screenshot(page, 'feed-catalog-document');
    await chip.click();
    await page
      .getByTestId('document-dialog')
      .getByTestId('document-versions')
      .filter({ hasText: 'fair-checklist.txt' })
      .waitFor();
  });
});

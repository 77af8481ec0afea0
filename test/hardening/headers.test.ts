/**
 * Security headers on every class of response, set in one place: the web app (its page and its assets), the API
 * reference page, the API's JSON and problem+json answers, and downloads (sandboxed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const csp = (r: Response) =>
  Object.fromEntries(
    (r.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [k, ...v] = d.split(/\s+/);
        return [k, v.join(' ')];
      }),
  );

function expectCommon(r: Response, what: string) {
  expect(r.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(r.headers.get('x-frame-options'), what).toBe('DENY');
  expect(r.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(csp(r)['frame-ancestors'], what).toBe("'none'");
}

describe('security headers', () => {
  it('the web app: a strict CSP (scripts only from the origin, no inline script, no eval)', async () => {
    const page = await fetch(`${h.baseUrl}/deals`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expectCommon(page, 'web page');
    const policy = csp(page);
    expect(policy['default-src']).toBe("'self'");
    expect(policy['script-src']).toBe("'self'");
    expect(policy['object-src']).toBe("'none'");
    expect(policy['base-uri']).toBe("'none'");
    expect(policy['form-action']).toBe("'self'");
    expect(policy['connect-src']).toBe("'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    const html = await page.text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(asset, 'the built page loads its script from /assets').toBeTruthy();
    // no inline script in the page, so the CSP without 'unsafe-inline' lets it run
    expect(html.replace(/<script[^>]*src="[^"]+"[^>]*><\/script>/g, '')).not.toMatch(/<script/);
    const js = await fetch(`${h.baseUrl}${asset}`);
    expect(js.status).toBe(200);
    expectCommon(js, 'web asset');
  });

  it('the API reference page: only its own nonce-bearing script and style run', async () => {
    const r = await fetch(`${h.baseUrl}/api/v1/docs`);
    expect(r.status).toBe(200);
    expectCommon(r, 'docs');
    const policy = csp(r);
    const nonce = policy['script-src']?.match(/'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(policy['script-src']).not.toContain('unsafe-inline');
    expect(policy['style-src']).not.toContain('unsafe-inline');
    const html = await r.text();
    for (const tag of html.match(/<(script|style)[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).not.toMatch(/style="/);
    const again = csp(await fetch(`${h.baseUrl}/api/v1/docs`))['script-src'];
    expect(again).not.toContain(nonce!);
  });

  it('the API: nothing may load or frame it, on success and on errors alike', async () => {
    for (const [p, status] of [
      ['/api/v1/openapi.json', 200],
      ['/api/v1/health', 200],
      ['/api/v1/deals', 401],
      ['/api/v2/x', 404],
      ['/api/v1/deals/%ZZ', 400],
    ] as const) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.status, p).toBe(status);
      expectCommon(r, p);
      expect(csp(r)['default-src'], p).toBe("'none'");
    }
  });

  it('downloads: sandboxed, never sniffed, with a safe file name', async () => {
    const f = fixtures(h);
    const m = await f.user('manager');
    const pipelineId = (await f.pipeline([['New', 'open', [], []]])).id;
    const s = await login(h, m.email);
    const deal = await s.post('/deals', { title: 'Headers', clientId: (await f.client(m.id)).id, pipelineId });
    const form = new FormData();
    form.set('file', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'page.html');
    const up = await s.request('POST', `/deals/${deal.body.id}/attachments`, form);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const r = await fetch(`${h.baseUrl}/api/v1/deals/${deal.body.id}/attachments/${up.body.attachmentId}/content`, {
      headers: { cookie: s.cookie },
    });
    expect(r.status).toBe(200);
    expectCommon(r, 'download');
    expect(csp(r).sandbox).toBe('');
    expect(csp(r)['default-src']).toBe("'none'");
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
  });
});

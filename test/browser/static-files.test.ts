/**
 * The built web app is served compressed (precompressed brotli or gzip, chosen by Accept-Encoding) and its hashed
 * assets are cached for a year as immutable; index.html is revalidated so a new build is picked up at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
const DIST = path.resolve(import.meta.dirname, '..', '..', 'dist', 'web');

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('static files of the web app', () => {
  it('sends hashed assets compressed and cached as immutable, index.html revalidated', async () => {
    const html = await fetch(`${h.baseUrl}/deals`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const text = await html.text();
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(text)?.[1];
    expect(script).toBeTruthy();

    const br = await fetch(`${h.baseUrl}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    // fetch decodes brotli: the body is the built file itself
    expect(await br.text()).toBe(fs.readFileSync(path.join(DIST, script!), 'utf8'));

    const gz = await fetch(`${h.baseUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await fetch(`${h.baseUrl}${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

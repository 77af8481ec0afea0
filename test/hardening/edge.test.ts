/**
 * What reaches the API's edge malformed is answered 400 there, for every route at once, instead of failing deeper
 * (Postgres refusing NUL and half surrogate pairs, a cookie that does not decode, a multipart body that does not parse).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let manager: Session;
let managerEmail: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;
let dealId: string;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  await f.dealField('note', 'text');
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const m = await f.user('manager');
  managerEmail = m.email;
  clientId = (await f.client(m.id)).id;
  manager = await login(h, m.email);
  const deal = await manager.post('/deals', { title: 'Edge deal', clientId, pipelineId: pipeline.id });
  expect(deal.status).toBe(201);
  dealId = deal.body.id;
});
afterAll(() => h?.close());

function expectInvalidText(
  r: { status: number; body: { code?: string; detail?: string; errors?: unknown }; headers: Headers },
  where: string,
  path: string,
) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body.code).toBe('INVALID_TEXT');
  expect(r.body.detail).toContain(`"${path}"`);
  expect(r.body.errors).toEqual([expect.objectContaining({ in: where, path })]);
}

describe('text Postgres cannot store (NUL, unpaired surrogates)', () => {
  it('is refused in a JSON body, naming the path, on public and authenticated routes alike', async () => {
    expectInvalidText(
      await new Session(h.baseUrl).post('/auth/login', { email: 'a\u0000b', password: 'x' }),
      'body',
      'email',
    );
    expectInvalidText(await manager.post('/clients', { name: 'Null\u0000 GmbH' }), 'body', 'name');
    expectInvalidText(await manager.post('/clients', { name: 'Half \ud83d pair' }), 'body', 'name');
    expectInvalidText(
      await manager.post('/deals', { title: 'x\udc00', clientId, pipelineId: pipeline.id }),
      'body',
      'title',
    );
    expectInvalidText(
      await manager.patch(`/deals/${dealId}`, { changes: { custom: { note: 'a\ud800b' } } }),
      'body',
      'changes.custom.note',
    );
    expectInvalidText(
      await manager.patch(`/deals/${dealId}`, { changes: { custom: { ['k\u0000']: 'v' } } }),
      'body',
      'changes.custom.k\u0000',
    );
    expectInvalidText(await manager.post('/clients', { name: 'ok', notes: ['x', 'y\u0000'] }), 'body', 'notes.1');
    // nothing was written
    const deal = await manager.get(`/deals/${dealId}`);
    expect(deal.body.version).toBe(1);
    expect((await manager.get('/clients?q=GmbH')).body.items).toHaveLength(0);
  });

  it('is refused in the query string and path parameters', async () => {
    expectInvalidText(await manager.get('/clients?q=a%00b'), 'query', 'q');
    expectInvalidText(await manager.get('/users?q=%00'), 'query', 'q');
    expectInvalidText(await manager.get(`/deals?pipelineId=${pipeline.id}&q=x%00`), 'query', 'q');
    expectInvalidText(await manager.get('/deals/%00'), 'path parameters', 'id');
  });

  it('is refused in multipart fields and file names', async () => {
    const field = new FormData();
    field.set('documentKindId', 'x\u0000');
    field.set('file', new Blob(['hello']), 'ok.txt');
    expectInvalidText(await manager.request('POST', `/deals/${dealId}/attachments`, field), 'body', 'documentKindId');
    // a raw NUL in a part header is malformed multipart; RFC 5987's filename* carries it percent-encoded
    const named =
      '--XyZ\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8\'\'evil%00.txt\r\n' +
      'Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n';
    expectInvalidText(
      await manager.request('POST', `/deals/${dealId}/attachments`, named, {
        'content-type': 'multipart/form-data; boundary=XyZ',
      }),
      'body',
      'file',
    );
    const raw = new FormData();
    raw.set('file', new Blob(['hello']), 'evil\u0000.txt');
    const r = await manager.request('POST', `/deals/${dealId}/attachments`, raw);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BAD_UPLOAD');
    expect((await manager.get(`/deals/${dealId}`)).body.attachments).toHaveLength(0);
  });

  it('still accepts well-formed text, surrogate pairs included', async () => {
    const r = await manager.post('/clients', { name: 'Emoji 😀 Ltd', notes: 'ä ß 中文' });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('Emoji 😀 Ltd');
  });

  it('walks a deeply nested body without overflowing the stack', async () => {
    const depth = 200_000;
    const body = `{"email":"x@example.test","password":"p","deep":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}}`;
    const r = await new Session(h.baseUrl).request('POST', '/auth/login', body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_TEXT');
  });
});

describe('a malformed session cookie', () => {
  it('counts as no cookie: 401 on a user route, and login still works', async () => {
    const s = new Session(h.baseUrl);
    s.cookie = 'df_session=%E0';
    const me = await s.get('/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('UNAUTHENTICATED');
    expect((await s.get('/health')).status).toBe(200);
    const anon = new Session(h.baseUrl);
    const r = await anon.request(
      'POST',
      '/auth/login',
      { email: managerEmail, password: PASSWORD },
      { cookie: 'other=1; df_session=%E0%A4' },
    );
    expect(r.status).toBe(200);
  });
});

describe('a malformed multipart body', () => {
  const upload = (body: string, contentType: string) =>
    manager.request('POST', `/deals/${dealId}/attachments`, body, { 'content-type': contentType });

  it('without a boundary is a 400 BAD_UPLOAD', async () => {
    const r = await upload('whatever', 'multipart/form-data');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('BAD_UPLOAD');
  });

  it('cut short is a 400 BAD_UPLOAD, and the deal is unchanged', async () => {
    const truncated =
      '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhalf a fi';
    const r = await upload(truncated, 'multipart/form-data; boundary=XyZ');
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BAD_UPLOAD');
    const garbled = '--XyZ\r\nthis is not a part header\r\n\r\n--XyZ--\r\n';
    const g = await upload(garbled, 'multipart/form-data; boundary=XyZ');
    expect(g.status).toBeLessThan(500);
    const deal = await manager.get(`/deals/${dealId}`);
    expect(deal.body.attachments).toHaveLength(0);
    expect(deal.body.version).toBe(1);
  });

  it('keeps the upload limits: a too large file is still 413', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(1024 * 1024 + 10)]), 'big.bin');
    const r = await manager.request('POST', `/deals/${dealId}/attachments`, form);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('FILE_TOO_LARGE');
  });
});

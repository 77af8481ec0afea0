/**
 * Upload file names as browsers and scripts send them: RFC 5987 `filename*` (any script, emoji), raw UTF-8, and names
 * dressed up with Unicode bidi controls. Stored names read back as sent (less unsafe characters); downloads carry
 * `filename*` plus an ASCII fallback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let s: Session;
let dealId: string;
beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const m = await f.user('manager');
  const pipelineId = (await f.pipeline([['New', 'open', [], []]])).id;
  s = await login(h, m.email);
  const deal = await s.post('/deals', { title: 'Names', clientId: (await f.client(m.id)).id, pipelineId });
  dealId = deal.body.id;
});
afterAll(() => h?.close());

const storedFiles = async () =>
  Number((await h.ctx.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*) as n from files'))[0].n);

async function uploadRaw(dispositionParams: string, content = 'hello') {
  const body = Buffer.concat([
    Buffer.from(
      `--XyZ\r\nContent-Disposition: form-data; name="file"; ${dispositionParams}\r\nContent-Type: text/plain\r\n\r\n`,
      'utf8',
    ),
    Buffer.from(content),
    Buffer.from('\r\n--XyZ--\r\n'),
  ]);
  const r = await fetch(`${h.baseUrl}/api/v1/deals/${dealId}/attachments`, {
    method: 'POST',
    body,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'multipart/form-data; boundary=XyZ' },
  });
  return { status: r.status, body: await r.json() };
}

const nameOf = async (attachmentId: string) =>
  (await s.get(`/deals/${dealId}`)).body.attachments.find((a: { id: string }) => a.id === attachmentId)?.fileName;

describe('upload file names', () => {
  it("decode RFC 5987 filename*=UTF-8''… (Cyrillic, emoji)", async () => {
    const ru = await uploadRaw("filename*=UTF-8''%D0%B4%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80.txt", 'ru');
    expect(ru.status, JSON.stringify(ru.body)).toBe(201);
    expect(await nameOf(ru.body.attachmentId)).toBe('договор.txt');
    const emoji = await uploadRaw("filename*=UTF-8''%F0%9F%98%80%20offer.txt", 'emoji');
    expect(emoji.status, JSON.stringify(emoji.body)).toBe(201);
    expect(await nameOf(emoji.body.attachmentId)).toBe('😀 offer.txt');
  });

  it('keep raw UTF-8 names as browsers send them (FormData), emoji included', async () => {
    for (const name of ['договор.txt', '😀.txt', '报价单.pdf']) {
      const form = new FormData();
      form.set('file', new Blob([name]), name);
      const r = await s.request('POST', `/deals/${dealId}/attachments`, form);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(await nameOf(r.body.attachmentId)).toBe(name);
    }
  });

  it('lose the right-to-left override and other bidi controls', async () => {
    const form = new FormData();
    form.set('file', new Blob(['x']), 'invoice\u202Egpj.exe');
    const r = await s.request('POST', `/deals/${dealId}/attachments`, form);
    expect(r.status).toBe(201);
    expect(await nameOf(r.body.attachmentId)).toBe('invoicegpj.exe');
    const star = await uploadRaw("filename*=UTF-8''a%E2%80%AEb%E2%81%A6c.txt", 'star');
    expect(await nameOf(star.body.attachmentId)).toBe('abc.txt');
  });

  it('a name that cannot be stored is refused before the file is kept', async () => {
    const before = await storedFiles();
    const r = await uploadRaw("filename*=UTF-8''evil%00.txt", 'never stored');
    expect(r.status).toBe(400);
    expect(await storedFiles()).toBe(before);
  });

  it('downloads send filename* in UTF-8 and an ASCII filename fallback', async () => {
    const ru = await uploadRaw(
      "filename*=UTF-8''%D0%B4%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%E2%84%961.txt",
      'download',
    );
    const r = await fetch(`${h.baseUrl}/api/v1/deals/${dealId}/attachments/${ru.body.attachmentId}/content`, {
      headers: { cookie: s.cookie },
    });
    expect(r.status).toBe(200);
    const d = r.headers.get('content-disposition')!;
    expect(d).toMatch(/^attachment; filename="[\x20-\x7E]*\.txt"; filename\*=UTF-8''/);
    expect(decodeURIComponent(d.split("filename*=UTF-8''")[1])).toBe('договор №1.txt');
    expect(await r.text()).toBe('download');
  });
});

/**
 * "Make it a document" over HTTP on real Postgres and Temporal: a post's attachments become catalog documents (the
 * same stored content, not a copy), a post without attachments a document of its text; only for someone who reads
 * the post and opens the folder; a double click makes them once. A post refers to catalog documents picked when
 * writing it: each reader sees only those they may open, and the catalog answers 404 to a download of the others.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { makePdf } from '../documents/pdf.ts';

let h: Harness;
let author: Session; // a manager in East
let colleague: Session; // another manager in East
let outsider: Session; // a manager in West
let ids: { author: string; colleague: string; east: string };

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function attach(s: Session, content: Buffer | string, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  const up = await s.request('POST', '/feed/attachments', form);
  expect(up.status).toBe(201);
  return up.body.id;
}

/** Waits until a catalog search finds what it should (text is extracted off the request path). */
async function searchUntil(s: Session, q: string) {
  for (let i = 0; i < 150; i++) {
    const r = await s.get(`/documents?q=${encodeURIComponent(q)}`);
    if (r.body.items.length) return r.body.items;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`search for ${q} never found anything`);
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const east = await f.department('East');
  const west = await f.department('West');
  const a = await f.user('manager', { departmentId: east.id, name: 'Anna Author' });
  const c = await f.user('manager', { departmentId: east.id, name: 'Carl Colleague' });
  const o = await f.user('manager', { departmentId: west.id, name: 'Olga Outsider' });
  ids = { author: a.id, colleague: c.id, east: east.id };
  [author, colleague, outsider] = await Promise.all([a, c, o].map((u) => login(h, u.email)));
});
afterAll(async () => {
  await h?.close();
});

describe('make a post a document', () => {
  it('makes each attachment a document in the folder, the same stored file, the post as its description', async () => {
    const pdfBytes = makePdf('Wholesale price ladder for partners');
    const pdf = await attach(author, pdfBytes, 'ladder.pdf');
    const txt = await attach(author, 'Terms: payment within thirty days', 'terms.txt');
    const post = await author.post('/feed/posts', {
      audience: 'department',
      departmentId: ids.east,
      body: `# New prices for Q1\nAgreed with @[Carl](${ids.colleague}), see attached`,
      attachmentIds: [pdf, txt],
    });
    expect(post.status).toBe(201);
    const folder = await colleague.post('/document-folders', { name: 'Price lists' });
    expect(folder.status).toBe(201);

    const opId = randomUUID();
    const made = await colleague.post(`/feed/posts/${post.body.id}/document`, { opId, folderId: folder.body.id });
    expect(made.status).toBe(201);
    expect(made.body.documents.map((d: { title: string }) => d.title)).toEqual([
      'New prices for Q1 — ladder.pdf',
      'New prices for Q1 — terms.txt',
    ]);

    const [first, second] = made.body.documents as { id: string }[];
    const doc = (await colleague.get(`/documents/${first.id}`)).body;
    expect(doc).toMatchObject({
      folderId: folder.body.id,
      ownerId: ids.colleague,
      contentType: 'application/pdf',
      description: '# New prices for Q1\nAgreed with @Carl, see attached',
      currentVersion: 1,
    });
    // the version names the content the post's attachment is stored under: nothing copied
    expect(doc.versions).toHaveLength(1);
    expect(doc.versions[0]).toMatchObject({ fileName: 'ladder.pdf', sha256: sha256(pdfBytes) });
    const file = await colleague.request('GET', `/documents/${second.id}/versions/1/content`);
    expect(file.body).toBe('Terms: payment within thirty days');

    // found by a word inside the attachment, like any upload
    const found = await searchUntil(colleague, 'ladder partners');
    expect(found.map((d: { id: string }) => d.id)).toContain(first.id);

    // the same request again (a double click) makes nothing more
    const again = await colleague.post(`/feed/posts/${post.body.id}/document`, { opId, folderId: folder.body.id });
    expect(again.body.documents).toEqual(made.body.documents);
    const inFolder = await colleague.get(`/documents?folderId=${folder.body.id}`);
    expect(inFolder.body.items).toHaveLength(2);
    // the post shows what was made of it to those who may open it
    expect((await author.get(`/feed/posts/${post.body.id}`)).body.madeDocuments).toEqual(made.body.documents);
  });

  it('makes two simultaneous clicks with one opId into one set of documents', async () => {
    const post = await author.post('/feed/posts', {
      audience: 'company',
      body: 'Checklist for the first call',
      attachmentIds: [await attach(author, 'ask about the budget', 'checklist.txt')],
    });
    const folder = await author.post('/document-folders', { name: 'Checklists' });
    const opId = randomUUID();
    const [a, b] = await Promise.all([
      author.post(`/feed/posts/${post.body.id}/document`, { opId, folderId: folder.body.id, title: 'First call' }),
      author.post(`/feed/posts/${post.body.id}/document`, { opId, folderId: folder.body.id, title: 'First call' }),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.documents).toEqual(b.body.documents);
    expect(a.body.documents).toMatchObject([{ title: 'First call' }]);
    expect((await author.get(`/documents?folderId=${folder.body.id}`)).body.items).toHaveLength(1);
    // an opId is one request's: another post with it is refused
    const other = await author.post('/feed/posts', { audience: 'company', body: 'another' });
    const reused = await author.post(`/feed/posts/${other.body.id}/document`, { opId });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('OP_ID_REUSED');
  });

  it("makes a post without attachments a document of its text, linked to the post's client", async () => {
    const client = await fixtures(h).client(ids.author, 'Zephyr Logistics');
    const post = await author.post('/feed/posts', {
      audience: 'record',
      recordType: 'client',
      recordId: client.id,
      body: 'Meeting notes: the client wants **hovercraft** delivery by March',
    });
    expect(post.status).toBe(201);
    const made = await author.post(`/feed/posts/${post.body.id}/document`, { opId: randomUUID() });
    expect(made.status).toBe(201);
    expect(made.body.documents).toHaveLength(1);
    const id = made.body.documents[0].id;
    const doc = (await author.get(`/documents/${id}`)).body;
    expect(doc).toMatchObject({
      title: 'Meeting notes: the client wants **hovercraft** delivery by March',
      folderId: null,
      contentType: 'text/plain',
      links: [{ type: 'client', id: client.id, name: 'Zephyr Logistics' }],
    });
    expect(doc.fileName).toMatch(/\.md$/);
    const file = await author.request('GET', `/documents/${id}/versions/1/content`);
    expect(file.body).toBe('Meeting notes: the client wants **hovercraft** delivery by March');
    expect((await searchUntil(author, 'hovercraft')).map((d: { id: string }) => d.id)).toContain(id);
  });

  it("refuses a post the caller cannot read, a folder they cannot open, and a file the catalog doesn't take", async () => {
    const post = await author.post('/feed/posts', {
      audience: 'department',
      departmentId: ids.east,
      body: 'East only',
      attachmentIds: [await attach(author, 'east numbers', 'east.txt')],
    });
    // another group's post does not exist for them
    const stranger = await outsider.post(`/feed/posts/${post.body.id}/document`, { opId: randomUUID() });
    expect(stranger.status).toBe(404);
    // a folder the caller may not open is not theirs to file into
    const closed = await outsider.post('/document-folders', { name: 'Olga private', access: { kind: 'private' } });
    const intoClosed = await author.post(`/feed/posts/${post.body.id}/document`, {
      opId: randomUUID(),
      folderId: closed.body.id,
    });
    expect(intoClosed.status).toBe(404);
    // made into the author's private folder: the post shows it to her, not to her colleague who reads the post
    const mine = await author.post('/document-folders', { name: 'Anna private', access: { kind: 'private' } });
    const made = await author.post(`/feed/posts/${post.body.id}/document`, {
      opId: randomUUID(),
      folderId: mine.body.id,
    });
    expect(made.status).toBe(201);
    expect((await author.get(`/feed/posts/${post.body.id}`)).body.madeDocuments).toEqual(made.body.documents);
    expect((await colleague.get(`/feed/posts/${post.body.id}`)).body.madeDocuments).toEqual([]);

    // filed at the top of the catalog (everyone's), the department's post stays the department's
    const top = await colleague.post(`/feed/posts/${post.body.id}/document`, { opId: randomUUID() });
    expect(top.status).toBe(201);
    const [filed] = top.body.documents as { id: string }[];
    expect((await colleague.get(`/documents/${filed.id}`)).body).toMatchObject({
      access: { kind: 'department', departmentId: ids.east },
    });
    expect((await author.get(`/documents/${filed.id}`)).status).toBe(200);
    expect((await outsider.get(`/documents/${filed.id}`)).status).toBe(404);
    expect((await outsider.get(`/documents/${filed.id}/versions/1/content`)).status).toBe(404);

    // a system post holds nothing of its own to file
    const [system] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>(
        `insert into feed_posts (id, audience, system_kind, data, source_key)
         values (gen_random_uuid(), 'company', 'deal_won', '{}', 'test:' || gen_random_uuid()) returning id`,
      );
    const systemFiled = await author.post(`/feed/posts/${system.id}/document`, { opId: randomUUID() });
    expect(systemFiled.status).toBe(422);
    expect(systemFiled.body.code).toBe('POST_NOT_FILEABLE');

    const exe = await author.post('/feed/posts', {
      audience: 'company',
      body: 'a tool',
      attachmentIds: [await attach(author, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0, 0, 0, 0xff]), 'tool.exe')],
    });
    const refused = await author.post(`/feed/posts/${exe.body.id}/document`, { opId: randomUUID() });
    expect(refused.status).toBe(415);
    expect(refused.body.fileName ?? refused.body.details?.fileName).toBe('tool.exe');
    expect((await author.get('/documents?q=tool')).body.items).toEqual([]);
    expect((await author.get(`/feed/posts/${exe.body.id}`)).body.madeDocuments).toEqual([]);
  });
});

describe('catalog documents on a post', () => {
  const uploadDocument = async (s: Session, content: string, name: string, folderId?: string) => {
    const form = new FormData();
    if (folderId) form.set('folderId', folderId);
    form.set('file', new Blob([content]), name);
    const r = await s.request('POST', '/documents', form);
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  it('shows each reader the documents they may open; another group gets 404 on download', async () => {
    const eastFolder = await author.post('/document-folders', {
      name: 'East playbooks',
      access: { kind: 'department', departmentId: ids.east },
    });
    const eastDoc = await uploadDocument(author, 'East discount playbook', 'playbook.txt', eastFolder.body.id);
    const everyoneDoc = await uploadDocument(author, 'Company price list', 'prices.txt');

    const post = await author.post('/feed/posts', {
      audience: 'company',
      body: 'Read these before the fair',
      documentIds: [eastDoc, everyoneDoc],
    });
    expect(post.status).toBe(201);
    expect(post.body.documents).toEqual([
      { id: eastDoc, title: 'playbook.txt' },
      { id: everyoneDoc, title: 'prices.txt' },
    ]);
    const seen = (s: Session) =>
      s.get(`/feed/posts/${post.body.id}`).then((r) => r.body.documents.map((d: { id: string }) => d.id));
    expect(await seen(colleague)).toEqual([eastDoc, everyoneDoc]);
    // the outsider reads the company's post but sees only the document open to them
    expect(await seen(outsider)).toEqual([everyoneDoc]);
    const list = await outsider.get('/feed/posts');
    const inList = list.body.items.find((p: { id: string }) => p.id === post.body.id);
    expect(inList.documents.map((d: { id: string }) => d.id)).toEqual([everyoneDoc]);
    expect((await outsider.request('GET', `/documents/${eastDoc}/versions/1/content`)).status).toBe(404);
    expect((await outsider.request('GET', `/documents/${everyoneDoc}/versions/1/content`)).body).toBe(
      'Company price list',
    );

    // nobody refers to a document they may not open
    const refused = await outsider.post('/feed/posts', { audience: 'company', body: 'peek', documentIds: [eastDoc] });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('INVALID_REFERENCE');

    // a document in the trash is not shown on the post
    expect((await author.request('DELETE', `/documents/${everyoneDoc}`)).status).toBe(204);
    expect(await seen(colleague)).toEqual([eastDoc]);
  });
});

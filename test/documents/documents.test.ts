import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { createActivities } from '../../activities/index.ts';
import { createDocumentFromFiles } from '../../modules/documents/commands.ts';
import { audienceOf, type Effective } from '../../modules/documents/access.ts';
import { makeDocx, makePdf } from './pdf.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const form = (content: Buffer | string, name: string, fields: Record<string, string> = {}) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  fd.set('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return fd;
};

const upload = (s: Session, content: Buffer | string, name: string, fields: Record<string, string> = {}) =>
  s.request('POST', '/documents', form(content, name, fields));

/** Waits until a search finds what it should (text is extracted after the upload, off the request path). */
async function searchUntil(s: Session, q: string, count: number) {
  for (let i = 0; i < 200; i++) {
    const r = await s.get(`/documents?q=${encodeURIComponent(q)}`);
    if (r.body.items.length >= count) return r.body;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`search for ${q} never found ${count}`);
}

/** Waits until every version's text was extracted (or found to have none). */
async function extracted(s: Session, id: string) {
  for (let i = 0; i < 200; i++) {
    const d = (await s.get(`/documents/${id}`)).body;
    if (d.versions.every((v: { textStatus: string }) => v.textStatus !== 'pending')) return d;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('text never extracted');
}

describe('document catalog', () => {
  it('finds an uploaded PDF, DOCX and text file by words inside them, in Russian and English, highlighted', async () => {
    const f = fixtures(h);
    const user = await f.user('manager');
    const s = await login(h, user.email);
    const folder = await s.post('/document-folders', { name: 'Regulations' });
    expect(folder.status).toBe(201);
    const pdf = await upload(s, makePdf('Quarterly pricing policy for wholesale partners'), 'pricing.pdf', {
      folderId: folder.body.id,
      tags: 'pricing, wholesale',
      kind: 'regulation',
    });
    expect(pdf.status).toBe(201);
    const docx = await upload(s, makeDocx('Типовые договоры поставки оборудования'), 'договор.docx', {
      folderId: folder.body.id,
    });
    expect(docx.status).toBe(201);
    const txt = await upload(s, 'Onboarding checklist: call the client within a day', 'checklist.txt');
    expect(txt.status).toBe(201);

    // English stemming: "policies" finds "policy"; the match is marked in the passage
    const found = await searchUntil(s, 'policies', 1);
    expect(found.items.map((d: { id: string }) => d.id)).toEqual([pdf.body.id]);
    expect(found.items[0].highlight).toContainEqual({ text: 'policy', match: true });
    expect(found.items[0].contentType).toBe('application/pdf');
    // Russian stemming: "договор" finds "договоры"
    const ru = await searchUntil(s, 'договор', 1);
    expect(ru.items[0].id).toBe(docx.body.id);
    expect(ru.items[0].contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect((await searchUntil(s, 'client', 1)).items[0].id).toBe(txt.body.id);
    // titles and tags
    expect((await s.get('/documents?q=wholesale')).body.items[0].id).toBe(pdf.body.id);
    expect((await s.get('/documents?q=nothing-like-this')).body.items).toEqual([]);

    // the folder lists its documents, the top the rest
    const inFolder = await s.get(`/documents?folderId=${folder.body.id}`);
    expect(inFolder.body.items.map((d: { title: string }) => d.title).sort()).toEqual(['pricing.pdf', 'договор.docx']);
    expect((await s.get('/documents')).body.items.map((d: { id: string }) => d.id)).toEqual([txt.body.id]);
  });

  it('keeps every version: a new one becomes current and is searched, old ones still download', async () => {
    const f = fixtures(h);
    const s = await login(h, (await f.user('manager')).email);
    const doc = await upload(s, 'first draft about turbines', 'draft.txt');
    await searchUntil(s, 'turbines', 1);
    const v2 = await s.request(
      'POST',
      `/documents/${doc.body.id}/versions`,
      form('second draft about compressors', 'draft.txt'),
    );
    expect(v2.status).toBe(201);
    expect(v2.body.currentVersion).toBe(2);
    expect(v2.body.versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    await searchUntil(s, 'compressors', 1);
    expect((await s.get('/documents?q=turbines')).body.items).toEqual([]);
    expect((await s.request('GET', `/documents/${doc.body.id}/versions/1/content`)).body).toBe(
      'first draft about turbines',
    );
    expect((await s.request('GET', `/documents/${doc.body.id}/versions/2/content`)).body).toBe(
      'second draft about compressors',
    );
    expect((await s.request('GET', `/documents/${doc.body.id}/versions/3/content`)).status).toBe(404);
  });

  it('stores identical content once, and the sweep keeps what catalog versions use', async () => {
    const f = fixtures(h);
    const s = await login(h, (await f.user('manager')).email);
    const a = await upload(s, 'the same bytes for the catalog', 'a.txt');
    const b = await upload(s, 'the same bytes for the catalog', 'b.txt');
    const [va, vb] = await Promise.all(
      [a, b].map(async (d) => (await s.get(`/documents/${d.body.id}`)).body.versions[0]),
    );
    expect(va.sha256).toBe(vb.sha256);
    const em = h.ctx.orm.em.fork();
    const rows = await em.getConnection().execute('select count(*)::int as n from files where sha256 = ?', [va.sha256]);
    expect(rows[0].n).toBe(1);
    await em.getConnection().execute(`update files set created_at = now() - interval '2 days'`);
    await createActivities({ orm: h.ctx.orm, storage: h.ctx.storage }).sweepFiles({ graceHours: 24 });
    expect(fs.existsSync(h.ctx.storage.pathOf(va.sha256))).toBe(true);
    expect((await s.request('GET', `/documents/${a.body.id}/versions/1/content`)).body).toBe(
      'the same bytes for the catalog',
    );
  });

  it('serves files with nosniff and a sandbox, inline only for PDF and images when asked', async () => {
    const f = fixtures(h);
    const s = await login(h, (await f.user('manager')).email);
    const pdf = await upload(s, makePdf('Preview me'), 'preview.pdf');
    const html = await upload(s, '<script>alert(1)</script>', 'notes.txt');
    const inline = await s.request('GET', `/documents/${pdf.body.id}/versions/1/content?inline=true`);
    expect(inline.headers.get('content-type')).toBe('application/pdf');
    expect(inline.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(inline.headers.get('x-content-type-options')).toBe('nosniff');
    expect(inline.headers.get('content-security-policy')).toContain('sandbox');
    const download = await s.request('GET', `/documents/${pdf.body.id}/versions/1/content`);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    const text = await s.request('GET', `/documents/${html.body.id}/versions/1/content?inline=true`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(text.headers.get('content-security-policy')).toContain('sandbox');
  });
});

describe('access per folder and document', () => {
  it('opens a department folder to its members only; another group gets 404 everywhere', async () => {
    const f = fixtures(h);
    const admin = await f.user('admin');
    const sales = await f.department('Sales docs');
    const north = await f.department('North', null, sales.id);
    const support = await f.department('Support docs');
    const owner = await f.user('manager', { departmentId: north.id });
    const colleague = await f.user('manager', { departmentId: sales.id });
    const outsider = await f.user('manager', { departmentId: support.id });
    const [so, sc, sx, sa] = await Promise.all([owner, colleague, outsider, admin].map((u) => login(h, u.email)));

    const folder = await so.post('/document-folders', {
      name: 'Sales only',
      access: { kind: 'department', departmentId: sales.id },
    });
    const sub = await so.post('/document-folders', { name: 'Inside', parentId: folder.body.id });
    const doc = await upload(so, makePdf('Confidential discount ladder'), 'ladder.pdf', { folderId: sub.body.id });
    expect(doc.status).toBe(201);
    await searchUntil(so, 'discount', 1);

    // inherited two levels down: a member of the department above the owner's sees it; the outsider nothing
    expect((await searchUntil(sc, 'discount', 1)).items[0].id).toBe(doc.body.id);
    expect((await sc.get(`/documents/${doc.body.id}`)).status).toBe(200);
    expect((await sx.get('/documents?q=discount')).body.items).toEqual([]);
    expect((await sx.get(`/documents/${doc.body.id}`)).status).toBe(404);
    expect((await sx.request('GET', `/documents/${doc.body.id}/versions/1/content`)).status).toBe(404);
    expect((await sx.get(`/documents?folderId=${sub.body.id}`)).body.items).toEqual([]);
    expect((await sx.get('/document-folders')).body.items.map((x: { id: string }) => x.id)).not.toContain(
      folder.body.id,
    );
    expect((await sx.request('POST', `/documents/${doc.body.id}/versions`, form('x', 'x.txt'))).status).toBe(404);
    expect((await sx.delete(`/documents/${doc.body.id}`)).status).toBe(404);
    expect((await sx.post('/document-folders', { name: 'Sneak', parentId: sub.body.id })).status).toBe(404);
    expect((await sa.get(`/documents/${doc.body.id}`)).status).toBe(200);

    // access is checked on every download: closing the folder closes the document at once
    const fv = (await so.get('/document-folders')).body.items.find((x: { id: string }) => x.id === folder.body.id);
    expect(
      (await sc.patch(`/document-folders/${folder.body.id}`, { access: { kind: 'private' }, version: fv.version }))
        .status,
    ).toBe(403);
    expect(
      (await so.patch(`/document-folders/${folder.body.id}`, { access: { kind: 'private' }, version: fv.version }))
        .status,
    ).toBe(204);
    expect((await sc.request('GET', `/documents/${doc.body.id}/versions/1/content`)).status).toBe(404);
    expect((await so.request('GET', `/documents/${doc.body.id}/versions/1/content`)).status).toBe(200);
    // a document's own access overrides its folder's
    const d = (await so.get(`/documents/${doc.body.id}`)).body;
    const opened = await so.patch(`/documents/${doc.body.id}`, {
      access: { kind: 'role', role: 'manager' },
      version: d.version,
    });
    expect(opened.status).toBe(200);
    expect(opened.body.effective).toMatchObject({ kind: 'role', role: 'manager' });
    expect((await sx.get(`/documents/${doc.body.id}`)).status).toBe(200);
  });

  it("drops a document from a colleague's search when it moves to a folder they may not open", async () => {
    const f = fixtures(h);
    const teamA = await f.department('Hydro A');
    const teamB = await f.department('Hydro B');
    const owner = await f.user('manager', { departmentId: teamA.id });
    const colleague = await f.user('manager', { departmentId: teamA.id });
    const other = await f.user('member', { departmentId: teamB.id });
    const [so, sc, sx] = await Promise.all([owner, colleague, other].map((u) => login(h, u.email)));
    const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((x) => x.id);

    const a = await so.post('/document-folders', {
      name: 'Hydro A only',
      access: { kind: 'department', departmentId: teamA.id },
    });
    const b = await so.post('/document-folders', {
      name: 'Hydro B only',
      access: { kind: 'department', departmentId: teamB.id },
    });
    const doc = await upload(so, 'notes on the hydrofoil tender', 'hydrofoil.txt', { folderId: a.body.id });
    expect(doc.status).toBe(201);
    await searchUntil(so, 'hydrofoil', 1);
    expect((await searchUntil(sc, 'hydrofoil', 1)).items.map((x: { id: string }) => x.id)).toEqual([doc.body.id]);
    expect(ids(await sx.get('/documents?q=hydrofoil'))).toEqual([]);

    // moved into the other department's folder: gone from the colleague's search, found there, still its owner's
    const d = (await so.get(`/documents/${doc.body.id}`)).body;
    expect((await so.patch(`/documents/${doc.body.id}`, { folderId: b.body.id, version: d.version })).status).toBe(200);
    expect(ids(await sc.get('/documents?q=hydrofoil'))).toEqual([]);
    expect((await sc.get(`/documents/${doc.body.id}`)).status).toBe(404);
    expect(ids(await sx.get('/documents?q=hydrofoil'))).toEqual([doc.body.id]);
    expect(ids(await so.get('/documents?q=hydrofoil'))).toEqual([doc.body.id]);

    // the folder opened to a role instead: what it holds follows, for search as for the rest
    const fb = (await so.get('/document-folders')).body.items.find((x: { id: string }) => x.id === b.body.id);
    const reopened = await so.patch(`/document-folders/${b.body.id}`, {
      access: { kind: 'role', role: 'manager' },
      version: fb.version,
    });
    expect(reopened.status).toBe(204);
    expect(ids(await sc.get('/documents?q=hydrofoil'))).toEqual([doc.body.id]);
    expect(ids(await sx.get('/documents?q=hydrofoil'))).toEqual([]);
    expect(ids(await sx.get(`/documents?folderId=${b.body.id}`))).toEqual([]);

    // the audience Postgres keeps for each folder and document agrees with the rule
    const rows = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<
        {
          owner_id: string;
          eff_kind: Effective['kind'];
          eff_department_id: string | null;
          eff_role: string | null;
          eff_owner_id: string;
          audience: string[];
        }[]
      >(
        `select owner_id, eff_kind, eff_department_id, eff_role, eff_owner_id, audience from documents
       union all select owner_id, eff_kind, eff_department_id, eff_role, eff_owner_id, audience from document_folders`,
      );
    expect(rows.length).toBeGreaterThan(2);
    for (const r of rows) {
      const eff = { kind: r.eff_kind, departmentId: r.eff_department_id, role: r.eff_role, ownerId: r.eff_owner_id };
      expect(r.audience).toEqual(audienceOf(eff, r.owner_id));
    }
  });

  it('moves a document to the trash and back; only its owner or an administrator may', async () => {
    const f = fixtures(h);
    const owner = await login(h, (await f.user('manager')).email);
    const other = await login(h, (await f.user('manager')).email);
    const doc = await upload(owner, 'trash me: zeppelins', 'z.txt');
    await searchUntil(owner, 'zeppelins', 1);
    expect((await other.delete(`/documents/${doc.body.id}`)).status).toBe(403);
    expect((await owner.delete(`/documents/${doc.body.id}`)).status).toBe(204);
    expect((await owner.get('/documents?q=zeppelins')).body.items).toEqual([]);
    expect((await owner.get('/documents?trash=true')).body.items.map((x: { id: string }) => x.id)).toEqual([
      doc.body.id,
    ]);
    expect((await other.get('/documents?trash=true')).body.items).toEqual([]);
    expect((await owner.request('GET', `/documents/${doc.body.id}/versions/1/content`)).status).toBe(404);
    const back = await owner.post(`/documents/${doc.body.id}/restore`);
    expect(back.status).toBe(200);
    expect(back.body.deletedAt).toBeNull();
    expect((await owner.get('/documents?q=zeppelins')).body.items).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('refuses mismatched, unknown and oversize files, and names with folders in them', async () => {
    const f = fixtures(h);
    const s = await login(h, (await f.user('manager')).email);
    const fake = await upload(s, 'just text, not a PDF', 'report.pdf');
    expect(fake.status).toBe(415);
    expect(fake.body.code).toBe('DOCUMENT_TYPE_MISMATCH');
    const exe = await upload(
      s,
      Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90), Buffer.from('PE\0\0')]),
      'tool.exe',
    );
    expect(exe.status).toBe(415);
    expect(exe.body.code).toBe('DOCUMENT_TYPE_NOT_ALLOWED');
    const big = await upload(s, Buffer.alloc(1024 * 1024 + 10, 'a'), 'big.txt');
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('FILE_TOO_LARGE');
    expect((await s.post('/document-folders', { name: '../etc' })).body.code).toBe('INVALID_NAME');
    expect((await s.post('/document-folders', { name: 'a\\b' })).status).toBe(422);
    const traversal = await upload(s, 'harmless', '../../etc/passwd.txt');
    expect(traversal.status).toBe(201);
    const d = (await s.get(`/documents/${traversal.body.id}`)).body;
    expect(d.versions[0].fileName).toBe('passwd.txt');
    await s.post('/document-folders', { name: 'Twice' });
    expect((await s.post('/document-folders', { name: 'twice' })).body.code).toBe('FOLDER_NAME_TAKEN');
  });

  it('refuses to remove a folder that is not empty, or to put a folder inside itself', async () => {
    const f = fixtures(h);
    const s = await login(h, (await f.user('manager')).email);
    const a = await s.post('/document-folders', { name: 'A' });
    const b = await s.post('/document-folders', { name: 'B', parentId: a.body.id });
    const fa = (await s.get('/document-folders')).body.items.find((x: { id: string }) => x.id === a.body.id);
    const cycle = await s.patch(`/document-folders/${a.body.id}`, { parentId: b.body.id, version: fa.version });
    expect(cycle.body.code).toBe('FOLDER_CYCLE');
    expect((await s.delete(`/document-folders/${a.body.id}`)).body.code).toBe('FOLDER_NOT_EMPTY');
    expect((await s.delete(`/document-folders/${b.body.id}`)).status).toBe(204);
    expect((await s.delete(`/document-folders/${a.body.id}`)).status).toBe(204);
  });
});

describe('deals and links', () => {
  it("shows deals' attachments under their client and deal without copying them, to who sees the deal", async () => {
    const f = fixtures(h);
    const user = await f.user('manager');
    const other = await f.user('manager');
    const client = await f.client(user.id, 'Acme Docs');
    const p = await f.pipeline([['New', 'open', [], []]]);
    const s = await login(h, user.email);
    const deal = (await s.post('/deals', { title: 'Turbines', clientId: client.id, pipelineId: p.id })).body;
    const att = await s.request('POST', `/deals/${deal.id}/attachments`, form('proposal text', 'proposal.txt'));
    expect(att.status).toBe(201);
    const clients = (await s.get('/documents/deal-files')).body.clients;
    expect(clients).toContainEqual({ id: client.id, name: 'Acme Docs', files: 1 });
    const deals = (await s.get(`/documents/deal-files?clientId=${client.id}`)).body.deals;
    expect(deals).toHaveLength(1);
    expect(deals[0]).toMatchObject({
      id: deal.id,
      title: 'Turbines',
      files: [{ id: att.body.attachmentId, fileName: 'proposal.txt' }],
    });
    const so = await login(h, other.email);
    expect((await so.get('/documents/deal-files')).body.clients).toEqual([]);
    expect((await so.get(`/documents/deal-files?clientId=${client.id}`)).body.deals).toEqual([]);

    // a document linked to the client and the deal is listed by either link
    const doc = await upload(s, 'linked', 'linked.txt');
    const d = (await s.get(`/documents/${doc.body.id}`)).body;
    const linked = await s.patch(`/documents/${doc.body.id}`, {
      links: [
        { type: 'client', id: client.id },
        { type: 'deal', id: deal.id },
      ],
      tags: ['acme'],
      version: d.version,
    });
    expect(linked.status).toBe(200);
    expect(linked.body.links.map((l: { name: string }) => l.name).sort()).toEqual(['Acme Docs', 'Turbines']);
    expect(
      (await s.get(`/documents?linkType=deal&linkId=${deal.id}`)).body.items.map((x: { id: string }) => x.id),
    ).toEqual([doc.body.id]);
    // a client the other manager does not see cannot be linked
    const theirs = await upload(so, 'theirs', 'theirs.txt');
    const t = (await so.get(`/documents/${theirs.body.id}`)).body;
    const refused = await so.patch(`/documents/${theirs.body.id}`, {
      links: [{ type: 'client', id: client.id }],
      version: t.version,
    });
    expect(refused.status).toBe(422);
  });

  it('makes a document from files already stored (as the Feed does)', async () => {
    const f = fixtures(h);
    const user = await f.user('manager');
    const s = await login(h, user.email);
    const first = await upload(s, 'stored once, reused: hovercraft', 'h.txt');
    const sha = (await s.get(`/documents/${first.body.id}`)).body.versions[0].sha256;
    const made = await createDocumentFromFiles(
      h.ctx.orm.em.fork(),
      { id: user.id, role: 'manager', departmentId: null },
      {
        title: 'From a post',
        files: [{ sha256: sha, name: 'post.txt', mime: 'text/plain' }],
      },
    );
    const d = await s.get(`/documents/${made.id}`);
    expect(d.body).toMatchObject({ title: 'From a post', currentVersion: 1, fileName: 'post.txt' });
    expect((await s.request('GET', `/documents/${made.id}/versions/1/content`)).body).toBe(
      'stored once, reused: hovercraft',
    );
    await extracted(s, first.body.id);
  });
});

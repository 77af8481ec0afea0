import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let kindId: string;
let owner: Session;
let stranger: Session;
let lead: Session;
let otherLead: Session;
let admin: Session;
let member: Session;
let processOwner: Session;
let dealId: string;
let attachmentId: string;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  kindId = (await f.documentKind('commercial_proposal', 'Commercial proposal')).id;
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal sent', 'open', ['amount'], [kindId]],
    ['Won', 'won', [], []],
  ]);
  const leadUser = await f.user('lead');
  const otherLeadUser = await f.user('lead');
  const group = await f.department('Group A', leadUser.id);
  await f.department('Group B', otherLeadUser.id);
  const ownerUser = await f.user('manager', { departmentId: group.id });
  const strangerUser = await f.user('manager');
  const client = await f.client(ownerUser.id);
  [owner, stranger, lead, otherLead, admin, member, processOwner] = await Promise.all([
    login(h, ownerUser.email),
    login(h, strangerUser.email),
    login(h, leadUser.email),
    login(h, otherLeadUser.email),
    login(h, (await f.user('admin')).email),
    login(h, (await f.user('member')).email),
    login(h, (await f.user('process_owner')).email),
  ]);
  const deal = await owner.post('/deals', { title: 'Private deal', clientId: client.id, pipelineId: pipeline.id });
  expect(deal.status).toBe(201);
  dealId = deal.body.id;
  const form = new FormData();
  form.set('file', new Blob(['hello']), 'note.txt');
  const att = await owner.request('POST', `/deals/${dealId}/attachments`, form);
  expect(att.status).toBe(201);
  attachmentId = att.body.attachmentId;
});
afterAll(() => h?.close());

const every = (s: Session) => [
  s.get(`/deals/${dealId}`),
  s.patch(`/deals/${dealId}`, { changes: { title: 'stolen' } }),
  s.post(`/deals/${dealId}/stage`, { stageId: pipeline.stages[2].id }),
  s.get(`/deals/${dealId}/requirements?stageId=${pipeline.stages[1].id}`),
  s.request(
    'POST',
    `/deals/${dealId}/attachments`,
    (() => {
      const fd = new FormData();
      fd.set('file', new Blob(['x']), 'x.txt');
      return fd;
    })(),
  ),
  s.get(`/deals/${dealId}/attachments/${attachmentId}/content`),
  s.delete(`/deals/${dealId}/attachments/${attachmentId}`),
];

describe('deal access', () => {
  it('answers 404 on every verb for a deal the user may not see, and changes nothing', async () => {
    for (const s of [stranger, otherLead, member, processOwner]) {
      const results = await Promise.all(every(s));
      expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
      for (const r of results) expect(JSON.stringify(r.body)).not.toContain('Private deal');
      const list = await s.get('/deals');
      expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(dealId);
    }
    const after = await owner.get(`/deals/${dealId}`);
    expect(after.body).toMatchObject({ title: 'Private deal', version: 2, stageId: pipeline.stages[0].id });
    expect(after.body.attachments).toHaveLength(1);
  });

  it('lets the owner, the lead of their group and an admin see it', async () => {
    for (const s of [owner, lead, admin]) {
      expect((await s.get(`/deals/${dealId}`)).status).toBe(200);
      const list = await s.get(`/deals?pipelineId=${pipeline.id}`);
      expect(list.body.items.map((d: { id: string }) => d.id)).toContain(dealId);
    }
    const download = await lead.request('GET', `/deals/${dealId}/attachments/${attachmentId}/content`);
    expect(download.status).toBe(200);
    expect(download.body).toBe('hello');
  });

  it('answers 401 without a session or token', async () => {
    const anon = new Session(h.baseUrl);
    expect((await anon.get(`/deals/${dealId}`)).status).toBe(401);
    expect((await anon.get('/deals')).status).toBe(401);
  });

  it('keeps no uploaded bytes from a refused upload', async () => {
    const upload = (s: Session) => {
      const fd = new FormData();
      fd.set('file', new Blob([new Uint8Array(64 * 1024)]), 'x.bin');
      return s.request('POST', `/deals/${dealId}/attachments`, fd);
    };
    expect((await upload(new Session(h.baseUrl))).status).toBe(401);
    expect((await upload(stranger)).status).toBe(404);
    const badKind = new FormData();
    badKind.set('documentKindId', 'nope');
    badKind.set('file', new Blob(['x']), 'x.txt');
    expect((await owner.request('POST', `/deals/${dealId}/attachments`, badKind)).status).toBe(400);
    expect(fs.readdirSync(h.ctx.storage.tmpDir)).toEqual([]);
  });

  it('holds the stage gate for every role and for API tokens', async () => {
    const token = (await admin.post('/auth/tokens', { name: 'import script' })).body.token as string;
    const script = new Session(h.baseUrl, token);
    for (const s of [owner, lead, admin, script]) {
      const r = await s.post(`/deals/${dealId}/stage`, { stageId: pipeline.stages[1].id });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('STAGE_REQUIREMENTS_UNMET');
    }
    expect((await owner.get(`/deals/${dealId}`)).body.stageId).toBe(pipeline.stages[0].id);
  });

  it('never takes owner, stage or version from a create or edit body', async () => {
    const client = await f.client((await owner.get('/auth/me')).body.user.id);
    for (const extra of [{ ownerId: client.ownerId }, { stageId: pipeline.stages[1].id }, { version: 5 }]) {
      const r = await owner.post('/deals', { title: 'x', clientId: client.id, pipelineId: pipeline.id, ...extra });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
    const edit = await owner.patch(`/deals/${dealId}`, { changes: { stageId: pipeline.stages[1].id } });
    expect(edit.status).toBe(400);
  });

  it('refuses a deal for a client the user cannot see', async () => {
    const foreign = await f.client((await stranger.get('/auth/me')).body.user.id);
    const r = await owner.post('/deals', { title: 'x', clientId: foreign.id, pipelineId: pipeline.id });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('INVALID_REFERENCE');
  });
});

describe('deal input validation', () => {
  it('rejects malformed JSON, wrong types and bad values with 4xx and a message', async () => {
    const bad = await owner.request('PATCH', `/deals/${dealId}`, '{"changes": ', {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('MALFORMED_JSON');
    const type = await owner.patch(`/deals/${dealId}`, { changes: { title: 42 } });
    expect(type.status).toBe(400);
    expect(type.body.detail).toContain('changes.title');
    const cur = await owner.patch(`/deals/${dealId}`, { changes: { amount: '10', currency: 'euro' } });
    expect(cur.status).toBe(400);
    const half = await owner.patch(`/deals/${dealId}`, { changes: { amount: '10' } });
    expect(half.status).toBe(422);
    expect(half.body.code).toBe('INVALID_FIELD_VALUE');
    const unknownField = await owner.patch(`/deals/${dealId}`, { changes: { custom: { nope: 'x' } } });
    expect(unknownField.status).toBe(422);
    const big = await owner.request(
      'PATCH',
      `/deals/${dealId}`,
      JSON.stringify({ changes: { title: 'x'.repeat(2_000_000) } }),
      { 'content-type': 'application/json' },
    );
    expect(big.status).toBe(413);
    const badId = await owner.get('/deals/not-a-uuid');
    expect(badId.status).toBe(400);
  });

  it('refuses uploads over the size limit with 413', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(1024 * 1024 + 10)]), 'big.bin');
    const r = await owner.request('POST', `/deals/${dealId}/attachments`, form);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('FILE_TOO_LARGE');
  });
});

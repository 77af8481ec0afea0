/**
 * Deletions in the audit log: removing an attachment from a deal appends `deal.attachment_removed` (who, which deal,
 * which file) in the transaction of the delete, read back by an administrator through GET /api/v1/audit; other roles
 * may not read the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let manager: Session;
let admin: Session;
let managerId: string;
let managerEmail: string;
let dealId: string;
beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const m = await f.user('manager');
  managerId = m.id;
  managerEmail = m.email;
  const a = await f.user('admin');
  const pipelineId = (await f.pipeline([['New', 'open', [], []]])).id;
  manager = await login(h, m.email);
  admin = await login(h, a.email);
  const clientId = (await f.client(m.id)).id;
  dealId = (await manager.post('/deals', { title: 'Audited', clientId, pipelineId })).body.id;
});
afterAll(() => h?.close());

async function attach(name: string) {
  const form = new FormData();
  form.set('file', new Blob(['contents']), name);
  const r = await manager.request('POST', `/deals/${dealId}/attachments`, form);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.attachmentId as string;
}

const removals = async (query = '') => {
  const r = await admin.get(`/audit?kind=deal.attachment_removed${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const items = r.body.items as { subjectId: string; details: { attachmentId: string } }[];
  return items.filter((e) => e.subjectId === dealId);
};

describe('removing an attachment from a deal', () => {
  it('is in the audit log: who, the deal, the attachment and its file name', async () => {
    const kept = await attach('kept.txt');
    const removed = await attach('offer v2.pdf');
    const before = new Date().toISOString();
    const r = await manager.delete(`/deals/${dealId}/attachments/${removed}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);

    const entries = await removals(`&from=${encodeURIComponent(before)}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'deal.attachment_removed',
      actorId: managerId,
      actorEmail: managerEmail,
      subjectType: 'deal',
      subjectId: dealId,
      details: { attachmentId: removed, fileName: 'offer v2.pdf' },
    });
    expect(Date.parse((entries[0] as unknown as { at: string }).at)).toBeGreaterThanOrEqual(Date.parse(before));
    // the deal shows the attachment gone, the other one kept
    const deal = (await manager.get(`/deals/${dealId}`)).body;
    expect(deal.attachments.map((a: { id: string }) => a.id)).toEqual([kept]);
  });

  it('that was already removed writes no second entry', async () => {
    const id = await attach('twice.txt');
    expect((await manager.delete(`/deals/${dealId}/attachments/${id}`)).status).toBe(200);
    expect((await manager.delete(`/deals/${dealId}/attachments/${id}`)).status).toBe(404);
    expect((await removals()).filter((e) => e.details.attachmentId === id)).toHaveLength(1);
  });

  it('the audit log is for administrators only', async () => {
    const r = await manager.get('/audit?kind=deal.attachment_removed');
    expect(r.status).toBe(403);
    expect(r.body.items).toBeUndefined();
  });
});

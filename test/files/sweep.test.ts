import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { createActivities } from '../../activities/index.ts';
import { StoredFile } from '../../modules/files/entities.ts';
import { fileSweepWorkflowId } from '../../workflows/file-sweep.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const upload = (content: string) => {
  const form = new FormData();
  form.set('file', new Blob([content]), 'f.txt');
  return form;
};

it('removes content no attachment uses once its grace period is over, and keeps attached and fresh content', async () => {
  const f = fixtures(h);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const p = await f.pipeline([['New', 'open', [], []]]);
  const s = await login(h, user.email);
  const deal = (await s.post('/deals', { title: 'Files', clientId: client.id, pipelineId: p.id })).body;
  const kept = await s.request('POST', `/deals/${deal.id}/attachments`, upload('attached content'));
  expect(kept.status).toBe(201);
  const refused = await s.request(
    'POST',
    `/deals/${deal.id}/attachments`,
    (() => {
      const fd = upload('refused content');
      fd.set('version', '99');
      return fd;
    })(),
  );
  expect(refused.status).toBe(409);
  const removed = await s.request('POST', `/deals/${deal.id}/attachments`, upload('removed content'));
  expect((await s.delete(`/deals/${deal.id}/attachments/${removed.body.attachmentId}`)).status).toBe(200);
  const fresh = await s.request(
    'POST',
    `/deals/${deal.id}/attachments`,
    (() => {
      const fd = upload('fresh content');
      fd.set('version', '99');
      return fd;
    })(),
  );
  expect(fresh.status).toBe(409);

  const em = h.ctx.orm.em.fork();
  const all = await em.find(StoredFile, {});
  expect(all).toHaveLength(4);
  const shaOf = async (content: string) => h.ctx.storage.hashOf(await writeTemp(content));
  const [attachedSha, refusedSha, removedSha, freshSha] = await Promise.all(
    ['attached content', 'refused content', 'removed content', 'fresh content'].map(shaOf),
  );
  // all but the fresh one were last uploaded two days ago
  await em
    .getConnection()
    .execute(`update files set created_at = now() - interval '2 days' where sha256 <> ?`, [freshSha]);

  const acts = createActivities({ orm: h.ctx.orm, storage: h.ctx.storage });
  expect(await acts.sweepFiles({ graceHours: 24 })).toBe(2);
  const left = (await h.ctx.orm.em.fork().find(StoredFile, {})).map((x) => x.sha256).sort();
  expect(left).toEqual([attachedSha, freshSha].sort());
  expect(fs.existsSync(h.ctx.storage.pathOf(refusedSha))).toBe(false);
  expect(fs.existsSync(h.ctx.storage.pathOf(removedSha))).toBe(false);
  expect(fs.existsSync(h.ctx.storage.pathOf(attachedSha))).toBe(true);
  const download = await s.request('GET', `/deals/${deal.id}/attachments/${kept.body.attachmentId}/content`);
  expect(download.body).toBe('attached content');

  // uploading content again that was swept brings it back
  const again = await s.request('POST', `/deals/${deal.id}/attachments`, upload('refused content'));
  expect(again.status).toBe(201);
  expect((await s.request('GET', `/deals/${deal.id}/attachments/${again.body.attachmentId}/content`)).body).toBe(
    'refused content',
  );
});

it('runs the sweep as a workflow that the worker starts once per task queue', async () => {
  const handle = h.ctx.temporal.workflow.getHandle(fileSweepWorkflowId(h.taskQueue));
  expect((await handle.describe()).status.name).toBe('RUNNING');
});

async function writeTemp(content: string) {
  const p = `${h.ctx.storage.tmpDir}/probe-${Math.random().toString(36).slice(2)}`;
  await fs.promises.writeFile(p, content);
  return p;
}

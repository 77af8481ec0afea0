/**
 * System posts: the timeline the deal workflow writes (record_events) is projected into the feed — a gated stage
 * passed, a deal won or lost — each about its deal, read by whoever sees the deal. The projection is durable and
 * idempotent: an event whose transaction commits after later ones is still posted, and reading again posts nothing
 * twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectTimeline } from '../../modules/feed/projector.ts';
import { recordEvent } from '../../modules/timeline/write.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

let h: Harness;
let owner: Session;
let lead: Session;
let outsider: Session;
let ownerId: string;
let stages: { id: string; name: string }[];
let pipelineId: string;

interface Post {
  id: string;
  systemKind: string | null;
  record: { type: string; id: string; title: string } | null;
  data: Record<string, unknown>;
  author: unknown;
}
const systemPosts = async (s: Session, dealId: string) =>
  ((await s.get(`/feed/posts?show=system&recordType=deal&recordId=${dealId}`)).body.items as Post[]).reverse();

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const leadUser = await f.user('lead');
  const dept = await f.department('North', leadUser.id);
  const o = await f.user('manager', { departmentId: dept.id });
  const x = await f.user('manager');
  ownerId = o.id;
  [owner, lead, outsider] = await Promise.all([o, leadUser, x].map((u) => login(h, u.email)));
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Talks', 'open', [], []],
    ['Proposal', 'open', ['amount'], []],
    ['Won', 'won', [], []],
    ['Lost', 'lost', [], []],
  ]);
  pipelineId = p.id;
  stages = p.stages;
});
afterAll(async () => {
  await h?.close();
});

describe('system posts from the timeline', () => {
  it('posts a gated stage passed and a deal won, about the deal, to those who see it', async () => {
    const client = (await owner.post('/clients', { name: 'System Client' })).body;
    const deal = (await owner.post('/deals', { title: 'Big deal', clientId: client.id, pipelineId })).body;
    const dealId: string = deal.id ?? deal.deal.id;
    const stage = (name: string) => stages.find((s) => s.name === name)!.id;
    expect((await owner.post(`/deals/${dealId}/stage`, { stageId: stage('Talks') })).status).toBe(200);
    const gated = await owner.post(`/deals/${dealId}/stage`, {
      stageId: stage('Proposal'),
      changes: { amount: '1000', currency: 'EUR' },
    });
    expect(gated.status).toBe(200);
    expect((await owner.post(`/deals/${dealId}/stage`, { stageId: stage('Won') })).status).toBe(200);
    const posts = await until(
      () => systemPosts(lead, dealId),
      (p) => p.length >= 2,
    );
    // an open stage without requirements is no news
    expect(posts.map((p) => [p.systemKind, p.data.stage])).toEqual([
      ['stage_passed', 'Proposal'],
      ['deal_won', 'Won'],
    ]);
    expect(posts[1]).toMatchObject({ author: null, record: { type: 'deal', id: dealId, title: 'Big deal' } });
    expect((await outsider.get(`/feed/posts/${posts[1].id}`)).status).toBe(404);
    expect(await systemPosts(owner, dealId)).toHaveLength(2);
  });

  it('posts an event committed after a later one, and never twice', async () => {
    const client = (await owner.post('/clients', { name: 'Late Client' })).body;
    const deal = (await owner.post('/deals', { title: 'Late deal', clientId: client.id, pipelineId })).body;
    const dealId: string = deal.id ?? deal.deal.id;
    const won = stages.find((s) => s.name === 'Won')!.id;
    const lost = stages.find((s) => s.name === 'Lost')!.id;
    // a transaction takes an event id and stays open while a later event commits and is projected
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const early = h.ctx.orm.em.fork().transactional(async (em) => {
      await recordEvent(em, {
        recordType: 'deal',
        recordId: dealId,
        kind: 'stage_changed',
        actorId: ownerId,
        opId: randomUUID(),
        toStageId: lost,
        data: {},
      });
      written();
      await held;
    });
    await wrote;
    await h.ctx.orm.em.fork().transactional(async (em) => {
      await recordEvent(em, {
        recordType: 'deal',
        recordId: dealId,
        kind: 'stage_changed',
        actorId: ownerId,
        opId: randomUUID(),
        toStageId: won,
        data: {},
      });
    });
    await until(
      () => systemPosts(owner, dealId),
      (p) => p.length === 1,
    );
    release();
    await early;
    const posts = await until(
      () => systemPosts(owner, dealId),
      (p) => p.length === 2,
    );
    expect(posts.map((p) => p.systemKind).sort()).toEqual(['deal_lost', 'deal_won']);
    // the cursor set back to the start: everything is read again, nothing is posted twice
    await h.ctx.orm.em.fork().getConnection().execute(`update feed_projection set last_id = 0, tx_xmin = '1'::xid8`);
    while ((await projectTimeline(h.ctx.orm)) >= 500);
    await projectTimeline(h.ctx.orm);
    expect(await systemPosts(owner, dealId)).toHaveLength(2);
  });
});

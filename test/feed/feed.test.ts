/**
 * The feed over HTTP on real Postgres: posts to the company, a department or a deal; mentions told to the person
 * (and refused for someone who cannot read the post); comments make a post rise and tell its followers; filters,
 * pages, the unread count; attachments; another group's posts are 404 and never reach their streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { openStream } from '../live/sse.ts';

let h: Harness;
let author: Session; // a manager in East
let colleague: Session; // another manager in East
let lead: Session; // leads East
let outsider: Session; // a manager in West
let admin: Session;
let ids: { author: string; colleague: string; lead: string; outsider: string; east: string; west: string };
let pipelineId: string;

const mention = (id: string, name = 'someone') => `@[${name}](${id})`;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const leadUser = await f.user('lead');
  const east = await f.department('East', leadUser.id);
  const west = await f.department('West');
  const a = await f.user('manager', { departmentId: east.id, name: 'Anna Author' });
  const c = await f.user('manager', { departmentId: east.id, name: 'Carl Colleague' });
  const o = await f.user('manager', { departmentId: west.id, name: 'Olga Outsider' });
  const ad = await f.user('admin');
  ids = { author: a.id, colleague: c.id, lead: leadUser.id, outsider: o.id, east: east.id, west: west.id };
  [author, colleague, lead, outsider, admin] = await Promise.all([a, c, leadUser, o, ad].map((u) => login(h, u.email)));
  pipelineId = (
    await f.pipeline([
      ['New', 'open', [], []],
      ['Proposal', 'open', ['amount'], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ])
  ).id;
});
afterAll(async () => {
  await h?.close();
});

describe('posts and mentions', () => {
  it('posts to the company with a mention: the person is told, sees it live, and it is in their mentions', async () => {
    const stream = await openStream(colleague);
    const outsiderStream = await openStream(outsider);
    const r = await author.post('/feed/posts', {
      audience: 'company',
      body: `Hello **team**, ${mention(ids.colleague, 'Carl')} please look`,
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      author: { id: ids.author, name: 'Anna Author' },
      audience: 'company',
      mentions: [{ id: ids.colleague, name: 'Carl Colleague' }],
      commentCount: 0,
      following: true,
      systemKind: null,
    });
    const live = await stream.next((m) => m.event === 'feed' && m.data.postId === r.body.id);
    expect(live.data).toMatchObject({ kind: 'post', authorId: ids.author, commentId: null });
    // a company post reaches everyone's stream
    await outsiderStream.next((m) => m.event === 'feed' && m.data.postId === r.body.id);
    const told = await stream.next((m) => m.event === 'notification' && m.data.kind === 'feed_mention');
    expect(told.data).toMatchObject({ recordType: 'feed_post', recordId: r.body.id, ownerName: 'Anna Author' });
    const mentions = await colleague.get('/feed/posts?show=mentions');
    expect(mentions.body.items.map((p: { id: string }) => p.id)).toEqual([r.body.id]);
  });

  it("keeps a department's posts to it: another group's member gets 404, no list entry, nothing live", async () => {
    const outsiderStream = await openStream(outsider);
    const leadStream = await openStream(lead);
    const r = await author.post('/feed/posts', { audience: 'department', departmentId: ids.east, body: 'East only' });
    expect(r.status).toBe(201);
    expect(r.body.department).toEqual({ id: ids.east, name: 'East' });
    await leadStream.next((m) => m.event === 'feed' && m.data.postId === r.body.id);
    expect((await colleague.get(`/feed/posts/${r.body.id}`)).status).toBe(200);
    expect((await admin.get(`/feed/posts/${r.body.id}`)).status).toBe(200);
    const hidden = await outsider.get(`/feed/posts/${r.body.id}`);
    expect(hidden.status).toBe(404);
    expect((await outsider.get(`/feed/posts/${r.body.id}/comments`)).status).toBe(404);
    expect((await outsider.post(`/feed/posts/${r.body.id}/comments`, { body: 'hi' })).status).toBe(404);
    expect((await outsider.request('PUT', `/feed/posts/${r.body.id}/follow`)).status).toBe(404);
    const list = await outsider.get('/feed/posts');
    expect(list.body.items.map((p: { id: string }) => p.id)).not.toContain(r.body.id);
    // a post after it, to the company, does reach the outsider: the department's never did
    const later = await author.post('/feed/posts', { audience: 'company', body: 'for all' });
    await outsiderStream.next((m) => m.event === 'feed' && m.data.postId === later.body.id);
    expect(outsiderStream.messages.some((m) => m.event === 'feed' && m.data.postId === r.body.id)).toBe(false);
    // one cannot post to a department one does not belong to
    const refused = await outsider.post('/feed/posts', { audience: 'department', departmentId: ids.east, body: 'x' });
    expect(refused.status).toBe(404);
  });

  it('refuses a mention of someone who cannot read the post, naming them', async () => {
    const r = await author.post('/feed/posts', {
      audience: 'department',
      departmentId: ids.east,
      body: `${mention(ids.outsider)} and ${mention(ids.colleague)}`,
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'MENTION_NOT_ALLOWED', userIds: [ids.outsider] });
    const unknown = await author.post('/feed/posts', {
      audience: 'company',
      body: mention('00000000-0000-4000-8000-000000000000'),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('MENTION_NOT_ALLOWED');
    const who = await author.get(`/feed/mentionable?audience=department&departmentId=${ids.east}&q=`);
    const names = who.body.items.map((u: { id: string }) => u.id);
    expect(names).toEqual(expect.arrayContaining([ids.colleague, ids.lead]));
    expect(names).not.toContain(ids.outsider);
  });

  it('posts about a deal to those who see it; a stranger cannot read it, be mentioned or post about it', async () => {
    const client = (await author.post('/clients', { name: 'Feed Client' })).body;
    const deal = (await author.post('/deals', { title: 'Feed deal', clientId: client.id, pipelineId })).body;
    const dealId = deal.id ?? deal.deal?.id;
    const r = await author.post('/feed/posts', {
      audience: 'record',
      recordType: 'deal',
      recordId: dealId,
      body: `Pricing agreed, ${mention(ids.lead)}`,
    });
    expect(r.status).toBe(201);
    expect(r.body.record).toEqual({ type: 'deal', id: dealId, title: 'Feed deal' });
    expect((await lead.get(`/feed/posts/${r.body.id}`)).status).toBe(200);
    expect((await colleague.get(`/feed/posts/${r.body.id}`)).status).toBe(404);
    const bad = await author.post('/feed/posts', {
      audience: 'record',
      recordType: 'deal',
      recordId: dealId,
      body: mention(ids.colleague),
    });
    expect(bad).toMatchObject({ status: 422, body: { code: 'MENTION_NOT_ALLOWED', userIds: [ids.colleague] } });
    const foreign = await colleague.post('/feed/posts', {
      audience: 'record',
      recordType: 'deal',
      recordId: dealId,
      body: 'x',
    });
    expect(foreign.status).toBe(404);
    // the deal's posts, and the client's (with its deals')
    const byDeal = await lead.get(`/feed/posts?recordType=deal&recordId=${dealId}`);
    expect(byDeal.body.items.map((p: { id: string }) => p.id)).toEqual([r.body.id]);
    const byClient = await author.get(`/feed/posts?recordType=client&recordId=${client.id}`);
    expect(byClient.body.items.map((p: { id: string }) => p.id)).toEqual([r.body.id]);
  });

  it('refuses a post without a body or with an incomplete audience', async () => {
    expect((await author.post('/feed/posts', { audience: 'company', body: '  ' })).status).toBe(400);
    expect((await author.post('/feed/posts', { audience: 'department', body: 'x' })).status).toBe(400);
    expect((await author.post('/feed/posts', { audience: 'record', recordType: 'deal', body: 'x' })).status).toBe(400);
  });
});

describe('comments, following, unread', () => {
  it('a comment makes the post rise and tells its followers; unfollowing stops that', async () => {
    const first = (await author.post('/feed/posts', { audience: 'company', body: 'first' })).body;
    const second = (await author.post('/feed/posts', { audience: 'company', body: 'second' })).body;
    let top = (await colleague.get('/feed/posts?limit=2')).body.items.map((p: { id: string }) => p.id);
    expect(top).toEqual([second.id, first.id]);
    const authorStream = await openStream(author);
    const c = await colleague.post(`/feed/posts/${first.id}/comments`, { body: `agreed ${mention(ids.lead)}` });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ postId: first.id, author: { id: ids.colleague }, mentions: [{ id: ids.lead }] });
    top = (await colleague.get('/feed/posts?limit=2')).body.items.map((p: { id: string }) => p.id);
    expect(top).toEqual([first.id, second.id]);
    const live = await authorStream.next((m) => m.event === 'feed' && m.data.commentId === c.body.id);
    expect(live.data).toMatchObject({ kind: 'comment', postId: first.id, authorId: ids.colleague });
    const told = await authorStream.next((m) => m.event === 'notification' && m.data.kind === 'feed_comment');
    expect(told.data.recordId).toBe(first.id);
    const comments = await lead.get(`/feed/posts/${first.id}/comments`);
    expect(comments.body.items.map((x: { body: string }) => x.body)).toEqual([`agreed ${mention(ids.lead)}`]);
    expect((await colleague.get(`/feed/posts/${first.id}`)).body).toMatchObject({ commentCount: 1, following: true });

    const off = await author.delete(`/feed/posts/${first.id}/follow`);
    expect(off.body.following).toBe(false);
    const c2 = await colleague.post(`/feed/posts/${first.id}/comments`, { body: 'again' });
    await authorStream.next((m) => m.event === 'feed' && m.data.commentId === c2.body.id);
    const notes = await author.get('/notifications');
    const aboutFirst = notes.body.items.filter((n: { kind: string; recordId: string }) => n.recordId === first.id);
    expect(aboutFirst).toHaveLength(1);
    const on = await author.request('PUT', `/feed/posts/${first.id}/follow`);
    expect(on.body.following).toBe(true);
    expect((await author.get('/feed/posts?show=following')).body.items.map((p: { id: string }) => p.id)).toContain(
      first.id,
    );
  });

  it('counts unread posts until the feed is read; one’s own activity is not unread', async () => {
    await outsider.post('/feed/read', {});
    expect((await outsider.get('/feed/unread-count')).body.count).toBe(0);
    await author.post('/feed/posts', { audience: 'company', body: 'news 1' });
    await author.post('/feed/posts', { audience: 'company', body: 'news 2' });
    await author.post('/feed/posts', { audience: 'department', departmentId: ids.east, body: 'not for West' });
    await outsider.post('/feed/posts', { audience: 'company', body: 'mine' });
    expect((await outsider.get('/feed/unread-count')).body.count).toBe(2);
    await outsider.post('/feed/read', {});
    expect((await outsider.get('/feed/unread-count')).body.count).toBe(0);
  });

  it('pages the feed by cursor and filters mine', async () => {
    for (let i = 0; i < 5; i++) await lead.post('/feed/posts', { audience: 'company', body: `page ${i}` });
    const p1 = await lead.get('/feed/posts?show=mine&limit=3');
    expect(p1.body.items.map((p: { body: string }) => p.body)).toEqual(['page 4', 'page 3', 'page 2']);
    const p2 = await lead.get(`/feed/posts?show=mine&limit=3&cursor=${p1.body.nextCursor}`);
    expect(p2.body.items.map((p: { body: string }) => p.body)).toEqual(['page 1', 'page 0']);
    expect(p2.body.nextCursor).toBeNull();
    expect((await lead.get('/feed/posts?cursor=nonsense')).status).toBe(400);
  });
});

describe('attachments', () => {
  it('attaches an upload to a post; readers download it, another group gets 404', async () => {
    const form = new FormData();
    form.append('file', new Blob(['quarterly numbers'], { type: 'text/plain' }), '../../etc/report.txt');
    const up = await author.request('POST', '/feed/attachments', form);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ fileName: 'report.txt', size: 17 });
    // not someone else's to attach
    const stolen = await colleague.post('/feed/posts', { audience: 'company', body: 'x', attachmentIds: [up.body.id] });
    expect(stolen.status).toBe(422);
    const r = await author.post('/feed/posts', {
      audience: 'department',
      departmentId: ids.east,
      body: 'see attached',
      attachmentIds: [up.body.id],
    });
    expect(r.body.attachments).toEqual([up.body]);
    const file = await colleague.request('GET', `/feed/attachments/${up.body.id}/content`);
    expect(file.status).toBe(200);
    expect(file.body).toBe('quarterly numbers');
    expect(file.headers.get('content-disposition')).toContain('report.txt');
    expect((await outsider.request('GET', `/feed/attachments/${up.body.id}/content`)).status).toBe(404);
  });
});

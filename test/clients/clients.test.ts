import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { RecordEvent } from '../../modules/timeline/entities.ts';

let h: Harness;
let manager: Session;
let managerId: string;
let managerName: string;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  const m = await f.user('manager', { name: 'Maria Manager' });
  managerId = m.id;
  managerName = m.name;
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

async function allPages(s: Session, query: string, limit: number) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await s.get(`/clients?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...r.body.items.map((c: { name: string }) => c.name));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { seen, pages };
}

describe('creating and reading clients', () => {
  it('creates a client owned by the caller with every field, trimmed, empty strings as null', async () => {
    const r = await manager.post('/clients', {
      name: '  Acme GmbH ',
      taxId: 'DE123',
      website: 'https://acme.example',
      email: 'info@acme.example',
      phone: '+49 30 1234',
      address: 'Berlin',
      notes: '',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'Acme GmbH',
      taxId: 'DE123',
      website: 'https://acme.example',
      email: 'info@acme.example',
      phone: '+49 30 1234',
      address: 'Berlin',
      notes: null,
      ownerId: managerId,
      ownerName: managerName,
      version: 1,
    });
    expect(Object.keys(r.body).sort()).toEqual([
      'address',
      'createdAt',
      'email',
      'id',
      'name',
      'notes',
      'ownerId',
      'ownerName',
      'phone',
      'taxId',
      'updatedAt',
      'version',
      'website',
    ]);
    const got = await manager.get(`/clients/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...r.body, contacts: [] });
  });

  it('never takes the owner from the body', async () => {
    const other = await f.user('manager');
    const r = await manager.post('/clients', { name: 'Owned elsewhere?', ownerId: other.id });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors[0]).toMatchObject({ in: 'body', code: 'unrecognized_keys' });
    const patch = await manager.post('/clients', { name: 'Mine' });
    const steal = await manager.patch(`/clients/${patch.body.id}`, { ownerId: other.id });
    expect(steal.status).toBe(400);
    expect((await manager.get(`/clients/${patch.body.id}`)).body.ownerId).toBe(managerId);
  });

  it('validates the body: unknown field, bad types, blank name, bad email, malformed JSON, wrong content type', async () => {
    const cases = [
      await manager.post('/clients', { name: 'X', colour: 'red' }),
      await manager.post('/clients', { name: 42 }),
      await manager.post('/clients', { name: '   ' }),
      await manager.post('/clients', {}),
      await manager.post('/clients', { name: 'X', email: 'not an email' }),
      await manager.post('/clients', { name: 'X'.repeat(301) }),
    ];
    expect(cases.map((r) => [r.status, r.body.code])).toEqual(cases.map(() => [400, 'VALIDATION_FAILED']));
    expect(cases[0].body.detail).toContain('colour');
    const malformed = await manager.request('POST', '/clients', '{"name": "Broken",', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    const form = await manager.request('POST', '/clients', 'name=X', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const badId = await manager.get('/clients/not-a-uuid');
    expect(badId.status).toBe(400);
    const badLimit = await manager.get('/clients?limit=0');
    expect(badLimit.status).toBe(400);
    const unknownQuery = await manager.get('/clients?owner=me');
    expect(unknownQuery.status).toBe(400);
    const badCursor = await manager.get('/clients?cursor=garbage');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('BAD_CURSOR');
  });
});

describe('listing clients', () => {
  let lister: Session;
  const names = [
    'delta',
    'Alpha',
    'charlie',
    'Bravo',
    'echo',
    'alpha',
    'Foxtrot',
    'golf',
    'Hotel',
    '100% Juice',
    'under_score',
    'underXscore',
  ];

  beforeAll(async () => {
    const u = await f.user('manager');
    for (const n of names) await f.client(u.id, n);
    lister = await login(h, u.email);
  });

  it('pages through every client exactly once, sorted by name ignoring case', async () => {
    const { seen, pages } = await allPages(lister, '', 5);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(names.length);
    expect(new Set(seen).size).toBe(names.length);
    // by lower(name): upper and lower case interleave (the letters-only names, whose order no collation changes)
    const words = seen.filter((n) => /^[A-Za-z]+$/.test(n));
    expect(words.slice(2)).toEqual(['Bravo', 'charlie', 'delta', 'echo', 'Foxtrot', 'golf', 'Hotel', 'underXscore']);
    expect(words.slice(0, 2).sort()).toEqual(['Alpha', 'alpha']);
    const { seen: bigPage, pages: one } = await allPages(lister, '', 100);
    expect(one).toBe(1);
    expect(bigPage).toEqual(seen);
  });

  it('pages correctly through clients with the same name', async () => {
    const u = await f.user('manager');
    for (let i = 0; i < 7; i++) await f.client(u.id, i % 2 ? 'Same Name' : 'same name');
    const s = await login(h, u.email);
    const r1 = await s.get('/clients?limit=3');
    const { seen } = await allPages(s, '', 2);
    expect(seen).toHaveLength(7);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await s.get(`/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...r.body.items.map((c: { id: string }) => c.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(7);
    expect(ids).toEqual([...ids].sort());
    expect(r1.body.nextCursor).not.toBeNull();
  });

  it('searches names ignoring case, taking % and _ literally', async () => {
    expect((await lister.get('/clients?q=ALPHA')).body.items.map((c: { name: string }) => c.name).sort()).toEqual([
      'Alpha',
      'alpha',
    ]);
    expect((await lister.get('/clients?q=%25')).body.items.map((c: { name: string }) => c.name)).toEqual([
      '100% Juice',
    ]);
    expect((await lister.get('/clients?q=_')).body.items.map((c: { name: string }) => c.name)).toEqual(['under_score']);
    const { seen } = await allPages(lister, '&q=o', 2);
    expect(seen.slice(0, 5)).toEqual(['Bravo', 'echo', 'Foxtrot', 'golf', 'Hotel']);
    expect(seen.slice(5).sort()).toEqual(['underXscore', 'under_score']);
    expect((await lister.get('/clients?q=zzz')).body).toEqual({ items: [], nextCursor: null });
  });
});

describe('changing clients', () => {
  it('changes fields, clears them with null, and counts the version up', async () => {
    const c = (await manager.post('/clients', { name: 'Versioned', phone: '1' })).body;
    const r = await manager.patch(`/clients/${c.id}`, {
      version: 1,
      name: 'Versioned Ltd',
      phone: null,
      website: 'w.example',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Versioned Ltd', phone: null, website: 'w.example', version: 2 });
    expect(new Date(r.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(c.updatedAt).getTime());
    const noVersion = await manager.patch(`/clients/${c.id}`, { notes: 'no version sent' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.errors[0]).toMatchObject({ path: 'version' });
    expect((await manager.get(`/clients/${c.id}`)).body).toMatchObject({ notes: null, version: 2 });
  });

  it('tells a stale writer the current version', async () => {
    const c = (await manager.post('/clients', { name: 'Told' })).body;
    await manager.patch(`/clients/${c.id}`, { version: 1, notes: 'first' });
    const stale = await manager.patch(`/clients/${c.id}`, { version: 1, notes: 'second' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
  });

  it('answers 409 VERSION_CONFLICT to a stale version and changes nothing', async () => {
    const c = (await manager.post('/clients', { name: 'Contested' })).body;
    await manager.patch(`/clients/${c.id}`, { version: 1, notes: 'first' });
    const stale = await manager.patch(`/clients/${c.id}`, { version: 1, notes: 'second' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    expect((await manager.get(`/clients/${c.id}`)).body).toMatchObject({ notes: 'first', version: 2 });
  });

  it('lets exactly one of two concurrent writers with the same version win', async () => {
    const c = (await manager.post('/clients', { name: 'Race' })).body;
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) => manager.patch(`/clients/${c.id}`, { version: 1, notes: n })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body.notes;
    expect((await manager.get(`/clients/${c.id}`)).body).toMatchObject({ notes: winner, version: 2 });
  });

  it('answers 404 to an unknown client id', async () => {
    const r = await manager.patch('/clients/00000000-0000-4000-8000-000000000000', { version: 1, name: 'Ghost' });
    expect(r.status).toBe(404);
  });
});

describe('contacts', () => {
  it('adds contacts, lists them by name, and changes them with a version check', async () => {
    const c = (await manager.post('/clients', { name: 'With contacts' })).body;
    const b = await manager.post(`/clients/${c.id}/contacts`, {
      name: 'Boris',
      position: 'CFO',
      email: 'boris@x.example',
    });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({
      clientId: c.id,
      name: 'Boris',
      position: 'CFO',
      email: 'boris@x.example',
      phone: null,
      version: 1,
    });
    await manager.post(`/clients/${c.id}/contacts`, { name: 'Anna' });
    const detail = await manager.get(`/clients/${c.id}`);
    expect(detail.body.contacts.map((x: { name: string }) => x.name)).toEqual(['Anna', 'Boris']);

    const changed = await manager.patch(`/clients/${c.id}/contacts/${b.body.id}`, {
      version: 1,
      phone: '+7 495 000',
      position: null,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Boris', phone: '+7 495 000', position: null, version: 2 });
    const stale = await manager.patch(`/clients/${c.id}/contacts/${b.body.id}`, { version: 1, name: 'Old' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const unknown = await manager.patch(`/clients/${c.id}/contacts/00000000-0000-4000-8000-000000000000`, {
      version: 1,
      name: 'x',
    });
    expect(unknown.status).toBe(404);
    const invalid = await manager.post(`/clients/${c.id}/contacts`, { name: 'Z', mobile: '1' });
    expect(invalid.status).toBe(400);
    const noName = await manager.post(`/clients/${c.id}/contacts`, { email: 'a@b.example' });
    expect(noName.status).toBe(400);
    expect((await manager.get(`/clients/${c.id}`)).body.contacts).toHaveLength(2);
  });

  it('lets a deal of the client use its new contact', async () => {
    const c = (await manager.post('/clients', { name: 'Contact for deal' })).body;
    const contact = (await manager.post(`/clients/${c.id}/contacts`, { name: 'Deal Contact' })).body;
    const p = await f.pipeline([
      ['New', 'open', [], []],
      ['Qualified', 'open', ['contactId'], []],
    ]);
    const deal = await manager.post('/deals', {
      title: 'Uses contact',
      clientId: c.id,
      pipelineId: p.id,
      contactId: contact.id,
    });
    expect(deal.status).toBe(201);
    expect(deal.body.contactId).toBe(contact.id);
  });
});

describe('duplicate check before creating a client', () => {
  it('finds visible clients with the same name, tax id, email or phone, ignoring case, spaces and punctuation', async () => {
    const mine = (
      await manager.post('/clients', {
        name: 'ООО «Ромашка»',
        taxId: '7707083893',
        email: 'Info@Romashka.example',
        phone: '+7 (495) 123-45-67',
      })
    ).body;
    const other = await f.user('manager');
    await f.client(other.id, 'Ромашка hidden');
    const hidden = await f.client(other.id, 'ооо ромашка');
    const r = await manager.get(
      `/clients/duplicates?name=${encodeURIComponent('ооо ромашка')}&phone=${encodeURIComponent('8 495 1234567')}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      { id: mine.id, name: 'ООО «Ромашка»', taxId: '7707083893', matchedOn: ['name', 'phone'] },
    ]);
    expect(r.body.items.map((i: { id: string }) => i.id)).not.toContain(hidden.id);
    const byTax = await manager.get('/clients/duplicates?taxId=77-0708-3893&email=info@romashka.example');
    expect(byTax.body.items).toEqual([
      { id: mine.id, name: 'ООО «Ромашка»', taxId: '7707083893', matchedOn: ['taxId', 'email'] },
    ]);
    expect((await manager.get('/clients/duplicates?name=Nothing%20like%20it')).body.items).toEqual([]);
    expect((await manager.get('/clients/duplicates')).body.items).toEqual([]);
  });
});

describe('client timeline', () => {
  it('records a create and each edit with the values before and after, not an edit that changed nothing', async () => {
    const c = (await manager.post('/clients', { name: 'Timeline Ltd', phone: '1' })).body;
    await manager.patch(`/clients/${c.id}`, { version: 1, phone: '2', notes: 'hello' });
    await manager.patch(`/clients/${c.id}`, { version: 2, phone: '2' });
    const events = await h.ctx.orm.em
      .fork()
      .find(RecordEvent, { recordType: 'client', recordId: c.id }, { orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.kind, e.actorId, e.data])).toEqual([
      ['created', managerId, { name: 'Timeline Ltd' }],
      ['updated', managerId, { changes: { phone: { from: '1', to: '2' }, notes: { from: null, to: 'hello' } } }],
    ]);
  });
});

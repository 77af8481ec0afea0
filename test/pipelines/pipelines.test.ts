import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let admin: Session;
let manager: Session;
let proposal: { id: string };
let clientId: string;

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  const [a, m] = [await f.user('admin'), await f.user('manager')];
  [admin, manager] = await Promise.all([login(h, a.email), login(h, m.email)]);
  proposal = await f.documentKind('commercial_proposal', 'Commercial proposal');
  await f.dealField('budgetApproved', 'select', ['yes', 'no']);
  clientId = (await f.client(m.id)).id;
});
afterAll(() => h?.close());

type StageBody = {
  id?: string;
  name: string;
  kind: 'open' | 'won' | 'lost';
  requiredFields?: string[];
  requiredDocumentKinds?: string[];
};
const basic = (): StageBody[] => [
  { name: 'New', kind: 'open' },
  { name: 'Proposal', kind: 'open', requiredFields: ['amount', 'budgetApproved'], requiredDocumentKinds: [] },
  { name: 'Won', kind: 'won', requiredFields: ['amount'] },
  { name: 'Lost', kind: 'lost' },
];

async function create(name: string, stages: StageBody[] = basic()) {
  const r = await admin.post('/pipelines', { name, stages });
  expect(r.status).toBe(201);
  return r.body;
}

const stageNames = (p: { stages: { name: string }[] }) => p.stages.map((s) => s.name);
/** A stage as GET returns it, turned into what PUT takes (the order of the list is the position). */
const asInput = ({
  id,
  name,
  kind,
  requiredFields,
  requiredDocumentKinds,
}: StageBody & { position?: number }): StageBody => ({ id, name, kind, requiredFields, requiredDocumentKinds });
/** A pipeline as GET returns it: its stages as PUT takes them. */
const inputs = (p: { stages: (StageBody & { position: number })[] }) => p.stages.map(asInput);

describe('creating and reading pipelines', () => {
  it('creates a pipeline with ordered stages and their requirements', async () => {
    const stages = basic();
    stages[1].requiredDocumentKinds = [proposal.id, proposal.id];
    const p = await create('Enterprise', stages);
    expect(p).toMatchObject({ name: 'Enterprise', archived: false, version: 1 });
    expect(p.stages.map((s: { name: string; position: number; kind: string }) => [s.name, s.position, s.kind])).toEqual(
      [
        ['New', 0, 'open'],
        ['Proposal', 1, 'open'],
        ['Won', 2, 'won'],
        ['Lost', 3, 'lost'],
      ],
    );
    expect(p.stages[1]).toMatchObject({
      requiredFields: ['amount', 'budgetApproved'],
      requiredDocumentKinds: [proposal.id],
    });
    const got = await manager.get(`/pipelines/${p.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(p);
    expect((await manager.get('/pipelines/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('gates deals with the requirements it was given', async () => {
    const p = await create('Gated');
    const deal = await manager.post('/deals', { title: 'Gate me', clientId, pipelineId: p.id });
    expect(deal.body.stageId).toBe(p.stages[0].id);
    const move = await manager.post(`/deals/${deal.body.id}/stage`, { stageId: p.stages[1].id });
    expect(move.status).toBe(422);
    expect(move.body.missing.fields.map((x: { key: string }) => x.key)).toEqual(['amount', 'budgetApproved']);
  });

  it('lists pipelines in order with archived ones last', async () => {
    const first = await create('List first');
    const second = await create('List second');
    const archived = await admin.put(`/pipelines/${first.id}`, {
      name: first.name,
      version: 1,
      archived: true,
      stages: inputs(first),
    });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ archived: true, version: 2 });
    const list = (await manager.get('/pipelines')).body.items as { id: string; archived: boolean; position: number }[];
    const flags = list.map((p) => p.archived);
    expect(flags).toEqual([...flags].sort((a, b) => Number(a) - Number(b)));
    expect(list[list.length - 1].id).toBe(first.id);
    const active = list.filter((p) => !p.archived);
    expect(active.map((p) => p.position)).toEqual([...active.map((p) => p.position)].sort((a, b) => a - b));
    expect(active.map((p) => p.id)).toContain(second.id);
    // an archived pipeline takes no new deals, until it is restored
    const refused = await manager.post('/deals', { title: 'Too late', clientId, pipelineId: first.id });
    expect(refused.status).toBe(422);
    const restored = await admin.put(`/pipelines/${first.id}`, {
      name: first.name,
      version: 2,
      archived: false,
      stages: inputs(first),
    });
    expect(restored.body.archived).toBe(false);
    expect((await manager.post('/deals', { title: 'Now fine', clientId, pipelineId: first.id })).status).toBe(201);
  });
});

describe('pipeline rules', () => {
  const expectInvalid = async (stages: unknown, message: RegExp) => {
    const before = (await admin.get('/pipelines')).body.items.length;
    const r = await admin.post('/pipelines', { name: 'Broken', stages });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('INVALID_PIPELINE');
    expect(r.body.detail).toMatch(message);
    expect((await admin.get('/pipelines')).body.items.length).toBe(before);
  };

  it('needs at least one stage', () => expectInvalid([], /at least one stage/));
  it('needs an open first stage', () =>
    expectInvalid(
      [
        { name: 'Won', kind: 'won' },
        { name: 'New', kind: 'open' },
      ],
      /first stage must be an open stage/,
    ));
  it('needs unique stage names, ignoring case and spaces', () =>
    expectInvalid(
      [
        { name: 'New', kind: 'open' },
        { name: ' new ', kind: 'open' },
      ],
      /stages\[1\]\.name.*unique/,
    ));
  it('accepts only built-in or existing deal field keys', () =>
    expectInvalid(
      [{ name: 'New', kind: 'open', requiredFields: ['amount', 'budget'] }],
      /"budget" is neither a built-in field/,
    ));
  it('accepts only existing document kinds', () =>
    expectInvalid(
      [{ name: 'New', kind: 'open', requiredDocumentKinds: ['00000000-0000-4000-8000-000000000000'] }],
      /no document kind/,
    ));

  it('validates the shape of the body', async () => {
    const cases = [
      await admin.post('/pipelines', { name: 'X', stages: [{ name: 'New', kind: 'pending' }] }),
      await admin.post('/pipelines', { name: 'X', stages: [{ name: 'New', kind: 'open', colour: 'red' }] }),
      await admin.post('/pipelines', {
        name: 'X',
        stages: [{ name: 'New', kind: 'open', requiredDocumentKinds: ['nope'] }],
      }),
      await admin.post('/pipelines', { name: 'X', stages: 'New' }),
      await admin.post('/pipelines', { name: 'X', stages: [], archived: true }),
      await admin.post('/pipelines', { stages: [{ name: 'New', kind: 'open' }] }),
    ];
    expect(cases.map((r) => [r.status, r.body.code])).toEqual(cases.map(() => [400, 'VALIDATION_FAILED']));
    const malformed = await admin.request('PUT', '/pipelines/00000000-0000-4000-8000-000000000000', '[1,', {
      'content-type': 'application/json',
    });
    expect(malformed.body.code).toBe('MALFORMED_JSON');
  });
});

describe('replacing a pipeline', () => {
  it('renames, reorders, changes, adds and deletes stages in one step', async () => {
    const p = await create('Reshaped');
    const [newS, proposalS, won, lost] = inputs(p);
    const r = await admin.put(`/pipelines/${p.id}`, {
      name: 'Reshaped v2',
      version: 1,
      stages: [
        { id: newS.id, name: 'Lead', kind: 'open' },
        { name: 'Qualified', kind: 'open', requiredFields: ['contactId'] },
        { id: won.id, name: 'Won', kind: 'won', requiredFields: ['amount'], requiredDocumentKinds: [proposal.id] },
        { id: proposalS.id, name: 'Proposal', kind: 'open', requiredFields: ['amount'] },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Reshaped v2', version: 2 });
    expect(r.body.stages.map((s: { name: string; position: number }) => [s.name, s.position])).toEqual([
      ['Lead', 0],
      ['Qualified', 1],
      ['Won', 2],
      ['Proposal', 3],
    ]);
    expect(r.body.stages[0].id).toBe(newS.id);
    expect(r.body.stages[2]).toMatchObject({ id: won.id, requiredDocumentKinds: [proposal.id] });
    expect(r.body.stages[3]).toMatchObject({ id: proposalS.id, requiredFields: ['amount'] });
    expect(r.body.stages.map((s: { id: string }) => s.id)).not.toContain(lost.id);
    expect((await manager.get(`/pipelines/${p.id}`)).body).toEqual(r.body);
  });

  it('swaps two stages (positions are unique only at commit)', async () => {
    const p = await create('Swap');
    const s = inputs(p);
    const r = await admin.put(`/pipelines/${p.id}`, { name: 'Swap', version: 1, stages: [s[0], s[2], s[1], s[3]] });
    expect(r.status).toBe(200);
    expect(stageNames(r.body)).toEqual(['New', 'Won', 'Proposal', 'Lost']);
    expect(r.body.stages.map((x: { id: string }) => x.id)).toEqual([s[0].id, s[2].id, s[1].id, s[3].id]);
    // the order of the list is the position: a position field is refused rather than silently ignored
    const withPosition = await admin.put(`/pipelines/${p.id}`, { name: 'Swap', version: 2, stages: r.body.stages });
    expect(withPosition.status).toBe(400);
    expect(withPosition.body.errors[0]).toMatchObject({ path: 'stages.0', code: 'unrecognized_keys' });
  });

  it('answers 409 VERSION_CONFLICT to a stale version, and lets one of two concurrent editors win', async () => {
    const p = await create('Contested');
    await admin.put(`/pipelines/${p.id}`, { name: 'Contested 2', version: 1, stages: inputs(p) });
    const stale = await admin.put(`/pipelines/${p.id}`, { name: 'Contested 3', version: 1, stages: inputs(p) });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const [a, b] = await Promise.all([
      admin.put(`/pipelines/${p.id}`, { name: 'A wins', version: 2, stages: inputs(p) }),
      admin.put(`/pipelines/${p.id}`, {
        name: 'B wins',
        version: 2,
        stages: [...inputs(p), { name: 'Extra', kind: 'open' }],
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const now = (await admin.get(`/pipelines/${p.id}`)).body;
    expect(now.version).toBe(3);
    expect(now.name).toBe(a.status === 200 ? 'A wins' : 'B wins');
    expect(now.stages).toHaveLength(a.status === 200 ? 4 : 5);
    expect(
      (await admin.put('/pipelines/00000000-0000-4000-8000-000000000000', { name: 'x', version: 1, stages: inputs(p) }))
        .status,
    ).toBe(404);
  });

  it('applies the rules to a replacement and refuses a stage of another pipeline', async () => {
    const p = await create('Ruled');
    const other = await create('Other');
    const st = inputs(p);
    const cases: [StageBody[], RegExp][] = [
      [[], /at least one stage/],
      [[st[2], st[0], st[1], st[3]], /first stage/],
      [[...st, { name: 'NEW', kind: 'open' }], /unique/],
      [[st[0], { id: other.stages[1].id, name: 'Stolen', kind: 'open' }], /no such stage in this pipeline/],
      [[st[0], st[1], { ...st[1], name: 'Twice' }], /listed twice/],
      [[{ ...st[0], requiredFields: ['nope'] }], /"nope"/],
    ];
    for (const [stages, message] of cases) {
      const r = await admin.put(`/pipelines/${p.id}`, { name: 'Ruled', version: 1, stages });
      expect(r.status, JSON.stringify(stages)).toBe(422);
      expect(r.body.code).toBe('INVALID_PIPELINE');
      expect(r.body.detail).toMatch(message);
    }
    const unchanged = (await admin.get(`/pipelines/${p.id}`)).body;
    expect(unchanged.version).toBe(1);
    expect(stageNames(unchanged)).toEqual(['New', 'Proposal', 'Won', 'Lost']);
    expect(stageNames((await admin.get(`/pipelines/${other.id}`)).body)).toEqual(['New', 'Proposal', 'Won', 'Lost']);
  });

  it('refuses to delete a stage a deal is in, or was in, with 409 STAGE_IN_USE', async () => {
    const p = await create('In use');
    const [newS, proposalS, won, lost] = inputs(p);
    const deal = await manager.post('/deals', { title: 'Sitting in New', clientId, pipelineId: p.id });
    expect(deal.status).toBe(201);
    const r = await admin.put(`/pipelines/${p.id}`, {
      name: 'In use',
      version: 1,
      stages: [{ name: 'Fresh', kind: 'open' }, proposalS, won, lost],
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('STAGE_IN_USE');
    expect(r.body.detail).toContain('"New" (1 deals)');
    expect((await admin.get(`/pipelines/${p.id}`)).body).toMatchObject({ version: 1, stages: inputs(p) });

    // the deal passes through Lost and back: Lost is empty again, but the deal's history names it
    const toLost = await manager.post(`/deals/${deal.body.id}/stage`, { stageId: lost.id, lostReason: 'Testing' });
    expect(toLost.status).toBe(200);
    expect((await manager.post(`/deals/${deal.body.id}/stage`, { stageId: newS.id })).status).toBe(200);
    const history = await admin.put(`/pipelines/${p.id}`, {
      name: 'In use',
      version: 1,
      stages: [newS, proposalS, won],
    });
    expect(history.status).toBe(409);
    expect(history.body.code).toBe('STAGE_IN_USE');
    expect(history.body.detail).toContain('"Lost"');

    // a stage no deal has touched can go
    const ok = await admin.put(`/pipelines/${p.id}`, { name: 'In use', version: 1, stages: [newS, won, lost] });
    expect(ok.status).toBe(200);
    expect(stageNames(ok.body)).toEqual(['New', 'Won', 'Lost']);
    expect((await manager.get(`/deals/${deal.body.id}`)).body.stageId).toBe(newS.id);
  });

  it('refuses to change the kind of a stage deals are in; requirements apply to the next entries', async () => {
    const p = await create('Kinds');
    const [newS, proposalS, won, lost] = inputs(p);
    const deal = await manager.post('/deals', { title: 'In New', clientId, pipelineId: p.id });
    const lostDeal = await manager.post('/deals', { title: 'Lost one', clientId, pipelineId: p.id });
    expect(
      (await manager.post(`/deals/${lostDeal.body.id}/stage`, { stageId: lost.id, lostReason: 'No budget' })).status,
    ).toBe(200);
    const reopen = await admin.put(`/pipelines/${p.id}`, {
      name: 'Kinds',
      version: 1,
      stages: [newS, proposalS, won, { ...lost, kind: 'open' }],
    });
    expect(reopen.status).toBe(409);
    expect(reopen.body.code).toBe('STAGE_IN_USE');
    expect(reopen.body.detail).toContain('"Lost"');
    const rekindEmpty = await admin.put(`/pipelines/${p.id}`, {
      name: 'Kinds',
      version: 1,
      stages: [newS, proposalS, { ...won, kind: 'lost' }, lost],
    });
    expect(rekindEmpty.status).toBe(200); // Won is empty: its kind may change
    // tightening what an occupied stage requires is allowed: it is asked of deals entering it from now on
    const tighten = await admin.put(`/pipelines/${p.id}`, {
      name: 'Kinds',
      version: 2,
      stages: [{ ...newS, requiredFields: ['amount'] }, proposalS, { ...won, kind: 'lost' }, lost],
    });
    expect(tighten.status).toBe(200);
    const gate = await manager.get(`/deals/${deal.body.id}/requirements?stageId=${newS.id}`);
    expect(gate.body.missing.fields.map((x: { key: string }) => x.key)).toEqual(['amount']);
    expect((await manager.patch(`/deals/${deal.body.id}`, { changes: { title: 'Still editable' } })).status).toBe(200);
  });
});

describe('document kinds', () => {
  it('lists and adds document kinds; a code is unique', async () => {
    const r = await admin.post('/document-kinds', {
      code: 'contract',
      name: 'Contract',
      translations: { ru: { name: 'Договор' } },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      code: 'contract',
      name: 'Contract',
      translations: { ru: { name: 'Договор' } },
    });
    const list = await manager.get('/document-kinds');
    expect(list.body.items.map((k: { code: string }) => k.code)).toEqual(['commercial_proposal', 'contract']);
    expect(list.body.items[0]).toEqual({
      id: proposal.id,
      code: 'commercial_proposal',
      name: 'Commercial proposal',
      translations: {},
    });
    const dup = await admin.post('/document-kinds', { code: 'contract', name: 'Another contract' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('CODE_TAKEN');
    const bad = [
      await admin.post('/document-kinds', { code: 'Bad Code', name: 'X' }),
      await admin.post('/document-kinds', { code: 'x', name: '' }),
      await admin.post('/document-kinds', { code: 'x', name: 'X', extra: 1 }),
    ];
    expect(bad.map((x) => x.status)).toEqual([400, 400, 400]);
    expect((await manager.get('/document-kinds')).body.items).toHaveLength(2);
    // a new kind can be required at once
    const p = await create('Needs contract', [
      { name: 'New', kind: 'open' },
      { name: 'Signed', kind: 'won', requiredDocumentKinds: [r.body.id] },
    ]);
    expect(p.stages[1].requiredDocumentKinds).toEqual([r.body.id]);
  });
});

describe('deal fields', () => {
  it('lists custom fields and the built-in fields', async () => {
    const r = await manager.get('/deal-fields');
    expect(r.status).toBe(200);
    expect(r.body.builtIn).toEqual([
      { key: 'amount', label: 'Amount', type: 'money', translations: { ru: { label: 'Сумма' } } },
      {
        key: 'expectedCloseDate',
        label: 'Expected close date',
        type: 'date',
        translations: { ru: { label: 'Ожидаемая дата закрытия' } },
      },
      { key: 'contactId', label: 'Contact', type: 'contact', translations: { ru: { label: 'Контакт' } } },
    ]);
    expect(
      r.body.items.map((x: { key: string; type: string; options: string[] }) => [x.key, x.type, x.options]),
    ).toEqual([['budgetApproved', 'select', ['yes', 'no']]]);
  });

  it('adds fields last, which stages can then require and deals fill', async () => {
    const r = await admin.post('/deal-fields', {
      key: 'leadSource',
      label: 'Lead source',
      type: 'select',
      options: ['Web', 'Referral'],
      translations: { ru: { label: 'Источник', options: { Web: 'Сайт' } } },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      key: 'leadSource',
      label: 'Lead source',
      translations: { ru: { label: 'Источник', options: { Web: 'Сайт' } } },
      type: 'select',
      options: ['Web', 'Referral'],
    });
    const t = await admin.post('/deal-fields', { key: 'notes2', label: 'Notes', type: 'text' });
    expect(t.body).toMatchObject({ options: [], translations: {} });
    expect(t.body.position).toBeGreaterThan(r.body.position);
    const keys = (await manager.get('/deal-fields')).body.items.map((x: { key: string }) => x.key);
    expect(keys.slice(-2)).toEqual(['leadSource', 'notes2']);

    const p = await create('By source', [
      { name: 'New', kind: 'open' },
      { name: 'Sourced', kind: 'open', requiredFields: ['leadSource'] },
    ]);
    const deal = await manager.post('/deals', { title: 'Where from?', clientId, pipelineId: p.id });
    const blocked = await manager.post(`/deals/${deal.body.id}/stage`, { stageId: p.stages[1].id });
    expect(blocked.body.missing.fields).toEqual([
      { key: 'leadSource', label: 'Lead source', type: 'select', options: ['Web', 'Referral'] },
    ]);
    const moved = await manager.post(`/deals/${deal.body.id}/stage`, {
      stageId: p.stages[1].id,
      changes: { custom: { leadSource: 'Web' } },
    });
    expect(moved.status).toBe(200);
  });

  it('refuses a taken key (409), a built-in key or a select without options (422)', async () => {
    const taken = await admin.post('/deal-fields', { key: 'budgetApproved', label: 'Again', type: 'text' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('FIELD_KEY_TAKEN');
    for (const key of ['amount', 'expectedCloseDate', 'contactId', 'title']) {
      const r = await admin.post('/deal-fields', { key, label: key, type: 'text' });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('RESERVED_FIELD_KEY');
    }
    const noOptions = await admin.post('/deal-fields', { key: 'tier', label: 'Tier', type: 'select' });
    expect(noOptions.status).toBe(422);
    expect(noOptions.body.code).toBe('INVALID_DEAL_FIELD');
    const emptyOptions = await admin.post('/deal-fields', { key: 'tier', label: 'Tier', type: 'select', options: [] });
    expect(emptyOptions.status).toBe(422);
    const dupOptions = await admin.post('/deal-fields', {
      key: 'tier',
      label: 'Tier',
      type: 'select',
      options: ['A', 'A'],
    });
    expect(dupOptions.status).toBe(422);
    const textOptions = await admin.post('/deal-fields', { key: 'tier', label: 'Tier', type: 'text', options: ['A'] });
    expect(textOptions.status).toBe(422);
    const badKey = await admin.post('/deal-fields', { key: '1tier', label: 'Tier', type: 'text' });
    expect(badKey.status).toBe(400);
    const badType = await admin.post('/deal-fields', { key: 'tier', label: 'Tier', type: 'checkbox' });
    expect(badType.status).toBe(400);
    expect((await manager.get('/deal-fields')).body.items.map((x: { key: string }) => x.key)).not.toContain('tier');
  });
});

describe('translated names', () => {
  it('keeps a translations map per pipeline and stage; a replacement that leaves them out keeps them', async () => {
    const created = await admin.post('/pipelines', {
      name: 'Exports',
      translations: { ru: { name: 'Экспорт' } },
      stages: [
        { name: 'Inquiry', kind: 'open', translations: { ru: { name: 'Запрос' } } },
        { name: 'Shipped', kind: 'won' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Exports', translations: { ru: { name: 'Экспорт' } } });
    expect(created.body.stages.map((s: { translations: object }) => s.translations)).toEqual([
      { ru: { name: 'Запрос' } },
      {},
    ]);
    const [inquiry, shipped] = created.body.stages;
    const replaced = await admin.put(`/pipelines/${created.body.id}`, {
      name: 'Exports',
      version: created.body.version,
      stages: [
        { id: inquiry.id, name: 'Inquiry', kind: 'open' },
        { id: shipped.id, name: 'Shipped', kind: 'won', translations: { ru: { name: 'Отгружено' } } },
      ],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.translations).toEqual({ ru: { name: 'Экспорт' } });
    expect(replaced.body.stages.map((s: { translations: object }) => s.translations)).toEqual([
      { ru: { name: 'Запрос' } },
      { ru: { name: 'Отгружено' } },
    ]);
  });

  it('refuses a translation of an option the field does not have, and a language it does not know', async () => {
    const r = await admin.post('/deal-fields', {
      key: 'channel',
      label: 'Channel',
      type: 'select',
      options: ['Web'],
      translations: { ru: { options: { Phone: 'Телефон' } } },
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('INVALID_DEAL_FIELD');
    const de = await admin.post('/document-kinds', {
      code: 'offer',
      name: 'Offer',
      translations: { de: { name: 'Angebot' } },
    });
    expect(de.status).toBe(400);
  });
});

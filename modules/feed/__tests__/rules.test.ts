import { describe, expect, it } from 'vitest';
import {
  canRead,
  mentionToken,
  mentionsRefused,
  parseMentions,
  systemPostOf,
  type PostAudience,
  type Reader,
} from '../rules.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const DEAL = '33333333-3333-4333-8333-333333333333';
const EAST = '44444444-4444-4444-8444-444444444444';
const WEST = '55555555-5555-4555-8555-555555555555';

const reader = (over: Partial<Reader> = {}): Reader => ({
  id: A,
  admin: false,
  departmentIds: [EAST],
  owners: [A],
  shared: new Set(),
  ...over,
});
const company: PostAudience = {
  audience: 'company',
  departmentId: null,
  recordType: null,
  recordId: null,
  recordOwnerId: null,
};
const dept = (id: string): PostAudience => ({ ...company, audience: 'department', departmentId: id });
const deal = (owner: string | null): PostAudience => ({
  ...company,
  audience: 'record',
  recordType: 'deal',
  recordId: DEAL,
  recordOwnerId: owner,
});

describe('parseMentions', () => {
  it('finds each mentioned user once, in order, lower-cased', () => {
    expect(parseMentions(`hi @[Bob](${B.toUpperCase()}) and @[Ann](${A}), again @[Bob B.](${B})`)).toEqual([B, A]);
  });
  it('ignores mentions in code, malformed tokens and plain @names', () => {
    expect(parseMentions('`@[Ann](' + A + ')` and\n```\n@[Bob](' + B + ')\n```\n@Ann @[Ann](not-an-id)')).toEqual([]);
    expect(parseMentions(`@[](${A}) @[x\ny](${A})`)).toEqual([]);
  });
  it('writes a token parseMentions reads back, whatever the name holds', () => {
    const token = mentionToken({ id: A, name: 'Ann [admin]\nSmith' });
    expect(token).toBe(`@[Ann adminSmith](${A})`);
    expect(parseMentions(`x ${token} y`)).toEqual([A]);
  });
});

describe('canRead', () => {
  it('company posts are read by everyone', () => {
    expect(canRead(reader({ departmentIds: [] }), company)).toBe(true);
  });
  it("a department's posts by its members (and those above or leading it) only", () => {
    expect(canRead(reader(), dept(EAST))).toBe(true);
    expect(canRead(reader(), dept(WEST))).toBe(false);
    expect(canRead(reader({ admin: true }), dept(WEST))).toBe(true);
  });
  it("a record's posts by whoever sees the record, by ownership or share", () => {
    expect(canRead(reader(), deal(A))).toBe(true);
    expect(canRead(reader(), deal(B))).toBe(false);
    expect(canRead(reader({ owners: 'all' }), deal(B))).toBe(true);
    expect(canRead(reader({ shared: new Set([`deal:${DEAL}`]) }), deal(B))).toBe(true);
    // a record gone: no one but an admin
    expect(canRead(reader({ owners: 'all' }), deal(null))).toBe(false);
  });
  it('refuses the mentions of people who cannot read the post, and of unknown people', () => {
    const readers = new Map([
      [A, reader()],
      [B, reader({ id: B, departmentIds: [WEST], owners: [B] })],
    ]);
    expect(mentionsRefused([A, B], readers, dept(EAST))).toEqual([B]);
    expect(mentionsRefused([A, B, DEAL], readers, company)).toEqual([DEAL]);
  });
});

describe('systemPostOf', () => {
  const move = (kind: string, gated: boolean) => ({
    id: '1',
    recordType: 'deal',
    recordId: DEAL,
    kind: 'stage_changed',
    data: {},
    toStage: { name: 'S', kind, gated },
  });
  it('tells a deal won or lost and a gated stage passed, not an ordinary move', () => {
    expect(systemPostOf(move('won', true))?.kind).toBe('deal_won');
    expect(systemPostOf(move('lost', false))?.kind).toBe('deal_lost');
    expect(systemPostOf(move('open', true))).toEqual({
      kind: 'stage_passed',
      recordType: 'deal',
      data: { stage: 'S' },
    });
    expect(systemPostOf(move('open', false))).toBeNull();
  });
  it('tells a plan finalised and a result overdue; other events are no news', () => {
    const e = { id: '1', recordId: DEAL, data: { occurrence: 'o', ownerId: A, title: 't' }, toStage: null };
    expect(systemPostOf({ ...e, recordType: 'plan', kind: 'finalised' })?.kind).toBe('plan_finalised');
    expect(systemPostOf({ ...e, recordType: 'event', kind: 'result_overdue' })).toEqual({
      kind: 'result_overdue',
      recordType: 'event',
      data: { occurrence: 'o', ownerId: A },
    });
    expect(systemPostOf({ ...e, recordType: 'plan', kind: 'submitted' })).toBeNull();
    expect(systemPostOf({ ...e, recordType: 'deal', kind: 'updated' })).toBeNull();
  });

  it("tells a regulation's task overdue on its deal, with the instance and the task; other steps are no news", () => {
    const step = (data: Record<string, unknown>) =>
      systemPostOf({ id: '2', recordId: DEAL, recordType: 'deal', kind: 'regulation', data, toStage: null });
    const facts = { instanceId: 'i', key: 'k', name: 'Approval', node: 'n', nodeName: 'Approve', taskId: 't' };
    expect(step({ step: 'task_overdue', ...facts, dueAt: '2026-01-01T00:00:00.000Z' })).toEqual({
      kind: 'task_overdue',
      recordType: 'deal',
      data: {
        instanceId: 'i',
        taskId: 't',
        regulation: 'Approval',
        task: 'Approve',
        dueAt: '2026-01-01T00:00:00.000Z',
      },
    });
    expect(step({ step: 'task_opened', ...facts })).toBeNull();
  });
});

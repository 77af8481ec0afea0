import { describe, expect, it } from 'vitest';
import {
  audienceOf,
  effectiveOf,
  effectiveTree,
  mayOpen,
  viewerAudience,
  viewerDepartments,
  type DocumentViewer,
  type Effective,
  type FolderNode,
} from '../access.ts';

const folder = (id: string, parentId: string | null, access: FolderNode['access'], ownerId = 'o1'): FolderNode => ({
  id,
  parentId,
  ownerId,
  access,
});

describe('access inherited down the tree', () => {
  it('opens a top folder that inherits to everyone, and passes a folder access to everything below it', () => {
    const tree = effectiveTree([
      folder('top', null, { kind: 'inherit' }),
      folder('sales', 'top', { kind: 'department', departmentId: 'd-sales' }),
      folder('sub', 'sales', { kind: 'inherit' }),
      folder('subsub', 'sub', { kind: 'inherit' }),
      folder('mine', 'sub', { kind: 'private' }, 'o2'),
      folder('below-mine', 'mine', { kind: 'inherit' }, 'o3'),
      folder('leads', 'sub', { kind: 'role', role: 'lead' }),
    ]);
    expect(tree.get('top')!.kind).toBe('everyone');
    expect(tree.get('subsub')).toMatchObject({ kind: 'department', departmentId: 'd-sales' });
    // private is the owner's of the folder that made it private, also below it
    expect(tree.get('below-mine')).toMatchObject({ kind: 'private', ownerId: 'o2' });
    expect(tree.get('leads')).toMatchObject({ kind: 'role', role: 'lead' });
  });

  it('resolves a loop as a top folder instead of recursing', () => {
    const tree = effectiveTree([folder('a', 'b', { kind: 'inherit' }), folder('b', 'a', { kind: 'inherit' })]);
    expect(tree.get('a')!.kind).toBe('everyone');
  });

  it("gives a document its own access or its folder's", () => {
    const parent = { kind: 'role' as const, departmentId: null, role: 'manager', ownerId: 'x' };
    expect(effectiveOf({ kind: 'inherit' }, 'me', parent)).toBe(parent);
    expect(effectiveOf({ kind: 'everyone' }, 'me', parent).kind).toBe('everyone');
    expect(effectiveOf({ kind: 'inherit' }, 'me', null).kind).toBe('everyone');
  });
});

describe('who may open', () => {
  const parentOf = new Map<string, string | null>([
    ['company', null],
    ['sales', 'company'],
    ['north', 'sales'],
    ['support', 'company'],
  ]);

  it('admits a department to its members, those of departments below it and their leads', () => {
    expect(viewerDepartments(parentOf, 'north', []).sort()).toEqual(['company', 'north', 'sales']);
    expect(viewerDepartments(parentOf, null, ['support']).sort()).toEqual(['company', 'support']);
    const sales = { kind: 'department' as const, departmentId: 'sales', role: null, ownerId: 'o' };
    const member = { id: 'u1', role: 'manager', departmentIds: viewerDepartments(parentOf, 'north', []) };
    const other = { id: 'u2', role: 'manager', departmentIds: viewerDepartments(parentOf, 'support', []) };
    expect(mayOpen(member, sales, 'o')).toBe(true);
    expect(mayOpen(other, sales, 'o')).toBe(false);
  });

  it('lets administrators and the owner open anything; private only to whose it is', () => {
    const priv = { kind: 'private' as const, departmentId: null, role: null, ownerId: 'owner' };
    expect(mayOpen({ id: 'a', role: 'admin', departmentIds: [] }, priv, 'owner')).toBe(true);
    expect(mayOpen({ id: 'owner', role: 'member', departmentIds: [] }, priv, 'owner')).toBe(true);
    expect(mayOpen({ id: 'x', role: 'lead', departmentIds: [] }, priv, 'owner')).toBe(false);
    // a document someone else put into my private folder: mine to open, and its uploader's
    expect(mayOpen({ id: 'up', role: 'member', departmentIds: [] }, priv, 'up')).toBe(true);
  });

  it('admits a role to those who have it', () => {
    const leads = { kind: 'role' as const, departmentId: null, role: 'lead', ownerId: 'o' };
    expect(mayOpen({ id: 'x', role: 'lead', departmentIds: [] }, leads, 'o')).toBe(true);
    expect(mayOpen({ id: 'x', role: 'manager', departmentIds: [] }, leads, 'o')).toBe(false);
  });
});

describe('audience keys', () => {
  it("names a node's owner and whom its access admits", () => {
    const eff = (e: Partial<Effective> & Pick<Effective, 'kind'>): Effective => ({
      departmentId: null,
      role: null,
      ownerId: 'p',
      ...e,
    });
    expect(audienceOf(eff({ kind: 'everyone' }), 'o')).toEqual(['user:o', 'all']);
    expect(audienceOf(eff({ kind: 'department', departmentId: 'd1' }), 'o')).toEqual(['user:o', 'dept:d1']);
    expect(audienceOf(eff({ kind: 'role', role: 'lead' }), 'o')).toEqual(['user:o', 'role:lead']);
    expect(audienceOf(eff({ kind: 'private' }), 'o')).toEqual(['user:o', 'user:p']);
    // a department removed since (its access cleared) admits no one but the owner
    expect(audienceOf(eff({ kind: 'department' }), 'o')).toEqual(['user:o']);
  });

  it("gives a viewer everyone's key, their own, their role's and their departments'; none for an administrator", () => {
    expect(viewerAudience({ id: 'u', role: 'manager', departmentIds: ['d1', 'd0'] })).toEqual([
      'all',
      'user:u',
      'role:manager',
      'dept:d1',
      'dept:d0',
    ]);
    expect(viewerAudience({ id: 'a', role: 'admin', departmentIds: [] })).toBeNull();
  });

  it('opens a node exactly when its audience and the viewer share a key (every kind, every viewer)', () => {
    const effs: Effective[] = [
      { kind: 'everyone', departmentId: null, role: null, ownerId: 'o' },
      { kind: 'department', departmentId: 'd1', role: null, ownerId: 'o' },
      { kind: 'department', departmentId: 'd2', role: null, ownerId: 'o' },
      { kind: 'department', departmentId: null, role: null, ownerId: 'o' },
      { kind: 'role', departmentId: null, role: 'lead', ownerId: 'o' },
      { kind: 'role', departmentId: null, role: null, ownerId: 'o' },
      { kind: 'private', departmentId: null, role: null, ownerId: 'p' },
      { kind: 'private', departmentId: null, role: null, ownerId: 'o' },
    ];
    const viewers: DocumentViewer[] = [
      { id: 'o', role: 'member', departmentIds: [] },
      { id: 'p', role: 'manager', departmentIds: [] },
      { id: 'x', role: 'lead', departmentIds: ['d1'] },
      { id: 'y', role: 'manager', departmentIds: ['d2', 'd1'] },
      { id: 'z', role: 'member', departmentIds: [] },
    ];
    const expected = (v: DocumentViewer, e: Effective, owner: string) =>
      v.id === owner ||
      e.kind === 'everyone' ||
      (e.kind === 'department' && e.departmentId !== null && v.departmentIds.includes(e.departmentId)) ||
      (e.kind === 'role' && e.role === v.role) ||
      (e.kind === 'private' && e.ownerId === v.id);
    for (const e of effs) {
      for (const owner of ['o', 'q']) {
        for (const v of viewers)
          expect(mayOpen(v, e, owner), `${v.id} on ${JSON.stringify(e)} of ${owner}`).toBe(expected(v, e, owner));
      }
    }
    // another department's document stays closed to a viewer of every other key
    expect(mayOpen({ id: 'z', role: 'manager', departmentIds: ['d9'] }, effs[1], 'o')).toBe(false);
  });
});

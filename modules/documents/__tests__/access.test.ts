import { describe, expect, it } from 'vitest';
import { effectiveOf, effectiveTree, mayOpen, viewerDepartments, type FolderNode } from '../access.ts';

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

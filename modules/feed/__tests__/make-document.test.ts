import { describe, expect, it } from 'vitest';
import { documentAccessOfPost, titleOfPost } from '../make-document.ts';

const east = { id: 'east' };
const folder = (kind: string, departmentId: string | null = null) => ({ kind, departmentId });

describe('documentAccessOfPost', () => {
  it("inherits the folder's access for a company post, and in a private folder for any post", () => {
    expect(documentAccessOfPost({ audience: 'company', department: null }, folder('everyone'))).toEqual({
      kind: 'inherit',
    });
    expect(documentAccessOfPost({ audience: 'department', department: east }, folder('private'))).toEqual({
      kind: 'inherit',
    });
    expect(documentAccessOfPost({ audience: 'record', department: null }, folder('private'))).toEqual({
      kind: 'inherit',
    });
  });

  it("keeps a department's post to that department, unless the folder is that department's already", () => {
    expect(documentAccessOfPost({ audience: 'department', department: east }, folder('everyone'))).toEqual({
      kind: 'department',
      departmentId: 'east',
    });
    expect(documentAccessOfPost({ audience: 'department', department: east }, folder('department', 'west'))).toEqual({
      kind: 'department',
      departmentId: 'east',
    });
    expect(documentAccessOfPost({ audience: 'department', department: east }, folder('role'))).toEqual({
      kind: 'department',
      departmentId: 'east',
    });
    expect(documentAccessOfPost({ audience: 'department', department: east }, folder('department', 'east'))).toEqual({
      kind: 'inherit',
    });
  });

  it("makes a record's post the maker's own outside a private folder", () => {
    expect(documentAccessOfPost({ audience: 'record', department: null }, folder('everyone'))).toEqual({
      kind: 'private',
    });
    expect(documentAccessOfPost({ audience: 'record', department: null }, folder('department', 'east'))).toEqual({
      kind: 'private',
    });
  });
});

describe('titleOfPost', () => {
  it('takes the first line of text without its Markdown marks', () => {
    expect(titleOfPost('\n# New prices\nsecond line')).toBe('New prices');
    expect(titleOfPost('> - quoted item')).toBe('quoted item');
  });
});

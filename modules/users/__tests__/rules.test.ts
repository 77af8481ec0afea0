import { describe, expect, it } from 'vitest';
import { changesSelfAway, leavesNoAdmin, removesAdmin } from '../rules.ts';

describe('user rules', () => {
  it('knows which changes take administrator power away', () => {
    expect(removesAdmin({ role: 'manager' })).toBe(true);
    expect(removesAdmin({ disabled: true })).toBe(true);
    expect(removesAdmin({ role: 'admin', disabled: false })).toBe(false);
    expect(removesAdmin({})).toBe(false);
  });

  it('keeps an administrator from removing themselves', () => {
    expect(changesSelfAway('a', 'a', { role: 'lead' })).toBe(true);
    expect(changesSelfAway('a', 'a', { role: 'admin' })).toBe(false);
    expect(changesSelfAway('a', 'b', { disabled: true })).toBe(false);
  });

  it('keeps the last active administrator', () => {
    expect(leavesNoAdmin(['a'], 'a')).toBe(true);
    expect(leavesNoAdmin(['a', 'b'], 'a')).toBe(false);
    expect(leavesNoAdmin(['a'], 'm')).toBe(false);
  });
});

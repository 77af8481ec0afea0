import { describe, expect, it } from 'vitest';
import { fieldsNaming, isReferenceType, referenceProblem, referencesToCheck } from '../references.ts';
import { DEAL_FIELD_TYPES } from '../deal-fields.ts';
import { FIELD_TYPES } from '../types.ts';

const U1 = '3f2b8f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const U2 = '9a8b7c6d-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const defs = [
  { key: 'signedBy', type: 'user' },
  { key: 'partner', type: 'client' },
  { key: 'contract', type: 'file' },
  { key: 'offer', type: 'file' },
  { key: 'note', type: 'text' },
];

describe('user, client and file fields', () => {
  it('are types a custom deal field may have, like every type modules/fields declares', () => {
    expect([...DEAL_FIELD_TYPES].sort()).toEqual([...FIELD_TYPES].sort());
    expect(['user', 'client', 'file'].every(isReferenceType)).toBe(true);
    expect(isReferenceType('text')).toBe(false);
  });

  it('look up only values that are set and differ from what the deal holds', () => {
    const refs = referencesToCheck(
      defs,
      { signedBy: U1, partner: U2, contract: null, note: U1, unknown: U1 },
      { partner: U2 },
    );
    // partner is kept as it is, contract is cleared, note is text, unknown has no definition
    expect(refs).toEqual([{ key: 'signedBy', type: 'user', id: U1 }]);
    expect(referencesToCheck(defs, { signedBy: U2 }, { signedBy: U1 })).toEqual([
      { key: 'signedBy', type: 'user', id: U2 },
    ]);
  });

  it('take an active user, a client the user sees and a file of this deal; refuse anything else', () => {
    expect(referenceProblem('user', { type: 'user', active: true })).toBeNull();
    expect(referenceProblem('user', { type: 'user', active: false })).toMatch(/deactivated/);
    expect(referenceProblem('user', null)).toMatch(/no such user/);
    expect(referenceProblem('client', { type: 'client', visible: true })).toBeNull();
    // a client out of sight reads exactly like one that does not exist
    expect(referenceProblem('client', { type: 'client', visible: false })).toBe(referenceProblem('client', null));
    expect(referenceProblem('file', { type: 'file', attachedHere: true })).toBeNull();
    expect(referenceProblem('file', null)).toMatch(/attached to this deal/);
    // what a lookup of another type found never passes
    expect(referenceProblem('file', { type: 'user', active: true })).not.toBeNull();
  });

  it('name the file fields a detached attachment clears', () => {
    const files = defs.filter((d) => d.type === 'file').map((d) => d.key);
    expect(fieldsNaming(files, { contract: U1, offer: U1, note: U1, signedBy: U1 }, U1)).toEqual(['contract', 'offer']);
    expect(fieldsNaming(files, { contract: U2 }, U1)).toEqual([]);
  });
});

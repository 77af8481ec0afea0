import { describe, expect, it } from 'vitest';
import { assertPasswordPolicy, passwordProblem } from '../password-policy.ts';

describe('password policy', () => {
  it('refuses short passwords, blank ones and one repeated character', () => {
    expect(passwordProblem('password')).toMatch(/at least 10/);
    expect(passwordProblem('        ')).toMatch(/at least 10/);
    expect(passwordProblem(' '.repeat(12))).toMatch(/different characters/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/different characters/);
    expect(passwordProblem('😀'.repeat(5))).toMatch(/at least 10/);
  });

  it('refuses common passwords whatever their case', () => {
    for (const p of ['password123', 'qwertyuiop', 'Password1234', '1234567890', 'iloveyou12']) {
      expect(passwordProblem(p), p).toMatch(/commonly used/);
    }
  });

  it('refuses the email or its local part', () => {
    expect(passwordProblem('anna.karenina@example.test', ['anna.karenina@example.test'])).toMatch(/email/);
    expect(passwordProblem('anna.karenina', ['anna.karenina@example.test'])).toMatch(/email/);
  });

  it('accepts a long uncommon passphrase and says why it refuses otherwise', () => {
    expect(passwordProblem('correct horse battery')).toBeNull();
    expect(passwordProblem('Пароль-для-CRM-2026')).toBeNull();
    expect(() => assertPasswordPolicy('password')).toThrow(expect.objectContaining({ code: 'WEAK_PASSWORD' }));
  });
});

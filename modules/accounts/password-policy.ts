import { dictionary } from '@zxcvbn-ts/language-common';
import { DomainError } from '../shared/errors.ts';

/** At least 10 characters (NIST SP 800-63B asks 8 at least; 10 matches DEALFLOW_ADMIN_PASSWORD), at most 1000. */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;

/** ~49,000 most common passwords of breach corpora (zxcvbn-ts's common list), compared case-insensitively. */
let common: Set<string> | null = null;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())));

/** Why a password is refused, or null when it is acceptable. `context` are words it must not be (the email, the name). */
export function passwordProblem(password: string, context: string[] = []): string | null {
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `at most ${MAX_PASSWORD_LENGTH} characters`;
  const folded = password.trim().toLowerCase();
  if (!folded || new Set(Array.from(folded)).size < 3) return 'more than one or two different characters';
  const squeezed = folded.replace(/\s+/g, '');
  if (commonPasswords().has(folded) || commonPasswords().has(squeezed)) return 'not one of the commonly used passwords';
  for (const word of context) {
    const w = word.trim().toLowerCase();
    if (w && (folded === w || folded === w.split('@')[0])) return 'not your email or name';
  }
  return null;
}

/** Throws WEAK_PASSWORD (422) with the reason when the password does not meet the policy. */
export function assertPasswordPolicy(password: string, context: string[] = []): void {
  const problem = passwordProblem(password, context);
  if (problem)
    throw new DomainError('WEAK_PASSWORD', `The password must be ${problem}`, { field: 'password', reason: problem });
}

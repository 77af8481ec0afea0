import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Limiter } from './limiter.ts';
import { assertPasswordPolicy } from './password-policy.ts';

// argon2id with OWASP's recommended minimum (19 MiB, 2 iterations)
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 as const };

/** Every argon2 computation of the process goes through this one cap (concurrent ones; a short queue behind them). */
export const passwordChecks = new Limiter(4, 32);

/** The hash to store for a password someone chose; refuses one that does not meet the policy (WEAK_PASSWORD). */
export const hashPassword = (password: string, context: string[] = []) => {
  assertPasswordPolicy(password, context);
  return passwordChecks.run(() => hash(password, ARGON));
};
export const verifyPassword = (passwordHash: string, password: string) =>
  passwordChecks.run(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });

let dummyHash: Promise<string> | null = null;
/**
 * An argon2id hash of a random password nobody knows, computed once on first use: a login for an email without an
 * account verifies against it, so it takes as long as a wrong password and the answer time does not tell which
 * emails have accounts.
 */
export const dummyPasswordHash = () => (dummyHash ??= hash(randomBytes(32).toString('base64url'), ARGON));

/** A random secret with a recognisable prefix; only its SHA-256 is stored. */
export const newSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
export const generatePassword = () => randomBytes(12).toString('base64url');

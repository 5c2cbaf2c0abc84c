import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../../shared/ipc/errors.js';
import { POLICY } from '../../shared/policy.js';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let decoyHash: Promise<string> | undefined;
/**
 * Makes the hash an unknown user ID is checked against, once, with the same parameters as
 * every stored hash. Called at start, so that no attempt pays for making it (a first
 * unknown-ID attempt that took twice as long would tell an attacker the ID does not exist).
 */
export function prepareDecoyPasswordCheck(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(18).toString('base64'));
  return decoyHash;
}

/**
 * Spends the same time as a real check when the user ID is unknown, so that response time
 * does not tell an attacker which user IDs exist. Its answer is never used.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  await verifyPassword(await prepareDecoyPasswordCheck(), password);
}

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * NIST SP 800-63B 3.1.1.2: a length floor and a block-list, no composition rules.
 * Returns the reason a password is refused, or null.
 */
export function passwordProblem(password: string, context: { userId?: string; email?: string } = {}): string | null {
  if (password.length < POLICY.passwordMinLength) {
    return `Password must be at least ${POLICY.passwordMinLength} characters`;
  }
  if (password.length > POLICY.passwordMaxLength) {
    return `Password must be at most ${POLICY.passwordMaxLength} characters`;
  }
  const lower = password.toLowerCase();
  const core = lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '');
  if (COMMON.has(lower) || (core.length >= 4 && COMMON.has(core))) {
    return 'Password is too common; choose a longer phrase that others would not guess';
  }
  if (/^(.)\1+$/u.test(password) || isSequence(lower)) {
    return 'Password is a repeated or sequential pattern; choose a longer phrase that others would not guess';
  }
  for (const word of [context.userId, context.email?.split('@')[0]]) {
    if (word && word.length >= 4 && lower.includes(word.toLowerCase())) {
      return 'Password must not contain your User ID or email name';
    }
  }
  return null;
}

export function assertAcceptablePassword(password: string, context: { userId?: string; email?: string }, field = 'password'): void {
  const problem = passwordProblem(password, context);
  if (problem) throw new AppError('VALIDATION', problem, field);
}

/**
 * A temporary password an official hands over: 16 characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I), in groups of four, about 90 bits: read aloud or typed from a note without error.
 */
export function newTemporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const chars = Array.from(randomBytes(64)).filter((b) => b < 4 * alphabet.length).slice(0, 16);
  if (chars.length < 16) return newTemporaryPassword();
  const text = chars.map((b) => alphabet[b % alphabet.length]).join('');
  return text.replace(/(.{4})(?=.)/g, '$1-');
}

function isSequence(s: string): boolean {
  const runs = ['0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnmqwertyuiop'];
  return runs.some((run) => run.includes(s) || [...run].reverse().join('').includes(s));
}

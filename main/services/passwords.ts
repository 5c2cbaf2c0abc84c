import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { TranslationKeys } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
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
 * NIST SP 800-63B 3.1.1.2: a length floor, a block-list and a strength estimate (zxcvbn), no
 * composition rules. Returns the reason a password is refused, or null.
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
  const personal = [context.userId, context.email?.split('@')[0]].filter((word): word is string => !!word);
  for (const word of personal) {
    if (word.length >= 4 && lower.includes(word.toLowerCase())) {
      return 'Password must not contain your User ID or email name';
    }
  }
  // The list and the patterns above catch the obvious; the estimate catches what they miss:
  // repeats of a word, l33t spellings of common passwords ("letmeinletmein", "P@$$w0rd1234").
  // Score 3 means zxcvbn expects at least 10^8 guesses; the passphrases people are told to
  // choose score 4.
  const estimate = strengthEstimator().check(password, personal);
  if (estimate.score < 3) {
    const { warning, suggestions } = estimate.feedback;
    const why = [warning ?? SHORT_AND_SIMPLE, suggestions[0] ?? FEEDBACK.suggestions.anotherWord].join(' ');
    return `This password is too easy to guess: ${why}`;
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
  const chars = Array.from(randomBytes(64))
    .filter((b) => b < 4 * alphabet.length)
    .slice(0, 16);
  if (chars.length < 16) return newTemporaryPassword();
  const text = chars.map((b) => alphabet[b % alphabet.length]).join('');
  return text.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * zxcvbn's feedback in the console's words. The library's own wording lives in a language
 * package whose English dictionaries the console does not need; the type makes sure every
 * message the estimator can give has a sentence here.
 */
const FEEDBACK: TranslationKeys = {
  warnings: {
    straightRow: 'A straight row of keys on the keyboard is easy to guess.',
    keyPattern: 'A short pattern on the keyboard is easy to guess.',
    simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
    extendedRepeat: 'Repeated groups of characters like "abcabcabc" are hardly harder to guess than "abc".',
    sequences: 'Sequences like "abc" or "6543" are easy to guess.',
    recentYears: 'Recent years are easy to guess.',
    dates: 'Dates are easy to guess.',
    topTen: 'This is one of the ten most used passwords.',
    topHundred: 'This is one of the hundred most used passwords.',
    common: 'This is a commonly used password.',
    similarToCommon: 'This is very like a commonly used password.',
    wordByItself: 'A single word is easy to guess.',
    namesByThemselves: 'Names by themselves are easy to guess.',
    commonNames: 'Common names are easy to guess.',
    userInputs: 'It must not contain your User ID or email name.',
    pwned: 'This password has appeared in a data breach.',
  },
  suggestions: {
    l33t: 'Swapping letters for look-alikes, like "@" for "a", does not help.',
    reverseWords: 'A common word spelled backwards is still easy to guess.',
    allUppercase: 'Capitalize some letters, not all of them.',
    capitalization: 'A capital first letter does not help much.',
    dates: 'Avoid dates and years that are associated with you.',
    recentYears: 'Avoid recent years.',
    associatedYears: 'Avoid years that are associated with you.',
    sequences: 'Avoid common sequences of characters.',
    repeated: 'Avoid repeated words and characters.',
    longerKeyboardPattern: 'Use longer keyboard patterns, and change direction more than once.',
    anotherWord: 'Add more words that are less common.',
    useWords: 'Use several words, but avoid common phrases.',
    noNeed: 'Symbols, digits or capital letters are not needed: several uncommon words are enough.',
    pwned: 'If you use this password elsewhere, change it there too.',
  },
  timeEstimation: {
    ltSecond: 'less than a second',
    second: '{base} second',
    seconds: '{base} seconds',
    minute: '{base} minute',
    minutes: '{base} minutes',
    hour: '{base} hour',
    hours: '{base} hours',
    day: '{base} day',
    days: '{base} days',
    month: '{base} month',
    months: '{base} months',
    year: '{base} year',
    years: '{base} years',
    centuries: 'centuries',
  },
};

/** For a weak password that matched no pattern in particular (zxcvbn then gives no warning). */
const SHORT_AND_SIMPLE = 'Passwords this short and this simple are found quickly.';

let estimator: ZxcvbnFactory | undefined;
/**
 * Built on first use and kept: ranking the dictionaries takes tens of milliseconds, a check a
 * few. A check runs on the main thread, so its worst case is bounded: only the first 64
 * characters are estimated (a longer password is judged on those, which a string of
 * repeats still fails), and at most 20 look-alike substitutions are tried (the library's 100
 * let a 128-character "p@$$w0rd..." take seconds).
 */
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, translations: FEEDBACK, maxLength: 64, l33tMaxSubstitutions: 20 });
  return estimator;
}

function isSequence(s: string): boolean {
  const runs = ['0123456789012345678901234567890', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnmqwertyuiop'];
  return runs.some((run) => run.includes(s) || [...run].reverse().join('').includes(s));
}

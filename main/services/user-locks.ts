import { POLICY } from '../../shared/policy.js';

/**
 * Runs one task at a time per key. Sign-in attempts for the same account are serialized, so
 * that parallel wrong guesses cannot all read the same failure count and slip past the lockout.
 */
export class KeyedMutex<K = number> {
  private readonly tails = new Map<K, Promise<unknown>>();

  async run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    // The next task only waits for this one to end; this one's failure goes to its own caller below.
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** What the lockout rule reads and writes, for an account or for a user ID that has none. */
export interface FailureCounters {
  failedAttempts: number;
  temporaryLockCount: number;
  lockedUntil: number | null;
}

export type FailureOutcome = 'incorrect' | 'temporarilyLocked' | 'locked';

/**
 * The lockout rule, one place for accounts and unknown user IDs alike, so that the two cannot
 * drift apart: the failure before the fifth answers "incorrect", the fifth locks for 15
 * minutes, and the third temporary lock locks until an official resets the password.
 */
export function countFailure(current: FailureCounters, now: number): { outcome: FailureOutcome; attempt: number; next: FailureCounters } {
  // A lock that has run out starts a fresh count. Sign-in is refused while a lock runs, but a
  // password reset is not (it is how a temporarily locked user gets back in): its failures
  // during the lock go on counting, and the lock stays.
  const running = current.lockedUntil !== null && current.lockedUntil > now;
  const attempt = (current.lockedUntil !== null && !running ? 0 : current.failedAttempts) + 1;
  if (running && attempt >= POLICY.failuresBeforeLock) {
    // A running lock is never deepened by attempts made during it: otherwise anyone who knows a
    // user ID could lock the account for good in seconds through password reset, where sign-in
    // takes three whole lock periods. The round is spent; resetsSpent() refuses until it ends.
    return {
      outcome: 'temporarilyLocked',
      attempt,
      next: { failedAttempts: attempt, temporaryLockCount: current.temporaryLockCount, lockedUntil: current.lockedUntil },
    };
  }
  if (attempt < POLICY.failuresBeforeLock) {
    return {
      outcome: 'incorrect',
      attempt,
      next: { failedAttempts: attempt, temporaryLockCount: current.temporaryLockCount, lockedUntil: running ? current.lockedUntil : null },
    };
  }
  const temporaryLockCount = current.temporaryLockCount + 1;
  if (temporaryLockCount >= POLICY.temporaryLocksBeforeLock) {
    return { outcome: 'locked', attempt, next: { failedAttempts: 0, temporaryLockCount, lockedUntil: null } };
  }
  return { outcome: 'temporarilyLocked', attempt, next: { failedAttempts: 0, temporaryLockCount, lockedUntil: now + POLICY.temporaryLockMinutes * 60_000 } };
}

/**
 * Whether a running temporary lock has had its round of attempts (password reset may try during a
 * lock, as the lock message says, but only one round): then nothing more is tried, not even a
 * right code, until the lock ends, so a lock cannot be used to guess codes without limit.
 */
export function resetsSpent(current: FailureCounters, now: number): boolean {
  return current.lockedUntil !== null && current.lockedUntil > now && current.failedAttempts >= POLICY.failuresBeforeLock;
}

interface UnknownIdState extends FailureCounters {
  locked: boolean;
}

/**
 * Failure counts of user IDs that name no account, so that they lock exactly as accounts do
 * (otherwise five wrong passwords tell which IDs exist). Kept in memory only: nothing about a
 * non-existent ID reaches the database. Keyed by the lower-cased ID (sign-in ignores case), and
 * bounded: past `capacity` IDs the least recently tried is forgotten, so a flood of made-up IDs
 * cannot exhaust memory.
 */
export class UnknownIdCounters {
  private readonly states = new Map<string, UnknownIdState>();

  constructor(readonly capacity = 10_000) {}

  /** The ID's counters (a fresh count if it was never tried or was forgotten); marks it recently used. */
  get(userId: string): UnknownIdState {
    const key = userId.toLowerCase();
    const state = this.states.get(key) ?? { failedAttempts: 0, temporaryLockCount: 0, lockedUntil: null, locked: false };
    // A Map iterates in insertion order: re-inserting moves the ID to the most recent end.
    this.states.delete(key);
    this.states.set(key, state);
    this.evict();
    return state;
  }

  set(userId: string, state: UnknownIdState): void {
    const key = userId.toLowerCase();
    this.states.delete(key);
    this.states.set(key, state);
    this.evict();
  }

  get size(): number {
    return this.states.size;
  }

  private evict(): void {
    while (this.states.size > this.capacity) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) return;
      this.states.delete(oldest);
    }
  }
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnknownIdCounters } from '../../main/services/user-locks.js';
import type { IpcResult } from '../../shared/ipc/errors.js';
import { POLICY, SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { Harness, PASSWORD, PROVIDER_ORG, tableChecksums } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const MINUTE = 60_000;
const WRONG = 'not the right password';

/** What an attacker sees of an answer: its code and message (a success would be a bug here). */
function seen(result: IpcResult<unknown>): string {
  return result.ok ? 'SIGNED IN' : `${result.error.code}: ${result.error.message}`;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((name) => before.get(name) !== after.get(name)).sort();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('sign-in does not tell which user IDs exist', () => {
  let h: Harness;
  let users: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    users = await h.seed({
      organizations: [PROVIDER_ORG],
      users: Array.from({ length: 16 }, (_, i) => ({ userId: `known.${i}`, organization: '123' })),
    });
  });
  afterEach(() => h.dispose());

  const signIn = (userId: string, password: string, code: string, client = 'attacker') =>
    h.app.dispatch({ clientId: client }, 'auth.signIn', { userId, password, code, agreeToTerms: true });
  const temporary = (userId: string, password: string, client = 'attacker') =>
    h.app.dispatch({ clientId: client }, 'auth.signInWithTemporaryPassword', { userId, password, agreeToTerms: true });

  /**
   * Wrong passwords until the account is locked for good: five failures and a temporary lock,
   * an attempt during it, the lock running out, three times over, then attempts on the locked
   * account. Returns what each attempt answered.
   */
  async function answersUntilLocked(attempt: () => Promise<IpcResult<unknown>>): Promise<string[]> {
    const answers: string[] = [];
    for (let lock = 1; lock <= POLICY.temporaryLocksBeforeLock; lock += 1) {
      for (let i = 0; i < POLICY.failuresBeforeLock + 1; i += 1) answers.push(seen(await attempt()));
      h.clock.advance(POLICY.temporaryLockMinutes * MINUTE + MINUTE);
    }
    answers.push(seen(await attempt()), seen(await attempt()));
    return answers;
  }

  it('a known and an unknown ID get the same answers, attempt after attempt, through every lock', async () => {
    const known = users['known.0']!;
    const code = () => h.code(known.secret);
    const knownAnswers = await answersUntilLocked(() => signIn(known.userId, WRONG, code()));
    const unknownAnswers = await answersUntilLocked(() => signIn('nobody.here', WRONG, code()));
    expect(unknownAnswers).toEqual(knownAnswers);
    // The sequence is the lockout rule's, not a constant: the same answer every time would hide nothing.
    const incorrect = `SIGN_IN_FAILED: ${SIGN_IN_MESSAGES.incorrect}`;
    const temporarilyLocked = `LOCKED: ${SIGN_IN_MESSAGES.temporarilyLocked}`;
    const oneRound = [incorrect, incorrect, incorrect, incorrect, temporarilyLocked, temporarilyLocked];
    expect(knownAnswers).toEqual([
      ...oneRound,
      ...oneRound,
      incorrect,
      incorrect,
      incorrect,
      incorrect,
      `LOCKED: ${SIGN_IN_MESSAGES.locked}`,
      `LOCKED: ${SIGN_IN_MESSAGES.locked}`,
      `LOCKED: ${SIGN_IN_MESSAGES.locked}`,
      `LOCKED: ${SIGN_IN_MESSAGES.locked}`,
    ]);
    expect((await h.userRow('known.0')).status).toBe('locked');
  });

  it('the temporary-password form answers alike too, and shares the count with the other form, whatever the case of the ID', async () => {
    const known = users['known.1']!;
    const knownAnswers: string[] = [];
    const unknownAnswers: string[] = [];
    for (let i = 0; i < POLICY.failuresBeforeLock + 1; i += 1) {
      const form = i % 2 === 0 ? (id: string) => temporary(id, WRONG) : (id: string) => signIn(id, WRONG, h.code(known.secret));
      knownAnswers.push(seen(await form(i % 3 === 0 ? known.userId.toUpperCase() : known.userId)));
      unknownAnswers.push(seen(await form(i % 3 === 0 ? 'NOBODY.ELSE' : 'nobody.else')));
    }
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(knownAnswers.at(-1)).toBe(`LOCKED: ${SIGN_IN_MESSAGES.temporarilyLocked}`);
  });

  it('an unknown ID costs the same time as a known ID with a wrong password (argon2 runs either way)', async () => {
    // Coarse on purpose: the machine is shared and has two CPUs, so single timings swing widely.
    // Medians of interleaved attempts, and a factor of two either way, still catch the leak this
    // guards against: without the decoy check an unknown ID answers in well under a tenth of
    // the time (no argon2 at all), a first unknown attempt that made the decoy hash in twice.
    const known: number[] = [];
    const unknown: number[] = [];
    const time = async (attempt: () => Promise<IpcResult<unknown>>) => {
      const start = performance.now();
      const result = await attempt();
      const elapsed = performance.now() - start;
      expect(result).toEqual({ ok: false, error: { code: 'SIGN_IN_FAILED', message: SIGN_IN_MESSAGES.incorrect } });
      return elapsed;
    };
    for (let i = 0; i < 15; i += 1) {
      // A fresh account and a fresh unknown ID each time, so that no lock short-cuts an attempt.
      const user = users[`known.${i}`]!;
      unknown.push(await time(() => signIn(`unknown.${i}`, WRONG, h.code(user.secret))));
      known.push(await time(() => signIn(user.userId, WRONG, h.code(user.secret))));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`).toBeLessThan(2);
  });

  it("writes nothing about an unknown ID but one sign-in failure event per attempt, which says no more than an account's", async () => {
    const known = users['known.2']!;
    const eventsBefore = (await h.auditActions()).length;
    const before = await tableChecksums(h);
    for (let i = 0; i < POLICY.failuresBeforeLock + 2; i += 1) await signIn('Nobody.Here', WRONG, h.code(known.secret));
    await temporary('nobody.here', WRONG);
    expect(changedTables(before, await tableChecksums(h))).toEqual(['audit_events', 'audit_head']);

    const events = (await sideSql(h.app).all('SELECT action, actor_id, subject_user_id, details FROM audit_events WHERE id > ? ORDER BY id', [
      eventsBefore,
    ])) as Array<{
      action: string;
      actor_id: number | null;
      subject_user_id: number | null;
      details: string;
    }>;
    expect(events).toHaveLength(POLICY.failuresBeforeLock + 3);
    for (const event of events) {
      expect(event).toMatchObject({ action: 'signin.failed', actor_id: null, subject_user_id: null });
      expect(event.details).not.toMatch(/unknown|exist/i);
      expect(Object.keys(JSON.parse(event.details) as object).every((key) => ['userId', 'attempt', 'reason'].includes(key))).toBe(true);
    }
    // An account's failure names the account and counts; the unknown ID's does no more than that.
    await signIn(known.userId, WRONG, h.code(known.secret));
    const accounts = (await sideSql(h.app).all("SELECT details FROM audit_events WHERE subject_user_id IS NOT NULL AND action = 'signin.failed'")) as Array<{
      details: string;
    }>;
    expect(accounts.map((e) => JSON.parse(e.details) as unknown)).toEqual([{ attempt: 1 }]);
    expect(JSON.parse(events[0]!.details)).toEqual({ userId: 'Nobody.Here', attempt: 1 });
  });

  it("parallel guesses on an unknown ID are counted one at a time, as an account's are", async () => {
    const known = users['known.4']!;
    const burst = (userId: string) => Promise.all(Array.from({ length: 12 }, (_, i) => signIn(userId, WRONG, h.code(known.secret), `c${i}`)));
    const tally = (results: Array<IpcResult<unknown>>) => results.map(seen).sort();
    expect(tally(await burst('nobody.parallel'))).toEqual(tally(await burst(known.userId)));
    expect(tally(await burst(known.userId)).filter((answer) => answer.startsWith('SIGN_IN_FAILED'))).toHaveLength(0);
  });

  it('a right password for another account does not open an unknown ID, nor does a good code', async () => {
    const known = users['known.3']!;
    expect(seen(await signIn('known.3x', PASSWORD, h.code(known.secret)))).toBe(`SIGN_IN_FAILED: ${SIGN_IN_MESSAGES.incorrect}`);
    expect(seen(await temporary('known.3x', PASSWORD))).toBe(`SIGN_IN_FAILED: ${SIGN_IN_MESSAGES.incorrect}`);
  });
});

describe('the memory of unknown IDs is bounded', () => {
  it('forgets the least recently tried ID first, and keys IDs without case', () => {
    const counters = new UnknownIdCounters(3);
    for (const id of ['a', 'b', 'c']) counters.set(id, { failedAttempts: 1, temporaryLockCount: 0, lockedUntil: null, locked: false });
    expect(counters.get('A').failedAttempts).toBe(1);
    counters.set('d', { failedAttempts: 1, temporaryLockCount: 0, lockedUntil: null, locked: false });
    expect(counters.size).toBe(3);
    // b was the least recently tried: it starts a fresh count; a was read, so it stays.
    expect(counters.get('b').failedAttempts).toBe(0);
    expect(counters.get('a').failedAttempts).toBe(1);
  });

  it('holds at most 10,000 IDs however many are tried', () => {
    const counters = new UnknownIdCounters();
    for (let i = 0; i < 25_000; i += 1) counters.set(`made.up.${i}`, { failedAttempts: 1, temporaryLockCount: 0, lockedUntil: null, locked: false });
    expect(counters.size).toBe(10_000);
    expect(counters.get('made.up.24999').failedAttempts).toBe(1);
    expect(counters.get('made.up.0').failedAttempts).toBe(0);
  });
});

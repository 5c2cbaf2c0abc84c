import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../main/services/secret-box.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { DEMO_PASSWORD } from '../../main/services/demo.js';
import { assertAcceptablePassword, hashPassword, passwordProblem, verifyPassword } from '../../main/services/passwords.js';
import { Harness, PASSWORD, PROVIDER_ORG } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

describe('secrets at rest (AES-256-GCM)', () => {
  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'SOC1');
    expect(sealed.toString('latin1')).not.toContain('JBSWY3DP');
    expect(box.open(sealed, 'SOC1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });

  it('refuses a secret moved to another credential, a flipped bit, or another key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('secret', 'SOC1');
    expect(() => box.open(sealed, 'SOC2')).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => box.open(flipped, 'SOC1')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'SOC1')).toThrow();
  });

  it('keeps the browser host key in a 0600 file and refuses one others can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-key-'));
    const path = join(dir, 'console.key');
    const key = new KeyFileProvider(path).loadOrCreateKey();
    expect(key).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new KeyFileProvider(path).loadOrCreateKey().equals(key)).toBe(true);
    chmodSync(path, 0o644);
    expect(() => new KeyFileProvider(path).loadOrCreateKey()).toThrow(/readable by other users/);
    const damaged = join(dir, 'damaged.key');
    writeFileSync(damaged, 'short', { mode: 0o600 });
    expect(() => new KeyFileProvider(damaged).loadOrCreateKey()).toThrow(/damaged/);
    expect(readFileSync(path)).toHaveLength(32);
  });
});

describe('passwords', () => {
  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const hash = await hashPassword('a long passphrase of mine');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await verifyPassword(hash, 'a long passphrase of mine')).toBe(true);
    expect(await verifyPassword(hash, 'A long passphrase of mine')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('asks for at least 12 characters and nothing about composition', () => {
    expect(passwordProblem('short pass')).toMatch(/at least 12/);
    expect(passwordProblem('all lower case words')).toBeNull();
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
  });

  it('refuses common passwords, also with digits around them', () => {
    expect(passwordProblem('qwertyuiopasdfgh')).not.toBeNull();
    expect(passwordProblem('password123456')).toMatch(/too common/);
    expect(passwordProblem('1234567890123')).not.toBeNull();
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/repeated or sequential/);
  });

  it('refuses a password that contains the user ID or email name', () => {
    expect(passwordProblem('jdoe-officer-2026!', { userId: 'JDoe' })).toMatch(/User ID/);
    expect(passwordProblem('my jane.smith secret', { email: 'jane.smith@example.org' })).toMatch(/User ID or email/);
  });
});

/** Passwords the old rules let through: each is a repeat, or a l33t spelling of a common one. */
const EASY_TO_GUESS = [
  ['abababababab', /Repeated groups of characters/],
  ['123123123123', /Repeated groups of characters/],
  ['letmeinletmein', /Repeated groups of characters/],
  ['P@$$w0rd1234', /very like a commonly used password/],
] as const;

/** Every passphrase the tests, the demo and the benchmarks use, and the job aids' kind of advice. */
const GOOD_PASSPHRASES = [
  PASSWORD,
  DEMO_PASSWORD,
  'a new long passphrase for the matrix',
  'lantern harbor quilt morning',
  'copper kettle morning walk',
  'bench-harbor-lantern-2026',
  'quiet orchard lantern path',
  'copper meadow 2231 kite',
  'tidewater lantern 1987',
  'a long setup passphrase',
  'a long passphrase of mine',
  'all lower case words',
];

describe('password strength (zxcvbn), besides the list and the rules', () => {
  it.each(EASY_TO_GUESS)('refuses %j and says why, with a suggestion', (password, why) => {
    const problem = passwordProblem(password);
    expect(problem).toMatch(/^This password is too easy to guess: /);
    expect(problem).toMatch(why);
    expect(problem).toMatch(/Add more words that are less common\.$/);
    expect(() => assertAcceptablePassword(password, {}, 'newPassword')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'newPassword', message: problem }),
    );
  });

  it('still accepts passphrases of a few unrelated words', () => {
    for (const password of GOOD_PASSPHRASES)
      expect(passwordProblem(password, { userId: 'casey.cms', email: 'casey.rivera@cms.example.gov' }), password).toBeNull();
  });

  it('keeps the earlier checks and their messages first', () => {
    expect(passwordProblem('password123456')).toMatch(/too common/);
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/repeated or sequential/);
    expect(passwordProblem('harbor casey.cms quilt', { userId: 'casey.cms' })).toMatch(/User ID/);
  });
});

describe('easy-to-guess passwords refused through dispatch', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('at first-run setup, with the reason on the Password field, and nothing created', async () => {
    const enrollment = await h.call('w', 'setup.begin', {});
    const form = (password: string) => ({
      enrollmentId: enrollment.enrollmentId,
      userId: 'cms.first',
      firstName: 'Casey',
      lastName: 'First',
      email: 'casey.first@cms.example.gov',
      password,
      organizationName: 'Centers for Medicare & Medicaid Services',
      credentialLabel: '',
      code: h.code(enrollment.secret),
    });
    for (const [password, why] of EASY_TO_GUESS) {
      const refusal = await h.refusal('w', 'setup.complete', form(password));
      expect(refusal).toMatchObject({ code: 'VALIDATION', field: 'password', message: expect.stringMatching(why) });
    }
    expect((await h.call('w', 'app.status', {})).needsSetup).toBe(true);
    expect((await h.call('w', 'setup.complete', form('harbor-lantern-quilt-2026'))).state).toBe('warning');
  });

  it('when a temporary password is replaced; a refusal leaves the temporary one as it was', async () => {
    await h.seed({ organizations: [PROVIDER_ORG], users: [{ userId: 'erin.new', organization: '123' }] });
    // As an official's reset leaves it: a temporary password to change, and no credential yet.
    await sideSql(h.app).run("UPDATE users SET must_change_password = 1, temporary_password_expires_at = ? WHERE user_id = 'erin.new'", [
      h.clock.now() + 86_400_000,
    ]);
    await sideSql(h.app).run("DELETE FROM mfa_credentials WHERE user_id = (SELECT id FROM users WHERE user_id = 'erin.new')");
    expect((await h.call('erin', 'auth.signInWithTemporaryPassword', { userId: 'erin.new', password: PASSWORD, agreeToTerms: true })).state).toBe('password');
    for (const [password, why] of EASY_TO_GUESS) {
      const refusal = await h.refusal('erin', 'auth.changePassword', { newPassword: password, confirmPassword: password });
      expect(refusal).toMatchObject({ code: 'VALIDATION', field: 'newPassword', message: expect.stringMatching(why) });
    }
    expect(
      await verifyPassword(
        ((await sideSql(h.app).get("SELECT password_hash FROM users WHERE user_id = 'erin.new'")) as { password_hash: string }).password_hash,
        PASSWORD,
      ),
    ).toBe(true);
    const changed = await h.call('erin', 'auth.changePassword', { newPassword: 'quiet orchard lantern path', confirmPassword: 'quiet orchard lantern path' });
    expect(changed.state).toBe('enroll');
  });
});

import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../main/services/secret-box.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../main/services/passwords.js';

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

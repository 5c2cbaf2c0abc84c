import { describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { matchTotp, newTotpSecret, otpauthUri, timeStepAt, totpCodeAt } from '../../main/services/totp.js';

/** RFC 6238 Appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890". */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[seconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('gives the appendix B code at T=%i', (seconds, code) => {
    expect(generateSync({ secret: RFC_SECRET, epoch: seconds, digits: 8, period: 30, algorithm: 'sha1' })).toBe(code);
  });

  it.each(RFC_VECTORS)('accepts the 6-digit form of the appendix B code at T=%i', (seconds, code) => {
    const sixDigits = code.slice(-6);
    expect(totpCodeAt(RFC_SECRET, seconds * 1000)).toBe(sixDigits);
    expect(matchTotp(RFC_SECRET, sixDigits, seconds * 1000, null)).toBe(Math.floor(seconds / 30));
  });

  it('accepts one step either side and no further', () => {
    const now = 1_700_000_010_000;
    const secret = newTotpSecret();
    const step = timeStepAt(now);
    expect(matchTotp(secret, totpCodeAt(secret, now - 30_000), now, null)).toBe(step - 1);
    expect(matchTotp(secret, totpCodeAt(secret, now + 30_000), now, null)).toBe(step + 1);
    expect(matchTotp(secret, totpCodeAt(secret, now - 60_000), now, null)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, now + 60_000), now, null)).toBeNull();
  });

  it('never accepts a code at or before the last used step (replay)', () => {
    const now = 1_700_000_010_000;
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, now);
    const step = matchTotp(secret, code, now, null);
    expect(step).not.toBeNull();
    expect(matchTotp(secret, code, now, step)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, now - 30_000), now, step)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, now + 30_000), now, step)).toBe(step! + 1);
  });

  it('refuses codes that are not six digits', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_010_000;
    const code = totpCodeAt(secret, now);
    for (const bad of ['', '12345', '1234567', `${code} `, 'abcdef', '١٢٣٤٥٦']) {
      expect(matchTotp(secret, bad, now, null)).toBeNull();
    }
  });

  it('generates keys of at least 160 bits, in base32', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(secret.replace(/=+$/, '').length * 5).toBeGreaterThanOrEqual(160);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('makes an otpauth URI that authenticator apps accept', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'SOC000000001'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('Security Official Console');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
    expect((uri.searchParams.get('algorithm') ?? 'SHA1').toUpperCase()).toBe('SHA1');
  });
});

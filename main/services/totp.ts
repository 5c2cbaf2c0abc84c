import { randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import { POLICY } from '../../shared/policy.js';

const { digits, periodSeconds, stepsEitherSide, secretBytes } = POLICY.totp;
const ISSUER = 'Security Official Console';

/** A fresh TOTP key of 160 bits (RFC 4226 4: at least 128, 160 recommended), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: secretBytes });
}

/** A credential ID the user can read back, like the static blue number of a VIP credential. */
export function newCredentialId(): string {
  return `SOC${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

export function newEnrollmentId(): string {
  return randomBytes(16).toString('hex');
}

export function otpauthUri(secret: string, account: string): string {
  return generateURI({ issuer: ISSUER, label: account, secret, digits, period: periodSeconds, algorithm: 'sha1' });
}

export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

export function timeStepAt(epochMs: number): number {
  return Math.floor(epochMs / 1000 / periodSeconds);
}

/** The code for a secret at a time: used by tests and the demo, never by sign-in. */
export function totpCodeAt(secret: string, epochMs: number): string {
  return generateSync({ secret, epoch: Math.floor(epochMs / 1000), digits, period: periodSeconds, algorithm: 'sha1' });
}

/**
 * RFC 6238 with SHA-1, 6 digits, 30-second steps, one step either side for clock drift.
 * Returns the matched time step, or null. A step at or before `lastUsedStep` is refused so
 * that a code, once accepted, is never accepted again for that credential.
 */
export function matchTotp(secret: string, code: string, epochMs: number, lastUsedStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  // The clock went back past the last accepted code: nothing in the window can be newer.
  if (lastUsedStep !== null && lastUsedStep >= timeStepAt(epochMs) + stepsEitherSide) return null;
  let result: ReturnType<typeof verifySync>;
  try {
    result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(epochMs / 1000),
      epochTolerance: stepsEitherSide * periodSeconds,
      digits,
      period: periodSeconds,
      algorithm: 'sha1',
      ...(lastUsedStep === null ? {} : { afterTimeStep: lastUsedStep }),
    });
  } catch {
    // otplib refuses inputs it considers out of range; for a user that is simply a wrong code.
    return null;
  }
  // The functional API types HOTP and TOTP results together; only TOTP's carries the step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

import { createHash, createPublicKey, verify } from 'node:crypto';

/** Checks an Ed25519 signature against a public key given as SPKI DER; false for any malformed input. */
export function verifySignatureSync(spkiDer: Buffer, data: Buffer, signatureBase64: string): boolean {
  try {
    const key = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, data, key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** Short, readable, comparable over the phone: the first 16 bytes of SHA-256 of the public key, in groups of four. */
export function keyFingerprint(spkiDer: Buffer): string {
  const hex = createHash('sha256').update(spkiDer).digest('hex').slice(0, 32).toUpperCase();
  return hex.match(/.{4}/g)?.join(' ') ?? hex;
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Where the 256-bit data key comes from. In Electron the key file is sealed by safeStorage
 * (main/shell); in the browser host it is a 0600 file beside the database.
 */
export interface DataKeyProvider {
  loadOrCreateKey(): Buffer;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM for secrets at rest (TOTP keys). Layout: version | iv | tag | ciphertext. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 256-bit key');
    this.key = key;
  }

  seal(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // Binding the row's identity as associated data stops a sealed secret being moved to another credential.
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /**
   * A keyed hash (HMAC-SHA-256, hex) under a key derived from the data key for one purpose: for
   * short secrets kept only to be compared (a one-time code), which a plain hash would not
   * protect from someone who reads the database but not the key.
   */
  digest(purpose: string, value: string): string {
    const key = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `soc digest: ${purpose}`, 32));
    return createHmac('sha256', key).update(value, 'utf8').digest('hex');
  }

  open(sealed: Buffer, associatedData: string): string {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
      throw new Error('Sealed secret has an unknown format');
    }
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

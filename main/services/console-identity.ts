import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { keyFingerprint } from '../store/signature.js';
import type { MetaStore } from '../store/types.js';
import type { SecretBox } from './secret-box.js';

const ID_KEY = 'console.id';
const PUBLIC_KEY = 'console.signing_public_key';
const PRIVATE_KEY = 'console.signing_private_key_sealed';

/**
 * Who this console is: a random id and an Ed25519 key pair, made on first use. The private key
 * is kept sealed with the console's data key (as TOTP keys are), never in plain text on disk;
 * the public key is stored beside it so that a shell command can check signatures without the
 * data key. It signs the audit chain head and every review archive.
 */
export class ConsoleIdentity {
  private constructor(
    readonly consoleId: string,
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    /** The public key written in the database; a different one means someone replaced it. */
    readonly storedPublicKeyDer: Buffer,
  ) {}

  static async loadOrCreate(meta: MetaStore, box: SecretBox): Promise<ConsoleIdentity> {
    let consoleId = await meta.get(ID_KEY);
    const sealed = await meta.get(PRIVATE_KEY);
    if (consoleId === null || sealed === null) {
      consoleId ??= randomUUID();
      const pair = generateKeyPairSync('ed25519');
      const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
      // Bound to this console's id: a sealed key copied into another console's database does not open.
      await meta.set(ID_KEY, consoleId);
      await meta.set(PRIVATE_KEY, box.seal(pkcs8, sealAssociatedData(consoleId)).toString('base64'));
      await meta.set(PUBLIC_KEY, spkiOf(pair.publicKey).toString('base64'));
    }
    let pkcs8: string;
    try {
      pkcs8 = box.open(Buffer.from((await meta.get(PRIVATE_KEY)) ?? '', 'base64'), sealAssociatedData(consoleId));
    } catch {
      // Never made anew here: a new key would quietly change who signed this console's trail.
      throw new Error("The console's signing key cannot be opened with this data key: the data key is not the one this database was made with.");
    }
    const privateKey = createPrivateKey({ key: Buffer.from(pkcs8, 'base64'), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    const stored = Buffer.from((await meta.get(PUBLIC_KEY)) ?? '', 'base64');
    return new ConsoleIdentity(consoleId, privateKey, publicKey, stored);
  }

  get publicKeyDer(): Buffer {
    return spkiOf(this.publicKey);
  }

  get fingerprint(): string {
    return keyFingerprint(this.publicKeyDer);
  }

  /** Whether the public key in the database is still the one this console's private key makes. */
  get storedKeyMatches(): boolean {
    return this.storedPublicKeyDer.equals(this.publicKeyDer);
  }

  /** Handed to the database thread, which signs each new audit chain head inside the appending transaction. */
  get signingKey(): KeyObject {
    return this.privateKey;
  }

  sign(data: Buffer): string {
    return sign(null, data, this.privateKey).toString('base64');
  }
}

function sealAssociatedData(consoleId: string): string {
  return `console-signing-key:${consoleId}`;
}

function spkiOf(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

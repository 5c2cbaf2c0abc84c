import { createPrivateKey, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleIdentity } from '../../main/services/console-identity.js';
import { SecretBox } from '../../main/services/secret-box.js';
import { auditHeadPayload } from '../../main/store/audit-chain.js';
import { verifySignatureSync } from '../../main/store/signature.js';
import { Harness } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

describe("the console's Ed25519 key", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(() => h.dispose());

  it('is kept sealed with the data key, never in plain text, and signs the chain head', async () => {
    const db = sideSql(h.app);
    const meta = Object.fromEntries(
      (await db.all<{ key: string; value: string }>("SELECT key, value FROM console_meta WHERE key LIKE 'console.%'")).map((r) => [r.key, r.value]),
    );
    const head = (await db.get<{ eventId: number; hash: string; signature: string | null }>('SELECT event_id AS "eventId", hash, signature FROM audit_head'))!;
    expect(Object.keys(meta).sort()).toEqual(['console.id', 'console.signing_private_key_sealed', 'console.signing_public_key']);
    // What is stored is AES-GCM output, not a key any parser accepts.
    expect(() => createPrivateKey({ key: Buffer.from(meta['console.signing_private_key_sealed']!, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();
    const identity = h.app.services.identity;
    expect(identity.consoleId).toBe(meta['console.id']);
    expect(identity.storedKeyMatches).toBe(true);
    // The migration's head is signed at start.
    expect(head.signature).not.toBeNull();
    expect(verifySignatureSync(identity.publicKeyDer, auditHeadPayload(identity.consoleId, head.eventId, head.hash), head.signature!)).toBe(true);
  });

  it('is the same key after a restart, and refuses to open with another data key', async () => {
    const before = h.app.services.identity.fingerprint;
    await h.reopen();
    expect(h.app.services.identity.fingerprint).toBe(before);
    const stored = new Map<string, string>();
    for (const key of ['console.id', 'console.signing_private_key_sealed']) stored.set(key, (await h.app.store.meta.get(key)) ?? '');
    const meta = { get: async (key: string) => stored.get(key) ?? null, set: async () => undefined };
    await expect(ConsoleIdentity.loadOrCreate(meta, new SecretBox(randomBytes(32)))).rejects.toThrow(/cannot be opened with this data key/);
  });
});

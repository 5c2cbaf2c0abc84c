import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, dataKeyFileName } from '../../main/app.js';
import { auditHeadPayload, chainHash } from '../../main/store/audit-chain.js';
import { keyFingerprint } from '../../main/store/signature.js';
import { EXIT, VERIFY_MESSAGES, normalizeFingerprint } from '../../scripts/audit-verify.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PROD = 'iQIES Prod';

/** Runs `npm run audit:verify` as the shell would (the same script under tsx), in a child process. */
function verify(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

interface EventRow {
  id: number;
  at: number;
  actorId: number | null;
  action: string;
  subjectUserId: number | null;
  organizationId: number | null;
  requestId: number | null;
  details: string;
  prevHash: string;
}

/**
 * The attack the checker must not fall for: one audit row edited, every hash after it recomputed
 * with the console's own hashing code, the stored public key replaced with the attacker's, and
 * the head re-signed with the attacker's private key. Returns the attacker's fingerprint.
 */
function forgeWithOwnKey(path: string, edit: { action: string; details: string }): string {
  const db = new Database(path);
  try {
    const triggers = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events' AND name LIKE 'audit_events_no_%'")
      .all() as Array<{
      name: string;
      sql: string;
    }>;
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    const target = db.prepare('SELECT id FROM audit_events WHERE action = ? ORDER BY id LIMIT 1').get(edit.action) as { id: number };
    db.prepare('UPDATE audit_events SET details = ? WHERE id = ?').run(edit.details, target.id);
    const rows = db
      .prepare(
        `SELECT id, at, actor_id AS actorId, action, subject_user_id AS subjectUserId, organization_id AS organizationId, request_id AS requestId, details, prev_hash AS prevHash
           FROM audit_events WHERE id >= ? ORDER BY id`,
      )
      .all(target.id) as EventRow[];
    let prev = rows[0]!.prevHash;
    const rewrite = db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?');
    for (const row of rows) {
      const hash = chainHash(prev, row);
      rewrite.run(prev, hash, row.id);
      prev = hash;
    }
    const pair = generateKeyPairSync('ed25519');
    const publicKey = pair.publicKey.export({ format: 'der', type: 'spki' });
    db.prepare("UPDATE console_meta SET value = ? WHERE key = 'console.signing_public_key'").run(publicKey.toString('base64'));
    const consoleId = (db.prepare("SELECT value FROM console_meta WHERE key = 'console.id'").get() as { value: string }).value;
    const last = rows[rows.length - 1]!.id;
    db.prepare('UPDATE audit_head SET event_id = ?, hash = ?, signature = ? WHERE singleton = 1').run(
      last,
      prev,
      sign(null, auditHeadPayload(consoleId, last, prev), pair.privateKey).toString('base64'),
    );
    for (const t of triggers) db.exec(t.sql);
    return keyFingerprint(publicKey);
  } finally {
    db.close();
  }
}

// The offline checker reads a copy of the embedded file (VACUUM INTO), forged with SQLite itself.
describe.skipIf(ON_POSTGRES)('npm run audit:verify pins the signing key', () => {
  let h: Harness;
  let dir: string;
  let fingerprint: string;
  let intact: string;
  let forged: string;
  let forgedFingerprint: string;

  beforeAll(async () => {
    h = await Harness.create();
    const u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
      ],
    });
    await h.signIn('so1', u.so1!);
    await h.signIn('alice', u.alice!);
    const requestId = (await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' })).requestId;
    await h.call('so1', 'queue.reject', { requestIds: [requestId], reason: 'Not on our staff' });
    fingerprint = h.app.services.identity.fingerprint;
    dir = mkdtempSync(join(tmpdir(), 'soc-verify-'));
    intact = join(dir, 'intact.sqlite');
    forged = join(dir, 'forged.sqlite');
    // A consistent copy of the live database, as a backup would be.
    sideDb(h.app).prepare('VACUUM INTO ?').run(intact);
    copyFileSync(intact, forged);
    forgedFingerprint = forgeWithOwnKey(forged, { action: 'request.rejected', details: JSON.stringify({ reason: 'Approved after all' }) });
  });

  afterAll(async () => {
    await h.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fingerprints are read as the console shows them, with or without spaces', () => {
    expect(fingerprint).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    expect(normalizeFingerprint(fingerprint.replace(/ /g, '').toLowerCase())).toBe(fingerprint);
    expect(normalizeFingerprint('ABCD')).toBeNull();
  });

  it('0: an intact database signed with the pinned key', () => {
    const run = verify('--key', fingerprint, intact);
    expect(run.status, run.out).toBe(EXIT.intact);
    expect(run.out).toContain('Audit trail verified through event');
    expect(run.out).toContain(`The audit trail head signature verifies: signed with the pinned key ${fingerprint}.`);
  });

  it('0: the key pinned through a trusted-keys file, with comments and other keys', () => {
    const other = keyFingerprint(generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }));
    const file = join(dir, 'trusted-keys');
    writeFileSync(file, `# the agency's consoles\n${other}  # retired\n\n${fingerprint.replace(/ /g, '')}\n`);
    const run = verify('--trusted-keys', file, '--', intact);
    expect(run.status, run.out).toBe(EXIT.intact);
  });

  it('3: without a pinned key nothing is called verified, even on an intact database', () => {
    const run = verify(intact);
    expect(run.status, run.out).toBe(EXIT.notPinned);
    expect(run.out).toContain('The signing key is not pinned: pass --key <fingerprint>');
    expect(run.out).not.toMatch(/verified through|Verified/);
  });

  it('the forged copy (row edited, chain rehashed, key replaced, head re-signed) passes every check but the key', () => {
    // Unpinned, the checker can only say that the key is not pinned: never 0.
    const unpinned = verify(forged);
    expect(unpinned.status, unpinned.out).toBe(EXIT.notPinned);
    expect(unpinned.out).toContain(forgedFingerprint);
    expect(unpinned.out).toContain(VERIFY_MESSAGES.notPinned);
    // Pinned to the console's key, it is refused as tampering.
    const pinned = verify('--key', fingerprint, forged);
    expect(pinned.status, pinned.out).toBe(EXIT.tampered);
    expect(pinned.out).toContain(VERIFY_MESSAGES.foreignKey(forgedFingerprint));
    expect(forgedFingerprint).not.toBe(fingerprint);
  });

  it('1: an edited row whose chain was not rehashed is named, whatever the key', () => {
    const path = join(dir, 'edited.sqlite');
    copyFileSync(intact, path);
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_events_no_update');
    const id = (db.prepare("SELECT id FROM audit_events WHERE action = 'request.rejected'").get() as { id: number }).id;
    db.prepare("UPDATE audit_events SET details = '{}' WHERE id = ?").run(id);
    db.close();
    const run = verify('--key', fingerprint, path);
    expect(run.status, run.out).toBe(EXIT.tampered);
    expect(run.out).toContain(`TAMPERED: Event ${id.toLocaleString('en-US')} was changed outside the console`);
  });

  it('1: a head whose signature was removed is not taken as "not signed yet"', () => {
    const path = join(dir, 'unsigned.sqlite');
    copyFileSync(intact, path);
    const db = new Database(path);
    db.exec('UPDATE audit_head SET signature = NULL');
    db.close();
    const run = verify('--key', fingerprint, path);
    expect(run.status, run.out).toBe(EXIT.tampered);
    expect(run.out).toContain(VERIFY_MESSAGES.unsignedHead);
  });

  it('2: a file that cannot be read, is missing, or a key that is not a fingerprint', () => {
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all, just some text that is long enough to be a header');
    expect(verify('--key', fingerprint, junk).status).toBe(EXIT.unreadable);
    expect(verify('--key', fingerprint, join(dir, 'missing.sqlite')).status).toBe(EXIT.unreadable);
    const bad = verify('--key', 'ABCD 1234', intact);
    expect(bad.status).toBe(EXIT.unreadable);
    expect(bad.out).toContain('is not a key fingerprint');
  });

  it('the console itself finds the forged copy: its own key does not verify the head, and the stored key is not its own', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'soc-verify-console-'));
    copyFileSync(forged, join(copy, DATABASE_FILE));
    copyFileSync(join(h.dir, dataKeyFileName(false)), join(copy, dataKeyFileName(false)));
    const forgedConsole = await Harness.create({ dir: copy });
    try {
      const status = await forgedConsole.app.services.integrity.status();
      expect(status.state).toBe('broken');
      expect(status.signature).toEqual({
        ok: false,
        message: "The public key stored in the database is not this console's key: it was replaced outside the console",
      });
      expect(status.fingerprint).toBe(fingerprint);
      expect((await forgedConsole.auditActions()).at(-1)).toBe('audit.chain_broken');
    } finally {
      await forgedConsole.dispose();
    }
  });
});

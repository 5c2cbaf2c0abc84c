import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ARCHIVE_APPLICATION_ID, ArchiveChangedError, ArchiveFormatError, openArchiveFile, verifyArchiveSync } from '../main/store/archive-file.js';
import { verifyLiveChain } from '../main/store/chain-verify.js';
import { keyFingerprint } from '../main/store/signature.js';

/**
 * npm run audit:verify -- --key <fingerprint> <console database or review archive>
 *
 * Verifies from the shell what the console verifies on screen: a console database's whole audit
 * chain and its signed head, or a review archive's schema, signature, digests and chain.
 *
 * A signature only means something against a key the checker already trusts: the public key
 * stored in the file is the one an attacker who rewrote the file would have put there. So the
 * key is pinned with --key (the fingerprint the console shows on its Audit trail, 16 bytes of
 * SHA-256 in groups of four) and/or --trusted-keys (a file of fingerprints, one a line, #
 * comments), and the file's key must be one of them.
 *
 * Exit codes: 0 intact and signed by a pinned key; 1 tampered (the first broken row is named) or
 * signed by a key that is not pinned; 2 the file cannot be read or is neither; 3 no key pinned
 * (what could be checked without one is printed, but nothing is called verified).
 */
export const EXIT = { intact: 0, tampered: 1, unreadable: 2, notPinned: 3 } as const;

const USAGE = `Usage: npm run audit:verify -- [--key <fingerprint>]... [--trusted-keys <file>] <console.sqlite | archive.socarchive>
  --key <fingerprint>     the console's key fingerprint, as its Audit trail shows it ("1A2B 3C4D ..."; may be given more than once)
  --trusted-keys <file>   a file of trusted fingerprints, one a line; "#" starts a comment`;

export const VERIFY_MESSAGES = {
  notPinned:
    'The signing key is not pinned: pass --key <fingerprint> (the fingerprint the console shows on its Audit trail) or --trusted-keys <file>. Without it, anyone who can edit the file can re-sign it with a key of their own, so nothing here is verified.',
  foreignKey: (fingerprint: string) =>
    `TAMPERED: the file is signed with key ${fingerprint}, which is not a pinned key: it was re-signed with another key, or it comes from another console.`,
  unsignedHead:
    'TAMPERED: the audit trail head is not signed (a console signs it at every start and every append): its signature was removed outside the console.',
  noHead: 'This database has no signed head: it was made before signed heads. Start it once in a current console, then check it again.',
} as const;

/** "1a2b 3c4d ..." or "1A2B3C4D..." as the console prints it (upper case, groups of four), or null if it is not one. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-F]{32}$/.test(hex)) return null;
  return hex.match(/.{4}/g)?.join(' ') ?? null;
}

class UsageError extends Error {}

/** The pinned fingerprints; an empty set when none was given. */
function pinnedKeys(keys: readonly string[], files: readonly string[]): Set<string> {
  const pinned = new Set<string>();
  for (const key of keys) {
    const fingerprint = normalizeFingerprint(key);
    if (fingerprint === null) throw new UsageError(`--key ${JSON.stringify(key)} is not a key fingerprint (32 hexadecimal digits, as the console shows them).`);
    pinned.add(fingerprint);
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read the trusted keys file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') return;
      const fingerprint = normalizeFingerprint(line);
      if (fingerprint === null) throw new UsageError(`Line ${i + 1} of ${file} is not a key fingerprint: ${JSON.stringify(raw.trim())}`);
      pinned.add(fingerprint);
    });
  }
  return pinned;
}

export function main(argv: readonly string[]): number {
  let path: string;
  let pinned: Set<string>;
  try {
    const { values, positionals } = parseArgs({
      args: argv.filter((a) => a !== '--'),
      allowPositionals: true,
      options: { key: { type: 'string', multiple: true }, 'trusted-keys': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true || positionals.length !== 1) throw new UsageError('');
    path = resolve(positionals[0] as string);
    pinned = pinnedKeys(values.key ?? [], values['trusted-keys'] ?? []);
  } catch (error) {
    if (error instanceof Error && error.message !== '') console.error(error.message);
    console.error(USAGE);
    return EXIT.unreadable;
  }
  if (!existsSync(path)) {
    console.error(`No such file: ${path}`);
    return EXIT.unreadable;
  }
  let appId: unknown;
  try {
    const probe = new Database(path, { readonly: true, fileMustExist: true });
    try {
      appId = probe.pragma('application_id', { simple: true });
    } finally {
      probe.close();
    }
  } catch (error) {
    console.error(`Cannot read ${path} as SQLite: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.unreadable;
  }
  return appId === ARCHIVE_APPLICATION_ID ? verifyArchive(path, pinned) : verifyDatabase(path, pinned);
}

/** Whether the file's key may vouch for it: 'pinned', 'foreign' (exit 1 at once), or 'unpinned' (checked, but never called verified). */
function keyStatus(fingerprint: string, pinned: ReadonlySet<string>): 'pinned' | 'foreign' | 'unpinned' {
  if (pinned.size === 0) return 'unpinned';
  return pinned.has(fingerprint) ? 'pinned' : 'foreign';
}

function verifyDatabase(path: string, pinned: ReadonlySet<string>): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('trusted_schema = OFF');
    const meta = (key: string) => (db.prepare('SELECT value FROM console_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
    let consoleId: string | null;
    let publicKey: string | null;
    try {
      consoleId = meta('console.id');
      publicKey = meta('console.signing_public_key');
    } catch {
      console.error(`${path} is not a console database.`);
      return EXIT.unreadable;
    }
    const key = { consoleId: consoleId ?? '', publicKeyDer: Buffer.from(publicKey ?? '', 'base64') };
    const fingerprint = keyFingerprint(key.publicKeyDer);
    console.log(`Console database ${path}`);
    console.log(`Console ${consoleId ?? '(no id)'}, signing key in the file ${publicKey ? fingerprint : '(none)'}`);
    const status = keyStatus(fingerprint, pinned);
    if (status === 'foreign') {
      console.log(VERIFY_MESSAGES.foreignKey(fingerprint));
      return EXIT.tampered;
    }
    let lastReport = 0;
    const check = verifyLiveChain(db, key, {
      onProgress: (p) => {
        if (p.checked - lastReport >= 1_000_000) {
          lastReport = p.checked;
          console.error(`  checked ${p.checked.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} events`);
        }
      },
    });
    if (check.broken) {
      console.log(`TAMPERED: ${check.broken.reason}`);
      console.log(`First broken row: event ${check.broken.eventId.toLocaleString('en-US')}`);
      return EXIT.tampered;
    }
    const walked = `through event ${check.lastId.toLocaleString('en-US')} (${check.checked.toLocaleString('en-US')} events, each hash and link intact)`;
    if (!check.head.signed) {
      const noTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'").get() === undefined;
      console.log(noTable ? VERIFY_MESSAGES.noHead : VERIFY_MESSAGES.unsignedHead);
      return noTable ? EXIT.unreadable : EXIT.tampered;
    }
    if (status === 'unpinned') {
      console.log(`Hash chain intact ${walked}; ${check.head.message} with the key stored in the file.`);
      console.log(VERIFY_MESSAGES.notPinned);
      return EXIT.notPinned;
    }
    console.log(`Audit trail verified ${walked}.`);
    console.log(`${check.head.message}: signed with the pinned key ${fingerprint}.`);
    return EXIT.intact;
  } finally {
    db.close();
  }
}

function verifyArchive(path: string, pinned: ReadonlySet<string>): number {
  let archive;
  try {
    archive = openArchiveFile(path);
  } catch (error) {
    if (error instanceof ArchiveChangedError) {
      console.log(`TAMPERED: ${error.message}`);
      return EXIT.tampered;
    }
    console.error(error instanceof ArchiveFormatError ? error.message : `Cannot open ${path}`);
    return EXIT.unreadable;
  }
  try {
    const m = archive.manifest;
    console.log(`Review archive ${path}`);
    console.log(`Made by ${m.createdBy} on console ${m.consoleId} at ${new Date(m.createdAt).toISOString()}`);
    console.log(`Organizations: ${m.organizations.map((o) => `${o.name} (${o.displayId})`).join('; ')}`);
    console.log(`Period: ${new Date(m.from).toISOString()} to ${new Date(m.to).toISOString()}`);
    const fingerprint = keyFingerprint(Buffer.from(m.publicKey ?? '', 'base64'));
    console.log(`Signing key in the file: ${fingerprint}`);
    const status = keyStatus(fingerprint, pinned);
    if (status === 'foreign') {
      console.log(VERIFY_MESSAGES.foreignKey(fingerprint));
      return EXIT.tampered;
    }
    const check = verifyArchiveSync(archive);
    console.log(`${check.signature.ok ? 'Signature good' : 'Signature FAILED'}: ${check.signature.message}`);
    console.log(`${check.chain.ok ? 'Audit chain intact' : 'Audit chain FAILED'}: ${check.chain.message}`);
    if (!check.signature.ok || !check.chain.ok) {
      console.log('TAMPERED: this archive is not as the console exported it.');
      return EXIT.tampered;
    }
    if (status === 'unpinned') {
      console.log(VERIFY_MESSAGES.notPinned);
      return EXIT.notPinned;
    }
    console.log(`Verified: schema, rows and chain as exported, signed with the pinned key ${fingerprint}.`);
    return EXIT.intact;
  } finally {
    archive.db.close();
  }
}

// Run as a script (npm run audit:verify); imported, it only exports main.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

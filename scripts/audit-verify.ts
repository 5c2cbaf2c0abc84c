import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ARCHIVE_APPLICATION_ID, ArchiveFormatError, openArchiveFile, verifyArchiveSync } from '../main/store/archive-file.js';
import { verifyLiveChain } from '../main/store/chain-verify.js';
import { keyFingerprint } from '../main/store/signature.js';

/**
 * npm run audit:verify -- <console database or review archive>
 *
 * Verifies from the shell what the console verifies on screen: a console database's whole audit
 * chain and its signed head (with the public key stored in it), or a review archive's signature,
 * digests and chain. Exit code 0: intact; 1: tampered (the first broken row is named); 2: the
 * file cannot be read or is neither.
 */
const USAGE = 'Usage: npm run audit:verify -- <console.sqlite | archive.socarchive>';

function main(argv: readonly string[]): number {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
    console.error(USAGE);
    return 2;
  }
  const path = resolve(args[0] as string);
  if (!existsSync(path)) {
    console.error(`No such file: ${path}`);
    return 2;
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
    return 2;
  }
  return appId === ARCHIVE_APPLICATION_ID ? verifyArchive(path) : verifyDatabase(path);
}

function verifyDatabase(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const meta = (key: string) => (db.prepare('SELECT value FROM console_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
    let consoleId: string | null;
    let publicKey: string | null;
    try {
      consoleId = meta('console.id');
      publicKey = meta('console.signing_public_key');
    } catch {
      console.error(`${path} is not a console database.`);
      return 2;
    }
    const key = { consoleId: consoleId ?? '', publicKeyDer: Buffer.from(publicKey ?? '', 'base64') };
    console.log(`Console database ${path}`);
    console.log(`Console ${consoleId ?? '(no id)'}, signing key ${publicKey ? keyFingerprint(key.publicKeyDer) : '(none)'}`);
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
      return 1;
    }
    console.log(`Audit trail verified through event ${check.lastId.toLocaleString('en-US')} (${check.checked.toLocaleString('en-US')} events, each hash and link intact).`);
    console.log(`${check.head.message}.`);
    return 0;
  } finally {
    db.close();
  }
}

function verifyArchive(path: string): number {
  let archive;
  try {
    archive = openArchiveFile(path);
  } catch (error) {
    console.error(error instanceof ArchiveFormatError ? error.message : `Cannot open ${path}`);
    return 2;
  }
  try {
    const m = archive.manifest;
    console.log(`Review archive ${path}`);
    console.log(`Made by ${m.createdBy} on console ${m.consoleId} at ${new Date(m.createdAt).toISOString()}`);
    console.log(`Organizations: ${m.organizations.map((o) => `${o.name} (${o.displayId})`).join('; ')}`);
    console.log(`Period: ${new Date(m.from).toISOString()} to ${new Date(m.to).toISOString()}`);
    const check = verifyArchiveSync(archive);
    console.log(`Key fingerprint: ${check.fingerprint}`);
    console.log(`${check.signature.ok ? 'Signature verified' : 'Signature FAILED'}: ${check.signature.message}`);
    console.log(`${check.chain.ok ? 'Audit chain verified' : 'Audit chain FAILED'}: ${check.chain.message}`);
    if (!check.signature.ok || !check.chain.ok) {
      console.log('TAMPERED: this archive is not as the console exported it.');
      return 1;
    }
    return 0;
  } finally {
    archive.db.close();
  }
}

process.exitCode = main(process.argv.slice(2));

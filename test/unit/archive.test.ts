import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { REVIEW_MESSAGES } from '../../main/services/review.js';
import { ArchiveIsNotADatabaseError, openDatabase } from '../../main/store/sqlite.js';
import { isoWithOffset } from '../../shared/dates.js';
import type { FileDelivery } from '../../shared/ipc/contract.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const PROD = 'iQIES Prod';
const DAY = 86_400_000;
const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'archiveUploadToken0001';

const savedPath = (delivery: FileDelivery | null): string => {
  if (delivery?.kind !== 'saved') throw new Error(`expected a saved file, got ${JSON.stringify(delivery)}`);
  return delivery.path;
};

/** Two consoles, each with officials and decisions; archives go from the first to either. */
describe('exports and offline review archives', () => {
  let h: Harness;
  let u: Record<string, TestUser>;
  let other: Harness | null = null;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: '456', name: 'Bayview Home Health', kind: 'provider' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
        { userId: 'bob', organization: '123' },
        { userId: 'carol', organization: '456' },
      ],
    });
    await sideSql(h.app).run("UPDATE users SET first_name = 'Robert', last_name = '=HYPERLINK(\"x\")' WHERE user_id = 'bob'");
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(async () => {
    await other?.dispose();
    other = null;
    await h.dispose();
  });

  async function decide(): Promise<{ approved: number; rejected: number; elsewhere: number }> {
    const approved = (await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' })).requestId;
    await h.call('so1', 'queue.approve', { requestIds: [approved] });
    const rejected = (await h.call('bob', 'access.request', { program: PROD, organization: '123', role: 'Provider Basic User' })).requestId;
    await h.call('so1', 'queue.reject', { requestIds: [rejected], reason: 'Not on our staff' });
    const elsewhere = (await h.call('carol', 'access.request', { program: PROD, organization: '456', role: 'Assessment Coordinator' })).requestId;
    await h.call('so456', 'queue.approve', { requestIds: [elsewhere] });
    return { approved, rejected, elsewhere };
  }

  const period = () => ({ from: h.clock.now() - DAY, to: h.clock.now() + DAY });

  /** Puts an archive where the FolderFileTransfer of a console finds it by token, as an upload would. */
  function offer(harness: Harness, archivePath: string): void {
    mkdirSync(join(harness.dir, 'exports'), { recursive: true });
    copyFileSync(archivePath, join(harness.dir, 'exports', TOKEN));
  }

  async function exportArchive(organizations = ['123']): Promise<string> {
    const result = await h.call('so1', 'archive.export', { organizations, ...period() });
    expect(result.fingerprint).toBe(h.app.services.identity.fingerprint);
    return savedPath(result.delivery);
  }

  it('exports the current history view to CSV, streamed, with formulas neutralised', async () => {
    const { approved, rejected, elsewhere } = await decide();
    const result = await h.call('so1', 'history.exportCsv', {});
    expect(result.rows).toBe(2);
    const rows = parse(readFileSync(savedPath(result.delivery), 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => Number(r['Request ID']))).toEqual([rejected, approved]);
    expect(rows[0]).toMatchObject({
      'Last Name': '\'=HYPERLINK("x")',
      'First Name': 'Robert',
      Action: 'Rejected',
      'Decided by': 'so1@example.org',
      'Rejection Reason': 'Not on our staff',
      'Organization ID': '123',
    });
    expect(rows[1]).toMatchObject({ Action: 'Approved', Role: 'Assessment Coordinator', Program: PROD });
    // ISO 8601 with the offset (not UTC milliseconds): a spreadsheet in any zone knows the instant.
    for (const r of rows) for (const cell of [r.Requested, r.Completed]) expect(cell).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
    expect(rows[0]?.Completed).toBe(isoWithOffset(h.clock.now()));
    // The same filters as the view: one Request ID.
    expect((await h.call('so1', 'history.exportCsv', { search: String(approved) })).rows).toBe(1);
    // The export of a Request ID search holds what the page shows: nothing when a filter hides it, or out of scope.
    expect((await h.call('so1', 'history.page', { search: String(approved), action: 'rejected' })).rows).toEqual([]);
    expect((await h.call('so1', 'history.exportCsv', { search: String(approved), action: 'rejected' })).rows).toBe(0);
    expect((await h.call('so1', 'history.exportCsv', { search: String(elsewhere) })).rows).toBe(0);
    expect(await h.auditActions()).toContain('history.exported');
  });

  it('exports the audit trail to CSV and a printable PDF report of the history', async () => {
    await decide();
    const audit = await h.call('so1', 'audit.exportCsv', { category: 'requests' });
    const rows = parse(readFileSync(savedPath(audit.delivery), 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.Action)).toEqual(['request.rejected', 'request.filed', 'request.approved', 'request.filed']);
    for (const r of rows) expect(r.Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
    expect(audit.rows).toBe(4);
    const report = await h.call('so1', 'history.exportPdf', { ...period(), organization: '123' });
    expect(report.rows).toBe(2);
    const pdf = readFileSync(savedPath(report.delivery));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(1500);
    expect(await h.refusal('so1', 'history.exportPdf', { organization: '456' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('so1', 'history.exportPdf', { from: h.clock.now() - 11 * 366 * DAY, to: h.clock.now() })).toMatchObject({
      code: 'VALIDATION',
      field: 'from',
      message: 'A report covers at most ten years; choose a shorter period.',
    });
  });

  it("an archive holds the chosen organizations' history and audit, and no password hash, TOTP secret, mail or meta row", async () => {
    const { approved, rejected } = await decide();
    const path = await exportArchive();
    expect(path.endsWith('.socarchive')).toBe(true);
    const db = new Database(path, { readonly: true });
    try {
      expect((db.prepare('SELECT id FROM role_requests ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id)).toEqual([approved, rejected]);
      expect(db.prepare('SELECT count(*) AS n FROM mfa_credentials').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM console_meta').get()).toEqual({ n: 0 });
      expect(db.prepare("SELECT count(*) AS n FROM users WHERE password_hash <> '' OR date_of_birth IS NOT NULL").get()).toEqual({ n: 0 });
      expect((db.prepare('SELECT display_id AS d FROM organizations').all() as Array<{ d: string }>).map((r) => r.d)).toEqual(['123']);
      const userIds = (db.prepare('SELECT user_id AS u FROM users ORDER BY user_id').all() as Array<{ u: string }>).map((r) => r.u);
      expect(userIds).not.toContain('carol');
      expect(userIds).toEqual(expect.arrayContaining(['alice', 'bob', 'so1']));
      const bytes = readFileSync(path);
      expect(bytes.includes(Buffer.from('$argon2'))).toBe(false);
    } finally {
      db.close();
    }
  });

  it('opens an archive read-only in the same History and Audit views, verified (round trip)', async () => {
    const { approved, rejected } = await decide();
    offer(h, await exportArchive());
    const { archive } = await h.call('cms', 'archive.open', { uploadToken: TOKEN });
    expect(archive).toMatchObject({
      ownConsole: true,
      createdBy: 'so1@example.org',
      organizations: [{ displayId: '123' }],
      history: 2,
      signature: { ok: true },
      chain: { ok: true },
    });
    const archiveId = archive!.archiveId;
    const live = await h.call('so1', 'history.page', {});
    const archived = await h.call('cms', 'history.page', { archiveId });
    expect(archived.rows).toEqual(live.rows);
    expect((await h.call('cms', 'history.page', { archiveId, search: String(approved) })).rows).toHaveLength(1);
    expect((await h.call('cms', 'history.page', { archiveId, search: 'Robert' })).rows.map((r) => r.requestId)).toEqual([]);
    expect((await h.call('cms', 'history.view', { archiveId, requestId: rejected })).actionText).toBe('Rejected by so1@example.org: Not on our staff');
    const events = await h.call('cms', 'audit.page', { archiveId, category: 'requests' });
    expect(events.rows.map((r) => r.action)).toEqual(['request.rejected', 'request.filed', 'request.approved', 'request.filed']);
    expect(await h.call('cms', 'audit.status', { archiveId })).toMatchObject({ state: 'verified', signature: { ok: true } });
    // The organization picker finds the archive's organizations only, listed plainly (a fixed set), and a live console's otherwise.
    expect(await h.call('cms', 'organizations.search', { archiveId })).toMatchObject({ organizations: [{ displayId: '123' }], all: false, more: false });
    expect((await h.call('cms', 'organizations.search', { archiveId, query: 'CMS' })).organizations).toEqual([]);
    expect((await h.call('cms', 'organizations.search', {})).organizations.length).toBeGreaterThan(1);
    expect(await h.refusal('so1', 'organizations.search', { archiveId })).toMatchObject({ code: 'NOT_FOUND', message: REVIEW_MESSAGES.archiveClosed });
    // Bound to the client and user that opened it.
    expect(await h.refusal('so1', 'history.page', { archiveId })).toMatchObject({ code: 'NOT_FOUND', message: REVIEW_MESSAGES.archiveClosed });
    expect(await h.call('cms', 'archive.close', { archiveId })).toEqual({ closed: true });
    expect(await h.refusal('cms', 'history.page', { archiveId })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.refusal('cms', 'organizations.search', { archiveId })).toMatchObject({ code: 'NOT_FOUND', message: REVIEW_MESSAGES.archiveClosed });
    expect(await h.auditActions()).toEqual(expect.arrayContaining(['archive.exported', 'archive.opened']));
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/audit-verify.ts', '--key', h.app.services.identity.fingerprint, '--', join(h.dir, 'exports', TOKEN)],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
  });

  it('another console opens it read-only: its own database gains nothing but the audit of the opening', async () => {
    await decide();
    const archivePath = await exportArchive();
    other = await Harness.create();
    const them = await other.seed({ organizations: [CMS_ORG], users: [{ userId: 'reviewer', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] }] });
    await other.signIn('r', them.reviewer!);
    const count = async () =>
      await sideSql(other!.app).get(
        'SELECT (SELECT count(*) FROM role_requests) AS requests, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM organizations) AS orgs',
      );
    const before = await count();
    offer(other, archivePath);
    const { archive } = await other.call('r', 'archive.open', { uploadToken: TOKEN });
    expect(archive).toMatchObject({ ownConsole: false, signature: { ok: true }, chain: { ok: true }, fingerprint: h.app.services.identity.fingerprint });
    expect((await other.call('r', 'history.page', { archiveId: archive!.archiveId })).rows).toHaveLength(2);
    expect(await count()).toEqual(before);
    expect((await other.auditActions()).at(-1)).toBe('archive.opened');
    await other.app.services.integrity.verifyAll();
    expect((await other.call('r', 'audit.status', {})).state).toBe('verified');
  });

  it('an archive cannot become, or be copied into, a console database', async () => {
    await decide();
    const archivePath = await exportArchive();
    expect(() => openDatabase(archivePath)).toThrow(ArchiveIsNotADatabaseError);
    const dir = join(h.dir, 'elsewhere');
    mkdirSync(dir);
    copyFileSync(archivePath, join(dir, 'console.sqlite'));
    await expect(createConsole({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))), auditCheck: 'manual' })).rejects.toThrow(
      /is a review archive, not a console database/,
    );
  });

  describe('says clearly when the signature or the chain fails', () => {
    async function openTampered(edit: (db: Database.Database) => void) {
      await decide();
      const path = await exportArchive();
      const db = new Database(path);
      // The audit table's refusals are lifted for the edit and put back as they were: a changed schema is refused before anything else (archive-schema.test.ts).
      const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string; sql: string }>;
      for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
      edit(db);
      for (const t of triggers) db.exec(t.sql);
      db.close();
      offer(h, path);
      const { archive } = await h.call('cms', 'archive.open', { uploadToken: TOKEN });
      const cli = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/audit-verify.ts', '--key', h.app.services.identity.fingerprint, '--', join(h.dir, 'exports', TOKEN)],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
      expect(cli.status, cli.stdout + cli.stderr).toBe(1);
      return archive!;
    }

    it('a manifest changed after export: the signature fails', async () => {
      const archive = await openTampered((db) =>
        db.prepare("UPDATE archive_manifest SET manifest = replace(manifest, 'so1@example.org', 'cms@example.org')").run(),
      );
      expect(archive.signature).toEqual({
        ok: false,
        message: 'the signature does not verify: the archive was changed after export, or was not made by a console',
      });
      expect(archive.createdBy).toBe('cms@example.org');
    });

    it('a manifest re-signed with another key shows that key, and the history changed under it is still found', async () => {
      const { generateKeyPairSync, sign } = await import('node:crypto');
      const archive = await openTampered((db) => {
        const pair = generateKeyPairSync('ed25519');
        const row = db.prepare('SELECT manifest FROM archive_manifest').get() as { manifest: string };
        const m = JSON.parse(row.manifest) as { publicKey: string; createdBy: string };
        m.publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
        m.createdBy = 'someone@else.org';
        const text = JSON.stringify(m);
        db.prepare('UPDATE archive_manifest SET manifest = ?, signature = ?').run(text, sign(null, Buffer.from(text), pair.privateKey).toString('base64'));
        db.prepare("UPDATE role_requests SET reason = 'forged' WHERE reason IS NOT NULL").run();
      });
      expect(archive.ownConsole).toBe(false);
      expect(archive.fingerprint).not.toBe(h.app.services.identity.fingerprint);
      expect(archive.chain.ok).toBe(false);
    });

    it('a history row changed: the request and its audit event are named', async () => {
      const archive = await openTampered((db) => db.prepare("UPDATE role_requests SET reason = 'Changed' WHERE reason IS NOT NULL").run());
      expect(archive.chain).toMatchObject({
        ok: false,
        message: expect.stringMatching(/^Request \d+ was changed after export: its decision no longer matches audit event \d+$/),
      });
    });

    it('an audit row changed: the event is named', async () => {
      const archive = await openTampered((db) => db.prepare("UPDATE audit_events SET details = '{}' WHERE action = 'request.approved'").run());
      expect(archive.chain).toMatchObject({ ok: false, message: expect.stringMatching(/^Event \d+ was changed outside the console/) });
      const status = await h.call('cms', 'audit.status', { archiveId: archive.archiveId });
      expect(status).toMatchObject({ state: 'broken', broken: { eventId: expect.any(Number) } });
    });
  });

  it('refuses archives of other organizations, of nothing, and to ordinary users; and a file that is not an archive', async () => {
    await decide();
    expect(await h.refusal('so1', 'archive.export', { organizations: ['456'], ...period() })).toMatchObject({ code: 'FORBIDDEN', field: 'organizations' });
    expect(await h.refusal('so1', 'archive.export', { organizations: [], ...period() })).toMatchObject({
      code: 'VALIDATION',
      field: 'organizations',
      message: 'Choose at least one organization',
    });
    expect(await h.refusal('so1', 'archive.export', { organizations: ['123'], from: 5, to: 1 })).toMatchObject({ code: 'VALIDATION', field: 'to' });
    expect(await h.refusal('alice', 'archive.export', { organizations: ['123'], ...period() })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('alice', 'archive.open', { uploadToken: TOKEN })).toMatchObject({ code: 'FORBIDDEN' });
    // The console's own database file is not an archive (only the embedded engine has one).
    if (!ON_POSTGRES) {
      offer(h, h.app.databasePath);
      expect(await h.refusal('cms', 'archive.open', { uploadToken: TOKEN })).toMatchObject({
        code: 'VALIDATION',
        message: 'This file is not a console review archive.',
      });
    }
    expect(await h.refusal('cms', 'archive.open', { uploadToken: 'noSuchUploadToken000' })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.call('cms', 'archive.export', { organizations: ['456', '123'], ...period() })).rows).toBe(3);
  });
});

import { existsSync, openSync, readdirSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../main/store/migrations/index.js';
import { BACKUPS_KEPT, BACKUP_MESSAGES } from '../../main/services/backups.js';
import { READ_ONLY_MESSAGE } from '../../main/ipc/read-only.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const PROD = 'iQIES Prod';

/**
 * Backups made while the console runs (online backup API), restored after SQLite's
 * integrity_check and the audit chain pass, the current database kept aside; the start-up check
 * and its recovery screen (restore a good backup, or open read-only).
 */
// Every case here is about the embedded file: its online backups, integrity_check, restores and the
// recovery screen. On PostgreSQL, backups are the database operator's.
describe.skipIf(ON_POSTGRES)('backup and restore', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [PROVIDER_ORG, CMS_ORG],
      users: [
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'alice', organization: '123' },
      ],
    });
    await h.signIn('so1', u['so1']!);
    await h.signIn('cms', u['cms']!);
    h.nextStep();
  });
  afterEach(() => h.dispose());

  const db = () => sideDb(h.runner?.current ?? h.app);
  const pendingIds = () => (db().prepare("SELECT id FROM role_requests WHERE status = 'pending' ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);
  const addPending = (n: number) => {
    const alice = (db().prepare("SELECT id FROM users WHERE user_id = 'alice'").get() as { id: number }).id;
    const insert = db().prepare(
      "INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, status, requested_at) SELECT ?, p.id, o.id, r.id, 'pending', ? FROM programs p, organizations o, roles r WHERE p.name = ? AND o.display_id = '123' AND r.name = ?",
    );
    const programs = ['iQIES Prod', 'iQIES Prod Test', 'iQIES Preview', 'Hospital Quality Reporting'];
    const roles = ['Assessment Coordinator', 'Provider Basic User'];
    db().transaction(() => {
      for (let i = 0; i < n; i += 1) insert.run(alice, h.clock.now(), programs[i % 4], roles[Math.floor(i / 4) % 2]);
    })();
  };
  const decided = (path: string) => {
    const copy = new Database(path, { readonly: true });
    try {
      return copy.prepare("SELECT count(*) AS n FROM role_requests WHERE status = 'approved'").get() as { n: number };
    } finally {
      copy.close();
    }
  };

  it('a backup made during a bulk approval is consistent, checked, and restores to exactly that moment', async () => {
    // Eight distinct (program, role) pairs for one requester: each approval grants its own.
    addPending(8);
    const ids = pendingIds();
    const approving = h.call('so1', 'queue.approve', { requestIds: ids });
    const backup = await h.call('so1', 'backup.now', {});
    const { results } = await approving;
    expect(results.every((r) => r.outcome === 'approved')).toBe(true);
    expect(backup).toMatchObject({ verified: 'ok', problem: null });
    const path = join(h.dir, 'backups', backup.name);
    // Whatever moment it caught, every decision in it is whole: assignment, audit row and email.
    const copy = new Database(path, { readonly: true });
    const half = copy
      .prepare(
        `SELECT r.id FROM role_requests r WHERE r.status = 'approved' AND (
           (SELECT count(*) FROM role_assignments a WHERE a.request_id = r.id) <> 1 OR
           (SELECT count(*) FROM audit_events e WHERE e.request_id = r.id AND e.action = 'request.approved') <> 1 OR
           (SELECT count(*) FROM outbox o WHERE o.request_id = r.id) <> 1)`,
      )
      .all();
    copy.close();
    expect(half).toEqual([]);
    const atBackup = decided(path).n;

    // Restore: a fresh code, the thorough check, then the console restarts on the backup.
    const runner = await h.startRunner();
    h.nextStep();
    await h.signIn('cms-again', u['cms']!);
    h.nextStep();
    expect(await h.refusal('cms-again', 'backup.restore', { name: backup.name, code: '000000' })).toMatchObject({ code: 'VALIDATION', field: 'code' });
    h.nextStep();
    await h.call('cms-again', 'backup.restore', { name: backup.name, code: h.code(u['cms']!.secret) });
    // The restore restarts the console on the backup.
    await runner.ready();
    const restored = runner.current!;
    expect((sideDb(restored).prepare("SELECT count(*) AS n FROM role_requests WHERE status = 'approved'").get() as { n: number }).n).toBe(atBackup);
    expect(readdirSync(h.dir).some((f) => /^console\.sqlite\.before-restore-/.test(f))).toBe(true);
    const actions = (sideDb(restored).prepare('SELECT action FROM audit_events ORDER BY id DESC LIMIT 1').all() as Array<{ action: string }>).map(
      (r) => r.action,
    );
    expect(actions).toEqual(['backup.restored']);
    await restored.services.integrity.verifyAll();
    expect((await restored.services.integrity.status()).state).toBe('verified');
  });

  it('keeps the newest 14 backups', async () => {
    for (let i = 0; i < BACKUPS_KEPT + 2; i += 1) {
      h.clock.advance(60_000);
      await h.app.services.backups.backupNow(null);
    }
    expect(h.app.services.backups.list()).toHaveLength(BACKUPS_KEPT);
  });

  it('refuses to restore a damaged backup, and one whose audit trail was changed', async () => {
    const damaged = await h.app.services.backups.backupNow(null);
    h.clock.advance(60_000);
    const tampered = await h.app.services.backups.backupNow(null);
    corruptPages(join(h.dir, 'backups', damaged.name));
    const changed = new Database(join(h.dir, 'backups', tampered.name));
    changed.exec('DROP TRIGGER audit_events_no_update');
    changed.prepare("UPDATE audit_events SET action = 'nothing.happened' WHERE id = 2").run();
    changed.close();
    h.nextStep();
    expect(await h.refusal('cms', 'backup.restore', { name: damaged.name, code: h.code(u['cms']!.secret) })).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('This backup cannot be restored'),
    });
    h.nextStep();
    expect(await h.refusal('cms', 'backup.restore', { name: tampered.name, code: h.code(u['cms']!.secret) })).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/audit trail is broken at event 2/),
    });
    expect(await h.refusal('cms', 'backup.restore', { name: '../console.sqlite', code: '123456' })).toMatchObject({
      code: 'NOT_FOUND',
      message: BACKUP_MESSAGES.noSuchBackup,
    });
    expect(existsSync(join(h.dir, 'restore-pending.json'))).toBe(false);
  });

  it('only Security Officials back up, and only a CMS Security Official restores', async () => {
    const backup = await h.app.services.backups.backupNow(null);
    expect((await h.call('so1', 'backup.status', {})).canRestore).toBe(false);
    expect((await h.call('cms', 'backup.status', {})).canRestore).toBe(true);
    h.nextStep();
    expect(await h.refusal('so1', 'backup.restore', { name: backup.name, code: h.code(u['so1']!.secret) })).toMatchObject({
      code: 'FORBIDDEN',
      message: BACKUP_MESSAGES.restoreCmsOnly,
    });
    expect(existsSync(join(h.dir, 'restore-pending.json'))).toBe(false);
    await h.signIn('alice', u['alice']!);
    expect(await h.refusal('alice', 'backup.now', {})).toMatchObject({ code: 'FORBIDDEN', message: BACKUP_MESSAGES.notOfficial });
    expect(await h.refusal('alice', 'backup.status', {})).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('x', 'backup.status', {})).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a damaged database opens the recovery screen; restoring the latest good backup brings the console back', async () => {
    const good = await h.app.services.backups.backupNow(null);
    addPending(4);
    const runner = await h.startRunner();
    expect(runner.inRecovery).toBeNull();
    await runner.close();
    corruptPages(join(h.dir, 'console.sqlite'));
    const recovering = await h.startRunner();
    const status = await h.call('c', 'app.status', {});
    expect(status.recovery?.problem).toMatch(/quick_check found damage|could not be (read|opened)/);
    expect(status.recovery?.backups.map((b) => b.name)).toEqual([good.name]);
    expect(await h.refusal('c', 'auth.signIn', { userId: 'so1', password: 'x', code: '123456', agreeToTerms: true })).toMatchObject({ code: 'RECOVERY' });
    expect(await h.refusal('c', 'recovery.restore', { name: 'console-19990101-000000.sqlite' })).toMatchObject({
      code: 'NOT_FOUND',
      message: BACKUP_MESSAGES.noSuchBackup,
    });
    expect(recovering.inRecovery).not.toBeNull();
    await h.call('c', 'recovery.restore', { name: good.name });
    expect(recovering.inRecovery).toBeNull();
    expect((await h.call('c', 'app.status', {})).recovery).toBeNull();
    // The backup was made before the four requests were added.
    expect(sideDb(recovering.current!).prepare("SELECT count(*) AS n FROM role_requests WHERE status = 'pending'").get()).toEqual({ n: 0 });
  });

  it('a damaged file opens at once; the quick_check in the background then opens the recovery screen and refuses every write', async () => {
    addPending(1);
    const [requestId] = pendingIds();
    await (await h.startRunner()).close();
    damageIndexPage(join(h.dir, 'console.sqlite'), 'audit_events_subject');
    const lines: string[] = [];
    const runner = await h.startRunner((line) => lines.push(line));
    const check = await runner.fileChecked();
    // The console answered before the whole file was read: opened first, checked after.
    const opened = lines.findIndex((l) => l.startsWith('Start-up: open'));
    const checked = lines.findIndex((l) => /^quick_check \(background\): \d+ ms$/.test(l));
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(checked).toBeGreaterThan(opened);
    expect(check.problem).toMatch(/quick_check found damage/);
    expect(runner.current).toBeNull();
    expect(runner.inRecovery?.problem).toMatch(/quick_check found damage/);
    expect((await h.call('c', 'app.status', {})).recovery?.problem).toMatch(/quick_check found damage/);
    // An official's decision and a new sign-in alike: nothing but the recovery choices is answered, nothing is written.
    expect(await h.refusal('so1', 'queue.approve', { requestIds: [requestId!] })).toMatchObject({ code: 'RECOVERY' });
    expect(await h.refusal('c', 'auth.signIn', { userId: 'so1', password: 'x', code: '123456', agreeToTerms: true })).toMatchObject({ code: 'RECOVERY' });
    expect(decided(join(h.dir, 'console.sqlite')).n).toBe(0);
  });

  it('a file about to be upgraded is checked before it opens: damage found then migrates nothing and opens the recovery screen', async () => {
    await (await h.startRunner()).close();
    const path = join(h.dir, 'console.sqlite');
    const file = new Database(path);
    file.pragma(`user_version = ${MIGRATIONS.length - 1}`);
    file.close();
    damageIndexPage(path, 'audit_events_subject');
    const lines: string[] = [];
    const runner = await h.startRunner((line) => lines.push(line));
    expect(lines).toContainEqual(expect.stringMatching(/^quick_check before the schema upgrade: \d+ ms$/));
    expect(lines.some((l) => l.startsWith('Start-up: open'))).toBe(false);
    expect(runner.inRecovery?.problem).toMatch(/quick_check found damage/);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length - 1);
    after.close();
  });

  it('a broken audit trail at start opens the recovery screen; read-only reviews but decides nothing, and a CMS official restores from it', async () => {
    addPending(1);
    const [requestId] = pendingIds();
    const backup = await h.app.services.backups.backupNow(null);
    await h.runner?.close();
    await h.app.close();
    const file = new Database(join(h.dir, 'console.sqlite'));
    file.exec('DROP TRIGGER audit_events_no_update');
    file.prepare("UPDATE audit_events SET details = '{}' WHERE id = 1").run();
    file.close();
    const runner = await h.startRunner();
    expect(runner.inRecovery?.problem).toMatch(/The audit trail is broken at event 1/);
    expect((await h.call('c', 'recovery.openReadOnly', {})).readOnly).toBe(true);
    expect((await h.call('c', 'app.status', {})).readOnly).toBe(true);
    h.nextStep();
    await h.signIn('so1-ro', u['so1']!);
    expect((await h.call('so1-ro', 'queue.page', {})).total).toBe(1);
    expect(await h.refusal('so1-ro', 'queue.approve', { requestIds: [requestId!] })).toEqual({ code: 'READ_ONLY', message: READ_ONLY_MESSAGE });
    expect(await h.refusal('so1-ro', 'backup.now', {})).toMatchObject({ code: 'READ_ONLY' });

    // Restoring a good backup is the way out of read-only.
    h.nextStep();
    await h.signIn('cms-ro', u['cms']!);
    h.nextStep();
    await h.call('cms-ro', 'backup.restore', { name: backup.name, code: h.code(u['cms']!.secret) });
    await runner.ready();
    expect((await h.call('c', 'app.status', {})).readOnly).toBe(false);
    h.nextStep();
    await h.signIn('so1-after', u['so1']!);
    expect((await h.call('so1-after', 'queue.approve', { requestIds: [requestId!] })).results[0]?.outcome).toBe('approved');
  });

  it('a console started normally refuses the recovery choices', async () => {
    expect(await h.refusal('c', 'recovery.openReadOnly', {})).toMatchObject({ code: 'CONFLICT' });
  });
});

/**
 * Overwrites one index's root page with garbage: the console opens (nothing at start reads that
 * index), and only a read of the whole file, as quick_check's, finds it.
 */
function damageIndexPage(path: string, index: string): void {
  const file = new Database(path);
  const pageSize = file.pragma('page_size', { simple: true }) as number;
  const { rootpage } = file.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(index) as { rootpage: number };
  // Every page in the file itself, none left in the -wal, before the bytes are changed under it.
  file.pragma('wal_checkpoint(TRUNCATE)');
  file.close();
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

/** Overwrites the middle pages of a SQLite file with garbage, as a failing disk might. */
function corruptPages(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    const garbage = Buffer.alloc(4096, 0xa5);
    for (let offset = 4096 * 2; offset < size - 4096; offset += 4096 * 3) writeSync(fd, garbage, 0, garbage.length, offset);
  } finally {
    closeSync(fd);
  }
}

import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailSettingsFileName } from '../../main/services/mail-settings-file.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const PROD = 'iQIES Prod';
const DAY = 86_400_000;

/** Every file and folder under a folder (the folder included), with its permission bits. */
function modesUnder(root: string): Map<string, { kind: 'file' | 'folder'; mode: number }> {
  const out = new Map<string, { kind: 'file' | 'folder'; mode: number }>();
  const walk = (path: string) => {
    const stat = lstatSync(path);
    const name = relative(root, path) || '.';
    if (stat.isDirectory()) {
      out.set(`${name}/`, { kind: 'folder', mode: stat.mode & 0o777 });
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else out.set(name, { kind: 'file', mode: stat.mode & 0o777 });
  };
  walk(root);
  return out;
}

/** The entries whose mode is not the private one: [] when all are. */
function notPrivate(root: string): string[] {
  return [...modesUnder(root)].filter(([, e]) => e.mode !== (e.kind === 'folder' ? 0o700 : 0o600)).map(([name, e]) => `${name} ${e.mode.toString(8)}`);
}

/**
 * Files are private whatever the umask: with the common 022, which leaves files a process
 * creates world-readable unless it says otherwise, every file the console writes under its data
 * folder (database, -wal, -shm, lock, key, backups and their notes, exports, reports, archives,
 * mail settings, a restored database) is 0600 and every folder 0700.
 */
// The embedded file, its -wal, -shm, lock and backups: a console on PostgreSQL keeps none of them.
describe.skipIf(ON_POSTGRES)('file modes under a 022 umask', () => {
  let before: number;
  let parent: string;
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeAll(() => {
    before = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(before);
  });
  beforeEach(async () => {
    parent = mkdtempSync(join(tmpdir(), 'soc-modes-'));
    // A data folder the console makes itself.
    h = await Harness.create({ dir: join(parent, 'data') });
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
      ],
    });
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  });
  afterEach(async () => {
    await h.dispose();
    rmSync(parent, { recursive: true, force: true });
  });

  it('the umask really is 022 here: a file made without a mode is world-readable', () => {
    // Without this, the tests below could pass for want of a umask to resist.
    const probe = join(parent, 'probe');
    writeFileSync(probe, 'x');
    expect(lstatSync(probe).mode & 0o777).toBe(0o644);
    rmSync(probe);
  });

  it('the database and its -wal and -shm, the lock, backups, exports, a report, an archive and mail settings are 0600, in 0700 folders', async () => {
    const requestId = (await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' })).requestId;
    await h.call('so1', 'queue.approve', { requestIds: [requestId] });
    const backup = await h.call('so1', 'backup.now', {});
    expect(backup.verified).toBe('ok');
    await h.call('so1', 'history.exportCsv', {});
    await h.call('so1', 'audit.exportCsv', {});
    await h.call('so1', 'history.exportPdf', { from: h.clock.now() - DAY, to: h.clock.now() + DAY, organization: '123' });
    await h.call('so1', 'archive.export', { organizations: ['123'], from: h.clock.now() - DAY, to: h.clock.now() + DAY });
    await h.call('cms', 'mail.saveSettings', {
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      user: 'console',
      from: 'console@example.org',
      password: 'a mail password',
    });

    const names = [...modesUnder(h.dir).keys()];
    // What the walk must have seen, so that "all private" is not said of an empty folder.
    for (const expected of [
      './',
      'console.sqlite',
      'console.sqlite-wal',
      'console.sqlite-shm',
      'console.sqlite.lock',
      'backups/',
      `backups/${backup.name}`,
      `backups/${backup.name}.json`,
      'exports/',
      mailSettingsFileName(false),
    ]) {
      expect(names, expected).toContain(expected);
    }
    for (const pattern of [/^exports\/.*\.csv$/, /^exports\/.*\.pdf$/, /^exports\/.*\.socarchive$/])
      expect(
        names.some((n) => pattern.test(n)),
        String(pattern),
      ).toBe(true);
    expect(notPrivate(h.dir)).toEqual([]);
  });

  it('a restore from an older, world-readable backup over a world-readable database leaves every file 0600', async () => {
    const backup = await h.call('so1', 'backup.now', {});
    const runner = await h.startRunner();
    h.nextStep();
    await h.signIn('cms-again', u['cms']!);
    h.nextStep();
    // As an older version of the console left them.
    chmodSync(join(h.dir, 'backups', backup.name), 0o644);
    chmodSync(join(h.dir, 'console.sqlite'), 0o644);
    await h.call('cms-again', 'backup.restore', { name: backup.name, code: h.code(u['cms']!.secret) });
    await runner.ready();
    const names = [...modesUnder(h.dir).keys()];
    expect(names.some((n) => /^console\.sqlite\.before-restore-\d{8}-\d{6}$/.test(n))).toBe(true);
    expect(notPrivate(h.dir)).toEqual([]);
  });

  it('backups an older version left world-readable are made private when the daily backups start', async () => {
    const backup = await h.call('so1', 'backup.now', {});
    chmodSync(join(h.dir, 'backups'), 0o755);
    chmodSync(join(h.dir, 'backups', backup.name), 0o644);
    chmodSync(join(h.dir, 'backups', `${backup.name}.json`), 0o644);
    expect(notPrivate(h.dir)).toHaveLength(3);
    const failures: unknown[] = [];
    h.app.services.backups.start((error) => failures.push(error));
    await h.app.services.backups.stop();
    expect(notPrivate(h.dir)).toEqual([]);
    expect(failures).toEqual([]);
  });
});

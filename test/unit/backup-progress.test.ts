import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupStatus } from '../../shared/ipc/contract.js';
import { backupProgress } from '../../main/services/backups.js';
import { AuditWorkers, type ProgressPhase } from '../../main/store/audit-worker-client.js';
import { backupStep } from '../../main/store/audit-worker.js';
import { CMS_ORG, Harness } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

type Progress = NonNullable<BackupStatus['progress']>;
const START: Progress = { copiedPages: 0, totalPages: 0, startedAt: 1, phase: 'starting', checkedEvents: 0, totalEvents: 0 };

/** A backup's progress: pages as they are copied, then the copy's audit events as they are checked. */
describe('backup progress', () => {
  it('counts pages while copying, then events while checking, and never goes back', () => {
    let p: BackupStatus['progress'] = START;
    p = backupProgress(p, 0, 5678, 'copy');
    expect(p).toMatchObject({ phase: 'copying', copiedPages: 0, totalPages: 5678 });
    p = backupProgress(p, 1234, 5678, 'copy');
    expect(p).toMatchObject({ phase: 'copying', copiedPages: 1234, totalPages: 5678 });
    // A late report of fewer pages does not move the bar backwards.
    p = backupProgress(p, 1000, 5678, 'copy');
    expect(p).toMatchObject({ copiedPages: 1234 });
    p = backupProgress(p, 5678, 5678, 'copy');
    p = backupProgress(p, 10, 400, 'check');
    expect(p).toMatchObject({ phase: 'checking', copiedPages: 5678, totalPages: 5678, checkedEvents: 10, totalEvents: 400 });
    // Once checking, a copy report is stale.
    expect(backupProgress(p, 1, 5678, 'copy')).toBe(p);
    // A report without a phase (another task's) changes nothing.
    expect(backupProgress(p, 1, 2, undefined)).toBe(p);
    expect(backupProgress(null, 1, 2, 'copy')).toBeNull();
  });

  it('copies in about a hundred steps, at least 64 pages each', () => {
    expect(backupStep(100)).toBe(64);
    expect(backupStep(250_000)).toBe(2500);
  });

  // SQLite's online backup of the embedded file, page by page.
  describe.skipIf(ON_POSTGRES)('a backup of a console database', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await Harness.create();
      const u = await h.seed({ organizations: [CMS_ORG], users: [{ userId: 'cms', organization: 'CMS', roles: [['iQIES Prod', 'CMS Security Official']] }] });
      // A sign-in writes the audit events the check walks.
      await h.signIn('cms', u['cms']!);
      // About 2 MB of pages to copy: more than one step's worth.
      const db = sideDb(h.app);
      db.exec('CREATE TABLE filler (data BLOB)');
      const insert = db.prepare('INSERT INTO filler (data) VALUES (randomblob(4000))');
      db.transaction(() => {
        for (let i = 0; i < 500; i += 1) insert.run();
      })();
    });
    afterEach(() => h.dispose());

    it('reports pages copied of the total several times, ending at the total, then the check', async () => {
      const seen: Array<{ phase: ProgressPhase | undefined; done: number; total: number; status: BackupStatus['progress'] }> = [];
      const backups = h.app.services.backups;
      // Every report the worker sends, with the status the page would poll right after it.
      const run = AuditWorkers.prototype.run;
      const spy = function (this: AuditWorkers, ...args: Parameters<AuditWorkers['run']>) {
        const [task, onProgress] = args;
        return run.call(this, task, (done, total, phase) => {
          onProgress?.(done, total, phase);
          seen.push({ phase, done, total, status: backups.status().progress });
        });
      };
      AuditWorkers.prototype.run = spy;
      try {
        const info = await backups.backupNow(null);
        expect(info.verified).toBe('ok');
      } finally {
        AuditWorkers.prototype.run = run;
      }
      const copies = seen.filter((s) => s.phase === 'copy');
      const total = copies[0]?.total ?? 0;
      expect(total).toBeGreaterThan(backupStep(total) * 3);
      const distinct = new Set(copies.map((c) => c.status?.copiedPages));
      expect(distinct.size).toBeGreaterThanOrEqual(3);
      expect(copies.at(-1)).toMatchObject({ done: total, total });
      expect(copies.at(-1)?.status).toMatchObject({ phase: 'copying', copiedPages: total, totalPages: total });
      const checks = seen.filter((s) => s.phase === 'check');
      expect(checks.length).toBeGreaterThan(0);
      expect(checks.at(-1)?.status).toMatchObject({ phase: 'checking', copiedPages: total, totalPages: total });
      // Done: no progress left behind, and what was copied and checked is kept for the page to say.
      const events = checks.at(-1)?.total ?? 0;
      expect(events).toBeGreaterThan(0);
      expect(backups.status()).toMatchObject({
        running: false,
        progress: null,
        finished: { phase: 'checking', copiedPages: total, totalPages: total, checkedEvents: events, totalEvents: events },
      });
    });
  });
});

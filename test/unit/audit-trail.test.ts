import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAIN_BROKEN_ACTION, TAIL_EVENTS } from '../../main/services/audit-integrity.js';
import { HISTORY_MESSAGES } from '../../main/services/history.js';
import { REVIEW_MESSAGES } from '../../main/services/review.js';
import { chainHash } from '../../main/store/audit-chain.js';
import { CMS_ORG, Harness, PROVIDER_ORG } from '../support/console-harness.js';
import type { TestUser } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';
import type { ChainRow } from '../../main/store/chain-verify.js';

const PROD = 'iQIES Prod';
const ROOT = resolve(import.meta.dirname, '../..');

type EventRow = ChainRow;

/**
 * Edits the database file the way someone with a SQLite tool would: in another connection,
 * with the append-only triggers dropped for the edit and put back after.
 */
function tamper(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_events_no_%'").all() as Array<{
      name: string;
      sql: string;
    }>;
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    edit(db);
    for (const t of triggers) db.exec(t.sql);
  } finally {
    db.close();
  }
}

const rowOf = (db: Database.Database, id: number) => db.prepare('SELECT * FROM audit_events WHERE id = ?').get(id) as EventRow;
const hashOf = (r: EventRow) =>
  chainHash(r.prev_hash, {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    subjectUserId: r.subject_user_id,
    organizationId: r.organization_id,
    requestId: r.request_id,
    details: r.details,
  });

function auditVerify(path: string, key?: string): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', ...(key === undefined ? [] : ['--key', key]), '--', path], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('the audit trail', () => {
  let h: Harness;
  let u: Record<string, TestUser>;

  beforeEach(async () => {
    h = await Harness.create();
    u = await h.seed({
      organizations: [CMS_ORG, PROVIDER_ORG, { displayId: '456', name: 'Bayview Home Health', kind: 'provider' }],
      users: [
        { userId: 'cms', organization: 'CMS', roles: [[PROD, 'CMS Security Official']] },
        { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'so456', organization: '456', roles: [[PROD, 'Provider Security Official']] },
        { userId: 'alice', organization: '123' },
        { userId: 'carol', organization: '456' },
      ],
    });
    await signInAll();
  });
  afterEach(() => h.dispose());

  async function signInAll() {
    for (const id of Object.keys(u)) {
      await h.signIn(id, u[id]!);
      h.nextStep();
    }
  }

  const status = () => h.call('cms', 'audit.status', {});

  it("lists events newest first: a provider official sees their organization's people and requests, CMS sees all", async () => {
    const mine = await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator' });
    await h.call('carol', 'access.request', { program: PROD, organization: '456', role: 'Assessment Coordinator' });
    await h.call('so1', 'queue.approve', { requestIds: [mine.requestId] });

    expect(await h.refusal('so1', 'audit.page', { after: 'not-a-cursor' })).toMatchObject({
      code: 'VALIDATION',
      field: 'after',
      message: HISTORY_MESSAGES.badCursor,
    });
    expect(await h.refusal('so1', 'audit.status', { archiveId: 'AAAAAAAAAAAAAAAAAAAA' })).toMatchObject({
      code: 'NOT_FOUND',
      message: REVIEW_MESSAGES.archiveClosed,
    });
    const so1 = await h.call('so1', 'audit.page', {});
    expect(so1.rows.map((r) => r.id)).toEqual([...so1.rows.map((r) => r.id)].sort((a, b) => b - a));
    expect(so1.rows[0]).toMatchObject({
      action: 'request.approved',
      actor: 'so1',
      subject: 'alice',
      organization: { displayId: '123' },
      requestId: mine.requestId,
    });
    expect(so1.rows[0]?.details).toContain('role: Assessment Coordinator');
    const subjects = new Set(so1.rows.map((r) => r.subject));
    expect(subjects.has('alice')).toBe(true);
    expect(subjects.has('carol')).toBe(false);
    expect(subjects.has('so456')).toBe(false);
    const everyone = new Set((await h.call('cms', 'audit.page', {})).rows.map((r) => r.subject));
    expect(everyone.has('carol')).toBe(true);

    expect((await h.call('so1', 'audit.page', { category: 'requests' })).rows.map((r) => r.action)).toEqual(['request.approved', 'request.filed']);
    expect((await h.call('so1', 'audit.page', { category: 'sign-in', search: 'alice' })).rows.map((r) => r.action)).toEqual([
      'warning.accepted',
      'signin.succeeded',
    ]);
    expect((await h.call('so1', 'audit.page', { search: String(mine.requestId) })).rows).toHaveLength(2);
    expect((await h.call('so1', 'audit.page', { search: 'nobody.here' })).rows).toEqual([]);
    expect(await h.refusal('so1', 'audit.page', { organization: '456' })).toMatchObject({ code: 'FORBIDDEN', field: 'organization' });
    expect(await h.refusal('alice', 'audit.page', {})).toMatchObject({ code: 'FORBIDDEN', message: REVIEW_MESSAGES.notOfficial });
    expect(await h.refusal('alice', 'audit.status', {})).toMatchObject({ code: 'FORBIDDEN' });
    expect(await h.refusal('so1', 'audit.page', { category: 'everything' })).toMatchObject({ code: 'VALIDATION', field: 'category' });

    // Keyset pages of two, by event id.
    const seen: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await h.call('so1', 'audit.page', { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual(so1.rows.map((r) => r.id));
  });

  it('says "verified through event N" when the chain is intact, and the head is signed by the console', async () => {
    const s = await status();
    const head = (await sideSql(h.app).get('SELECT max(id) AS id FROM audit_events')) as { id: number };
    expect(s).toMatchObject({ state: 'verified', verifiedThrough: head.id, broken: null, signature: { ok: true } });
    expect(s.fingerprint).toMatch(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
    // The offline checker reads the embedded file.
    if (!ON_POSTGRES)
      expect(auditVerify(h.app.databasePath, s.fingerprint)).toMatchObject({ status: 0, out: expect.stringContaining('Audit trail verified through event') });
  });

  it('audit rows cannot be changed through the console: the store has no path, and the database refuses one', async () => {
    await expect(sideSql(h.app).run("UPDATE audit_events SET action = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(sideSql(h.app).run('DELETE FROM audit_events WHERE id = 1')).rejects.toThrow(/append-only/);
  });

  // Tampering edits the embedded file directly, with its triggers dropped.
  describe.skipIf(ON_POSTGRES)('a single row changed by editing the SQLite file is detected, and named', () => {
    async function afterTamper(edit: (db: Database.Database) => void) {
      await h.app.close();
      tamper(h.app.databasePath, edit);
      await h.reopen();
      await signInAll();
      return status();
    }

    it('an edited row', async () => {
      const s = await afterTamper((db) => db.prepare('UPDATE audit_events SET details = \'{"reason":"forged"}\' WHERE id = 3').run());
      expect(s).toMatchObject({ state: 'broken', broken: { eventId: 3, reason: expect.stringContaining('Event 3 was changed outside the console') } });
      // The break is itself written to the trail, so a restart does not forget it.
      expect(await h.auditActions()).toContain(CHAIN_BROKEN_ACTION);
      expect((await h.call('cms', 'audit.page', { category: 'integrity' })).rows[0]?.details).toContain('eventId: 3');
      const cli = auditVerify(h.app.databasePath);
      expect(cli.status).toBe(1);
      expect(cli.out).toContain('First broken row: event 3');
    });

    it('an edited row whose hash was recomputed (the next row no longer follows it)', async () => {
      const s = await afterTamper((db) => {
        const r = rowOf(db, 4);
        const forged = { ...r, actor_id: 1 };
        db.prepare('UPDATE audit_events SET actor_id = ?, hash = ? WHERE id = 4').run(1, hashOf(forged));
      });
      expect(s.broken).toMatchObject({ eventId: 4, reason: 'Event 4 was changed outside the console: event 5 no longer follows it' });
    });

    it('a deleted row', async () => {
      const s = await afterTamper((db) => db.prepare('DELETE FROM audit_events WHERE id = 5').run());
      expect(s.broken).toMatchObject({ eventId: 5, reason: 'Event 5 is missing: it was deleted outside the console' });
    });

    it('the last row deleted (the signed head names it)', async () => {
      const last = ((await sideSql(h.app).get('SELECT max(id) AS id FROM audit_events')) as { id: number }).id;
      const s = await afterTamper((db) => db.prepare('DELETE FROM audit_events WHERE id = ?').run(last));
      expect(s.broken).toMatchObject({ eventId: last, reason: expect.stringContaining(`Event ${last} is missing`) });
    });

    it('a row inserted at the end with a correct hash (the signed head is older)', async () => {
      const last = ((await sideSql(h.app).get('SELECT max(id) AS id FROM audit_events')) as { id: number }).id;
      const s = await afterTamper((db) => {
        const prev = rowOf(db, last);
        const row = { ...prev, id: last + 1, action: 'request.approved', details: '{}', prev_hash: prev.hash };
        db.prepare(
          'INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(row.id, row.at, row.actor_id, row.action, row.subject_user_id, row.organization_id, row.request_id, row.details, row.prev_hash, hashOf(row));
      });
      expect(s.broken).toMatchObject({ eventId: last + 1, reason: expect.stringContaining(`Event ${last + 1} was added outside the console`) });
    });

    it('a row inserted before the first', async () => {
      const s = await afterTamper((db) => {
        const first = rowOf(db, 1);
        db.prepare('INSERT INTO audit_events (id, at, action, details, prev_hash, hash) VALUES (0, ?, ?, ?, ?, ?)').run(
          first.at,
          'signin.succeeded',
          '{}',
          first.prev_hash,
          first.hash,
        );
      });
      expect(s.broken).toMatchObject({ eventId: 0, reason: 'Event 0 is not part of the chain: it was added outside the console' });
    });

    it('two rows swapped', async () => {
      const s = await afterTamper((db) => {
        const a = rowOf(db, 6);
        const b = rowOf(db, 7);
        const move = db.prepare(
          'UPDATE audit_events SET at = ?, actor_id = ?, action = ?, subject_user_id = ?, organization_id = ?, request_id = ?, details = ?, prev_hash = ?, hash = ? WHERE id = ?',
        );
        move.run(b.at, b.actor_id, b.action, b.subject_user_id, b.organization_id, b.request_id, b.details, b.prev_hash, b.hash, 6);
        move.run(a.at, a.actor_id, a.action, a.subject_user_id, a.organization_id, a.request_id, a.details, a.prev_hash, a.hash, 7);
      });
      expect(s.broken).toMatchObject({ eventId: 6, reason: expect.stringContaining('Event 6 was changed outside the console') });
    });

    it('the signed head itself forged', async () => {
      const s = await afterTamper((db) => db.prepare("UPDATE audit_head SET signature = 'AAAA'").run());
      expect(s).toMatchObject({ state: 'broken', broken: { reason: expect.stringContaining('its signature does not verify') } });
    });
  });

  // The break is made by editing the embedded file.
  it.skipIf(ON_POSTGRES)('checks the last 10,000 events at start and the whole chain in a worker thread, which finds an older break', async () => {
    const alice = (await sideSql(h.app).get("SELECT id FROM users WHERE user_id = 'alice'")) as { id: number };
    await h.app.store.audit.append(
      Array.from({ length: TAIL_EVENTS + 50 }, (_, i) => ({ action: 'session.idle_locked', actorId: alice.id, subjectUserId: alice.id, details: { n: i } })),
    );
    await h.app.close();
    tamper(h.app.databasePath, (db) => db.prepare('UPDATE audit_events SET details = \'{"forged":true}\' WHERE id = 2').run());
    await h.reopen();
    await signInAll();
    // The tail is intact: the status waits for the whole check.
    expect((await status()).state).toBe('checking');
    await h.app.services.integrity.verifyAll();
    expect(await status()).toMatchObject({ state: 'broken', broken: { eventId: 2 } });
  });
});

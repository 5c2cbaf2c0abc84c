import { generateKeyPairSync, sign } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { auditHeadPayload, chainHash } from '../../main/store/audit-chain.js';
import { CHANGED, verifyLiveChain, verifyLiveChainSql } from '../../main/store/chain-verify.js';
import { migrate } from '../../main/store/migrations/index.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { StoreContext } from '../../main/store/store-context.js';
import type { AuditDraft, ChainFields } from '../../main/store/types.js';
import { ENGINES, useStoreEngines } from '../support/store-engines.js';

const EVENTS = 30;
const CONSOLE_ID = 'console-under-test';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const KEY = { consoleId: CONSOLE_ID, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) };
const signer = (eventId: number, hash: string) => sign(null, auditHeadPayload(CONSOLE_ID, eventId, hash), privateKey).toString('base64');
/** Pages that end before, on and after the rows the cases below change, and one page for all. */
const PAGES = [1, 4, 9, 10, 11, 12, 29, 5000];

/** EVENTS events appended by the console in a few transactions, with a signed head. */
async function appendEvents(db: SqlDatabase, context: StoreContext): Promise<void> {
  context.signHeadsWith(signer);
  for (let batch = 0; batch < 3; batch += 1) {
    const drafts: AuditDraft[] = Array.from({ length: EVENTS / 3 }, (_, i) => ({
      action: 'fsid.saved',
      actorId: null,
      subjectUserId: batch * 10 + i,
      details: { n: batch * 10 + i, note: i % 2 === 0 ? 'even' : 'odd' },
    }));
    await db.transaction((tx) => context.appendAudit(tx, drafts));
  }
}

/** Lets the test edit the append-only table as someone editing the database outside the console would. */
async function bypassAppendOnly(db: SqlDatabase): Promise<void> {
  if (db.dialect === 'postgres') await db.run('ALTER TABLE audit_events DISABLE TRIGGER USER');
  else {
    await db.run('DROP TRIGGER audit_events_no_update');
    await db.run('DROP TRIGGER audit_events_no_delete');
  }
}

/** Points a row at another previous hash and recomputes its own, as a careful forger would. */
async function relink(db: SqlDatabase, id: number, prevHash: string): Promise<void> {
  const r = (await db.get<ChainFields>(
    `SELECT id, at, actor_id AS "actorId", action, subject_user_id AS "subjectUserId", organization_id AS "organizationId", request_id AS "requestId", details
       FROM audit_events WHERE id = ?`,
    [id],
  ))!;
  await db.run('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?', [prevHash, chainHash(prevHash, r), id]);
}

interface Tamper {
  name: string;
  apply: (db: SqlDatabase) => Promise<void>;
  expected: { eventId: number; reason: string } | null;
  signed: boolean;
}

const TAMPERS: Tamper[] = [
  { name: 'nothing changed', apply: async () => {}, expected: null, signed: true },
  {
    name: 'a row edited',
    apply: async (db) => {
      await db.run('UPDATE audit_events SET details = ? WHERE id = 12', ['{"n":999,"note":"even"}']);
    },
    expected: { eventId: 12, reason: CHANGED(12) },
    signed: true,
  },
  {
    name: 'a row edited and its hash recomputed',
    apply: async (db) => {
      const row = (await db.get<{ at: number; prevHash: string }>('SELECT at, prev_hash AS "prevHash" FROM audit_events WHERE id = 10'))!;
      const details = '{"n":9,"note":"forged"}';
      const hash = chainHash(row.prevHash, {
        id: 10,
        at: row.at,
        actorId: null,
        action: 'fsid.saved',
        subjectUserId: 9,
        organizationId: null,
        requestId: null,
        details,
      });
      await db.run('UPDATE audit_events SET details = ?, hash = ? WHERE id = 10', [details, hash]);
    },
    expected: { eventId: 10, reason: 'Event 10 was changed outside the console: event 11 no longer follows it' },
    signed: true,
  },
  {
    name: 'two rows in a row re-linked',
    apply: async (db) => {
      await relink(db, 11, 'a'.repeat(64));
      await relink(db, 12, 'b'.repeat(64));
    },
    expected: { eventId: 11, reason: 'Event 11 was changed outside the console: it no longer follows event 10' },
    signed: true,
  },
  {
    name: 'a row deleted',
    apply: async (db) => {
      await db.run('DELETE FROM audit_events WHERE id = 20');
    },
    expected: { eventId: 20, reason: 'Event 20 is missing: it was deleted outside the console' },
    signed: true,
  },
  {
    name: 'the last row deleted',
    apply: async (db) => {
      await db.run('DELETE FROM audit_events WHERE id = ?', [EVENTS]);
    },
    expected: { eventId: EVENTS, reason: `Event ${EVENTS} is missing: it was deleted outside the console` },
    signed: true,
  },
  {
    name: 'a bad head signature',
    apply: async (db) => {
      await db.run('UPDATE audit_head SET signature = ? WHERE singleton = 1', [Buffer.alloc(64, 7).toString('base64')]);
    },
    expected: { eventId: EVENTS, reason: `The signed head (event ${EVENTS}) was changed outside the console: its signature does not verify` },
    signed: false,
  },
];

describe.each(ENGINES)('verifyLiveChainSql on %s', (engine) => {
  const engines = useStoreEngines();

  it.each(TAMPERS)('finds $name, whatever the page size', async (tamper) => {
    const { db, context } = await engines.open(engine);
    await appendEvents(db, context);
    await bypassAppendOnly(db);
    await tamper.apply(db);
    for (const pageRows of PAGES) {
      const progress: number[] = [];
      const check = await verifyLiveChainSql(db, KEY, { pageRows, onProgress: (p) => progress.push(p.checked) });
      expect(check.broken, `${pageRows} rows a page`).toEqual(tamper.expected);
      expect(check.head.signed).toBe(tamper.signed);
      expect(check.firstId).toBe(1);
      expect(check.total).toBe(tamper.name === 'the last row deleted' ? EVENTS - 1 : EVENTS);
      // Progress is told page by page, and only ever grows.
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      if (tamper.expected === null) {
        expect(check.checked).toBe(EVENTS);
        expect(progress).toHaveLength(Math.ceil(EVENTS / pageRows) - (EVENTS % pageRows === 0 ? 0 : 1));
      }
    }
  });

  it('checks only the tail after a given event, and the head; another key does not verify it', async () => {
    const { db, context } = await engines.open(engine);
    await appendEvents(db, context);
    await bypassAppendOnly(db);
    await db.run('UPDATE audit_events SET details = ? WHERE id = 12', ['{}']);
    const tail = await verifyLiveChainSql(db, KEY, { afterId: 20, pageRows: 4 });
    expect(tail).toMatchObject({ broken: null, checked: EVENTS - 20, firstId: 21, total: EVENTS });
    expect((await verifyLiveChainSql(db, KEY, { afterId: 11, pageRows: 4 })).broken).toEqual({ eventId: 12, reason: CHANGED(12) });
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    expect((await verifyLiveChainSql(db, { consoleId: CONSOLE_ID, publicKeyDer: other }, { afterId: 20 })).head).toMatchObject({ signed: false });
  });

  it('writes nothing', async () => {
    const { db, context } = await engines.open(engine);
    await appendEvents(db, context);
    const before = await db.all('SELECT * FROM audit_head');
    await verifyLiveChainSql(db, KEY);
    expect(await db.all('SELECT * FROM audit_head')).toEqual(before);
  });
});

describe('verifyLiveChainSql answers as the SQLite file verifier', () => {
  it.each(TAMPERS)('$name', async (tamper) => {
    const raw = new Database(':memory:');
    raw.pragma('foreign_keys = ON');
    migrate(raw);
    const db = new SqliteDatabase(raw);
    try {
      await appendEvents(db, new StoreContext(db, new FixedClock(Date.UTC(2026, 10, 30))));
      await bypassAppendOnly(db);
      await tamper.apply(db);
      for (const afterId of [0, 9, 25]) {
        const file = verifyLiveChain(raw, KEY, { afterId });
        for (const pageRows of PAGES) expect(await verifyLiveChainSql(db, KEY, { afterId, pageRows })).toEqual(file);
      }
    } finally {
      await db.close();
    }
  });
});

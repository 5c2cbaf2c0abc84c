import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { openThreadStore } from '../../main/store/database-client.js';
import { hasBytes } from '../../main/store/database-thread-protocol.js';
import type { ThreadStore } from '../../main/store/database-client.js';
import { fillSlots, slot, slotText } from '../../main/store/slots.js';
import type { AuditDraft } from '../../main/store/types.js';
import type { OutboxDraft } from '../../main/store/outbox-rows.js';
import { Harness } from '../support/console-harness.js';
import { sideDb } from '../support/side-db.js';
import { ON_POSTGRES } from '../support/test-engine.js';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'soc-thread-')), 'console.sqlite');

// The embedded engine's own thread and connection (PostgreSQL has no database thread).
describe.skipIf(ON_POSTGRES)('the database thread', () => {
  const open: ThreadStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  const start = async (path = freshPath(), clock = new FixedClock(Date.UTC(2026, 0, 15))) => {
    const store = await openThreadStore(path, clock);
    open.push(store);
    return { store, clock, path };
  };

  it('answers calls from its own connection, dated by the console clock', async () => {
    const { store, clock } = await start();
    await store.audit.append([{ action: 'demo.seeded', actorId: null, details: { users: 1 } }]);
    clock.advance(60_000);
    await store.audit.append([{ action: 'demo.seeded', actorId: null, details: { users: 2 } }]);
    const events = await store.audit.read(0, 10);
    expect(events.map((e) => e.at)).toEqual([Date.UTC(2026, 0, 15), Date.UTC(2026, 0, 15) + 60_000]);
    expect(store.stats().calls).toBe(3);
  });

  it('tells answers with bytes anywhere in them (turned back into Buffers) from those without (passed on unwalked)', () => {
    expect(hasBytes([{ id: 1, secret: { sealed: new Uint8Array([1, 2]) } }])).toBe(true);
    expect(
      hasBytes({
        rows: [
          [1, 'a'],
          [2, Buffer.from('b')],
        ],
      }),
    ).toBe(true);
    expect(hasBytes([{ id: 1, name: 'a', organization: { id: 2, kind: 'provider' } }, null, 3, 'x'])).toBe(false);
    expect(hasBytes(new Map([[1, new Uint8Array(1)]]))).toBe(false);
  });

  it('hands Buffers back as Buffers (sealed secrets cross intact)', async () => {
    const h = await Harness.create();
    try {
      await h.seed({ organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }], users: [{ userId: 'alice', organization: '123' }] });
      const row = await h.app.store.users.byUserId('alice');
      const [credential] = await h.app.store.credentials.forUser(row!.id);
      expect(Buffer.isBuffer(credential!.secretSealed)).toBe(true);
      expect(
        credential!.secretSealed.equals(sideDb(h.app).prepare('SELECT secret_sealed FROM mfa_credentials WHERE id = ?').pluck().get(credential!.id) as Buffer),
      ).toBe(true);
    } finally {
      await h.dispose();
    }
  });

  it('keeps an error’s name, message and code, and says which call failed', async () => {
    const { store } = await start();
    // An organization of no known kind: the database's own CHECK refuses it.
    const failing = store.demo.seed(
      {
        programs: [],
        roles: [],
        organizations: [{ displayId: 'X', name: 'X', kind: 'bogus' as never, stateCode: null }],
        users: [],
        credentials: [],
        assignments: [],
        requests: [],
      },
      [],
    );
    const error = (await failing.catch((e: unknown) => e)) as Error & { code?: string };
    expect(error).toMatchObject({ name: 'SqlError', code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(error.message).toContain('CHECK constraint failed');
    expect(error.stack).toContain('called from');
    expect(error.stack).toContain('database-thread.test.ts');
    // Nothing of the failed seeding was kept.
    expect(await store.meta.get('demo')).toBeNull();
  });

  it('refuses an operation the Store does not have, and anything reached through a prototype', async () => {
    const { store } = await start();
    const users = store.users as unknown as Record<string, () => Promise<unknown>>;
    await expect(users['dropEverything']!()).rejects.toThrow('The database has no operation users.dropEverything');
    await expect(users['constructor']!()).rejects.toThrow('no operation users.constructor');
    const anyPart = store as unknown as Record<string, Record<string, () => Promise<unknown>>>;
    await expect(anyPart['db']!['prepare']!()).rejects.toThrow('no operation db.prepare');
  });

  it('answers concurrent calls one at a time, in the order they came', async () => {
    const { store } = await start();
    const writes = Array.from({ length: 50 }, (_, i) => store.meta.set(`k${i}`, String(i)));
    const reads = Array.from({ length: 50 }, (_, i) => store.meta.get(`k${i}`));
    await Promise.all(writes);
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('refuses a database from a newer console with its reason, and a closed store says it is closed', async () => {
    const path = freshPath();
    const { store } = await start(path);
    await store.close();
    await expect(store.meta.get('x')).rejects.toThrow('The database thread stopped');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    await expect(openThreadStore(path, new FixedClock(0))).rejects.toThrow('written by a newer version of the console');
  });

  it('the console signs in and decides through the thread as before', async () => {
    const h = await Harness.create();
    try {
      const u = await h.seed({
        organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }],
        users: [
          { userId: 'so1', organization: '123', roles: [['iQIES Prod', 'Provider Security Official']] },
          { userId: 'alice', organization: '123' },
        ],
      });
      await h.signIn('alice', u['alice']!);
      h.nextStep();
      await h.signIn('so1', u['so1']!);
      const before = h.app.store.stats().calls;
      await h.call('alice', 'access.request', { program: 'iQIES Prod', organization: '123', role: 'Assessment Coordinator', justification: '' });
      const page = await h.call('so1', 'queue.page', {});
      expect(page.rows.map((r) => [r.lastName, r.role])).toEqual([[page.rows[0]!.lastName, 'Assessment Coordinator']]);
      expect(h.app.store.stats().calls).toBeGreaterThan(before);
    } finally {
      await h.dispose();
    }
  });
});

describe('slots in drafts', () => {
  it('fills numbers, details and text from the row the store wrote', () => {
    const audit = fillSlots<AuditDraft[]>(
      [
        {
          action: 'request.filed',
          actorId: 1,
          subjectUserId: slot('userRowId'),
          requestId: slot('requestId'),
          details: { outboxId: slot('requestId'), role: 'x' },
        },
      ],
      { userRowId: 7, requestId: 42 },
    );
    expect(audit).toEqual([{ action: 'request.filed', actorId: 1, subjectUserId: 7, requestId: 42, details: { outboxId: 42, role: 'x' } }]);
    const [mail] = fillSlots<OutboxDraft[]>(
      [
        {
          to: 'a@b.c',
          subject: 'Request',
          body: `Request ID: ${slotText('requestId')}`,
          kind: 'request.filed',
          organizationId: 3,
          requestId: slot('requestId'),
        },
      ],
      { requestId: 42 },
    );
    expect(mail).toMatchObject({ body: 'Request ID: 42', requestId: 42 });
  });

  it('refuses a slot the store has no value for', () => {
    expect(() => fillSlots<AuditDraft>({ action: 'request.filed', actorId: 1, requestId: slot('requestId') }, {})).toThrow('No value for the slot requestId');
  });
});

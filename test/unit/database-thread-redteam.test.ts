import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import { AUTHORITY_CHANGED } from '../../main/services/officials.js';
import { ChunkPacer } from '../../main/services/pacing.js';
import { USER_MESSAGES } from '../../main/services/users.js';
import { openThreadStore } from '../../main/store/database-client.js';
import type { ThreadStore } from '../../main/store/database-client.js';
import { fillSlots, slotText } from '../../main/store/slots.js';
import { Harness } from '../support/console-harness.js';
import { sideSql } from '../support/side-db.js';

const PROD = 'iQIES Prod';
const freshPath = () => join(mkdtempSync(join(tmpdir(), 'soc-thread-rt-')), 'console.sqlite');

describe('slots cannot be forged by what a user types', () => {
  it('leaves a justification that looks like a slot exactly as typed in the officials’ email', async () => {
    const h = await Harness.create();
    try {
      const u = await h.seed({
        organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }],
        users: [
          { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
          { userId: 'alice', organization: '123' },
        ],
      });
      await h.signIn('alice', u['alice']!);
      const justification = 'Ticket {{requestId}}, see {{userRowId}} and {{id}}';
      const { requestId } = await h.call('alice', 'access.request', { program: PROD, organization: '123', role: 'Assessment Coordinator', justification });
      const body = (await sideSql(h.app).get<{ body: string }>("SELECT body FROM outbox WHERE kind = 'request.filed'"))!.body;
      expect(body).toContain(`Request ID: ${requestId}\n`);
      expect(body).toContain(`Justification: ${justification}\n`);
    } finally {
      await h.dispose();
    }
  });

  it('fills only the places a service marked, not text that merely spells a slot', () => {
    const [mail] = fillSlots<Array<{ body: string }>>([{ body: `Request ID: ${slotText('requestId')}; typed: {{requestId}}` }], { requestId: 7 });
    expect(mail!.body).toBe('Request ID: 7; typed: {{requestId}}');
  });

  it('fills a slot only from the values the store gave, never from an object’s prototype', () => {
    expect(() => fillSlots<{ n: number }>({ n: { $slot: 'constructor' } }, { requestId: 7 })).toThrow('No value for the slot constructor');
    expect(() => fillSlots<{ body: string }>({ body: `x ${slotText('toString')}` }, { requestId: 7 })).toThrow('No value for the slot toString');
  });
});

describe('the ThreadStore proxy under ordinary JavaScript', () => {
  const open: ThreadStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('turns a part into text or JSON without sending the thread a call (none fails unhandled)', async () => {
    const store = await openThreadStore(freshPath(), new FixedClock(Date.UTC(2026, 0, 15)));
    open.push(store);
    const before = store.stats().calls;
    expect(String(store.users)).toBe('[object Object]');
    expect(`${store}`).toBe('[object Object]');
    expect(JSON.stringify({ users: store.users })).toBe('{"users":{}}');
    expect(Object.prototype.hasOwnProperty.call(store, 'users')).toBe(false);
    // The store still answers, and no call went to the thread for the coercions above.
    await store.meta.get('schema_version');
    expect(store.stats().calls).toBe(before + 1);
  });
});

describe('the chunk pacer', () => {
  it('never sizes a chunk below one item, whatever it is given', () => {
    const pacer = new ChunkPacer(6, 20, 0, 500);
    pacer.record(1e9);
    expect(pacer.size).toBeGreaterThanOrEqual(1);
    pacer.record(Number.NaN);
    expect(pacer.size).toBeGreaterThanOrEqual(1);
    expect(new ChunkPacer(6, 0).size).toBeGreaterThanOrEqual(1);
  });
});

describe('audit integrity asked twice at once', () => {
  it('records one break once, not once per caller', async () => {
    const h = await Harness.create();
    try {
      const u = await h.seed({ organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }], users: [{ userId: 'alice', organization: '123' }] });
      await h.signIn('alice', u['alice']!);
      const db = sideSql(h.app);
      // A break made the only way the database allows: its append-only trigger dropped first.
      await db.run(db.dialect === 'sqlite' ? 'DROP TRIGGER audit_events_no_update' : 'DROP TRIGGER audit_events_no_update ON audit_events');
      await db.run('UPDATE audit_events SET details = ? WHERE id = (SELECT max(id) FROM audit_events)', [JSON.stringify({ forged: true })]);
      const [first, second] = await Promise.all([h.app.services.integrity.status(), h.app.services.integrity.status()]);
      expect(first.state).toBe('broken');
      expect(second.state).toBe('broken');
      expect((await h.auditActions()).filter((a) => a === 'audit.chain_broken')).toHaveLength(1);
    } finally {
      await h.dispose();
    }
  });
});

describe('two Security Officials removing each other at once', () => {
  it('never leaves the organization without one unless someone confirmed it was the last', async () => {
    const h = await Harness.create();
    try {
      const u = await h.seed({
        organizations: [{ displayId: '123', name: 'Sunrise', kind: 'provider' }],
        users: [
          { userId: 'so1', organization: '123', roles: [[PROD, 'Provider Security Official']] },
          { userId: 'so2', organization: '123', roles: [[PROD, 'Provider Security Official']] },
        ],
      });
      for (const id of ['so1', 'so2']) {
        await h.signIn(id, u[id]!);
        h.nextStep();
      }
      const remove = (by: string, of: string) =>
        h.app.dispatch({ clientId: by }, 'users.removeRole', { userId: of, program: PROD, organization: '123', role: 'Provider Security Official' });
      const outcomes = await Promise.all([remove('so1', 'so2'), remove('so2', 'so1')]);
      const left = (await sideSql(h.app).get<{ n: number }>(
        "SELECT count(*) AS n FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE r.name = 'Provider Security Official'",
      ))!.n;
      expect(left, JSON.stringify(outcomes)).toBe(1);
      // The one that loses finds its own role gone (the other's removal committed before its own
      // check began, or between that check and its write: its authority changed) or, on PostgreSQL
      // where both run side by side, that it would remove the last one.
      const refused = outcomes.filter((o) => !o.ok).map((o) => (o.ok ? null : o.error));
      expect(refused).toHaveLength(1);
      const [error] = refused;
      const lostAuthority = error?.code === 'FORBIDDEN' && [AUTHORITY_CHANGED, USER_MESSAGES.notOfficial].includes(error.message);
      const askedToConfirm = error?.code === 'CONFLICT' && error.field === 'confirmLastOfficial';
      expect(lostAuthority || askedToConfirm, JSON.stringify(error)).toBe(true);
    } finally {
      await h.dispose();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../main/clock.js';
import Database from 'better-sqlite3';
import { digestTables, exportArchive, type UnsignedManifest } from '../../main/store/archive-file.js';
import { insertScenario, type Scenario } from '../../main/store/seed.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { openDatabase } from '../../main/store/sqlite.js';
import { StoreContext } from '../../main/store/store-context.js';
import type { DatabaseLocation } from '../../main/store/store.js';
import { useStoreEngines } from '../support/store-engines.js';
import { NO_CONTACT } from '../support/scenario-user.js';

/**
 * A review archive is the same file whichever engine the console runs on: the same rows, in the
 * same tables, digested the same way, so offline review does not care where it came from.
 */

const T0 = Date.UTC(2026, 10, 2, 15);
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'soc-archive-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const person = (userId: string, home: string, n: number): Scenario['users'][number] => ({
  userId,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  email: `${userId}@example.org`,
  ...NO_CONTACT,
  status: 'active',
  passwordHash: 'not-a-real-hash',
  createdAt: T0 - 30 * DAY,
  lastSignInAt: null,
  proofingState: 'proofed_in_person',
  homeOrganization: home,
});

/** Two organizations, decided and pending requests over ten days, and the audit of each decision. */
const SCENARIO: Scenario = {
  programs: ['iQIES Prod'],
  roles: [{ name: 'Assessment Coordinator', securityOfficialKind: null }],
  organizations: [
    { displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider', stateCode: 'FL' },
    { displayId: '456', name: 'Bayview Home Health', kind: 'provider', stateCode: 'GA' },
  ],
  users: Array.from({ length: 12 }, (_, i) => person(`user${i}`, i % 2 === 0 ? '123' : '456', i)),
  credentials: [],
  assignments: [],
  requests: Array.from({ length: 12 }, (_, i) => ({
    requester: `user${i}`,
    program: 'iQIES Prod',
    organization: i % 2 === 0 ? '123' : '456',
    role: 'Assessment Coordinator',
    justification: `Request ${i}`,
    status: i % 4 === 3 ? ('pending' as const) : i % 4 === 2 ? ('rejected' as const) : ('approved' as const),
    requestedAt: T0 + i * DAY - 3_600_000,
    decidedAt: i % 4 === 3 ? null : T0 + i * DAY,
    decidedBy: null,
    reason: i % 4 === 2 ? 'Not needed' : null,
  })),
};

/** The scenario and one audit event per decision, dated as the decision, on `db`. */
async function fill(db: SqlDatabase): Promise<void> {
  const clock = new FixedClock(T0);
  const context = new StoreContext(db, clock);
  await db.transaction((tx) => insertScenario(tx, SCENARIO));
  const decided = await db.all<{ id: number; organization_id: number; requester_id: number; decided_at: number; status: string }>(
    "SELECT id, organization_id, requester_id, decided_at, status FROM role_requests WHERE status <> 'pending' ORDER BY decided_at, id",
  );
  for (const r of decided) {
    clock.set(r.decided_at);
    await db.transaction((tx) =>
      context.appendAudit(tx, [
        {
          action: r.status === 'approved' ? 'request.approved' : 'request.rejected',
          actorId: null,
          subjectUserId: r.requester_id,
          organizationId: r.organization_id,
          requestId: r.id,
          details: { note: `decision of request ${r.id}` },
        },
      ]),
    );
  }
}

describe('a review archive', () => {
  const engines = useStoreEngines();

  it('is the same file from SQLite and from PostgreSQL for the same rows', async () => {
    const sqlitePath = join(dir, 'console.sqlite');
    const sqlite = new SqliteDatabase(openDatabase(sqlitePath));
    await fill(sqlite);
    await sqlite.close();
    const { db: postgres } = await engines.open('postgres');
    await fill(postgres);
    const organizationIds = (await postgres.all<{ id: number }>("SELECT id FROM organizations WHERE display_id = '123'")).map((r) => r.id);
    const period = { from: T0 + 2 * DAY, to: T0 + 9 * DAY };

    const exported = async (source: DatabaseLocation, name: string): Promise<UnsignedManifest> =>
      exportArchive({ source, archivePath: join(dir, name), organizationIds, ...period });
    const fromSqlite = await exported({ engine: 'sqlite', path: sqlitePath }, 'from-sqlite.socarchive');
    const url = (postgres as unknown as { pool: { options: { connectionString: string } } }).pool.options.connectionString;
    const fromPostgres = await exported({ engine: 'postgres', url }, 'from-postgres.socarchive');

    // Something was archived: the period's decisions of 123 and their audit events.
    expect(fromSqlite.counts['role_requests']).toBeGreaterThan(0);
    expect(fromSqlite.counts['audit_events']).toBeGreaterThan(0);
    expect(fromSqlite.chain.firstId).not.toBeNull();
    // The whole manifest: organizations, period, chain segment, counts, the digest of every table, the schema.
    expect(fromPostgres).toEqual(fromSqlite);
    // And each file holds what its manifest says: its rows digest to the manifest's digests.
    for (const [name, manifest] of [
      ['from-sqlite.socarchive', fromSqlite],
      ['from-postgres.socarchive', fromPostgres],
    ] as const) {
      const archive = new Database(join(dir, name), { readonly: true });
      try {
        expect(digestTables(archive)).toEqual({ counts: manifest.counts, digests: manifest.digests });
      } finally {
        archive.close();
      }
    }
  });
});

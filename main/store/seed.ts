import type { SqlExecutor, SqlValue } from './sql.js';
import type { OrganizationKind, ProofingState, RequestStatus, UserStatus } from '../../shared/domain.js';

/** Rows to bulk-insert: the demo database and the scale generators build one of these. */
export interface Scenario {
  programs: readonly string[];
  roles: ReadonlyArray<{ name: string; securityOfficialKind: OrganizationKind | null }>;
  organizations: ReadonlyArray<{ displayId: string; name: string; kind: OrganizationKind; stateCode: string | null }>;
  users: ReadonlyArray<{
    userId: string;
    firstName: string;
    lastName: string;
    email: string;
    phone: string;
    dateOfBirth: string;
    addressLine1: string;
    city: string;
    state: string;
    zip: string;
    status: UserStatus;
    passwordHash: string;
    createdAt: number;
    lastSignInAt: number | null;
    proofingState: ProofingState;
    homeOrganization: string;
  }>;
  credentials: ReadonlyArray<{ userId: string; credentialId: string; label: string; secretSealed: Buffer; createdAt: number }>;
  assignments: ReadonlyArray<{ userId: string; program: string; organization: string; role: string; grantedAt: number }>;
  requests: ReadonlyArray<{
    requester: string;
    program: string;
    organization: string;
    role: string;
    justification: string;
    status: RequestStatus;
    requestedAt: number;
    decidedAt: number | null;
    decidedBy: string | null;
    reason: string | null;
  }>;
}

/**
 * Inserts a scenario inside the caller's transaction (all or nothing), on either engine; names are
 * resolved to row ids, including rows an earlier scenario inserted.
 */
export async function insertScenario(tx: SqlExecutor, s: Scenario): Promise<void> {
  const existing = async (sql: string) => new Map((await tx.all<{ k: string; id: number }>(sql)).map((r) => [r.k, r.id]));
  const ids = {
    program: await existing('SELECT name AS k, id FROM programs'),
    role: await existing('SELECT name AS k, id FROM roles'),
    org: await existing('SELECT display_id AS k, id FROM organizations'),
    user: await existing('SELECT user_id AS k, id FROM users'),
  };
  const lookup = (map: Map<string, number>, key: string, what: string): number => {
    const id = map.get(key);
    if (id === undefined) throw new Error(`Scenario names an unknown ${what}: ${key}`);
    return id;
  };
  const insertId = async (sql: string, params: SqlValue[]): Promise<number> => (await tx.get<{ id: number }>(`${sql} RETURNING id`, params))!.id;
  for (const p of s.programs) ids.program.set(p, await insertId('INSERT INTO programs (name) VALUES (?)', [p]));
  for (const r of s.roles)
    ids.role.set(r.name, await insertId('INSERT INTO roles (name, security_official_kind) VALUES (?, ?)', [r.name, r.securityOfficialKind]));
  for (const o of s.organizations) {
    ids.org.set(
      o.displayId,
      await insertId('INSERT INTO organizations (display_id, name, kind, state_code) VALUES (?, ?, ?, ?)', [o.displayId, o.name, o.kind, o.stateCode]),
    );
  }
  for (const u of s.users) {
    const id = await insertId(
      `INSERT INTO users (user_id, first_name, last_name, email, phone, date_of_birth, address_line1, city, state, zip, status,
                          password_hash, created_at, last_sign_in_at, proofing_state, home_organization_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        u.userId,
        u.firstName,
        u.lastName,
        u.email,
        u.phone,
        u.dateOfBirth,
        u.addressLine1,
        u.city,
        u.state,
        u.zip,
        u.status,
        u.passwordHash,
        u.createdAt,
        u.lastSignInAt,
        u.proofingState,
        lookup(ids.org, u.homeOrganization, 'organization'),
      ],
    );
    ids.user.set(u.userId, id);
  }
  for (const c of s.credentials) {
    await tx.run('INSERT INTO mfa_credentials (user_id, credential_id, label, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?)', [
      lookup(ids.user, c.userId, 'user'),
      c.credentialId,
      c.label,
      c.secretSealed,
      c.createdAt,
    ]);
  }
  for (const a of s.assignments) {
    await tx.run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)', [
      lookup(ids.user, a.userId, 'user'),
      lookup(ids.program, a.program, 'program'),
      lookup(ids.org, a.organization, 'organization'),
      lookup(ids.role, a.role, 'role'),
      a.grantedAt,
    ]);
  }
  for (const r of s.requests) {
    await tx.run(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at, decided_at, decided_by, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        lookup(ids.user, r.requester, 'user'),
        lookup(ids.program, r.program, 'program'),
        lookup(ids.org, r.organization, 'organization'),
        lookup(ids.role, r.role, 'role'),
        r.justification,
        r.status,
        r.requestedAt,
        r.decidedAt,
        r.decidedBy === null ? null : lookup(ids.user, r.decidedBy, 'user'),
        r.reason,
      ],
    );
  }
}

export async function setMeta(db: SqlExecutor, key: string, value: string): Promise<void> {
  await db.run('INSERT INTO console_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

/** Moves demo sign-ins that have aged past a week up to a week ago. Demo databases only. */
export async function refreshDemoActivity(db: SqlExecutor, now: number): Promise<void> {
  const weekAgo = now - 7 * 86_400_000;
  await db.run("UPDATE users SET last_sign_in_at = ? WHERE status = 'active' AND last_sign_in_at < ?", [weekAgo, weekAgo]);
}

import type { Database } from 'better-sqlite3';
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

/** Inserts a scenario in one transaction (all or nothing); names are resolved to row ids. */
export function insertScenario(db: Database, s: Scenario): void {
  db.transaction(() => {
    // Names may refer to rows an earlier scenario inserted.
    const existing = (sql: string) => new Map((db.prepare(sql).all() as Array<{ k: string; id: number }>).map((r) => [r.k, r.id]));
    const ids = {
      program: existing('SELECT name AS k, id FROM programs'),
      role: existing('SELECT name AS k, id FROM roles'),
      org: existing('SELECT display_id AS k, id FROM organizations'),
      user: existing('SELECT user_id AS k, id FROM users'),
    };
    const lookup = (map: Map<string, number>, key: string, what: string): number => {
      const id = map.get(key);
      if (id === undefined) throw new Error(`Scenario names an unknown ${what}: ${key}`);
      return id;
    };
    const program = db.prepare('INSERT INTO programs (name) VALUES (?)');
    for (const p of s.programs) ids.program.set(p, Number(program.run(p).lastInsertRowid));
    const role = db.prepare('INSERT INTO roles (name, security_official_kind) VALUES (?, ?)');
    for (const r of s.roles) ids.role.set(r.name, Number(role.run(r.name, r.securityOfficialKind).lastInsertRowid));
    const org = db.prepare('INSERT INTO organizations (display_id, name, kind, state_code) VALUES (?, ?, ?, ?)');
    for (const o of s.organizations) ids.org.set(o.displayId, Number(org.run(o.displayId, o.name, o.kind, o.stateCode).lastInsertRowid));
    const user = db.prepare(
      `INSERT INTO users (user_id, first_name, last_name, email, phone, date_of_birth, address_line1, city, state, zip, status,
                          password_hash, created_at, last_sign_in_at, proofing_state, home_organization_id)
       VALUES (@userId, @firstName, @lastName, @email, @phone, @dateOfBirth, @addressLine1, @city, @state, @zip, @status,
               @passwordHash, @createdAt, @lastSignInAt, @proofingState, @homeOrganizationId)`,
    );
    for (const u of s.users) {
      const homeOrganizationId = lookup(ids.org, u.homeOrganization, 'organization');
      ids.user.set(u.userId, Number(user.run({ ...u, homeOrganizationId }).lastInsertRowid));
    }
    const credential = db.prepare('INSERT INTO mfa_credentials (user_id, credential_id, label, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?)');
    for (const c of s.credentials) credential.run(lookup(ids.user, c.userId, 'user'), c.credentialId, c.label, c.secretSealed, c.createdAt);
    const assignment = db.prepare('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, ?)');
    for (const a of s.assignments) {
      assignment.run(
        lookup(ids.user, a.userId, 'user'),
        lookup(ids.program, a.program, 'program'),
        lookup(ids.org, a.organization, 'organization'),
        lookup(ids.role, a.role, 'role'),
        a.grantedAt,
      );
    }
    const request = db.prepare(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at, decided_at, decided_by, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of s.requests) {
      request.run(
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
      );
    }
  }).immediate();
}

export function setMeta(db: Database, key: string, value: string): void {
  db.prepare('INSERT INTO console_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** Moves demo sign-ins that have aged past a week up to a week ago. Demo databases only. */
export function refreshDemoActivity(db: Database, now: number): void {
  const weekAgo = now - 7 * 86_400_000;
  db.prepare("UPDATE users SET last_sign_in_at = ? WHERE status = 'active' AND last_sign_in_at < ?").run(weekAgo, weekAgo);
}

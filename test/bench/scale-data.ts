import { createHash } from 'node:crypto';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import { Faker, en } from '@faker-js/faker';
import { ScureBase32Plugin } from 'otplib';
import { DATABASE_FILE, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { hashPassword } from '../../main/services/passwords.js';
import { SecretBox } from '../../main/services/secret-box.js';
import { GENESIS_HASH, auditHeadPayload, chainHash, signAuditHead } from '../../main/store/audit-chain.js';
import { ConsoleIdentity } from '../../main/services/console-identity.js';
import { setMeta } from '../../main/store/seed.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { openDatabase } from '../../main/store/sqlite.js';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { OrganizationKind, ProgramName, ProofingState, UserStatus } from '../../shared/domain.js';
import { Random } from './bench-support.js';

/**
 * The scale database behind the benchmarks: programs, roles,
 * organizations, users, role assignments, pending requests and decided history, bulk-inserted
 * with prepared statements in large transactions. Deterministic for a seed: the same options
 * give the same rows (but for times, which are relative to now, and the sealed TOTP keys,
 * whose nonces are random).
 *
 * Shape, for N users and P pending requests:
 * - CMS (a few CMS Security Officials), the 50 states, N/200 providers. The first provider is a
 *   large health system (2% of users, a quarter of the pending requests: bulk decisions are
 *   measured on its queue); one provider in 100 has no Security Official yet (its requests wait
 *   for a first Security Official, whom only CMS may approve). Every other organization has 1-3.
 * - Ordinary users hold 0-2 ordinary roles; ids are assigned in blocks per organization.
 * - Pending requests: 25% at the large provider (--large-share), 8% Security Official requests
 *   anywhere (the CMS queue), 0.5% at CMS, 10% at states, the rest spread over the providers;
 *   15% are older than 30 days (stale). Request IDs grow with time, as in a real console.
 * - Active accounts last signed in 0-119 days ago (some reach the 120-day rule within 14 or 30
 *   days); deactivated accounts were deactivated the day after their 120 days; half of the
 *   accounts awaiting approval wait for in-person proofing, referred up to 60 days ago.
 * - History: approved (88%) or rejected with a reason, decided by a Security Official of the
 *   organization (CMS for Security Official requests), each with its audit event in the hash chain.
 */

export interface ScaleOptions {
  users: number;
  pending: number;
  history: number;
  /** The database file to create. The browser host opens `<dir>/console.sqlite`. */
  db: string;
  seed: number;
  /** Delete an existing database (and its accounts file) first. */
  force: boolean;
  /** Rows per transaction. */
  batch: number;
  /** The journal during the load: off (fastest; a crash mid-load leaves a file to delete) or wal. */
  journal: 'off' | 'wal';
  /** Check foreign keys row by row during the load (slower); otherwise checked once at the end when `check` is set. */
  loadForeignKeys: boolean;
  /** Run PRAGMA foreign_key_check and integrity counts at the end. */
  check: boolean;
  /** Share of the pending requests at the large provider (default 0.25; 1 puts them all in one official's queue). */
  largeShare: number;
  /** Share of the users at the large provider (default 0.02; 0.37 gives it over 100,000 users in iQIES Prod for the export figure). */
  largeUserShare: number;
  /** Drop the users table's secondary (non-unique) indexes during the load and build them afterwards. */
  deferIndexes: boolean;
  /** Run ANALYZE at the end. Off by default: the console never does, so a real database has no statistics. */
  analyze: boolean;
  now: number;
  log: (line: string) => void;
}

export const BENCH_PASSWORD = 'bench-harbor-lantern-2026';

export interface BenchAccount {
  userId: string;
  password: string;
  /** Base32 TOTP key: `oathtool --totp -b KEY` gives the codes. */
  totpKey: string;
  credentialId: string;
  firstName: string;
  lastName: string;
  kind: OrganizationKind;
  organization: { displayId: string; name: string };
  roles: string[];
  /** Pending requests in this official's queue when the data was generated. */
  pendingInQueue: number;
  note: string;
}

export interface AccountsFile {
  generatedAt: string;
  database: string;
  keyFile: string;
  options: { users: number; pending: number; history: number; seed: number };
  accounts: BenchAccount[];
}

export interface ScaleResult {
  seconds: number;
  rows: Record<string, number>;
  accountsPath: string;
  phases: Array<{ name: string; rows: number; ms: number }>;
}

const DAY = 86_400_000;

interface OrgPlan {
  id: number;
  displayId: string;
  name: string;
  kind: OrganizationKind;
  stateCode: string | null;
  /** 0-based index of its first user (user row id = index + 1). */
  userStart: number;
  userCount: number;
  /** Its first soCount users are its Security Officials. */
  soCount: number;
}

const STATES: ReadonlyArray<[code: string, name: string]> = [
  ['FL', 'Florida'],
  ['AL', 'Alabama'],
  ['AK', 'Alaska'],
  ['AZ', 'Arizona'],
  ['AR', 'Arkansas'],
  ['CA', 'California'],
  ['CO', 'Colorado'],
  ['CT', 'Connecticut'],
  ['DE', 'Delaware'],
  ['GA', 'Georgia'],
  ['HI', 'Hawaii'],
  ['ID', 'Idaho'],
  ['IL', 'Illinois'],
  ['IN', 'Indiana'],
  ['IA', 'Iowa'],
  ['KS', 'Kansas'],
  ['KY', 'Kentucky'],
  ['LA', 'Louisiana'],
  ['ME', 'Maine'],
  ['MD', 'Maryland'],
  ['MA', 'Massachusetts'],
  ['MI', 'Michigan'],
  ['MN', 'Minnesota'],
  ['MS', 'Mississippi'],
  ['MO', 'Missouri'],
  ['MT', 'Montana'],
  ['NE', 'Nebraska'],
  ['NV', 'Nevada'],
  ['NH', 'New Hampshire'],
  ['NJ', 'New Jersey'],
  ['NM', 'New Mexico'],
  ['NY', 'New York'],
  ['NC', 'North Carolina'],
  ['ND', 'North Dakota'],
  ['OH', 'Ohio'],
  ['OK', 'Oklahoma'],
  ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'],
  ['RI', 'Rhode Island'],
  ['SC', 'South Carolina'],
  ['SD', 'South Dakota'],
  ['TN', 'Tennessee'],
  ['TX', 'Texas'],
  ['UT', 'Utah'],
  ['VT', 'Vermont'],
  ['VA', 'Virginia'],
  ['WA', 'Washington'],
  ['WV', 'West Virginia'],
  ['WI', 'Wisconsin'],
  ['WY', 'Wyoming'],
];

const FACILITY_TYPES = [
  'Skilled Nursing Center',
  'Home Health Agency',
  'Hospice',
  'Rehabilitation Hospital',
  'Long-Term Care Hospital',
  'Nursing and Rehabilitation',
  'Inpatient Rehabilitation Facility',
  'Care Center',
  'Health and Rehab',
  'Senior Living',
];
const REJECTION_REASONS = [
  'Not employed by this organization',
  'Role not needed for current duties',
  'Duplicate request',
  'Please request the Provider Basic User role instead',
  'Identity could not be confirmed with the organization',
];
const JUSTIFICATIONS = [
  '',
  '',
  'Needs access for assessment submissions',
  'New hire, MDS coordinator',
  'Covering for a colleague on leave',
  'Quality reporting duties',
];

/** The ordinary roles the role catalogue allows per kind of organization (CMS has none). */
const ORDINARY_ROLES: Record<OrganizationKind, readonly [string, string] | null> = {
  provider: ['Assessment Coordinator', 'Provider Basic User'],
  state: ['State Agency General User', 'Surveyor'],
  cms: null,
};

/** Named officials: which organization they belong to (by plan position) and what to say about them. */
const NAMED = {
  cms: { userId: 'cms.official', note: 'CMS Security Official: CMS requests and Security Official requests of every organization' },
  large: { userId: 'large.provider.so', note: 'Provider Security Official of the large provider (a quarter of the pending requests; bulk decisions)' },
  provider: { userId: 'provider.so', note: 'Provider Security Official of a typical provider' },
  state: { userId: 'state.so', note: 'State Security Official of Florida' },
} as const;

/** The same TOTP key for the same bench user on every run. */
export function benchTotpKey(userId: string): string {
  const bytes = createHash('sha256').update(`soc-bench-totp:${userId}`).digest().subarray(0, 20);
  return new ScureBase32Plugin().encode(bytes).replace(/=+$/, '');
}

export function accountsPathFor(db: string): string {
  return `${db}.accounts.json`;
}

function planOrganizations(
  users: number,
  largeUserShare: number,
): { orgs: OrgPlan[]; cms: OrgPlan; large: OrgPlan; typical: OrgPlan; florida: OrgPlan; providers: OrgPlan[]; states: OrgPlan[] } {
  const providerCount = Math.max(2, Math.round(users / 200));
  const cmsUsers = Math.max(6, Math.round(users * 0.001));
  const stateUsers = Math.max(4, Math.round(users * 0.0008));
  const largeUsers = Math.max(10, Math.round(users * largeUserShare));
  const rest = users - cmsUsers - stateUsers * STATES.length - largeUsers;
  if (rest < (providerCount - 1) * 4) throw new Error(`--users ${users} is too few for this shape; use at least 1000`);
  const orgs: OrgPlan[] = [];
  let next = 0;
  const add = (o: Omit<OrgPlan, 'id' | 'userStart'>): OrgPlan => {
    const plan = { ...o, id: orgs.length + 1, userStart: next };
    next += o.userCount;
    orgs.push(plan);
    return plan;
  };
  const cms = add({ displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms', stateCode: null, userCount: cmsUsers, soCount: 3 });
  const states = STATES.map(([code, name], i) => add({ displayId: code, name, kind: 'state', stateCode: code, userCount: stateUsers, soCount: 1 + (i % 3) }));
  const places = placeNames();
  const providers: OrgPlan[] = [];
  const perProvider = Math.floor(rest / (providerCount - 1));
  let remainder = rest - perProvider * (providerCount - 1);
  for (let p = 0; p < providerCount; p += 1) {
    const [code] = STATES[p % STATES.length] as [string, string];
    const large = p === 0;
    const userCount = large ? largeUsers : perProvider + (remainder-- > 0 ? 1 : 0);
    const name = large
      ? 'Lakeshore Regional Health System'
      : `${places[p % places.length]} ${FACILITY_TYPES[Math.floor(p / places.length) % FACILITY_TYPES.length]}`;
    // One provider in 100 has no Security Official yet (never the two named ones).
    const soCount = large ? 3 : p > 1 && p % 100 === 99 ? 0 : 1 + (p % 3);
    providers.push(add({ displayId: String(100_000 + p + 1), name, kind: 'provider', stateCode: code, userCount, soCount }));
  }
  return { orgs, cms, large: providers[0] as OrgPlan, typical: providers[1] as OrgPlan, florida: states[0] as OrgPlan, providers, states };
}

/** Place-like words for provider names, from faker with a fixed seed (once, not per row). */
function placeNames(): string[] {
  const faker = new Faker({ locale: [en] });
  faker.seed(7);
  const names = new Set<string>();
  for (let i = 0; names.size < 400 && i < 10_000; i += 1) names.add(i % 2 === 0 ? faker.location.city() : `${faker.location.street()}`);
  return [...names];
}

/** Small pools from faker with a fixed seed; rows pick from them with a fast seeded random (faker per row is ~13 us). */
function pools(seed: number) {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const unique = (make: () => string, n: number) => {
    const set = new Set<string>();
    for (let i = 0; set.size < n && i < n * 50; i += 1) set.add(make());
    return [...set];
  };
  return {
    first: unique(() => faker.person.firstName(), 600),
    last: unique(() => faker.person.lastName(), 900),
    streets: unique(() => faker.location.streetAddress(), 4000),
    cities: unique(() => faker.location.city(), 800),
  };
}

export async function generateScaleData(o: ScaleOptions): Promise<ScaleResult> {
  if (o.users < 1000) throw new Error('--users must be at least 1000');
  if (!(o.largeShare >= 0 && o.largeShare <= 1)) throw new Error('--large-share is a fraction from 0 to 1');
  if (!(o.largeUserShare > 0 && o.largeUserShare <= 0.5)) throw new Error('--large-users is a fraction above 0, at most 0.5');
  const accountsPath = accountsPathFor(o.db);
  const leftovers = [o.db, `${o.db}-wal`, `${o.db}-shm`, `${o.db}-journal`, accountsPath].filter((p) => existsSync(p));
  if (leftovers.length > 0) {
    if (!o.force) throw new Error(`${o.db} already exists; pass --force to replace it`);
    for (const p of leftovers) rmSync(p);
  }
  if (basename(o.db) !== DATABASE_FILE) {
    o.log(`Note: the browser host opens <dir>/${DATABASE_FILE}; this file is named ${basename(o.db)}.`);
  }
  const started = performance.now();
  const phases: ScaleResult['phases'] = [];
  const phase = <T extends number>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const rows = fn();
    const ms = performance.now() - t0;
    phases.push({ name, rows, ms });
    o.log(
      `  ${name.padEnd(18)} ${rows.toLocaleString('en-US').padStart(11)} rows  ${(ms / 1000).toFixed(1).padStart(6)} s  ${Math.round(rows / (ms / 1000 || 1))
        .toLocaleString('en-US')
        .padStart(10)} rows/s`,
    );
    return rows;
  };

  // Known password and TOTP keys for the named officials; the key is the one the browser host uses.
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const keyFile = join(dirname(o.db), dataKeyFileName(false));
  const box = new SecretBox(new KeyFileProvider(keyFile).loadOrCreateKey());

  const db = openDatabase(o.db);
  const plan = planOrganizations(o.users, o.largeUserShare);
  const names = pools(o.seed);
  const rnd = new Random(o.seed);
  const now = o.now;
  const rows: Record<string, number> = {};
  const accounts: BenchAccount[] = [];
  try {
    tuneForLoad(db, o);

    rows.programs = phase('programs', () => {
      const insert = db.prepare('INSERT INTO programs (id, name) VALUES (?, ?)');
      db.transaction(() => PROGRAMS.forEach((name, i) => insert.run(i + 1, name)))();
      return PROGRAMS.length;
    });
    const roleId = new Map<string, number>();
    rows.roles = phase('roles', () => {
      const insert = db.prepare('INSERT INTO roles (id, name, security_official_kind) VALUES (?, ?, ?)');
      db.transaction(() =>
        ROLE_NAMES.forEach((name, i) => {
          insert.run(i + 1, name, soKind(name));
          roleId.set(name, i + 1);
        }),
      )();
      return ROLE_NAMES.length;
    });
    const role = (name: string): number => roleId.get(name) as number;
    rows.organizations = phase('organizations', () => {
      const insert = db.prepare('INSERT INTO organizations (id, display_id, name, kind, state_code) VALUES (?, ?, ?, ?, ?)');
      db.transaction(() => {
        for (const org of plan.orgs) insert.run(org.id, org.displayId, org.name, org.kind, org.stateCode);
      })();
      return plan.orgs.length;
    });

    const named = new Map<number, { key: keyof typeof NAMED; org: OrgPlan }>([
      [plan.cms.userStart, { key: 'cms', org: plan.cms }],
      [plan.large.userStart, { key: 'large', org: plan.large }],
      [plan.typical.userStart, { key: 'provider', org: plan.typical }],
      [plan.florida.userStart, { key: 'state', org: plan.florida }],
    ]);
    const namedFirst = ['Dana', 'Lena', 'Pamela', 'Robert'];
    const namedLast = ['Whitfield', 'Okonkwo', 'Cameron', 'Thompson'];

    // ---- users ----
    // Secondary indexes as the migrations wrote them, rebuilt from the same SQL after the load.
    const deferred = o.deferIndexes
      ? (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL").all() as Array<{
          name: string;
          sql: string;
        }>)
      : [];
    for (const index of deferred) db.exec(`DROP INDEX "${index.name}"`);
    // Each user's names, kept so the requests can carry them (the name trigger is off during the load).
    const firstNames: string[] = new Array(o.users);
    const lastNames: string[] = new Array(o.users);
    rows.users = phase('users', () => {
      const insert = db.prepare(
        `INSERT INTO users (id, user_id, first_name, last_name, email, phone, date_of_birth, address_line1, city, state, zip, status,
                            password_hash, locked_until, last_sign_in_at, created_at, proofing_state, home_organization_id, deactivated_at, proofing_referred_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const domains = ['example.org', 'example.com', 'example.net'];
      let orgIndex = 0;
      batches(db, o.users, o.batch, (u) => {
        while (orgIndex + 1 < plan.orgs.length && (plan.orgs[orgIndex + 1] as OrgPlan).userStart <= u) orgIndex += 1;
        const org = plan.orgs[orgIndex] as OrgPlan;
        const isOfficial = u - org.userStart < org.soCount;
        const n = named.get(u);
        const namedIndex = n ? Object.keys(NAMED).indexOf(n.key) : -1;
        const first = n ? (namedFirst[namedIndex] as string) : rnd.pick(names.first);
        const last = n ? (namedLast[namedIndex] as string) : rnd.pick(names.last);
        firstNames[u] = first;
        lastNames[u] = last;
        const userId = n ? NAMED[n.key].userId : `${first}.${last}${u + 1}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
        const email = `${userId}@${n ? 'example.gov' : domains[u % 3]}`;
        const roll = rnd.next();
        const status: UserStatus = isOfficial
          ? 'active'
          : roll < 0.93
            ? 'active'
            : roll < 0.95
              ? 'pending'
              : roll < 0.97
                ? 'deactivated'
                : roll < 0.98
                  ? 'locked'
                  : roll < 0.99
                    ? 'temporarily_locked'
                    : 'not_activated';
        const createdAt = now - rnd.int(130, 2000) * DAY - rnd.int(0, DAY);
        const lastSignInAt = n
          ? now - DAY
          : status === 'pending' || status === 'not_activated'
            ? null
            : status === 'deactivated'
              ? now - rnd.int(121, 400) * DAY
              : now - rnd.int(0, 119 * DAY);
        // Deactivated on the day they passed 120 days unused; the dashboard counts the last 30 days.
        const deactivatedAt = status === 'deactivated' && lastSignInAt !== null ? lastSignInAt + 121 * DAY : null;
        // Half of the accounts awaiting approval were referred to in-person proofing (the backlog).
        const referred = status === 'pending' && roll < 0.94;
        const proofing: ProofingState = referred
          ? 'referred_in_person'
          : status === 'pending' || status === 'not_activated'
            ? 'not_started'
            : roll < 0.8
              ? 'proofed_remote'
              : 'proofed_in_person';
        insert.run(
          u + 1,
          userId,
          first,
          last,
          email,
          `(${rnd.int(201, 989)}) 555-${String(rnd.int(0, 9999)).padStart(4, '0')}`,
          `${rnd.int(1950, 2002)}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
          rnd.pick(names.streets),
          rnd.pick(names.cities),
          org.stateCode ?? 'MD',
          String(rnd.int(1000, 99_999)).padStart(5, '0'),
          status,
          passwordHash,
          status === 'temporarily_locked' ? now + 15 * 60_000 : null,
          lastSignInAt,
          Math.min(createdAt, lastSignInAt ?? createdAt),
          proofing,
          org.id,
          deactivatedAt,
          referred ? now - rnd.int(0, 60 * DAY) : null,
        );
      });
      return o.users;
    });
    if (deferred.length > 0) {
      phase('users indexes', () => {
        for (const index of deferred) db.exec(index.sql);
        return o.users * deferred.length;
      });
    }

    // ---- credentials for the named officials ----
    rows.mfa_credentials = phase('mfa_credentials', () => {
      const insert = db.prepare('INSERT INTO mfa_credentials (user_id, credential_id, label, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?)');
      db.transaction(() => {
        let i = 0;
        for (const [u, { key, org }] of named) {
          const userId = NAMED[key].userId;
          const credentialId = `SOC9${String(10_000_001 + i).padStart(8, '0')}`;
          const totpKey = benchTotpKey(userId);
          insert.run(u + 1, credentialId, 'Bench authenticator', box.seal(totpKey, credentialId), now - 300 * DAY);
          accounts.push({
            userId,
            password: BENCH_PASSWORD,
            totpKey,
            credentialId,
            firstName: namedFirst[i] as string,
            lastName: namedLast[i] as string,
            kind: org.kind,
            organization: { displayId: org.displayId, name: org.name },
            roles: officialPrograms(org).map((p) => `${SECURITY_OFFICIAL_ROLE[org.kind]} (${p}, ${org.displayId})`),
            pendingInQueue: 0,
            note: NAMED[key].note,
          });
          i += 1;
        }
      })();
      return named.size;
    });

    // ---- role assignments: each organization's officials, and ordinary users' roles ----
    rows.role_assignments = phase('role_assignments', () => {
      // Only proofed people hold roles (the schema refuses others): unproofed users get none.
      const grant = db.prepare(
        `INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at, granted_by)
         SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT proofing_state FROM users WHERE id = ?) IN ('proofed_remote', 'proofed_in_person')`,
      );
      const insert = {
        run: (user: number, program: number, org: number, roleId: number, granted: number, grantedBy: number | null) =>
          grant.run(user, program, org, roleId, granted, grantedBy, user),
      };
      let count = 0;
      let orgIndex = 0;
      batches(db, o.users, o.batch, (u) => {
        while (orgIndex + 1 < plan.orgs.length && (plan.orgs[orgIndex + 1] as OrgPlan).userStart <= u) orgIndex += 1;
        const org = plan.orgs[orgIndex] as OrgPlan;
        const granted = now - rnd.int(30, 900) * DAY;
        if (u - org.userStart < org.soCount) {
          for (const program of officialPrograms(org)) {
            count += insert.run(u + 1, PROGRAMS.indexOf(program) + 1, org.id, role(SECURITY_OFFICIAL_ROLE[org.kind]), granted, null).changes;
          }
          return;
        }
        const roll = rnd.next();
        if (roll < 0.1) return;
        const roles = ORDINARY_ROLES[org.kind];
        if (roles === null) return;
        const grantedBy = org.soCount > 0 ? org.userStart + 1 : plan.cms.userStart + 1;
        const program = (u % 3) + 1;
        count += insert.run(u + 1, program, org.id, role(roles[u % 2] as string), granted, grantedBy).changes;
        if (roll > 0.8) count += insert.run(u + 1, program, org.id, role(roles[(u + 1) % 2] as string), granted, grantedBy).changes;
      });
      return count;
    });

    // ---- requests: decided history first (older), then pending; IDs grow with time ----
    // The requests' secondary indexes and the trigger that copies requester names are dropped for
    // the load and put back from the migrations' own SQL afterwards: building an index once from
    // sorted rows is several times faster than keeping ten of them up to date row by row.
    const requestIndexes = deferTableIndexes(db, 'role_requests');
    const nameTrigger = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'role_requests_requester_name'").get() as { sql: string };
    db.exec('DROP TRIGGER role_requests_requester_name');
    const insertRequestRow = db.prepare(
      `INSERT INTO role_requests (id, requester_id, program_id, organization_id, role_id, justification, status, requested_at, decided_at, decided_by, reason,
                                  requester_last_name, requester_first_name)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertRequest = {
      run: (...args: [number, number, number, number, number, string, string, number, number | null, number | null, string | null]) =>
        insertRequestRow.run(...args, lastNames[args[1] - 1] as string, firstNames[args[1] - 1] as string),
    };
    const typicalProviders = plan.providers.slice(1);
    const withOfficials = typicalProviders.filter((p) => p.soCount > 0);
    const withoutOfficials = typicalProviders.filter((p) => p.soCount === 0);
    const soTargets = [...plan.providers, ...plan.states];
    const counters = new Map<number, number>();
    /** The next ordinary requester of an organization, and a program/role combination that user does not hold. */
    const requesterFor = (org: OrgPlan, soRequest: boolean): { user: number; program: number; roleName: string } => {
      const c = counters.get(org.id) ?? 0;
      counters.set(org.id, c + 1);
      const ordinary = org.userCount - org.soCount;
      const user = org.userStart + org.soCount + (c % ordinary);
      const round = Math.floor(c / ordinary);
      const program = (((user % 3) + 1 + (round % 3)) % 4) + 1;
      const ordinaryRoles = ORDINARY_ROLES[org.kind];
      const roleName = soRequest || ordinaryRoles === null ? SECURITY_OFFICIAL_ROLE[org.kind] : (ordinaryRoles[(user + Math.floor(round / 3)) % 2] as string);
      return { user, program, roleName };
    };
    type Pick = { org: OrgPlan; so: boolean };
    const pickOrg = (shares: { large: number; so: number; cms: number; states: number }): Pick => {
      const r = rnd.next();
      let edge = shares.large;
      if (r < edge) return { org: plan.large, so: false };
      if (r < (edge += shares.so)) {
        // Some Security Official requests are the first of an organization (CMS must approve).
        const org = withoutOfficials.length > 0 && rnd.next() < 0.15 ? rnd.pick(withoutOfficials) : rnd.pick(soTargets);
        return { org, so: true };
      }
      if (r < (edge += shares.cms)) return { org: plan.cms, so: false };
      if (r < (edge += shares.states)) return { org: rnd.pick(plan.states), so: false };
      return { org: rnd.pick(typicalProviders), so: false };
    };

    rows.history = phase('history requests', () => {
      const span = 700 * DAY;
      const start = now - 730 * DAY;
      batches(db, o.history, o.batch, (j) => {
        let pick = pickOrg({ large: 0.1, so: 0.03, cms: 0.005, states: 0.1 });
        // History is decided, so it lies in organizations that had an official.
        if (pick.org.soCount === 0) pick = { org: rnd.pick(withOfficials), so: pick.so };
        const { org, so } = pick;
        const { user, program, roleName } = requesterFor(org, so);
        const requestedAt = start + Math.floor((j / o.history) * span) + rnd.int(0, 60_000);
        const decidedAt = Math.min(now - DAY, requestedAt + rnd.int(3_600_000, 10 * DAY));
        const approved = rnd.next() < 0.88;
        const reason = approved ? null : rnd.pick(REJECTION_REASONS);
        const decider = so || org.kind === 'cms' ? plan.cms.userStart + (j % plan.cms.soCount) : org.userStart + (j % org.soCount);
        const id = j + 1;
        insertRequest.run(
          id,
          user + 1,
          program,
          org.id,
          role(roleName),
          rnd.pick(JUSTIFICATIONS),
          approved ? 'approved' : 'rejected',
          requestedAt,
          decidedAt,
          decider + 1,
          reason,
        );
      });
      return o.history;
    });

    // The large provider's share first; the others shrink in proportion when it grows.
    const scaleOthers = (1 - o.largeShare) / 0.75;
    const pendingShares = { large: o.largeShare, so: 0.08 * scaleOthers, cms: 0.005 * scaleOthers, states: 0.1 * scaleOthers };
    rows.pending = phase('pending requests', () => {
      batches(db, o.pending, o.batch, (j) => {
        const { org, so } = pickOrg(pendingShares);
        const { user, program, roleName } = requesterFor(org, so);
        // 15% older than 30 days (stale, up to 120 days), the rest within the last 30 days; in time order.
        const q = j / o.pending;
        const age = q < 0.15 ? 120 * DAY - (q / 0.15) * 90 * DAY : 30 * DAY * (1 - (q - 0.15) / 0.85);
        const requestedAt = Math.floor(now - age) - 60_000 + rnd.int(0, 59_000);
        insertRequest.run(o.history + j + 1, user + 1, program, org.id, role(roleName), rnd.pick(JUSTIFICATIONS), 'pending', requestedAt, null, null, null);
      });
      return o.pending;
    });

    phase('requests indexes', () => {
      db.exec(nameTrigger.sql);
      for (const index of requestIndexes) db.exec(index.sql);
      return (o.history + o.pending) * requestIndexes.length;
    });

    // ---- the audit events of the decided history, in the hash chain the console verifies ----
    // In decision order (the console appends as it decides), read back from the requests a slice
    // at a time through the history index: ten million events never sit in memory at once.
    // As for the requests: indexes and the organization-scope trigger afterwards, from their own SQL.
    const auditIndexes = deferTableIndexes(db, 'audit_events');
    const scopeTrigger = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_events_scope'").get() as { sql: string };
    db.exec('DROP TRIGGER audit_events_scope');
    rows.audit_events = phase('audit_events', () => {
      const insert = db.prepare(
        `INSERT INTO audit_events (id, at, actor_id, action, subject_user_id, organization_id, request_id, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const read = db.prepare(
        `SELECT id, requester_id AS subject, program_id AS program, organization_id AS org, role_id AS role, status, decided_at AS at, decided_by AS actor, reason
           FROM role_requests r WHERE r.status IN ('approved', 'rejected') AND (r.decided_at, r.id) > (?, ?) ORDER BY r.decided_at, r.id LIMIT ?`,
      );
      const roleNames = new Map([...roleId].map(([name, id]) => [id, name]));
      let prevHash = GENESIS_HASH;
      let auditId = 0;
      let after: [number, number] = [-1, -1];
      const write = db.transaction(
        (
          slice: Array<{
            id: number;
            subject: number;
            program: number;
            org: number;
            role: number;
            status: string;
            at: number;
            actor: number;
            reason: string | null;
          }>,
        ) => {
          for (const a of slice) {
            auditId += 1;
            const row = {
              id: auditId,
              at: a.at,
              actorId: a.actor,
              action: a.status === 'approved' ? 'request.approved' : 'request.rejected',
              subjectUserId: a.subject,
              organizationId: a.org,
              requestId: a.id,
              details: JSON.stringify({ program: PROGRAMS[a.program - 1], role: roleNames.get(a.role), reason: a.reason }),
            };
            const hash = chainHash(prevHash, row);
            insert.run(row.id, row.at, row.actorId, row.action, row.subjectUserId, row.organizationId, row.requestId, row.details, prevHash, hash);
            prevHash = hash;
          }
        },
      );
      for (;;) {
        const slice = read.all(after[0], after[1], o.batch) as Parameters<typeof write>[0];
        const last = slice[slice.length - 1];
        if (!last) break;
        write(slice);
        after = [last.at, last.id];
      }
      return auditId;
    });

    // The console signs its chain head in every appending transaction; the generator signs the
    // head it wrote once, with the console's own key (made here, sealed with console.key).
    phase('audit indexes', () => {
      for (const index of auditIndexes) db.exec(index.sql);
      db.exec(scopeTrigger.sql);
      // Every generated event names its organization: its scope is that organization (as the trigger would write).
      db.exec(
        'INSERT OR IGNORE INTO audit_scope (organization_id, event_id) SELECT organization_id, id FROM audit_events WHERE organization_id IS NOT NULL ORDER BY organization_id, id',
      );
      return (rows.audit_events ?? 0) * (auditIndexes.length + 1);
    });

    const identity = await ConsoleIdentity.loadOrCreate(
      {
        get: async (key: string) => (db.prepare('SELECT value FROM console_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null,
        set: async (key: string, value: string) => setMeta(new SqliteDatabase(db), key, value),
      },
      box,
    );
    await new SqliteDatabase(db).transaction((tx) =>
      signAuditHead(tx, now, (eventId, hash) => identity.sign(auditHeadPayload(identity.consoleId, eventId, hash))),
    );

    await setMeta(
      new SqliteDatabase(db),
      'bench',
      JSON.stringify({ users: o.users, pending: o.pending, history: o.history, seed: o.seed, generatedAt: new Date(now).toISOString() }),
    );

    if (o.check) {
      phase('foreign_key_check', () => {
        const problems = db.pragma('foreign_key_check') as unknown[];
        if (problems.length > 0) throw new Error(`foreign_key_check found ${problems.length} problems, e.g. ${JSON.stringify(problems[0])}`);
        return 0;
      });
    }
    if (o.analyze) phase('analyze', () => (db.exec('ANALYZE'), 0));

    // Queue sizes of the named officials, as the service scopes them.
    const pendingIn = db.prepare("SELECT count(*) AS n FROM role_requests WHERE status = 'pending' AND organization_id = ?");
    const soPending = db.prepare(
      "SELECT count(*) AS n FROM role_requests r JOIN roles ro ON ro.id = r.role_id WHERE r.status = 'pending' AND (r.organization_id = ? OR ro.security_official_kind IS NOT NULL)",
    );
    for (const a of accounts) {
      const org = plan.orgs.find((x) => x.displayId === a.organization.displayId) as OrgPlan;
      a.pendingInQueue = ((a.kind === 'cms' ? soPending : pendingIn).get(org.id) as { n: number }).n;
    }

    restoreAfterLoad(db, o);
  } catch (error) {
    db.close();
    for (const p of [o.db, `${o.db}-wal`, `${o.db}-shm`, `${o.db}-journal`]) if (existsSync(p)) rmSync(p);
    throw error;
  }
  const totals = db
    .prepare(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM role_assignments) AS assignments,
              (SELECT count(*) FROM role_requests WHERE status = 'pending') AS pending,
              (SELECT count(*) FROM role_requests WHERE status <> 'pending') AS history`,
    )
    .get() as Record<string, number>;
  db.close();
  const seconds = (performance.now() - started) / 1000;

  const file: AccountsFile = {
    generatedAt: new Date(now).toISOString(),
    database: o.db,
    keyFile,
    options: { users: o.users, pending: o.pending, history: o.history, seed: o.seed },
    accounts,
  };
  writeFileSync(accountsPath, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(accountsPath, 0o600);
  o.log(
    `  verified counts: ${Object.entries(totals)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(', ')}`,
  );
  return { seconds, rows, accountsPath, phases };
}

/** Security Officials hold their role in iQIES Prod, and every other organization's also in iQIES Prod Test. */
function officialPrograms(org: OrgPlan): ProgramName[] {
  return org.id % 2 === 0 || org.kind === 'cms' ? ['iQIES Prod', 'iQIES Prod Test'] : ['iQIES Prod'];
}

function soKind(role: string): OrganizationKind | null {
  for (const [kind, name] of Object.entries(SECURITY_OFFICIAL_ROLE) as Array<[OrganizationKind, string]>) if (name === role) return kind;
  return null;
}

/** Drops a table's secondary indexes and returns their SQL, to build them again after a bulk load. */
function deferTableIndexes(db: Database, table: string): Array<{ name: string; sql: string }> {
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(table) as Array<{
    name: string;
    sql: string;
  }>;
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  return indexes;
}

/** Calls row(i) for i in [0, total), `batch` rows per transaction, reusing prepared statements. */
function batches(db: Database, total: number, batch: number, row: (i: number) => void): void {
  const run = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) row(i);
  });
  for (let from = 0; from < total; from += batch) run(from, Math.min(total, from + batch));
}

/**
 * PRAGMAs for a one-off bulk load into a fresh file: no rollback journal (or WAL without fsync),
 * a large page cache so index pages stay in memory, temp b-trees in memory, one exclusive writer.
 */
function tuneForLoad(db: Database, o: ScaleOptions): void {
  db.pragma('locking_mode = EXCLUSIVE');
  if (o.journal === 'off') {
    // better-sqlite3 opens connections in SQLite's defensive mode, which refuses journal_mode=OFF.
    db.unsafeMode(true);
    const mode = db.pragma('journal_mode = OFF', { simple: true });
    if (mode !== 'off') throw new Error(`Could not turn the journal off for the load (journal_mode is ${String(mode)})`);
  }
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576'); // 1 GiB
  db.pragma('temp_store = MEMORY');
  if (!o.loadForeignKeys) db.pragma('foreign_keys = OFF');
}

/** Back to what openDatabase sets: WAL (persistent in the file), synchronous FULL, foreign keys on. */
function restoreAfterLoad(db: Database, o: ScaleOptions): void {
  if (o.journal === 'off') db.unsafeMode(false);
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -2000');
  db.pragma('locking_mode = NORMAL');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`Could not restore WAL (journal_mode is ${String(mode)})`);
  db.pragma('wal_checkpoint(TRUNCATE)');
}

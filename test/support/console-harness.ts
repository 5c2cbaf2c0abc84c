import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { ConsoleRunner } from '../../main/runner.js';
import type { ConsoleApp } from '../../main/app.js';
import { FixedClock } from '../../main/clock.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { SecretBox } from '../../main/services/secret-box.js';
import { hashPassword } from '../../main/services/passwords.js';
import { newTotpSecret, totpCodeAt } from '../../main/services/totp.js';
import { insertScenario } from '../../main/store/seed.js';
import type { Scenario } from '../../main/store/seed.js';
import { PROGRAMS, ROLE_NAMES, SECURITY_OFFICIAL_ROLE } from '../../shared/domain.js';
import type { OrganizationKind, UserStatus } from '../../shared/domain.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { IpcError } from '../../shared/ipc/errors.js';
import { sideSql } from './side-db.js';
import { TEST_ENGINE, freshPostgresDatabase } from './test-engine.js';
import { NO_CONTACT } from './scenario-user.js';

/** SOC_TEST_LOG_ERRORS=1 prints what lies behind an INTERNAL answer (its stack) while debugging a test. */
const logInternalErrors = (channel: string, error: unknown): void => {
  if (process.env['SOC_TEST_LOG_ERRORS']) console.error(channel, error);
};

/** 2026-01-15T12:00:00Z, at the start of a TOTP step. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const PASSWORD = 'correct horse battery staple';
export const STEP_MS = 30_000;

export interface TestUser {
  userId: string;
  secret: string;
  credentialId: string;
}

/**
 * A real console on a real SQLite file in a temporary folder, with a clock the test moves.
 * Calls go through the same dispatch both transports use.
 */
export class Harness {
  readonly clock = new FixedClock(T0);
  app!: ConsoleApp;
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'soc-test-'));
  }
  private box!: SecretBox;
  private options: { demo?: boolean; auditCheck?: 'background' | 'manual' } = {};
  /** On a PostgreSQL run: this console's own database (the demo always keeps its embedded file). */
  private postgres: { url: string; drop(): Promise<void> } | null = null;

  /** What createConsole and the runner are given for the database: nothing on SQLite (the file in `dir`). */
  private get databaseOption(): { database?: string } {
    return this.postgres ? { database: this.postgres.url } : {};
  }
  private passwordHash!: string;

  /** auditCheck: the whole chain is verified only when a test asks (services.integrity.verifyAll), unless 'background'. */
  static async create(options: { demo?: boolean; auditCheck?: 'background' | 'manual'; dir?: string } = {}): Promise<Harness> {
    const h = new Harness(options.dir);
    const keys = new KeyFileProvider(join(h.dir, dataKeyFileName(options.demo ?? false)));
    if (TEST_ENGINE === 'postgres' && !options.demo) h.postgres = await freshPostgresDatabase();
    h.app = await createConsole({
      ...h.databaseOption,
      dataDir: h.dir,
      keyProvider: keys,
      clock: h.clock,
      validateOutput: true,
      demo: options.demo ?? false,
      auditCheck: options.auditCheck ?? 'manual',
      logError: logInternalErrors,
    });
    h.box = new SecretBox(keys.loadOrCreateKey());
    h.options = options;
    h.passwordHash = await hashPassword(PASSWORD);
    return h;
  }

  /** Closes the console and opens it again on the same folder (sessions end, as on a restart). */
  async reopen(): Promise<void> {
    await this.app.close();
    const keys = new KeyFileProvider(join(this.dir, dataKeyFileName(this.options.demo ?? false)));
    this.app = await createConsole({
      ...this.databaseOption,
      dataDir: this.dir,
      keyProvider: keys,
      clock: this.clock,
      validateOutput: true,
      demo: this.options.demo ?? false,
      auditCheck: this.options.auditCheck ?? 'manual',
      logError: logInternalErrors,
    });
  }

  /**
   * Closes the console and starts it again as the transports do, through a ConsoleRunner (the
   * start-up checks, staged restores, the recovery screen). Calls then go through the runner.
   */
  async startRunner(log?: (line: string) => void): Promise<ConsoleRunner> {
    await (this.runner ?? this.app).close();
    this.runner = await ConsoleRunner.start({
      ...this.databaseOption,
      dataDir: this.dir,
      keyProvider: new KeyFileProvider(join(this.dir, dataKeyFileName(this.options.demo ?? false))),
      clock: this.clock,
      validateOutput: true,
      demo: this.options.demo ?? false,
      auditCheck: 'manual',
      ...(log ? { log } : {}),
    });
    if (this.runner.current) this.app = this.runner.current;
    return this.runner;
  }

  runner: ConsoleRunner | null = null;

  async dispose(): Promise<void> {
    await (this.runner ?? this.app).close();
    await this.postgres?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Calls a channel as a client; returns the value or throws the typed error. */
  async call<C extends Channel>(clientId: string, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    const result = await (this.runner?.dispatch ?? this.app.dispatch)({ clientId }, channel, input);
    if (!result.ok) throw new IpcFailure(result.error);
    return result.value as ChannelOutput<C>;
  }

  /** The error a call fails with (the test fails if it succeeds). */
  async refusal(clientId: string, channel: Channel, input: unknown): Promise<IpcError> {
    const result = await (this.runner?.dispatch ?? this.app.dispatch)({ clientId }, channel, input);
    if (result.ok) throw new Error(`${channel} was expected to fail but succeeded`);
    return result.error;
  }

  code(secret: string, offsetSteps = 0): string {
    return totpCodeAt(secret, this.clock.now() + offsetSteps * STEP_MS);
  }

  /** Moves to the next TOTP step so a fresh code exists. */
  nextStep(): void {
    this.clock.advance(STEP_MS);
  }

  /**
   * Adds organizations, users and roles directly to the database (a fixture, not a feature).
   * Every user gets the shared test password and one TOTP credential.
   */
  async seed(spec: {
    organizations?: Array<{ displayId: string; name: string; kind: OrganizationKind }>;
    users: Array<{ userId: string; organization: string; status?: UserStatus; roles?: Array<[program: string, role: string]>; lastSignInAt?: number | null }>;
  }): Promise<Record<string, TestUser>> {
    const out: Record<string, TestUser> = {};
    const hasPrograms = ((await sideSql(this.app).get<{ n: number }>('SELECT count(*) AS n FROM programs'))?.n ?? 0) > 0;
    const scenario: Scenario = {
      programs: hasPrograms ? [] : PROGRAMS,
      roles: hasPrograms ? [] : ROLE_NAMES.map((name) => ({ name, securityOfficialKind: soKind(name) })),
      organizations: (spec.organizations ?? []).map((o) => ({ ...o, stateCode: null })),
      users: spec.users.map((u, i) => ({
        userId: u.userId,
        firstName: `First${i}`,
        lastName: `Last${i}`,
        email: `${u.userId}@example.org`,
        ...NO_CONTACT,
        status: u.status ?? 'active',
        passwordHash: this.passwordHash,
        createdAt: this.clock.now() - 86_400_000,
        lastSignInAt: u.lastSignInAt === undefined ? this.clock.now() - 86_400_000 : u.lastSignInAt,
        proofingState: 'proofed_remote',
        homeOrganization: u.organization,
      })),
      credentials: spec.users.map((u, i) => {
        const secret = newTotpSecret();
        const credentialId = `SOCT${String(i).padStart(8, '0')}${u.userId.length}`;
        out[u.userId] = { userId: u.userId, secret, credentialId };
        return { userId: u.userId, credentialId, label: 'test', secretSealed: this.box.seal(secret, credentialId), createdAt: this.clock.now() };
      }),
      assignments: spec.users.flatMap((u) =>
        (u.roles ?? []).map(([program, role]) => ({ userId: u.userId, program, organization: u.organization, role, grantedAt: this.clock.now() })),
      ),
      requests: [],
    };
    await sideSql(this.app).transaction((tx) => insertScenario(tx, scenario));
    return out;
  }

  /** Signs a seeded user in and accepts the warning page. */
  async signIn(clientId: string, user: TestUser): Promise<void> {
    await this.call(clientId, 'auth.signIn', { userId: user.userId, password: PASSWORD, code: this.code(user.secret), agreeToTerms: true });
    await this.call(clientId, 'auth.acceptWarning', {});
  }

  async auditActions(): Promise<string[]> {
    return (await sideSql(this.app).all<{ action: string }>('SELECT action FROM audit_events ORDER BY id')).map((r) => r.action);
  }

  async userRow(userId: string): Promise<{ status: string; failed_attempts: number; temporary_lock_count: number; locked_until: number | null }> {
    const row = await sideSql(this.app).get<{ status: string; failed_attempts: number; temporary_lock_count: number; locked_until: number | null }>(
      'SELECT status, failed_attempts, temporary_lock_count, locked_until FROM users WHERE user_id = ?',
      [userId],
    );
    if (!row) throw new Error(`No user ${userId}`);
    return row;
  }
}

export class IpcFailure extends Error {
  constructor(readonly error: IpcError) {
    super(`${error.code}: ${error.message}`);
  }
}

export const PROVIDER_ORG = { displayId: '123', name: 'Sunrise Skilled Nursing Center', kind: 'provider' as const };
export const CMS_ORG = { displayId: 'CMS', name: 'Centers for Medicare & Medicaid Services', kind: 'cms' as const };

function soKind(role: string): OrganizationKind | null {
  for (const [kind, name] of Object.entries(SECURITY_OFFICIAL_ROLE) as Array<[OrganizationKind, string]>) if (name === role) return kind;
  return null;
}

/**
 * sha256 per table of its rows, sorted in JS (no reliance on rowid or physical order: some tables
 * are WITHOUT ROWID, and PostgreSQL returns rows in no fixed order): what a refused call must leave
 * as it was. Tables are listed from each engine's own catalogue.
 */
export async function tableChecksums(h: Harness): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const [name, rows] of await tableRows(h)) sums.set(name, createHash('sha256').update(rows.join('\n')).digest('hex'));
  return sums;
}

/** Every table's rows as JSON, sorted in JS, by table name (on either engine). */
export async function tableRows(h: Harness): Promise<Map<string, string[]>> {
  const db = sideSql(h.app);
  const tables =
    db.dialect === 'sqlite'
      ? await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      : await db.all<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        );
  const out = new Map<string, string[]>();
  for (const { name } of tables) {
    const rows = await db.all<Record<string, unknown>>(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
    out.set(name, rows.map((row) => JSON.stringify(row)).sort());
  }
  return out;
}

import { chmodSync, copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AdjustableClock } from '../../main/clock.js';
import { DATABASE_FILE, dataKeyFileName } from '../../main/app.js';
import type { ConsoleApp } from '../../main/app.js';
import type { Session } from '../../main/services/sessions.js';
import { totpCodeAt } from '../../main/services/totp.js';
import type { Channel, ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { BenchAccount } from './scale-data.js';
import { sideSql } from '../support/side-db.js';

/**
 * What the benchmarks that run the console share: a throw-away copy of a scale database, calls
 * through the one dispatch, and officials signed in as a person would.
 */

export interface Official {
  account: BenchAccount;
  clientId: string;
  session: Session;
  rowId: number;
  orgIds: number[];
  isCms: boolean;
}

/** The account of the accounts file (PATH.accounts.json) with this user ID. */
export function accountNamed(file: { accounts: readonly BenchAccount[] }, userId: string): BenchAccount {
  const account = file.accounts.find((a) => a.userId === userId);
  if (!account) throw new Error(`The accounts file names no ${userId}`);
  return account;
}

/** A throw-away copy of the database and its key, so the benchmark can decide requests. */
export function copyDatabase(path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bench-'));
  copyFileSync(path, join(dir, DATABASE_FILE));
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, join(dir, `${DATABASE_FILE}-wal`));
  const key = join(dirname(path), dataKeyFileName(false));
  if (!existsSync(key)) throw new Error(`No data key at ${key}: the accounts' TOTP keys are sealed with it`);
  copyFileSync(key, join(dir, dataKeyFileName(false)));
  chmodSync(join(dir, dataKeyFileName(false)), 0o600);
  return dir;
}

export async function call<C extends Channel>(app: ConsoleApp, clientId: string, channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
  const result = await app.dispatch({ clientId }, channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as ChannelOutput<C>;
}

/** Signs in as a person would: password, a fresh TOTP code, the terms, then the warning page. */
export async function signIn(app: ConsoleApp, clock: AdjustableClock, account: BenchAccount): Promise<Official> {
  clock.advance(30_000);
  const clientId = `bench-${account.userId}`;
  await call(app, clientId, 'auth.signIn', {
    userId: account.userId,
    password: account.password,
    code: totpCodeAt(account.totpKey, clock.now()),
    agreeToTerms: true,
  });
  await call(app, clientId, 'auth.acceptWarning', {});
  const session = await app.services.sessions.resolve(clientId);
  if (!session) throw new Error(`No session for ${account.userId}`);
  const holdings = await sideSql(app).all<{ id: number; kind: string }>(
    `SELECT DISTINCT a.organization_id AS id, r.security_official_kind AS kind FROM role_assignments a JOIN roles r ON r.id = a.role_id
        WHERE a.user_id = ? AND r.security_official_kind IS NOT NULL ORDER BY a.organization_id`,
    [session.userRowId],
  );
  return {
    account,
    clientId,
    session,
    rowId: session.userRowId,
    orgIds: [...new Set(holdings.map((h) => h.id))],
    isCms: holdings.some((h) => h.kind === 'cms'),
  };
}

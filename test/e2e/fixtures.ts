import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { generateSync } from 'otplib';
import type { DemoAccount } from '../../main/services/demo.js';
import type { SqlDatabase } from '../../main/store/sql.js';
import { SqliteDatabase } from '../../main/store/sqlite-database.js';
import { PgDatabase } from '../../main/store/postgres/pg-database.js';
import { onCluster } from '../support/pg-cluster.js';

export type { DemoAccount };

const ROOT = resolve(import.meta.dirname, '../..');

const HOST_BUNDLE = join(ROOT, 'dist', 'main', 'host.js');

const configHomeOf = (dataDir: string) => `${dataDir}-config`;

/** Whether this run's consoles keep their data in PostgreSQL (SOC_E2E_ENGINE=postgres). */
export const ON_POSTGRES = process.env['SOC_E2E_ENGINE'] === 'postgres';

/** Each console's PostgreSQL database on a run with SOC_E2E_ENGINE=postgres, by data folder (a restart opens the same one). */
const databases = new Map<string, { name: string; url: string }>();
/** Databases this worker has created: each new one is named by it, never reusing a dropped one's name. */
let created = 0;

/**
 * On a PostgreSQL run (test/e2e/pg-global-setup.ts started a cluster), a new empty database for
 * a console's data folder, which the console migrates itself at start; null on SQLite.
 */
async function e2eDatabase(dataDir: string): Promise<string | null> {
  const socketDir = process.env['SOC_E2E_PG_SOCKET'];
  if (!socketDir) return null;
  const known = databases.get(dataDir);
  if (known) return known.url;
  created += 1;
  const name = `e2e_${process.pid}_${created}`;
  await onCluster(socketDir, `CREATE DATABASE ${name}`);
  const url = `postgres://postgres@/${name}?host=${encodeURIComponent(socketDir)}`;
  databases.set(dataDir, { name, url });
  return url;
}

/** Drops a stopped console's PostgreSQL database, so a whole run does not keep one per test. */
async function dropE2eDatabase(dataDir: string): Promise<void> {
  const socketDir = process.env['SOC_E2E_PG_SOCKET'];
  const known = databases.get(dataDir);
  if (!socketDir || known === undefined) return;
  databases.delete(dataDir);
  await onCluster(socketDir, `DROP DATABASE IF EXISTS ${known.name} WITH (FORCE)`);
}

/** A browser host started for one test, on its own data folder, with a clock the test can move. */
export class ConsoleHost {
  private offsetMs = 0;
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly dataDir: string,
    private readonly demo: boolean,
  ) {}

  /** mailIntervalMs: how often the host looks at its outbox (tests that read delivered mail). */
  static async start(options: { demo: boolean; mailIntervalMs?: number; dataDir?: string }): Promise<ConsoleHost> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'soc-e2e-'));
    const database = await e2eDatabase(dataDir);
    // The built host (npm run build:main): what the desktop app runs, and started without tsx
    // compiling every module again for each test's console.
    const args = [
      HOST_BUNDLE,
      '--data',
      dataDir,
      '--port',
      '0',
      '--test-clock',
      ...(options.demo ? ['--demo'] : []),
      ...(database !== null ? ['--database', database] : []),
      ...(options.mailIntervalMs !== undefined ? ['--mail-interval-ms', String(options.mailIntervalMs)] : []),
    ];
    // The host keeps its data key in the user's config folder: here one beside the data folder,
    // never the real home's, and the same again when a test restarts the console on its data.
    const env = { ...process.env, XDG_CONFIG_HOME: configHomeOf(dataDir) };
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`The host did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Console ready at (\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`The host exited (${code}):\n${output}`)));
    });
    return new ConsoleHost(child, url, dataDir, options.demo);
  }

  demoAccount(userId: string): DemoAccount {
    const accounts = JSON.parse(readFileSync(join(this.dataDir, 'demo-accounts.json'), 'utf8')) as DemoAccount[];
    const account = accounts.find((a) => a.userId === userId);
    if (!account) throw new Error(`No demo account ${userId}`);
    return account;
  }

  /**
   * The console's own database, opened beside the running console, for a test that sets data up
   * (or damages it) behind the console's back: its SQLite file, or its PostgreSQL database on a
   * PostgreSQL run. Statements take `?` placeholders on either engine. Close it when done.
   */
  database(): SqlDatabase {
    const known = databases.get(this.dataDir);
    if (known !== undefined) return PgDatabase.open({ connectionString: known.url, max: 1, application_name: 'e2e test' });
    const db = new Database(join(this.dataDir, this.demo ? 'demo.sqlite' : 'console.sqlite'), { fileMustExist: true });
    // The console writes to the same file meanwhile.
    db.pragma('busy_timeout = 5000');
    return new SqliteDatabase(db);
  }

  /** The code an authenticator would show now for this key (by the console's clock). */
  code(secret: string): string {
    return generateSync({ secret, epoch: Math.floor((Date.now() + this.offsetMs) / 1000) });
  }

  /**
   * Moves the console's clock forward (a fresh TOTP step, an idle timeout) instead of
   * sleeping. The page must have opened the console (the hook is cookie-bound).
   */
  async advanceClock(page: Page, ms: number): Promise<void> {
    const ok = await page.evaluate(async (advanceMs) => {
      const r = await fetch('/api/test/clock', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Console-Bridge': '1' },
        body: JSON.stringify({ advanceMs }),
      });
      return r.ok;
    }, ms);
    expect(ok).toBe(true);
    this.offsetMs += ms;
  }

  /** A fresh code: moves to the next 30-second step first, so no code is reused. */
  async freshCode(page: Page, secret: string): Promise<string> {
    await this.advanceClock(page, 30_000);
    return this.code(secret);
  }

  /** keepData: the folder stays, for a test that starts the console again on it. */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    if (!options.keepData) {
      rmSync(this.dataDir, { recursive: true, force: true });
      rmSync(configHomeOf(this.dataDir), { recursive: true, force: true });
      await dropE2eDatabase(this.dataDir);
    }
  }
}

/** Fails the test on any axe violation, listing them readably. */
export async function expectNoAxeViolations(page: Page, context: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${context}`).toEqual([]);
}

/** Screenshots for people to look at; a PostgreSQL run writes its own beside the SQLite run's. */
export const SCREENSHOT_DIR = join(ROOT, 'test-results', ON_POSTGRES ? 'screens-postgres' : 'screens');

/** Collects the console messages by which Chromium reports a refused inline style or script. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('violates the following Content Security Policy')) violations.push(message.text());
  });
  return violations;
}

export const test = base.extend<{ freshConsole: ConsoleHost; demoConsole: ConsoleHost; otherPage: Page }>({
  // The CSP allows no inline style or script; Chromium refuses one silently but for a console
  // message, so every test fails on such a message (a widget that styles itself inline).
  page: async ({ page }, use) => {
    const violations = watchCsp(page);
    await use(page);
    expect(violations, 'Content Security Policy violations').toEqual([]);
  },
  // A second person at the same console (another browser context: its own cookies, its own session).
  otherPage: async ({ browser, viewport }, use) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const violations = watchCsp(page);
    await use(page);
    await context.close();
    expect(violations, 'Content Security Policy violations (second context)').toEqual([]);
  },
  freshConsole: async ({}, use) => {
    const host = await ConsoleHost.start({ demo: false });
    await use(host);
    await host.stop();
  },
  demoConsole: async ({}, use) => {
    const host = await ConsoleHost.start({ demo: true });
    await use(host);
    await host.stop();
  },
});

export { expect };

/**
 * While a combobox's list is open, react-aria (under the design system's Autocomplete) hides the
 * rest of the page from screen readers with aria-hidden, by design, so that the list can be
 * reached (adobe/react-spectrum#4937); axe's aria-hidden-focus rule reports that hidden part as
 * focusable. Every other rule is checked here, and the page is checked in full once the list closes.
 */
export async function expectNoAxeViolationsWithListOpen(page: Page, context: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).disableRules(['aria-hidden-focus']).analyze();
  expect(
    results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `axe violations on ${context}`,
  ).toEqual([]);
}

const PICKER_WIDTHS = [1024, 1366, 1920];
/** The page as it is now, at the three widths an official's screen may have (list or pop-up open included). */
export async function shotsAtWidths(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  for (const width of PICKER_WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: false });
  }
  if (before) await page.setViewportSize(before);
}

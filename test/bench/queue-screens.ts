import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';
import type { Page } from '@playwright/test';
import { DATABASE_FILE, dataKeyFileName } from '../../main/app.js';
import { totpCodeAt } from '../../main/services/totp.js';
import { parseFlags } from './bench-support.js';
import { accountsPathFor } from './scale-data.js';
import type { AccountsFile } from './scale-data.js';

/**
 * npm run bench:screens -- --data DIR [--user large.provider.so]
 *
 * Screenshots of Role Requests on a scale database (DIR/console.sqlite from npm run bench:data,
 * e.g. with --large-share 1 so that one official has all 100,000 pending requests): starts the
 * browser host on DIR, signs the official in through the Login and Warning pages in Chromium,
 * opens Role Requests, scrolls, sorts by Last Name, and saves
 * test-results/screens/role-requests-100k*.png, printing how long each step took.
 * The host writes to DIR (sign-in, stale reminders): use a database made for screenshots.
 */
const USAGE = 'Usage: npm run bench:screens -- --data DIR [--user USER_ID] [--out DIR] [--name PREFIX]';
const ROOT = resolve(import.meta.dirname, '../..');
const flags = parseFlags(process.argv.slice(2), { data: 'string', user: 'string', out: 'string', name: 'string' }, USAGE);
if (!flags.data) {
  console.error(`--data DIR is required\n${USAGE}`);
  process.exit(2);
}
const dataDir = resolve(flags.data);
const outDir = resolve(flags.out ?? join(ROOT, 'test-results', 'screens'));
const prefix = flags.name ?? 'role-requests-100k';
const database = join(dataDir, DATABASE_FILE);
const accounts = JSON.parse(readFileSync(accountsPathFor(database), 'utf8')) as AccountsFile;
const account = accounts.accounts.find((a) => a.userId === (flags.user ?? 'large.provider.so'));
if (!account) throw new Error(`No account ${flags.user ?? 'large.provider.so'} in ${accountsPathFor(database)}`);
if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) throw new Error('No built renderer: run npm run build:renderer first');

async function startHost(): Promise<{ url: string; stop: () => Promise<void> }> {
  // The scale data's key lies beside its database (bench:data): named, so the host does not move it.
  const args = ['--import', 'tsx', 'main/host/cli.ts', '--data', dataDir, '--key-file', join(dataDir, dataKeyFileName(false)), '--port', '0'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`The host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Console ready at (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The host exited (${code}):\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const step = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
  const t0 = performance.now();
  await fn();
  console.log(`  ${label.padEnd(58)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms`);
};

async function rowsInDom(page: Page): Promise<{ ariaRowCount: string; first: string | null; last: string | null }> {
  return page.getByTestId('requests-grid').evaluate((grid) => {
    const rows = [...grid.querySelectorAll('[role="row"][aria-rowindex]')].filter((r) => r.querySelector('[role="gridcell"]'));
    return {
      ariaRowCount: grid.getAttribute('aria-rowcount') ?? '',
      first: rows[0]?.getAttribute('aria-rowindex') ?? null,
      last: rows[rows.length - 1]?.getAttribute('aria-rowindex') ?? null,
    };
  });
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const host = await startHost();
  console.log(`Host on ${dataDir} at ${host.url}; signing in ${account?.userId} (${account?.pendingInQueue.toLocaleString('en-US')} pending in queue)`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const a = account as NonNullable<typeof account>;
    await page.goto(host.url);
    await page.getByRole('heading', { level: 1, name: 'Login' }).waitFor();
    await page.getByLabel('User ID').fill(a.userId);
    await page.getByLabel('Password').fill(a.password);
    await page.getByLabel('Security Code').fill(totpCodeAt(a.totpKey, Date.now()));
    await page.getByLabel('I agree to the Terms & Conditions').check();
    await step('Login -> Warning page', async () => {
      await page.getByRole('button', { name: 'Login' }).click();
      await page.getByRole('heading', { level: 1, name: 'Warning' }).waitFor();
    });
    await step('I Accept -> home', async () => {
      await page.getByRole('button', { name: 'I Accept' }).click();
      await page.getByRole('heading', { level: 1, name: `Welcome, ${a.firstName}` }).waitFor();
    });
    const nav = page.getByRole('navigation', { name: 'Security Official' });
    await step('Role Requests -> first rows on screen', async () => {
      await nav
        .getByRole('link', { name: 'Role Requests' })
        .or(nav.getByRole('button', { name: 'Role Requests' }))
        .first()
        .click();
      await page.getByTestId('queue-count').waitFor();
      await page.getByTestId('requests-grid').locator('[role="gridcell"]').first().waitFor();
    });
    console.log(`  heading: "${await page.getByTestId('queue-count').textContent()}"; rows in the DOM: ${JSON.stringify(await rowsInDom(page))}`);
    await page.screenshot({ path: join(outDir, `${prefix}.png`), fullPage: true });

    const grid = page.getByTestId('requests-grid');
    await step('Scroll 40 wheel turns (about 600 rows, keyset pages load)', async () => {
      const box = await grid.boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 40; i += 1) {
        await page.mouse.wheel(0, 1000);
        await page.waitForTimeout(30);
      }
      await page.waitForTimeout(500);
    });
    console.log(`  rows in the DOM after scrolling: ${JSON.stringify(await rowsInDom(page))}`);
    await page.screenshot({ path: join(outDir, `${prefix}-scrolled.png`), fullPage: true });

    await step('Keyboard: End x 10 (moves to the last loaded row, loads more)', async () => {
      await grid.locator('[role="row"][tabindex="0"]').first().focus();
      for (let i = 0; i < 10; i += 1) {
        await page.keyboard.press('End');
        await page.waitForTimeout(250);
      }
    });
    console.log(`  rows in the DOM after End x 10: ${JSON.stringify(await rowsInDom(page))}`);
    await page.screenshot({ path: join(outDir, `${prefix}-deep.png`), fullPage: true });

    await step('Sort by Last Name -> first rows on screen', async () => {
      const before = await grid.locator('[role="row"][data-request-id]').first().getAttribute('data-request-id');
      await page.getByLabel('Sort by').selectOption('lastName');
      const firstRow = grid.locator('[role="row"][data-request-id]').first();
      const deadline = Date.now() + 60_000;
      while ((await firstRow.getAttribute('data-request-id')) === before) {
        if (Date.now() > deadline) throw new Error('The rows did not change after sorting by Last Name');
        await page.waitForTimeout(20);
      }
    });
    await page.screenshot({ path: join(outDir, `${prefix}-by-last-name.png`), fullPage: true });
    console.log(`Saved ${prefix}.png, ${prefix}-scrolled.png, ${prefix}-deep.png, ${prefix}-by-last-name.png in ${outDir}`);
  } finally {
    await browser.close();
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleHost, ON_POSTGRES, SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { SignInPage, WarningPage, signInFresh, signInToHome } from './pages/console-pages.js';

/** End to end: Backup and restore, and the recovery screen after a damaged database. */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
// The embedded file's own backups and recovery; a console on PostgreSQL has its database operator's (postgres-console.spec.ts).
test.skip(ON_POSTGRES, 'backups and the recovery screen are the embedded engine’s');
const shot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

test('back up now, then restore it with a fresh code; the console starts again on it', async ({ page, demoConsole: host }) => {
  test.slow();
  const official = host.demoAccount('cms.official');
  const home = await signInToHome(page, host, official, 'Dana');
  await home.open('Backup and restore');
  await expect(page.getByRole('heading', { level: 1, name: 'Backup and restore' })).toBeVisible();
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByTestId('backup-notice')).toContainText('made and checked');
  const rows = page.getByTestId('backups-table').locator('tbody tr');
  await expect(rows.first()).toContainText('Checked');
  await page.screenshot(shot('40-backup-and-restore'));
  await expectNoAxeViolations(page, 'backup and restore');

  await rows
    .first()
    .getByRole('button', { name: /^Restore/ })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Restore this backup?' });
  await dialog.getByLabel('Security Code').fill('000000');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog.getByText('The security code is not valid')).toBeVisible();
  await dialog.getByLabel('Security Code').fill(await host.freshCode(page, official.totpKey));
  await dialog.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('sign-in-notice')).toHaveText('The console was restored from a backup and started again. Please log in again.');
  await signInFresh(page, host, official, 'Dana');
});

test('a damaged database opens the recovery screen; restoring the latest good backup leads back to sign-in', async ({ page, demoConsole: first }) => {
  test.slow();
  // The console made its start-up backup; then the disk damages the database while it is off.
  const official = first.demoAccount('provider.so1');
  await signInToHome(page, first, official, 'Pamela');
  await first.stop({ keepData: true });
  corruptPages(join(first.dataDir, 'demo.sqlite'));
  const host = await ConsoleHost.start({ demo: true, dataDir: first.dataDir });
  try {
    await page.goto(host.url);
    await expect(page.getByRole('heading', { level: 1, name: 'The console needs to be recovered' })).toBeVisible();
    await expect(page.getByTestId('recovery-problem')).toContainText(/damage|could not be/);
    await page.screenshot(shot('41-recovery'));
    await expectNoAxeViolations(page, 'recovery');
    await page.getByRole('button', { name: 'Restore the latest good backup' }).click();
    const signIn = new SignInPage(page);
    await signIn.expectShown();
    await signIn.signIn(official.userId, official.password, await host.freshCode(page, official.totpKey));
    await new WarningPage(page).accept();
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome, Pamela' })).toBeVisible();
  } finally {
    await host.stop();
  }
});

function corruptPages(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    const garbage = Buffer.alloc(4096, 0xa5);
    for (let offset = 4096 * 2; offset < size - 4096; offset += 4096 * 3) writeSync(fd, garbage, 0, garbage.length, offset);
  } finally {
    closeSync(fd);
  }
}

test('a provider official backs up but does not restore: the page says only a CMS Security Official can', async ({ page, demoConsole: host }) => {
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('Backup and restore');
  await page.getByRole('button', { name: 'Back up now' }).click();
  // A copy and its checks (or the one the console makes at start, if still running) can take more than 5 s on a busy machine.
  await expect(page.getByTestId('backup-notice')).toContainText('made and checked', { timeout: 30_000 });
  await expect(page.getByTestId('restore-cms-only')).toHaveText(/Only a CMS Security Official can restore a backup/);
  await expect(page.getByRole('button', { name: /^Restore/ })).toHaveCount(0);
  await page.screenshot(shot('42-backup-provider-official'));
  await expectNoAxeViolations(page, 'backup and restore, provider official');
});

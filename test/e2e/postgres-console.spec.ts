import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ON_POSTGRES, SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { signInToHome } from './pages/console-pages.js';

/**
 * End to end on PostgreSQL (SOC_E2E_ENGINE=postgres): what differs from the embedded console.
 * Screenshots at three widths go to test-results/screens-postgres/88-postgres-backup-<width>.png.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
test.skip(!ON_POSTGRES, 'runs only when the consoles keep their data in PostgreSQL');

test('the Backup page says backups are the database operator’s, and offers no backup of its own', async ({ page, demoConsole: host }) => {
  const official = host.demoAccount('cms.official');
  const home = await signInToHome(page, host, official, 'Dana');
  await home.open('Backup and restore');
  await expect(page.getByRole('heading', { level: 1, name: 'Backup and restore' })).toBeVisible();
  const notice = page.getByTestId('backups-by-operator');
  await expect(notice.getByRole('heading', { name: 'Backups are made by your database operator' })).toBeVisible();
  await expect(notice).toContainText('pg_basebackup and point-in-time recovery');
  await expect(notice).toContainText('Backups on PostgreSQL');
  await expect(notice.getByRole('link', { name: /PostgreSQL manual/ })).toHaveAttribute(
    'href',
    'https://www.postgresql.org/docs/current/continuous-archiving.html',
  );
  await expect(page.getByRole('button', { name: 'Back up now' })).toHaveCount(0);
  for (const width of [1024, 1366, 1920]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `88-postgres-backup-${width}.png`), fullPage: true });
  }
  await expectNoAxeViolations(page, 'backup page on PostgreSQL');
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCREENSHOT_DIR, expect, test } from './fixtures.js';
import { CredentialsPage, HomePage, SetupPage, SignInPage, WarningPage } from './pages/console-pages.js';

/**
 * Screenshots of every view, for people to look at (test-results/screens/*.png). They assert
 * only that each view rendered; a person judges whether it is clear.
 */
test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const shot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

test('screens: setup', async ({ page, freshConsole }) => {
  await page.goto(freshConsole.url);
  await new SetupPage(page).expectShown();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await page.screenshot(shot('01-setup'));
});

test('screens: sign-in, warning, home, credentials, lock', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('provider.so1');
  await page.goto(demoConsole.url);
  const signIn = new SignInPage(page);
  await signIn.expectShown();
  await page.screenshot(shot('02-sign-in'));
  await signIn.signIn(account.userId, 'a wrong password here', demoConsole.code(account.totpKey));
  await expect(signIn.error()).toBeVisible();
  await page.screenshot(shot('03-sign-in-error'));
  await signIn.signIn(account.userId, account.password, await demoConsole.freshCode(page, account.totpKey));
  await new WarningPage(page).expectShown();
  await page.screenshot(shot('04-warning'));
  await new WarningPage(page).accept();
  const home = new HomePage(page);
  await home.expectWelcome('Pamela');
  await page.screenshot(shot('05-home'));
  await page.getByRole('banner').getByRole('button', { name: 'Log Out' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.screenshot(shot('06-log-out-dialog'));
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await home.open('My credentials');
  const credentials = new CredentialsPage(page);
  await credentials.expectShown();
  await page.screenshot(shot('07-my-credentials'));
  await credentials.startAdding();
  await page.screenshot(shot('08-add-credential'));
  await demoConsole.advanceClock(page, 16 * 60_000);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Session locked' })).toBeVisible();
  await page.screenshot(shot('09-session-locked'));
});

import { expect, expectNoAxeViolations, test } from './fixtures.js';
import { CredentialsPage, SetupPage, signInToHome, WarningPage } from './pages/console-pages.js';

/**
 * The main process forgets an unconfirmed key after ten minutes. The packaged app has no
 * reload, so the form itself must fetch a new key and say so, keeping what was typed.
 */
const PAST_KEY_LIFETIME_MS = 11 * 60_000;
const ENROLLMENT_EXPIRED_MESSAGE = 'Your key expired after 10 minutes. Scan the new QR code (or enter the new key) and enter a fresh security code.';

test('setup: an expired key is replaced at once, keeping the details typed', async ({ page, freshConsole }) => {
  await page.goto(freshConsole.url);
  const setup = new SetupPage(page);
  await setup.expectShown();
  const oldKey = await setup.shownKey();
  const official = { userId: 'morgan.cms', firstName: 'Morgan', lastName: 'Ellis', email: 'morgan.ellis@cms.example.gov', password: 'copper meadow 2231 kite' };
  await setup.fill({ ...official, code: freshConsole.code(oldKey) });
  await freshConsole.advanceClock(page, PAST_KEY_LIFETIME_MS);
  await setup.submit();

  const alert = page.getByRole('alert').filter({ hasText: ENROLLMENT_EXPIRED_MESSAGE });
  await expect(alert).toBeVisible();
  await expect(alert).toBeFocused();
  await expect(page.getByTestId('totp-key')).not.toHaveText(oldKey);
  const form = page.getByRole('main');
  await expect(form.getByLabel('Security Code')).toHaveValue('');
  await expect(form.getByLabel('User ID')).toHaveValue(official.userId);
  await expect(form.getByLabel('Email Address')).toHaveValue(official.email);
  await expect(form.getByLabel('Password', { exact: true })).toHaveValue(official.password);
  await expectNoAxeViolations(page, 'setup after the key expired');

  await form.getByLabel('Security Code').fill(await freshConsole.freshCode(page, await setup.shownKey()));
  await setup.submit();
  await new WarningPage(page).expectShown();
});

test('my credentials: an expired key is replaced at once, keeping the name typed', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('provider.so1');
  const home = await signInToHome(page, demoConsole, account, 'Pamela');
  await home.open('My credentials');
  const credentials = new CredentialsPage(page);
  await credentials.expectShown();

  const old = await credentials.startAdding();
  await demoConsole.advanceClock(page, PAST_KEY_LIFETIME_MS);
  await credentials.confirmAdding(demoConsole.code(old.key), 'Tablet');

  const section = page.getByRole('region', { name: 'Add a credential' });
  const alert = section.getByRole('alert').filter({ hasText: ENROLLMENT_EXPIRED_MESSAGE });
  await expect(alert).toBeVisible();
  await expect(alert).toBeFocused();
  await expect(page.getByTestId('totp-key')).not.toHaveText(old.key);
  await expect(section.getByLabel('Security Code')).toHaveValue('');
  await expect(section.getByLabel('Credential name')).toHaveValue('Tablet');

  const newKey = (await page.getByTestId('totp-key').textContent())?.trim() ?? '';
  const newCredentialId = (await page.getByTestId('credential-id').textContent())?.trim() ?? '';
  await section.getByLabel('Security Code').fill(await demoConsole.freshCode(page, newKey));
  await section.getByRole('button', { name: 'Add Credential' }).click();
  await expect(page.getByTestId('credentials-success')).toHaveText('Your user ID is now linked to the new credential.');
  await expect(page.getByRole('table')).toContainText(newCredentialId);
  await expect(page.getByRole('table')).toContainText('Tablet');
  await expect(page.getByRole('table')).not.toContainText(old.credentialId);
});

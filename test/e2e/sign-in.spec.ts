import { SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { expect, expectNoAxeViolations, test } from './fixtures.js';
import { CredentialsPage, HomePage, SetupPage, SignInPage, signInToHome, WarningPage } from './pages/console-pages.js';

test('first-run setup with a code from the shown key; sign out; sign in again', async ({ page, freshConsole }) => {
  await page.goto(freshConsole.url);
  const setup = new SetupPage(page);
  await setup.expectShown();
  await expectNoAxeViolations(page, 'setup');
  const key = await setup.shownKey();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const official = { userId: 'casey.cms', firstName: 'Casey', lastName: 'Rivera', email: 'casey.rivera@cms.example.gov', password: 'tidewater lantern 1987' };
  await setup.fill({ ...official, code: freshConsole.code(key) });
  await setup.submit();

  const warning = new WarningPage(page);
  await warning.expectShown();
  await expectNoAxeViolations(page, 'warning page');
  await warning.accept();
  const home = new HomePage(page);
  await home.expectWelcome('Casey');
  await expect(page.getByRole('banner')).toContainText('Casey Rivera');
  await expect(page.getByRole('banner')).toContainText('Centers for Medicare & Medicaid Services');
  await expectNoAxeViolations(page, 'home');

  await home.logOut();
  const signIn = new SignInPage(page);
  await signIn.expectShown();
  await expect(signIn.notice()).toContainText('You have been signed out.');
  await expectNoAxeViolations(page, 'sign-in');

  // User IDs are not case-sensitive.
  await signIn.signIn('CASEY.CMS', official.password, await freshConsole.freshCode(page, key));
  await warning.accept();
  await home.expectWelcome('Casey');
});

test('I Deny on the warning page signs out', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('provider.so1');
  await page.goto(demoConsole.url);
  await expect(page.getByText(/DEMO/).first()).toBeVisible();
  const signIn = new SignInPage(page);
  await signIn.signIn(account.userId, account.password, demoConsole.code(account.totpKey));
  await new WarningPage(page).deny();
  await signIn.expectShown();
  await expect(signIn.notice()).toContainText('You have been signed out.');
});

test('five wrong passwords show the lock message', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('demo.user');
  await page.goto(demoConsole.url);
  const signIn = new SignInPage(page);
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    await signIn.signIn(account.userId, 'not my password at all', demoConsole.code(account.totpKey));
    await expect(signIn.error()).toHaveText(SIGN_IN_MESSAGES.incorrect);
  }
  await signIn.signIn(account.userId, 'not my password at all', demoConsole.code(account.totpKey));
  await expect(signIn.error()).toHaveText(SIGN_IN_MESSAGES.temporarilyLocked);
  // The right password does not help while the account is locked.
  await signIn.signIn(account.userId, account.password, await demoConsole.freshCode(page, account.totpKey));
  await expect(signIn.error()).toHaveText(SIGN_IN_MESSAGES.temporarilyLocked);
  await expectNoAxeViolations(page, 'sign-in with an error');
});

test('add a second credential, then remove the first', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('provider.so1');
  const home = await signInToHome(page, demoConsole, account, 'Pamela');
  await home.open('My credentials');

  const credentials = new CredentialsPage(page);
  await credentials.expectShown();
  await expect(credentials.rows()).toHaveCount(2);
  const added = await credentials.startAdding();
  await expectNoAxeViolations(page, 'my credentials while adding');
  await credentials.confirmAdding(await demoConsole.freshCode(page, added.key), 'Office phone');
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: 'Your user ID is now linked to the new credential.' })).toBeVisible();
  await expect(credentials.rows()).toHaveCount(3);
  await expect(page.getByRole('table')).toContainText('Office phone');

  await credentials.remove(account.credentialId, await demoConsole.freshCode(page, account.totpKey));
  await expect(page.getByRole('alert').or(page.getByRole('status')).filter({ hasText: 'This credential is no longer linked to your user ID.' })).toBeVisible();
  await expect(credentials.rows()).toHaveCount(2);
  await expect(page.getByRole('table')).not.toContainText(account.credentialId);
  await expect(page.getByRole('table')).toContainText(added.credentialId);
  await expectNoAxeViolations(page, 'my credentials');

  // The remaining credential is the only one: it cannot go.
  await credentials.remove(added.credentialId, await demoConsole.freshCode(page, added.key));
  await expect(page.getByText('This is your only credential.')).toBeVisible();
});

test('an idle session locks; password and a fresh code unlock it', async ({ page, demoConsole }) => {
  const account = demoConsole.demoAccount('florida.so');
  await page.goto(demoConsole.url);
  await new SignInPage(page).signIn(account.userId, account.password, demoConsole.code(account.totpKey));
  await new WarningPage(page).accept();
  await new HomePage(page).expectWelcome('Robert');
  await demoConsole.advanceClock(page, 15 * 60_000 + 1_000);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Session locked' })).toBeVisible();
  await expectNoAxeViolations(page, 'lock screen');
  await page.getByLabel('Password').fill(account.password);
  await page.getByLabel('Security Code').fill(await demoConsole.freshCode(page, account.totpKey));
  await page.getByRole('button', { name: 'Unlock' }).click();
  await new HomePage(page).expectWelcome('Robert');
});

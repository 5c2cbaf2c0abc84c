import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, expectNoAxeViolationsWithListOpen, shotsAtWidths, test } from './fixtures.js';
import {
  CreateUserDialog,
  ProfilePage,
  SignInPage,
  UserLookupPage,
  WarningPage,
  changePassword,
  firstSignIn,
  organizationField,
  signInToHome,
} from './pages/console-pages.js';

/**
 * End to end: the User Lookup and User Roles pages of the HARP and iQIES job aids, and the
 * account actions of the QualityNet guide, as a Security Official of organization 123
 * (provider.so1, Pamela Cameron) does them in the demo console; an account she creates is
 * approved by the other one (provider.so2, Marcus Oyelaran).
 */

const NEW_PASSWORD = 'copper kettle morning walk';
test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const shot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

test('search by last name, by exact email, by user ID prefix; export the CSV and its count is "Users (N)"', async ({ page, demoConsole: host }) => {
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  // "All users within the selected organization are loaded by default."
  const everyone = await lookup.total();
  expect(everyone).toBeGreaterThan(3);
  await expectNoAxeViolations(page, 'user lookup');

  await lookup.search('ayya');
  await expect(lookup.count()).toHaveText('Users (1)');
  await expect(lookup.row('demo.user')).toContainText('Ayyagari, Aditya');

  await lookup.search('DEMO.USER@EXAMPLE.ORG');
  await expect(lookup.row('demo.user')).toContainText('Exact match');

  await lookup.search('locked.');
  // The exact-email search also found one user: wait for the rows, not only the count.
  await expect.poll(() => lookup.userIds()).toEqual(['locked.user']);
  await expect(lookup.count()).toHaveText('Users (1)');

  // Sorting by Name flips the order.
  await lookup.search('');
  await expect(lookup.count()).toHaveText(`Users (${everyone})`);
  const ascending = await lookup.userIds();
  await lookup.table().getByRole('button', { name: /^Name/ }).click();
  await expect.poll(() => lookup.userIds()).toEqual([...ascending].reverse());

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Users' }).click();
  const file = await download;
  // The Organization filter starts at All (iQIES Figure 6), even for an official of one organization.
  expect(file.suggestedFilename()).toMatch(/^Users-iQIES-Prod-All-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = parse(readFileSync(await file.path(), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  expect(rows).toHaveLength(everyone);
  expect(rows.map((r) => r['User ID'])).toContain('demo.user');
  await expect(page.getByTestId('export-result')).toContainText(`(${everyone} users)`);
});

test('remove a role: the pop-up asks "Are you sure you want to remove this role?", then the role goes', async ({ page, demoConsole: host }) => {
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  await lookup.search('Ayyagari');
  const profile = await lookup.openProfile('Ayyagari, Aditya');
  await expect(profile.roles()).toContainText('Provider Basic User');
  await expectNoAxeViolations(page, 'profile');

  // Cancel changes nothing.
  let dialog = await profile.removeRole('Provider Basic User', 'iQIES Prod');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(profile.roles()).toContainText('Provider Basic User');

  dialog = await profile.removeRole('Provider Basic User', 'iQIES Prod');
  await expectNoAxeViolations(page, 'remove role pop-up');
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(profile.notice()).toContainText('The role Provider Basic User was removed. The email is queued: no mail server is set up yet.');
  // No mail server in the demo: the notice says the email waits, never that it was sent.
  await expect(profile.notice()).not.toContainText('emailed');
  const before = page.viewportSize();
  for (const width of [1024, 1366, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `71-role-removed-mail-queued-${width}.png`), fullPage: false });
  }
  if (before) await page.setViewportSize(before);
  await expect(page.getByTestId('no-roles')).toBeVisible();

  // With no role or request left in 123, the user is no longer in the official's lookup.
  await profile.back();
  await lookup.search('Ayyagari');
  await expect(lookup.count()).toHaveText('Users (0)');
});

test('reset a password: the user signs in with the temporary one and must change it first', async ({ page, otherPage, demoConsole: host }) => {
  const official = host.demoAccount('provider.so1');
  const home = await signInToHome(page, host, official, 'Pamela');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  await lookup.search('demo.user');
  const profile = await lookup.openProfile('Ayyagari, Aditya');
  const temporary = await profile.accountAction('Reset password', await host.freshCode(page, official.totpKey));
  expect(temporary).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
  await expect(profile.notice()).toContainText('It is shown only now.');

  const user = host.demoAccount('demo.user');
  await otherPage.goto(host.url);
  await new SignInPage(otherPage).signIn('demo.user', temporary!, await host.freshCode(otherPage, user.totpKey));
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Change your password' })).toBeVisible();
  await otherPage.screenshot(shot('29-change-password'));
  await expectNoAxeViolations(otherPage, 'change password');
  // The temporary password cannot be kept.
  await otherPage.getByLabel('New Password', { exact: true }).fill(temporary!);
  await otherPage.getByLabel('Confirm New Password').fill(temporary!);
  await otherPage.getByRole('button', { name: 'Change Password' }).click();
  await expect(otherPage.getByTestId('change-password-error')).toHaveText('Choose a new password, not the temporary one');
  await changePassword(otherPage, NEW_PASSWORD);
  await new WarningPage(otherPage).accept();
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Welcome, Aditya' })).toBeVisible();
});

test('create a user; a second official approves the account; the new user signs in with that temporary password, sets a password and links an authenticator', async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();
  // Pamela (provider.so1) creates the account.
  const pamela = host.demoAccount('provider.so1');
  let home = await signInToHome(page, host, pamela, 'Pamela');
  await home.open('User Lookup');
  await new UserLookupPage(page).expectShown();
  await page.getByRole('button', { name: 'Create user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create user' });
  await dialog.getByLabel('First Name').fill('Erin');
  await dialog.getByLabel('Last Name').fill('Newhire');
  await dialog.getByLabel('Email Address').fill('not an email');
  await dialog.getByLabel('User ID').fill('erin.newhire');
  await dialog.getByLabel('Role').selectOption('Assessment Coordinator');
  await dialog.getByLabel('Security Code').fill(await host.freshCode(page, pamela.totpKey));
  await expectNoAxeViolations(page, 'create user pop-up');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  // In the summary and beside the field; checked on the client, so the code was not spent.
  await expect(dialog.locator('.soc-error-summary').getByRole('link', { name: 'Email Address is not a valid email address' })).toBeVisible();
  await expect(dialog.locator('#create-email__error')).toContainText('Email Address is not a valid email address');
  await dialog.getByLabel('Email Address').fill('erin.newhire@example.org');
  await dialog.getByLabel('Security Code').fill(await host.freshCode(page, pamela.totpKey));
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog).toBeHidden();

  let profile = new ProfilePage(page);
  await expect(profile.status()).toHaveText('Pending');
  const creatorsPassword = await profile.temporaryPassword();
  // Whoever created an account does not approve it: until then Pamela may only deactivate it.
  expect(await profile.actionLabels()).toEqual(['Deactivate account']);
  await home.logOut();

  // Marcus (provider.so2), the other Security Official of 123, approves it: he gets the temporary password to hand to Erin.
  const marcus = host.demoAccount('provider.so2');
  home = await signInToHome(page, host, marcus, 'Marcus');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  profile = await lookup.findAndOpen('erin.newhire', 'Newhire, Erin');
  const temporary = await profile.accountAction('Approve account', await host.freshCode(page, marcus.totpKey));
  await expect(profile.status()).toHaveText('Active');
  expect(temporary).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
  expect(temporary).not.toBe(creatorsPassword);

  await firstSignIn(otherPage, host, { userId: 'erin.newhire', temporaryPassword: temporary!, newPassword: NEW_PASSWORD }, async () => {
    await expect(otherPage.getByRole('img', { name: /QR code/ })).toBeVisible();
    await otherPage.screenshot(shot('30-first-enrollment'));
    await expectNoAxeViolations(otherPage, 'first enrollment');
  });
  await new WarningPage(otherPage).accept();
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Welcome, Erin' })).toBeVisible();
});

test('a CMS official finds an organization by typing in Organization, picks it and filters; the Create user dialog picks one the same way', async ({
  page,
  demoConsole: host,
}) => {
  const home = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  const everyone = await lookup.total();
  const field = organizationField(lookup.form(), 'Organization *');
  // The filter starts at All, as on the job aid's page; a CMS official types instead of scrolling every organization.
  await expect(field).toHaveValue('All');
  await expect(field).toHaveAttribute('role', 'combobox');

  await field.click();
  await expect(page.getByText('Type a name or organization ID to find an organization.')).toBeVisible();
  await field.fill('zzz');
  await expect(page.getByText('No organizations match')).toBeVisible();
  await field.fill('bay');
  const match = page.getByRole('option', { name: 'Bayview Home Health Agency (456)', exact: true });
  await expect(match).toBeVisible();
  await expect(page.getByRole('option')).toHaveCount(1);
  await expectNoAxeViolationsWithListOpen(page, 'user lookup, organization picker open');
  await shotsAtWidths(page, '84-organization-picker-lookup');
  await field.press('ArrowDown');
  await field.press('Enter');
  await expect(field).toHaveValue('Bayview Home Health Agency (456)');
  await expectNoAxeViolations(page, 'user lookup, an organization picked');
  await lookup.form().getByRole('button', { name: 'Search' }).click();
  await expect.poll(() => lookup.total()).toBeLessThan(everyone);
  const inBayview = await lookup.total();
  expect(inBayview).toBeGreaterThan(0);

  // Emptying the field and leaving it is All again.
  await field.fill('');
  await lookup.form().getByLabel('Search').click();
  await expect(field).toHaveValue('All');
  await lookup.search('');
  await expect(lookup.count()).toHaveText(`Users (${everyone})`);

  // The Create user dialog: Escape closes the list, not the dialog; the choice decides the roles offered.
  const create = new CreateUserDialog(page);
  await create.open();
  const inDialog = organizationField(create.dialog(), 'Organization');
  await inDialog.click();
  await inDialog.fill('flo');
  await expect(page.getByRole('option', { name: 'Florida (FL)', exact: true })).toBeVisible();
  await expectNoAxeViolationsWithListOpen(page, 'create user, organization picker open');
  await shotsAtWidths(page, '85-organization-picker-create-user');
  await inDialog.press('Escape');
  await expect(inDialog).toHaveAttribute('aria-expanded', 'false');
  await expect(create.dialog()).toBeVisible();
  await create.chooseOrganization('Florida (FL)');
  await expect(create.dialog().getByLabel('Role')).toHaveValue('State Agency General User');
  await expectNoAxeViolations(page, 'create user, an organization picked');
});

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import {
  AuditTrailPage,
  CredentialsPage,
  RequestHistoryPage,
  HomePage,
  MailSettingsPage,
  MyAccessPage,
  OutboxPage,
  RoleRequestsPage,
  SetupPage,
  SignInPage,
  UserLookupPage,
  WarningPage,
  signInToHome,
} from './pages/console-pages.js';

/**
 * Screenshots of every view, for people to look at (test-results/screens/*.png). They assert
 * only that each view rendered; a person judges whether it is clear.
 */
test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const shot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
/** A pop-up is fixed to the window: the window, not the whole page, shows it as people see it. */
const popUpShot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });

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

test('screens: my access, role requests (3 rows, pop-ups, view, empty), outbox, mail settings', async ({ page, otherPage, demoConsole }) => {
  // A user asks Florida for a role, so that Florida's official has three requests.
  const userHome = await signInToHome(page, demoConsole, demoConsole.demoAccount('demo.user'), 'Aditya');
  await userHome.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  await access.request({
    program: 'iQIES Prod',
    organization: /\(FL\)$/,
    role: 'State Agency General User',
    justification: 'Survey support for the state agency.',
  });
  await page.screenshot(shot('10-my-access'));

  const home = await signInToHome(otherPage, demoConsole, demoConsole.demoAccount('florida.so'), 'Robert');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(otherPage);
  await queue.expectShown();
  await expect(queue.rows()).toHaveCount(3);
  await otherPage.screenshot(shot('11-role-requests-3-rows'));

  await queue.select(queue.rowWith('Ayyagari'));
  await queue.openApprove();
  await otherPage.screenshot(popUpShot('12-approve-pop-up'));
  await queue.approveDialog().getByRole('button', { name: 'Cancel' }).click();

  await queue.select(queue.rows().first());
  const reject = await queue.openReject();
  await reject.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(reject.getByText('A Rejection Reason is required to Reject a request')).toBeVisible();
  await otherPage.screenshot(popUpShot('13-reject-pop-up'));
  await reject.getByRole('button', { name: 'Cancel' }).click();

  const panel = await queue.view(queue.rowWith('Ayyagari'));
  await otherPage.screenshot(popUpShot('14-request-view'));
  await panel.getByRole('button', { name: 'Close' }).last().click();

  await otherPage.getByLabel('Select all on this page').check();
  await queue.openApprove();
  await queue.confirmApprove();
  await expect(queue.result()).toContainText('3 requests approved.');
  await expect(queue.empty()).toHaveText('There are no pending role requests.');
  await otherPage.screenshot(shot('15-role-requests-empty'));
  await expectNoAxeViolations(otherPage, 'role requests, empty');

  await home.open('Outbox');
  await new OutboxPage(otherPage).expectShown();
  await expect(otherPage.getByTestId('outbox-table')).toBeVisible();
  await otherPage.screenshot(shot('16-outbox'));

  await home.open('Mail settings');
  await new MailSettingsPage(otherPage).expectShown();
  await otherPage.screenshot(shot('17-mail-settings'));
});

test('screens: user lookup, profile, remove role (twice for the last official), account action, create user, temporary sign-in', async ({
  page,
  otherPage,
  demoConsole,
}) => {
  test.slow();
  const official = demoConsole.demoAccount('cms.official');
  const home = await signInToHome(page, demoConsole, official, 'Dana');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  await page.screenshot(shot('20-user-lookup'));
  await lookup.search('smi');
  await page.screenshot(shot('21-user-lookup-search'));

  await lookup.search('provider.so2');
  const profile = await lookup.openProfile('Oyelaran, Marcus');
  await page.screenshot(shot('22-profile'));
  const remove = await profile.removeRole('Provider Security Official', 'iQIES Prod');
  await page.screenshot(popUpShot('23-remove-role-pop-up'));
  await remove.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('group', { name: 'Account actions' }).getByRole('button', { name: 'Reset password' }).click();
  await expect(page.getByRole('dialog', { name: 'Reset password' })).toBeVisible();
  await page.screenshot(popUpShot('24-account-action-pop-up'));
  await page.getByRole('dialog', { name: 'Reset password' }).getByRole('button', { name: 'Cancel' }).click();
  await profile.accountAction('Reset password', await demoConsole.freshCode(page, official.totpKey));
  await page.screenshot(shot('25-temporary-password'));

  // Organization 123 has two officials; removing one leaves the last, who is warned about.
  await profile.removeRole('Provider Security Official', 'iQIES Prod').then((d) => d.getByRole('button', { name: 'Remove', exact: true }).click());
  await expect(profile.notice()).toContainText('was removed');
  await profile.back();
  await lookup.search('provider.so1');
  const last = await lookup.openProfile('Cameron, Pamela');
  // Her role in a second program goes at once: she stays an official of 123 through the first.
  await last.removeRole('Provider Security Official', 'iQIES Prod Test').then((d) => d.getByRole('button', { name: 'Remove', exact: true }).click());
  await expect(last.notice()).toContainText('was removed');
  const lastDialog = await last.removeRole('Provider Security Official', 'iQIES Prod');
  await lastDialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(lastDialog).toContainText('This is the only Security Official');
  await page.screenshot(popUpShot('26-remove-last-official-pop-up'));
  await lastDialog.getByRole('button', { name: 'Cancel' }).click();

  await last.back();
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('dialog', { name: 'Create user' })).toBeVisible();
  await page.screenshot(popUpShot('27-create-user-pop-up'));

  await otherPage.goto(demoConsole.url);
  await otherPage.getByRole('button', { name: 'Start/Complete New User Enrollment' }).click();
  await expect(otherPage.getByRole('heading', { level: 1, name: 'New User Enrollment' })).toBeVisible();
  await otherPage.screenshot(shot('28-temporary-sign-in'));
  await expectNoAxeViolations(otherPage, 'temporary sign-in');
});

test('screens: request history, request ID pop-up, export archive, archive open, audit trail, audit alarm', async ({ page, demoConsole }) => {
  test.slow();
  const home = await signInToHome(page, demoConsole, demoConsole.demoAccount('provider.so1'), 'Pamela');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  // A rejection with a reason, so the list and the pop-up show both actions.
  const rejected = Number(await queue.rows().first().getAttribute('data-request-id'));
  await queue.select(queue.rows().first());
  await queue.openReject();
  await queue.confirmReject('Not employed by this organization');
  await expect(queue.result()).toContainText('1 request rejected.');

  await home.open('Request History');
  const history = new RequestHistoryPage(page);
  await history.expectShown();
  await page.screenshot(shot('50-request-history'));
  const dialog = await history.view(rejected);
  await expect(dialog.getByTestId('history-action')).toContainText('Rejected by provider.so1@example.org: Not employed by this organization');
  await page.screenshot(popUpShot('51-request-id-pop-up'));
  await history.close(dialog);

  await page.getByRole('button', { name: 'Export archive' }).click();
  await expect(page.getByRole('dialog', { name: 'Export archive' })).toBeVisible();
  await page.screenshot(popUpShot('52-export-archive'));
  await page.getByRole('dialog', { name: 'Export archive' }).getByRole('button', { name: 'Cancel' }).click();

  const folder = mkdtempSync(join(tmpdir(), 'soc-screens-'));
  try {
    const file = await history.exportArchive([/\(123\)$/], join(folder, 'screens.socarchive'));
    await history.openArchive(file);
    await page.screenshot(shot('53-request-history-archive'));
    await page.getByRole('button', { name: 'Close archive' }).click();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  await home.open('Audit trail');
  const audit = new AuditTrailPage(page);
  await audit.expectShown();
  await expect(audit.status()).toContainText('Audit trail verified through event');
  await page.screenshot(shot('54-audit-trail'));

  // Someone with the database's own tools deletes the last event while the console runs: the next look says so.
  const db = demoConsole.database();
  try {
    const last = (await db.get<{ id: number }>('SELECT max(id) AS id FROM audit_events'))!;
    await db.run(db.dialect === 'postgres' ? 'DROP TRIGGER audit_events_no_delete ON audit_events' : 'DROP TRIGGER audit_events_no_delete');
    await db.run('DELETE FROM audit_events WHERE id = ?', [last.id]);
  } finally {
    await db.close();
  }
  await home.open('Home');
  await home.open('Audit trail');
  await expect(audit.status()).toContainText('Audit trail broken: Event');
  await page.screenshot(shot('55-audit-trail-alarm'));
  await expectNoAxeViolations(page, 'audit trail alarm');
});

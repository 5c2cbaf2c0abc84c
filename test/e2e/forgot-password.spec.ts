import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { RESET_MESSAGES, SIGN_IN_MESSAGES } from '../../shared/policy.js';
import { SmtpTestServer } from '../support/smtp-test-server.js';
import { ConsoleHost, SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { HomePage, MailSettingsPage, SignInPage, UserLookupPage, WarningPage, signInToHome } from './pages/console-pages.js';

/**
 * Signing in, New User Enrollment and Forgot your Password?, as a person would follow them:
 * the Login page's error summary, the enrollment steps ending on Successful Two-Factor
 * Enrollment (QualityNet guide, Figure 5-9), and a temporarily locked user getting back in with
 * a security code and a one-time code emailed to a real SMTP server in the test. Screenshots
 * at three widths go to test-results/screens/85-auth-<view>-<width>.png.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

async function shots(page: Page, view: string): Promise<void> {
  const before = page.viewportSize();
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `85-auth-${view}-${size.width}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/** The Forgot your Password? pages. */
class ForgotPasswordPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Forgot your Password?' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Forgot your Password?' })).toBeVisible();
  }

  currentStep() {
    return this.page.getByTestId('current-step');
  }

  async identify(userId: string, code: string): Promise<void> {
    await this.page.getByLabel('User ID').fill(userId);
    await this.page.getByLabel('Security Code').fill(code);
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }

  async reset(oneTimeCode: string, password: string, confirm = password): Promise<void> {
    await this.page.getByLabel('One-time Code').fill(oneTimeCode);
    await this.page.getByLabel('New Password', { exact: true }).fill(password);
    await this.page.getByLabel('Confirm New Password').fill(confirm);
    await this.page.getByRole('button', { name: 'Reset Password' }).click();
  }

  error() {
    return this.page.getByTestId('forgot-password-error');
  }
}

/** The one-time code in the newest email to `address`. */
function oneTimeCodeFor(smtp: SmtpTestServer, address: string): string | null {
  const mail = [...smtp.received].reverse().find((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '') === address);
  return /one-time code: (\d{8})/.exec(mail?.text ?? '')?.[1] ?? null;
}

test("Login lists every problem at once, each linked to its field, with the job aid's asterisks", async ({ page, demoConsole: host }) => {
  await page.goto(host.url);
  const signIn = new SignInPage(page);
  await signIn.expectShown();
  await expect(page.getByText('Required Field')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Forgot your Password?' })).toBeVisible();

  await page.getByRole('button', { name: 'Login' }).click();
  const summary = page.locator('.soc-error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  await expect(summary.getByRole('link')).toHaveText([
    'User ID is required',
    'Password is required',
    'Security Code is the 6-digit code from your authenticator app',
    'You must agree to the Terms & Conditions',
  ]);
  // Each field says its own problem, and each entry of the summary takes the user there.
  await expect(page.getByLabel('User ID')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Security Code')).toHaveAttribute('aria-invalid', 'true');
  await summary.getByRole('link', { name: 'Password is required' }).click();
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await expectNoAxeViolations(page, 'login with every field missing');
  await shots(page, 'sign-in-errors');

  // Fixing some leaves only the rest in the summary.
  const account = host.demoAccount('demo.user');
  await page.getByLabel('User ID').fill(account.userId);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByLabel('Security Code').fill('12ab');
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(summary.getByRole('link')).toHaveText([
    'Security Code is the 6-digit code from your authenticator app',
    'You must agree to the Terms & Conditions',
  ]);

  await signIn.signIn(account.userId, account.password, host.code(account.totpKey));
  await new WarningPage(page).expectShown();
});

const mailTest = test.extend<{ mailConsole: ConsoleHost; smtp: SmtpTestServer }>({
  mailConsole: async ({}, use) => {
    const host = await ConsoleHost.start({ demo: true, mailIntervalMs: 100 });
    await use(host);
    await host.stop();
  },
  smtp: async ({}, use) => {
    const server = await SmtpTestServer.start();
    await use(server);
    await server.close();
  },
});

mailTest(
  'a temporarily locked user clicks Forgot your Password?, proves the authenticator, sets a new password with the emailed code, and logs in',
  async ({ page, mailConsole: host, smtp }) => {
    mailTest.slow();
    // The CMS official points the console at the mail server.
    const cms = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
    await cms.open('Mail settings');
    const mail = new MailSettingsPage(page);
    await mail.expectShown();
    await mail.save({ host: '127.0.0.1', port: smtp.port, tls: false, from: 'donotreply@console.example.org' });
    await cms.logOut();

    // Five wrong passwords: the guide's message sends the user to Forgot your Password?.
    const account = host.demoAccount('demo.user');
    const signIn = new SignInPage(page);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await signIn.signIn(account.userId, 'not my password at all', host.code(account.totpKey));
      // The answer has come when the form asks for the password again.
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    }
    await expect(signIn.error()).toHaveText(SIGN_IN_MESSAGES.temporarilyLocked);
    await shots(page, 'sign-in-locked');

    const forgot = new ForgotPasswordPage(page);
    await forgot.open();
    await expect(forgot.currentStep()).toContainText('User ID and security code');
    await expectNoAxeViolations(page, 'forgot your password');
    await shots(page, 'forgot-identify');

    // A wrong security code: the same answer an unknown User ID gets.
    await forgot.identify(account.userId, '000000');
    await expect(forgot.error()).toHaveText(RESET_MESSAGES.incorrect);
    await forgot.identify(account.userId, await host.freshCode(page, account.totpKey));
    await expect(page.getByTestId('forgot-password-sent')).toContainText('d•••@example.org');
    await expect(forgot.currentStep()).toContainText('One-time code and new password');
    await expect.poll(() => oneTimeCodeFor(smtp, 'demo.user@example.org')).not.toBeNull();
    const code = oneTimeCodeFor(smtp, 'demo.user@example.org') ?? '';
    await expectNoAxeViolations(page, 'forgot your password, emailed code');
    await shots(page, 'forgot-code');

    // A weak password is refused with the policy's reason, and the code still works after it.
    await forgot.reset(code, 'password1234');
    await expect(page.getByText(/too common|too easy to guess/).first()).toBeVisible();
    // Typing a new one keeps the focus where the user types (the summary takes it only when its list changes).
    const newPassword = page.getByLabel('New Password', { exact: true });
    await newPassword.fill('');
    await newPassword.click();
    await page.keyboard.type('harbor lantern');
    await expect(newPassword).toBeFocused();
    await expect(newPassword).toHaveValue('harbor lantern');
    await forgot.reset(code, 'harbor lantern quiet meadow');
    await signIn.expectShown();
    await expect(signIn.notice()).toHaveText('Your password has been reset. Log in with your new password and a security code.');
    await shots(page, 'sign-in-reset-notice');

    // The lock is gone with the old password; the new one signs in.
    await signIn.signIn(account.userId, 'harbor lantern quiet meadow', await host.freshCode(page, account.totpKey));
    await new WarningPage(page).accept();
    await new HomePage(page).expectWelcome('Aditya');
  },
);

test('without a mail server, Forgot your Password? names the Security Officials to contact, only after a right security code', async ({
  page,
  demoConsole: host,
}) => {
  await page.goto(host.url);
  const forgot = new ForgotPasswordPage(page);
  await forgot.open();
  const account = host.demoAccount('demo.user');
  await forgot.identify('nobody.at.all', host.code(account.totpKey));
  await expect(forgot.error()).toHaveText(RESET_MESSAGES.incorrect);
  await expect(page.getByTestId('forgot-password-officials')).toHaveCount(0);

  await forgot.identify(account.userId, await host.freshCode(page, account.totpKey));
  await expect(page.getByRole('heading', { name: 'Contact your Security Official' })).toBeVisible();
  const officials = page.getByTestId('forgot-password-officials');
  await expect(officials).toContainText('Pamela Cameron');
  await expect(officials).toContainText('Marcus Oyelaran');
  await expect(officials).toContainText('provider.so1@example.org');
  await expectNoAxeViolations(page, 'forgot your password, contact officials');
  await shots(page, 'forgot-contact');
  await page.getByRole('button', { name: 'Back to Login' }).click();
  await new SignInPage(page).expectShown();
});

test('New User Enrollment shows where the user is, and ends on Successful Two-Factor Enrollment', async ({ page, otherPage, demoConsole: host }) => {
  test.slow();
  // The official removes the user's lost authenticator and hands over a temporary password.
  const pamela = host.demoAccount('provider.so1');
  const home = await signInToHome(page, host, pamela, 'Pamela');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  const profile = await lookup.findAndOpen('demo.user', 'Ayyagari, Aditya');
  const temporary = await profile.accountAction('Remove two-factor credentials', await host.freshCode(page, pamela.totpKey));
  expect(temporary).toBeTruthy();

  await otherPage.goto(host.url);
  await otherPage.getByRole('button', { name: 'Start/Complete New User Enrollment' }).click();
  const steps = otherPage.getByRole('navigation', { name: 'New User Enrollment steps' });
  await expect(steps.getByRole('listitem')).toHaveText([/Login/, /New password/, /Authenticator/, /Enrollment confirmed/]);
  await expect(otherPage.getByTestId('current-step')).toContainText('Login');
  await expectNoAxeViolations(otherPage, 'new user enrollment, login');
  await shots(otherPage, 'enroll-login');
  await otherPage.getByLabel('User ID').fill('demo.user');
  await otherPage.getByLabel('Temporary Password').fill(temporary ?? '');
  await otherPage.getByLabel('I agree to the Terms & Conditions').check();
  await otherPage.getByRole('button', { name: 'Login', exact: true }).click();

  await expect(otherPage.getByRole('heading', { level: 1, name: 'Change your password' })).toBeVisible();
  await expect(otherPage.getByTestId('current-step')).toContainText('New password');
  await expectNoAxeViolations(otherPage, 'new user enrollment, new password');
  await shots(otherPage, 'enroll-password');
  await otherPage.getByLabel('New Password', { exact: true }).fill('amber ridge tugboat sonnet');
  await otherPage.getByLabel('Confirm New Password').fill('amber ridge tugboat sonnet');
  await otherPage.getByRole('button', { name: 'Change Password' }).click();

  await expect(otherPage.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
  await expect(otherPage.getByTestId('current-step')).toContainText('Authenticator');
  await expect(otherPage.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expectNoAxeViolations(otherPage, 'new user enrollment, authenticator');
  await shots(otherPage, 'enroll-authenticator');
  const key = (await otherPage.getByTestId('totp-key').textContent())?.replace(/\s+/g, '') ?? '';
  const credentialId = (await otherPage.getByTestId('credential-id').textContent())?.trim() ?? '';
  await otherPage.getByLabel('Security Code').fill(await host.freshCode(otherPage, key));
  await otherPage.getByRole('button', { name: 'Link credential' }).click();

  await expect(otherPage.getByRole('heading', { level: 1, name: 'Successful Two-Factor Enrollment' })).toBeVisible();
  await expect(otherPage.getByTestId('current-step')).toContainText('Enrollment confirmed');
  await expect(otherPage.getByTestId('enrollment-confirmed')).toContainText(credentialId);
  await expectNoAxeViolations(otherPage, 'successful two-factor enrollment');
  await shots(otherPage, 'enroll-confirmed');
  await otherPage.getByRole('button', { name: 'Continue' }).click();
  await new WarningPage(otherPage).accept();
  await new HomePage(otherPage).expectWelcome('Aditya');
});

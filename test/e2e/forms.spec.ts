import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { SmtpTestServer, closedPort } from '../support/smtp-test-server.js';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, expectNoAxeViolationsWithListOpen, shotsAtWidths, test } from './fixtures.js';
import {
  CreateUserDialog,
  FsidPage,
  InPersonProofingPage,
  MailSettingsPage,
  MyAccessPage,
  UserLookupPage,
  organizationField,
  signInToHome,
} from './pages/console-pages.js';

/**
 * End to end: forms that say everything at once. Each form is submitted empty: an error summary
 * at the top lists every problem, each a link that moves focus to its field, and each field shows
 * its own message. Then the official fixes them and the form succeeds. Screenshots with the errors
 * showing at 1024, 1366 and 1920 wide, and axe on each.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));

const WIDTHS = [1024, 1366, 1920] as const;

/** The form with its errors, at each width: the whole page, or the window when a pop-up is open. */
async function shots(page: Page, form: string, fullPage: boolean): Promise<void> {
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // The summary in view, as the official sees it when the errors appear (following its links scrolled away).
    const summary = page.locator('.soc-error-summary');
    if ((await summary.count()) > 0) await summary.first().evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SCREENSHOT_DIR, `84-forms-${form}-${width}.png`), fullPage });
  }
  if (original) await page.setViewportSize(original);
}

/**
 * The summary lists `expected` problems; each is a link to a field that is marked invalid and
 * shows the same message beside it, and following the link puts focus on that field.
 */
async function expectEveryErrorLinked(page: Page, scope: Locator, expected: readonly string[]): Promise<void> {
  const summary = scope.locator('.soc-error-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  const links = summary.getByRole('link');
  await expect(links).toHaveText(expected.map((text) => new RegExp(escape(text))));
  for (let i = 0; i < expected.length; i += 1) {
    const link = links.nth(i);
    const message = (await link.textContent()) ?? '';
    const id = ((await link.getAttribute('href')) ?? '').slice(1);
    const field = page.locator(`[id="${id}"]`);
    await expect(field, `the field of "${message}"`).toHaveAttribute('aria-invalid', 'true');
    // The same message beside the field, once.
    await expect(scope.locator('.ds-c-inline-error', { hasText: message })).toHaveCount(1);
    await link.click();
    await expect(field).toBeFocused();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The tops of these fields' labels, to show a row stays level when only some have errors. */
async function labelTops(scope: Locator, ids: readonly string[]): Promise<number[]> {
  const tops: number[] = [];
  for (const id of ids) tops.push(Math.round((await scope.locator(`label[for="${id}"]`).boundingBox())?.y ?? -1));
  return tops;
}

test('Create user: submitted empty, every error is listed and linked to its field; the two columns stay aligned; fixed, the user is created', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const pamela = host.demoAccount('provider.so1');
  const home = await signInToHome(page, host, pamela, 'Pamela');
  await home.open('User Lookup');
  await new UserLookupPage(page).expectShown();
  const create = new CreateUserDialog(page);
  const dialog = await create.open();
  await expect(dialog.getByTestId('required-note')).toHaveText('All fields marked with an asterisk (*) are required.');
  await expect(dialog.getByLabel('First Name *')).toBeVisible();

  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expectEveryErrorLinked(page, dialog, ['First Name', 'Last Name', 'Email Address', 'User ID', 'Security Code']);
  // Bad input changed nothing: the dialog is still open, no account was made.
  await expect(dialog).toBeVisible();

  // One field fixed in each row: the labels of a row keep their tops level.
  await dialog.getByLabel('First Name').fill('Ines');
  await dialog.getByLabel('Email Address').fill('not an address');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expectEveryErrorLinked(page, dialog, ['Last Name', 'Email Address is not a valid email address', 'User ID', 'Security Code']);
  const form = dialog.getByTestId('create-user-form');
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const [first, last, email, userId, program, organization] = await labelTops(form, [
      'create-firstName',
      'create-lastName',
      'create-email',
      'create-userId',
      'create-program',
      'create-organization',
    ]);
    expect(first, `First Name and Last Name level at ${width}`).toBe(last);
    expect(email, `Email Address and User ID level at ${width}`).toBe(userId);
    expect(program, `Program and Organization level at ${width}`).toBe(organization);
  }
  await expectNoAxeViolations(page, 'create user with errors');
  await shots(page, 'create-user', false);

  await create.create(
    { firstName: 'Ines', lastName: 'Albrecht', email: 'ines.albrecht@example.org', userId: 'ines.albrecht', role: 'Assessment Coordinator' },
    await host.freshCode(page, pamela.totpKey),
  );
  await expect(page.getByRole('heading', { level: 2, name: 'Profile Information' })).toBeVisible();
});

test('My Access: submitted empty, Program, Organization and Role are each named and linked; roles follow the organization; fixed, the request is filed', async ({
  page,
  demoConsole: host,
}) => {
  const home = await signInToHome(page, host, host.demoAccount('demo.user'), 'Aditya');
  await home.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  const form = access.form();
  // No organization yet: no role is offered, and the list says why.
  expect(await access.roleOptions()).toEqual(['Select an organization first']);
  await form.getByRole('button', { name: 'Submit Request' }).click();
  await expectEveryErrorLinked(page, form, ['Program is required', 'Organization is required', 'Role is required']);
  await expect(access.requests().or(page.getByText('You have not requested a role yet.')).first()).toBeVisible();
  await expectNoAxeViolations(page, 'my access with errors');
  await shots(page, 'my-access', true);

  await access.chooseOrganization(/\(FL\)$/);
  expect(await access.roleOptions()).toEqual(['State Security Official', 'State Agency General User', 'Surveyor']);
  await form.getByRole('button', { name: 'Submit Request' }).click();
  await expectEveryErrorLinked(page, form, ['Program is required', 'Role is required']);
  const requestId = await access.request({ program: 'iQIES Prod', organization: /\(FL\)$/, role: 'State Agency General User' });
  expect(requestId).toBeGreaterThan(0);
  await expect(form.locator('.soc-error-summary')).toHaveCount(0);
  // Aditya is no Surveyor: he is not offered to ask for a Federal Surveyor ID.
  await expect(page.getByRole('button', { name: 'Ask for a Federal Surveyor ID' })).toHaveCount(0);
});

test('My Access: a person whose identity is not proofed is told why and what to do before the form, which cannot be filled yet', async ({
  page,
  demoConsole: host,
}) => {
  const home = await signInToHome(page, host, host.demoAccount('inperson.user'), 'Nora');
  await home.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  const notice = page.getByTestId('proofing-notice');
  await expect(notice).toContainText('You cannot request a role yet');
  await expect(notice).toContainText('Ask your Security Official to prove your identity in person');
  // The notice comes first on the page, before any field.
  const noticeTop = (await notice.boundingBox())?.y ?? Infinity;
  expect(noticeTop).toBeLessThan((await access.form().getByLabel('Program').boundingBox())?.y ?? 0);
  await expect(access.form().getByLabel('Program')).toBeDisabled();
  await expect(access.form().getByRole('button', { name: 'Submit Request' })).toBeDisabled();
  await expectNoAxeViolations(page, 'my access, not proofed');
  await shots(page, 'my-access-unproofed', true);
});

test('Mail settings: every error at once; saved, Send test email reaches the official, and says plainly when the server refuses', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const smtp = await SmtpTestServer.start();
  try {
    const home = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
    await home.open('Mail settings');
    const settings = new MailSettingsPage(page);
    await settings.expectShown();
    const main = page.getByRole('main');
    await main.getByLabel('Port').fill('smtp');
    await main.getByLabel('From address').fill('');
    await main.getByLabel('User name').fill('');
    await main.getByLabel('Password', { exact: true }).fill('a password without its user');
    await main.getByRole('button', { name: 'Save' }).click();
    await expectEveryErrorLinked(page, main, ['Port is 1 to 65535', 'Enter the User the password belongs to', 'From is not a valid email address']);
    await expectNoAxeViolations(page, 'mail settings with errors');
    await shots(page, 'mail-settings', true);

    // Nothing saved yet: the test email says so.
    await main.getByRole('button', { name: 'Send test email' }).click();
    await expect(page.getByTestId('mail-test-result')).toContainText('No test email was sent: no SMTP host and From address are saved yet.');

    await main.getByLabel('Password', { exact: true }).fill('');
    await settings.save({ host: '127.0.0.1', port: smtp.port, tls: false, from: 'donotreply@console.example.org' });
    await main.getByRole('button', { name: 'Send test email' }).click();
    await expect(page.getByTestId('mail-test-result')).toContainText(`A test email was sent to cms.official@`);
    // Saved settings also let the outbox's waiting emails go: the test email is the one with its subject.
    const testEmails = () => smtp.received.filter((mail) => mail.subject === 'Test email from the Security Official Console');
    await expect.poll(() => testEmails().length).toBe(1);
    expect(JSON.stringify(testEmails()[0]?.to)).toContain('cms.official@');

    const down = await closedPort();
    await settings.save({ host: '127.0.0.1', port: down, tls: false, from: 'donotreply@console.example.org' });
    await main.getByRole('button', { name: 'Send test email' }).click();
    await expect(page.getByTestId('mail-test-result')).toContainText(`the connection to 127.0.0.1:${down} was refused`);
    await expectNoAxeViolations(page, 'mail settings, test email refused');
  } finally {
    await smtp.close();
  }
});

test("In-Person Proofing: Approve on an empty form lists every missing part; the number names its document; buttons in the guide's order; no red after approving", async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('In-Person Proofing');
  const proofing = new InPersonProofingPage(page);
  await proofing.expectShown();
  await proofing.search('inperson.user');
  const form = proofing.form();
  // QualityNet guide, Figure 5-19: CANCEL, REJECT, APPROVE.
  await expect(form.locator('.soc-button-row').getByRole('button')).toHaveText(['Cancel', 'Reject', 'Approve']);

  const section = page.getByRole('region').filter({ has: page.getByTestId('proofing-subject') });
  await proofing.decide('Approve');
  await expectEveryErrorLinked(page, section, [
    'Choose a document for the Photo Identification.',
    'Choose a document for the Address Confirmation.',
    'Choose a document for the Date of Birth Confirmation.',
    'Confirm that the individual appeared in person before you.',
  ]);
  await expect(proofing.state()).toHaveText('Referred to in-person proofing');

  // A passport without its number: the message names the passport.
  await proofing.fill('photo', { document: 'U.S. passport (SUPERIOR)', issuer: 'U.S. Department of State', expiresOn: '2031-03-01', last4: '' });
  await proofing.fill('address', { document: 'Utility bill (FAIR)', issuer: '', last4: '0042' });
  await proofing.fill('dateOfBirth', 'same as photo');
  await proofing.decide('Approve');
  await expectEveryErrorLinked(page, section, [
    'Enter the document number for the U.S. passport: its last 4 letters or digits.',
    'Enter the issuer of the Utility bill.',
    'Confirm that the individual appeared in person before you.',
  ]);
  await expectNoAxeViolations(page, 'in-person proofing with errors');
  await shots(page, 'proofing', true);

  // Reject asks for its own: a reason and comments.
  await proofing.decide('Reject');
  await expectEveryErrorLinked(page, section, [
    'Enter the document number for the U.S. passport',
    'Enter the issuer of the Utility bill.',
    'Choose a Reason for Rejection.',
    'Comments are required to Reject: explain why.',
  ]);

  await proofing.evidence('photo').getByLabel('Last 4 characters of the number').fill('4821');
  await proofing.evidence('address').getByLabel('Issuer').fill('Florida Power & Light');
  await form.getByLabel(/I affirm that the individual appeared in person/).check();
  await proofing.decide('Approve');
  await expect(proofing.outcome()).toContainText('Approved. The identity of Nora Castillo is proofed in person.');
  await expect(proofing.state()).toHaveText('Identity proofed in person');
  // The green outcome, and no red "already proofed" beneath it.
  await expect(page.locator('.ds-c-alert--error')).toHaveCount(0);
  await expect(page.getByText("This person's identity is already proofed.")).toHaveCount(0);
});

test('Federal Surveyor IDs: Advanced Search hides; Enter FSID lists its error; the status menu stays on screen and leaves the table still; a verified user leaves the pending list', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('florida.so'), 'Robert');
  await home.open('Federal Surveyor IDs');
  const fsid = new FsidPage(page);
  await fsid.expectShown();

  const advanced = page.locator('#fsid-advanced');
  await expect(advanced).toBeHidden();
  await page.getByRole('button', { name: 'Show Advanced Search' }).click();
  await expect(advanced).toBeVisible();
  await page.getByRole('button', { name: 'Hide Advanced Search' }).click();
  await expect(advanced).toBeHidden();

  await fsid.searchPending();
  await expect(fsid.row('surveyor.user')).toContainText('Requested');
  await fsid
    .row('surveyor.user')
    .getByRole('button', { name: /Federal Surveyor ID for/ })
    .click();
  const enter = page.getByRole('dialog', { name: 'Enter Federal Surveyor ID' });
  await enter.getByRole('button', { name: 'Save' }).click();
  await expectEveryErrorLinked(page, enter, ['Federal Surveyor ID is required']);
  await enter.getByLabel('Federal Surveyor ID').fill('FL-42');
  await enter.getByRole('button', { name: 'Save' }).click();
  await expectEveryErrorLinked(page, enter, ['A Federal Surveyor ID is 1 to 10 letters or digits']);
  await expectNoAxeViolations(page, 'enter federal surveyor id with errors');
  await shots(page, 'fsid', false);
  await enter.getByRole('button', { name: 'Cancel' }).click();

  await fsid.enter('surveyor.user', 'fl0042');
  await expect(page.getByTestId('fsid-notice')).toContainText('pending verification');
  const table = page.getByTestId('fsid-table');
  const before = await table.boundingBox();
  await fsid
    .row('surveyor.user')
    .getByRole('button', { name: /actions for/ })
    .click();
  const menu = page.getByTestId('fsid-status-menu');
  await expect(menu).toBeVisible();
  const box = await menu.boundingBox();
  const viewport = page.viewportSize();
  expect(
    box && viewport && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
    'the menu is within the window',
  ).toBe(true);
  expect(await table.boundingBox(), 'the table did not move').toEqual(before);
  // A scroll that moves nothing (the page bringing into view what already is) leaves it open...
  await page.evaluate('document.dispatchEvent(new Event("scroll"))');
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  await expect(menu).toBeVisible();
  // ...and one that moves the page would part it from its button: it closes. Opened again, it stays.
  // (Instant: the page scrolls smoothly otherwise, and scrollY would not have moved yet.)
  const scrolled = await page.evaluate(`(() => {
    const before = window.scrollY;
    const room = document.documentElement.scrollHeight - window.innerHeight - before;
    window.scrollTo({ top: room >= 100 ? before + 100 : Math.max(0, before - 100), behavior: 'instant' });
    return window.scrollY !== before;
  })()`);
  expect(scrolled, 'the page scrolled').toBe(true);
  await expect(menu).toHaveCount(0);
  await fsid
    .row('surveyor.user')
    .getByRole('button', { name: /actions for/ })
    .click();
  await expect(menu).toBeVisible();
  await fsid.row('surveyor.user').getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('dialog', { name: 'Are you sure?' }).getByRole('button', { name: 'Verify', exact: true }).click();
  // The "saved ... pending verification" message is stale now, and the user is no longer pending.
  await expect(page.getByTestId('fsid-notice')).toHaveCount(0);
  await expect(fsid.row('surveyor.user')).toHaveCount(0);
  await page.getByLabel('Show only users pending Federal Surveyor ID verification').uncheck();
  await page.getByRole('search', { name: 'Search for Users' }).getByRole('button', { name: 'Search', exact: true }).click();
  await expect(fsid.row('surveyor.user')).toContainText('Verified');
});

test('My Access in a console of many organizations: the person types to find one, and only its kind of roles is offered', async ({ page, demoConsole }) => {
  const db = demoConsole.database();
  try {
    for (let i = 0; i < 15; i += 1)
      await db.run("INSERT INTO organizations (display_id, name, kind) VALUES (?, ?, 'provider')", [String(900100 + i), `Lakeside Care Home ${i + 1}`]);
  } finally {
    await db.close();
  }
  const home = await signInToHome(page, demoConsole, demoConsole.demoAccount('demo.user'), 'Aditya');
  await home.open('My Access');
  const field = organizationField(page.getByRole('region', { name: 'Request a role' }), 'Organization');
  await expect(field).toHaveAttribute('role', 'combobox');
  await field.click();
  await field.fill('lake');
  await expect(page.getByRole('option').first()).toBeVisible();
  await expectNoAxeViolationsWithListOpen(page, 'my access, organization picker open');
  await shotsAtWidths(page, '94-organization-picker-my-access');
  await page.getByRole('option', { name: 'Lakeside Care Home 1 (900100)', exact: true }).click();
  await expect(field).toHaveValue('Lakeside Care Home 1 (900100)');
  const form = page.getByRole('region', { name: 'Request a role' });
  await expect(form.getByLabel('Role')).toContainText('Provider Basic User');
  await expect(form.getByLabel('Role')).not.toContainText('State Agency General User');
  await form.getByLabel('Program').selectOption('iQIES Prod');
  await form.getByLabel('Role').selectOption('Provider Basic User');
  await form.getByRole('button', { name: 'Submit Request' }).click();
  await expect(page.getByTestId('my-access-success')).toContainText('Your request was submitted. Request ID:');
});

import type { ParsedMail } from 'mailparser';
import { SmtpTestServer } from '../support/smtp-test-server.js';
import { ConsoleHost, expect, expectNoAxeViolations, shotsAtWidths, test } from './fixtures.js';
import { MailSettingsPage, MyAccessPage, OutboxPage, RoleRequestsPage, navBadgeCount, signInToHome } from './pages/console-pages.js';

/**
 * End to end: My Access, the Role Requests queue of the HARP and iQIES job aids, bulk
 * decisions, the first-Security-Official rule, and the emails both ways. Two people at one
 * console are two browser contexts (`page`, `otherPage`) of one host.
 */

const ORG_123 = /\(123\)$/;
const ASSESSMENT_COORDINATOR = 'Assessment Coordinator';

/** A demo host whose outbox is looked at every 100 ms, and a real SMTP server in the test. */
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

function recipients(mail: ParsedMail): string {
  const to = mail.to === undefined ? [] : Array.isArray(mail.to) ? mail.to : [mail.to];
  return to.map((address) => address.text).join(', ');
}

function mailTo(server: SmtpTestServer, address: string, subject?: RegExp | string): ParsedMail | undefined {
  return server.received.find(
    (mail) =>
      recipients(mail).includes(address) &&
      (subject === undefined || (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject ?? ''))),
  );
}

mailTest(
  'a user requests a role; the official sees the badge grow, approves; the user holds the role; both emails arrive',
  async ({ page: userPage, otherPage: officialPage, mailConsole: host, smtp }) => {
    // Two people, two sign-ins, five axe scans and mail both ways: more than the default minute on a busy machine.
    mailTest.slow();
    // The CMS official points the console at the mail server first (it may also come later: mail waits).
    const cmsHome = await signInToHome(officialPage, host, host.demoAccount('cms.official'), 'Dana');
    await cmsHome.open('Mail settings');
    const mailSettings = new MailSettingsPage(officialPage);
    await mailSettings.expectShown();
    await expectNoAxeViolations(officialPage, 'mail settings');
    await mailSettings.save({ host: '127.0.0.1', port: smtp.port, tls: false, from: 'donotreply@console.example.org' });
    await cmsHome.logOut();

    // The organization's official sees the settings but cannot change them.
    const officialHome = await signInToHome(officialPage, host, host.demoAccount('provider.so1'), 'Pamela');
    await officialHome.open('Mail settings');
    await expect(officialPage.getByTestId('mail-settings-cms-only')).toBeVisible();
    await expect(officialPage.getByLabel('SMTP host')).toHaveValue('127.0.0.1');
    await expect(officialPage.getByLabel('SMTP host')).toBeDisabled();
    await expect(officialPage.getByRole('button', { name: 'Save' })).toHaveCount(0);
    await expectNoAxeViolations(officialPage, 'mail settings, read-only');

    await officialHome.open('Role Requests');
    const queue = new RoleRequestsPage(officialPage);
    await queue.expectShown();
    const before = await queue.total();
    await expect.poll(() => navBadgeCount(officialPage)).toBe(before);

    // The user requests the role on My Access.
    const userHome = await signInToHome(userPage, host, host.demoAccount('demo.user'), 'Aditya');
    await userHome.open('My Access');
    const access = new MyAccessPage(userPage);
    await access.expectShown();
    await expectNoAxeViolations(userPage, 'my access');
    const requestId = await access.request({
      program: 'iQIES Prod',
      organization: ORG_123,
      role: ASSESSMENT_COORDINATOR,
      justification: 'I coordinate the MDS assessments of our residents.',
    });
    await expect(access.requestRow(requestId)).toContainText('Pending');
    await expect(access.requestRow(requestId).getByRole('button', { name: 'Withdraw' })).toBeVisible();

    // The official's badge counts it, and the queue lists it.
    await officialHome.open('Role Requests');
    await expect.poll(() => navBadgeCount(officialPage)).toBe(before + 1);
    await expect(officialPage.getByTestId('queue-count')).toHaveText(`${before + 1} pending requests`);
    const row = queue.rowOf(requestId);
    await expect(row).toContainText('Aditya');
    await expect(row).toContainText('Ayyagari');
    await expect(row).toContainText(ASSESSMENT_COORDINATOR);
    await expect(row).toContainText('123');
    await expect(row).toContainText('iQIES Prod');

    // Each Security Official of the organization is told (iQIES job aid: "Role Request from [name]").
    await expect.poll(() => mailTo(smtp, 'provider.so1@example.org', 'Role Request from Aditya Ayyagari') !== undefined).toBe(true);

    // View: the requester's profile and the request.
    const panel = await queue.view(row);
    await expect(panel).toContainText(`Request ID: ${requestId}`);
    await expect(panel).toContainText('demo.user');
    await expect(panel).toContainText('I coordinate the MDS assessments of our residents.');
    await expect(panel.getByRole('heading', { name: 'User Roles' })).toBeVisible();
    await expectNoAxeViolations(officialPage, 'request view');
    await panel.getByRole('button', { name: 'Close' }).last().click();
    await expect(panel).toBeHidden();

    await queue.select(row);
    await expect(queue.approveButton()).toHaveText('Approve (1)');
    const dialog = await queue.openApprove();
    await expect(dialog).toContainText('Approve 1 request?');
    await expectNoAxeViolations(officialPage, 'approve pop-up');
    await queue.confirmApprove();
    await expect(queue.result()).toContainText('1 request approved.');
    await expect(queue.rowOf(requestId)).toHaveCount(0);
    await expect(officialPage.getByTestId('queue-count')).toHaveText(`${before} pending request${before === 1 ? '' : 's'}`);
    await expect.poll(() => navBadgeCount(officialPage)).toBe(before === 0 ? null : before);
    await expectNoAxeViolations(officialPage, 'role requests after approving');

    // The user now holds the role, and is told by email.
    await userHome.open('My Access');
    await expect(access.roles()).toContainText(ASSESSMENT_COORDINATOR);
    await expect(access.roles().getByRole('row').filter({ hasText: ASSESSMENT_COORDINATOR })).toContainText('123');
    await expect(access.requestRow(requestId)).toContainText('Approved');
    await expect(access.requestRow(requestId).getByRole('button', { name: 'Withdraw' })).toHaveCount(0);
    await expect.poll(() => mailTo(smtp, 'demo.user@example.org') !== undefined).toBe(true);
    const decision = mailTo(smtp, 'demo.user@example.org');
    expect(`${decision?.subject ?? ''}\n${decision?.text ?? ''}`).toMatch(/approved/i);

    // The Outbox shows both as sent.
    await officialHome.open('Outbox');
    const outbox = new OutboxPage(officialPage);
    await outbox.expectShown();
    await outbox.filter('Sent');
    await expect(outbox.table()).toContainText('Role Request from Aditya Ayyagari');
    await expectNoAxeViolations(officialPage, 'outbox');
  },
);

test('bulk reject three with the keyboard; a blank Rejection Reason is refused and nothing changes', async ({ page, demoConsole }) => {
  const home = await signInToHome(page, demoConsole, demoConsole.demoAccount('provider.so1'), 'Pamela');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const before = await queue.total();
  expect(before).toBeGreaterThanOrEqual(3);
  await expect(page.getByText('Select one or more users via the associated checkbox to Approve or Reject')).toBeVisible();
  await expectNoAxeViolations(page, 'role requests');

  // Keyboard only: the grid is one tab stop; arrows move, Space selects, R opens Reject.
  await page.getByLabel('Select all on this page').focus();
  await page.keyboard.press('Tab');
  await expect(queue.rows().first()).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(queue.rows().nth(2)).toBeFocused();
  await expect(queue.rejectButton()).toHaveText('Reject (3)');
  const chosen = queue.grid().locator('[role="row"][aria-selected="true"]');
  await expect(chosen).toHaveCount(3);
  const ids = (await chosen.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id')))).map(Number);

  await page.keyboard.press('r');
  const dialog = queue.rejectDialog();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Reject 3 requests?');
  await expectNoAxeViolations(page, 'reject pop-up');

  // No reason, then only blanks: the main process refuses; the pop-up stays and nothing is decided.
  const reject = dialog.getByRole('button', { name: 'Reject', exact: true });
  await reject.click();
  await expect(dialog.getByText('A Rejection Reason is required to Reject a request')).toBeVisible();
  await dialog.getByLabel('Rejection Reason').fill('   ');
  await reject.click();
  await expect(dialog.getByText('A Rejection Reason is required to Reject a request')).toBeVisible();
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('queue-count')).toHaveText(`${before} pending requests`);
  await expectNoAxeViolations(page, 'reject pop-up with an error');

  await queue.confirmReject('Not employed by this organization');
  await expect(dialog).toBeHidden();
  await expect(queue.result()).toContainText('3 requests rejected.');
  await expect(page.getByTestId('queue-count')).toHaveText(`${before - 3} pending request${before - 3 === 1 ? '' : 's'}`);
  for (const id of ids) await expect(queue.rowOf(id)).toHaveCount(0);
  await expect.poll(() => navBadgeCount(page)).toBe(before - 3 === 0 ? null : before - 3);
});

test('an official of another organization does not see the request', async ({ page: userPage, otherPage: floridaPage, demoConsole }) => {
  const userHome = await signInToHome(userPage, demoConsole, demoConsole.demoAccount('demo.user'), 'Aditya');
  await userHome.open('My Access');
  const access = new MyAccessPage(userPage);
  await access.expectShown();
  const requestId = await access.request({ program: 'iQIES Prod', organization: ORG_123, role: ASSESSMENT_COORDINATOR });

  const floridaHome = await signInToHome(floridaPage, demoConsole, demoConsole.demoAccount('florida.so'), 'Robert');
  await floridaHome.open('Role Requests');
  const queue = new RoleRequestsPage(floridaPage);
  await queue.expectShown();
  await expect(queue.rowOf(requestId)).toHaveCount(0);
  await expect(queue.rowWith('Ayyagari')).toHaveCount(0);
  await expect(queue.rowWith('Sunrise Skilled Nursing Center')).toHaveCount(0);
  const organizations = await floridaPage.getByLabel('Organization').locator('option').allTextContents();
  expect(organizations.some((label) => ORG_123.test(label))).toBe(false);
});

test('the first Security Official of an organization: not for its provider neighbour, approved by CMS; nobody decides their own request', async ({
  page: providerPage,
  otherPage: cmsPage,
  demoConsole,
}) => {
  // provider.so1 (of 123) asks for a role too: it shows in their queue, but they may not decide it.
  const providerHome = await signInToHome(providerPage, demoConsole, demoConsole.demoAccount('provider.so1'), 'Pamela');
  await providerHome.open('My Access');
  const access = new MyAccessPage(providerPage);
  await access.expectShown();
  const ownId = await access.request({ program: 'iQIES Prod Test', organization: ORG_123, role: ASSESSMENT_COORDINATOR });

  // Organization 456 has no Security Official, and it is not provider.so1's: its request is not in their queue.
  await providerHome.open('Role Requests');
  const providerQueue = new RoleRequestsPage(providerPage);
  await providerQueue.expectShown();
  await expect(providerQueue.rowWith('Bayview Home Health Agency')).toHaveCount(0);
  const own = providerQueue.rowOf(ownId);
  // Marked as theirs, and not selectable, with why.
  await expect(own.getByTestId('row-mine')).toHaveText('Your request');
  await expect(own.getByRole('checkbox')).toBeDisabled();
  await expect(own.getByRole('checkbox')).toHaveAccessibleName(/You cannot decide your own request$/);
  await providerPage.getByLabel('Select all on this page').check();
  await expect(own.getByRole('checkbox')).not.toBeChecked();
  await providerPage.getByLabel('Select all on this page').uncheck();
  // Its View still offers Approve: the pop-up says it will not be approved, and why.
  const ownPanel = await providerQueue.view(own);
  const refusedPopUp = await providerQueue.decideFromView(ownPanel, 'Approve');
  await expect(refusedPopUp).toContainText('will not be approved');
  await expect(refusedPopUp.getByTestId('refused-requests')).toContainText('This request will not be approved:');
  const ownItem = refusedPopUp.getByTestId('refused-requests').locator(`tbody[data-request-id="${ownId}"]`);
  await expect(ownItem).toContainText('Pamela Cameron');
  await expect(ownItem).toContainText('You cannot decide your own request');
  await expectNoAxeViolations(providerPage, 'approve pop-up listing a refused request');
  await refusedPopUp.getByRole('button', { name: 'Cancel' }).click();
  await expect(refusedPopUp).toBeHidden();
  await expect(own).toBeVisible();

  // A CMS Security Official sees the organization's first Security Official request, and why nothing else there can be approved.
  const cmsHome = await signInToHome(cmsPage, demoConsole, demoConsole.demoAccount('cms.official'), 'Dana');
  await cmsHome.open('Role Requests');
  const cmsQueue = new RoleRequestsPage(cmsPage);
  await cmsQueue.expectShown();
  await expect(cmsPage.getByTestId('blocked-organizations')).toContainText('Bayview Home Health Agency');
  const soRequest = cmsQueue.rowWith('Bayview Home Health Agency', 'Provider Security Official');
  await expect(soRequest).toHaveCount(1);
  const requestId = Number(await soRequest.getAttribute('data-request-id'));
  await cmsQueue.select(soRequest);
  const dialog = await cmsQueue.openApprove();
  await expect(dialog).toContainText('Approve 1 request?');
  await expect(dialog.getByTestId('refused-requests')).toHaveCount(0);
  await cmsQueue.confirmApprove();
  await expect(cmsQueue.result()).toContainText('1 request approved.');
  await expect(cmsQueue.rowOf(requestId)).toHaveCount(0);
  await expect(cmsPage.getByTestId('blocked-organizations')).toHaveCount(0);
});

test('Go to: the queue starts at a date, or at a last name when sorted by last name, and Back to the top starts it over', async ({ page, demoConsole }) => {
  await signInToHome(page, demoConsole, demoConsole.demoAccount('provider.so1'), 'Pamela');
  await page.getByRole('link', { name: /^Role Requests/ }).click();
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const times = () =>
    queue
      .rows()
      .locator('time')
      .evaluateAll((els) => els.map((el) => Date.parse(el.getAttribute('datetime') ?? '')));
  const all = await times();
  expect(all.length).toBeGreaterThan(3);
  const total = await page.getByTestId('queue-count').textContent();

  // A date: the first request made that day or later leads; the count is still the whole queue's.
  const target = new Date(all[Math.floor(all.length / 2)]!);
  const day = `${target.getFullYear()}-${String(target.getMonth() + 1).padStart(2, '0')}-${String(target.getDate()).padStart(2, '0')}`;
  const dayStart = new Date(target.getFullYear(), target.getMonth(), target.getDate()).getTime();
  const goTo = page.getByRole('form', { name: 'Go to' });
  await goTo.getByLabel('Go to date').fill(day);
  await goTo.getByRole('button', { name: 'Go', exact: true }).click();
  await expect(page.getByTestId('queue-goto-from')).toContainText('Requested from');
  await expect.poll(times).toEqual(all.filter((t) => t >= dayStart));
  await expect(page.getByTestId('queue-count')).toHaveText(total ?? '');
  await expectNoAxeViolations(page, 'role requests, gone to a date');
  await shotsAtWidths(page, '92-queue-go-to-date');
  await goTo.getByRole('button', { name: 'Back to the top' }).click();
  await expect.poll(times).toEqual(all);
  await expect(page.getByTestId('queue-goto-from')).toHaveCount(0);

  // A last name, typed in any case, when sorted by last name.
  await page.getByLabel('Sort by').selectOption('Last Name (A to Z)');
  const lastNames = () => queue.rows().evaluateAll((rows) => rows.map((row) => row.querySelectorAll('[role="gridcell"]')[2]?.textContent?.trim() ?? ''));
  await expect.poll(async () => (await lastNames()).length).toBe(all.length);
  const names = await lastNames();
  const letters = names[Math.floor(names.length / 2)]!.slice(0, 2);
  await goTo.getByLabel('Go to last name').fill(letters.toLowerCase());
  await goTo.getByLabel('Go to last name').press('Enter');
  await expect(page.getByTestId('queue-goto-from')).toContainText(`Last names from “${letters.toLowerCase()}” on.`);
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  await expect.poll(lastNames).toEqual(names.filter((n) => fold(n) >= fold(letters)));
  await shotsAtWidths(page, '93-queue-go-to-name');
  await expectNoAxeViolations(page, 'role requests, gone to a last name');
});

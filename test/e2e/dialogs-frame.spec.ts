import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ON_POSTGRES, SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { RequestHistoryPage, RoleRequestsPage, UserLookupPage, signInToHome } from './pages/console-pages.js';

/**
 * The pop-ups and the frame an official works in all day, as a person would try them: Reject
 * opens on its Rejection Reason, Enter is a new line there and Ctrl+Enter rejects (never without
 * a reason); a rejection is reopened from the Request History pop-up; a backup's progress moves;
 * the sidebar's Need Help? and the footer's pages; User Lookup starts at All organizations; a
 * profile reads Profile Information, then User Roles. Screenshots go to
 * test-results/screens/87-dialogs-<view>-<width>.png.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/** A screenshot at each width: a pop-up as the window shows it, a page whole. */
async function shots(page: Page, view: string, kind: 'pop-up' | 'page'): Promise<void> {
  const before = page.viewportSize();
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `87-dialogs-${view}-${size.width}.png`), fullPage: kind === 'page' });
  }
  if (before) await page.setViewportSize(before);
}

type BridgeAnswer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/** Calls a channel directly, as another window of the same official would. */
async function askConsole(page: Page, channel: string, input: unknown): Promise<BridgeAnswer> {
  return page.evaluate(
    ([c, i]) => (globalThis as unknown as { api: { invoke(channel: string, input: unknown): Promise<BridgeAnswer> } }).api.invoke(c as string, i),
    [channel, input] as const,
  );
}

test('Reject opens on its Rejection Reason; Enter is a new line, Ctrl+Enter rejects only with a reason; the rejection is reopened from Request History', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const rows = queue.rows();
  const ids = await rows.evaluateAll((list) => list.slice(0, 2).map((row) => Number(row.getAttribute('data-request-id'))));
  const [first, second] = ids;
  if (first === undefined || second === undefined) throw new Error('The demo queue has fewer than two requests');

  // Nothing selected: Approve and Reject are disabled, and look it alike (Reject is red only when it can be pressed).
  const colours = (name: string) =>
    page.getByRole('button', { name, exact: true }).evaluate((button) => {
      const style = (
        globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string; color: string; borderColor: string } }
      ).getComputedStyle(button);
      return `${style.backgroundColor} ${style.color} ${style.borderColor}`;
    });
  await expect(page.getByRole('button', { name: 'Approve', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reject', exact: true })).toBeDisabled();
  expect(await colours('Reject')).toBe(await colours('Approve'));
  await shots(page, 'disabled', 'pop-up');

  await queue.select(queue.rowOf(first));
  const dialog = await queue.openReject();
  const reason = dialog.getByLabel('Rejection Reason');
  await expect(reason).toBeFocused();
  const reject = dialog.getByRole('button', { name: 'Reject', exact: true });
  await expect(reject).toHaveClass(/soc-button--destructive/);
  await shots(page, 'reject', 'pop-up');
  await expectNoAxeViolations(page, 'Reject pop-up');

  // Enter in the Rejection Reason starts a new line: nothing is rejected.
  await page.keyboard.press('Enter');
  await expect(reason).toHaveValue('\n');
  await expect(dialog).toBeVisible();
  // Ctrl+Enter without a reason: the pop-up stays, with the error under the field.
  await reason.fill('');
  await page.keyboard.press('Control+Enter');
  await expect(dialog.getByText('A Rejection Reason is required to Reject a request')).toBeVisible();
  await expect(dialog).toBeVisible();
  await expect(queue.rowOf(first)).toBeVisible();

  // With a reason, Ctrl+Enter rejects.
  await reason.fill('Not on our staff');
  await page.keyboard.press('Control+Enter');
  await expect(dialog).toBeHidden();
  await expect(queue.result()).toContainText('1 request rejected.');
  await expect(queue.rowOf(first)).toHaveCount(0);

  // Approve has no field: Escape leaves without deciding, Enter approves.
  await queue.select(queue.rowOf(second));
  const approve = await queue.openApprove();
  await page.keyboard.press('Escape');
  await expect(approve).toBeHidden();
  await expect(queue.rowOf(second)).toBeVisible();
  await queue.openApprove();
  await page.keyboard.press('Enter');
  await expect(approve).toBeHidden();
  await expect(queue.result()).toContainText('1 request approved.');
  await expect(queue.rowOf(second)).toHaveCount(0);

  // Request History: the rejection's pop-up offers Reopen request, within its 24 hours.
  await home.open('Request History');
  const history = new RequestHistoryPage(page);
  await history.expectShown();
  await history.search(String(first));
  const view = await history.view(first);
  await expect(view.getByTestId('history-action')).toHaveText('Rejected by provider.so1@example.org: Not on our staff');
  const reopen = view.getByRole('button', { name: 'Reopen request' });
  await expect(reopen).toBeVisible();
  await expect(view.getByTestId('history-reopen-note')).toContainText('within 24 hours');
  await shots(page, 'history-reopen', 'pop-up');
  await expectNoAxeViolations(page, 'Request History pop-up with Reopen request');
  await reopen.click();
  await expect(view.getByTestId('history-reopened')).toContainText('The request is pending again and back in the Role Requests queue.');
  await expect(reopen).toHaveCount(0);
  await view.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(view).toBeHidden();
  await expect(page.getByTestId('history-empty')).toBeVisible();

  // Pending again, in the queue.
  await home.open('Role Requests');
  await queue.expectShown();
  await expect(queue.rowOf(first)).toBeVisible();

  // A refusal is shown in words: rejected again here, then reopened from another window while this pop-up is open.
  await queue.select(queue.rowOf(first));
  await queue.openReject();
  await queue.confirmReject('Still not on our staff');
  await expect(queue.result()).toContainText('1 request rejected.');
  await home.open('Request History');
  await history.search(String(first));
  const again = await history.view(first);
  await expect(again.getByRole('button', { name: 'Reopen request' })).toBeVisible();
  const elsewhere = await askConsole(page, 'queue.reopen', { requestId: first });
  expect(elsewhere.ok).toBe(true);
  await again.getByRole('button', { name: 'Reopen request' }).click();
  await expect(again.getByTestId('history-reopen-error')).toContainText('Only the Security Official who rejected a request can reopen it.');
});

test('a backup shows its progress in pages copied of the total, then its check', async ({ page, demoConsole: host }) => {
  // On PostgreSQL the Backup page says backups are the database operator's (postgres-console.spec.ts).
  test.skip(ON_POSTGRES, 'the embedded engine’s backups');
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
  await home.open('Backup and restore');
  await expect(page.getByRole('heading', { level: 1, name: 'Backup and restore' })).toBeVisible();
  await page.getByRole('button', { name: 'Back up now' }).click();
  // Every text the progress shows until the backup is made (the page asks for it twice a second).
  const seen: string[] = [];
  const notice = page.getByTestId('backup-notice');
  const progress = page.getByTestId('backup-progress').locator('label, p');
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && !(await notice.isVisible());) {
    for (const text of await progress.allTextContents()) if (!seen.includes(text)) seen.push(text);
    await page.waitForTimeout(50);
  }
  await expect(notice).toContainText('made and checked');
  // The demo database copies within one poll; a large one shows "Copying: 1,234 of 5,678 pages (22%)" as it goes.
  const pages = /^(Copying|Copied): ([\d,]+) of ([\d,]+) pages \((\d{1,3})%\)$/;
  for (const text of seen) expect(text === 'Starting the backup…' || pages.test(text) || text.startsWith('Checking the copy'), text).toBe(true);
  // Whatever was seen on the way, the page ends with what was copied and checked, every page of the total.
  const finished = page.getByTestId('backup-finished');
  await expect(finished).toHaveText(/^Copied ([\d,]+) of \1 pages; checked ([\d,]+) of \2 audit events\.$/);
  const total = Number(((await finished.textContent()) ?? '').replace(/^Copied ([\d,]+).*$/, '$1').replace(/,/g, ''));
  expect(total).toBeGreaterThan(1);
  await shots(page, 'backup', 'page');
});

test('the sidebar’s Need Help? and the footer’s pages; User Lookup starts at All; a profile reads Profile Information, then User Roles', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  const help = page.getByTestId('need-help');
  await expect(help.getByRole('heading', { name: 'Need Help?' })).toBeVisible();
  await expect(help).toContainText("Contact your application's help desk for assistance.");
  for (const text of [
    'Quality Payment Program',
    'QPP@cms.hhs.gov',
    '1-866-288-8292',
    'TTY: 1-877-715-6222',
    'IQIES Technical Support',
    'help@qtso.com',
    '1-800-339-9313',
  ]) {
    await expect(help).toContainText(text);
  }
  // Links leave the console window: a new browser tab here, the system browser or mail program in the desktop app.
  const mail = help.getByRole('link', { name: 'QPP@cms.hhs.gov' });
  await expect(mail).toHaveAttribute('href', 'mailto:QPP@cms.hhs.gov');
  await expect(mail).toHaveAttribute('target', '_blank');
  await shots(page, 'sidebar', 'page');

  const footer = page.getByRole('contentinfo');
  const links = footer.getByRole('navigation', { name: 'Console information' });
  for (const name of ['Accessibility', 'Privacy', 'Terms of Use', 'Help']) await expect(links.getByRole('button', { name })).toBeVisible();
  await shots(page, 'footer', 'page');
  await links.getByRole('button', { name: 'Help' }).click();
  const dialog = page.getByRole('dialog', { name: 'Help' });
  await expect(dialog).toContainText('iQIES Service Center');
  await expect(dialog.getByRole('link', { name: /QualityNet \(qualitynet\.cms\.gov\)/ })).toHaveAttribute('rel', 'noopener noreferrer');
  await shots(page, 'help', 'pop-up');
  await expectNoAxeViolations(page, 'Help pop-up');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(links.getByRole('button', { name: 'Help' })).toBeFocused();
  await links.getByRole('button', { name: 'Terms of Use' }).click();
  await expect(page.getByRole('dialog', { name: 'Terms of Use' })).toContainText('This system is provided for Government authorized use only.');
  await page.getByRole('dialog', { name: 'Terms of Use' }).getByRole('button', { name: 'Close', exact: true }).click();
  await expectNoAxeViolations(page, 'Home with Need Help? and the footer');

  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  const organization = lookup.form().getByLabel('Organization *');
  await expect(organization).toHaveValue('');
  await expect(organization.locator('option:checked')).toHaveText('All');
  await lookup.findAndOpen('demo.user', 'Ayyagari, Aditya');
  const headings = await page.getByRole('main').getByRole('heading', { level: 2 }).allTextContents();
  expect(headings.indexOf('Profile Information')).toBeGreaterThanOrEqual(0);
  expect(headings.indexOf('Profile Information')).toBeLessThan(headings.indexOf('User Roles'));
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { AuditTrailPage, RoleRequestsPage, UserLookupPage, signInToHome } from './pages/console-pages.js';

/**
 * Words, not codes: an official signs in, approves a request, and reads the Audit trail as
 * sentences ("Signed in", "Accepted the warning", "Approved a role request") with labelled
 * details, opens every detail of a long row by mouse and by keyboard, and reads a date of birth
 * as a date. Screenshots at three widths go to test-results/screens/83-audit-words-*.png.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/** In every row, the time ends before the action begins, at any width (narrow, Event stands over Time). */
async function expectTimeBeforeAction(page: Page, width: number): Promise<void> {
  const rows = page.locator('.soc-grid--audit .soc-grid__row--body');
  await expect(rows.first()).toBeVisible();
  // Each row's time's right edge (its words', which may overflow its box) and its action's left edge, in pixels.
  const edges = await rows.evaluateAll((all) =>
    all.map((row) => [
      Math.max(...[...row.querySelectorAll('time span')].map((span) => span.getBoundingClientRect().right)),
      row.querySelector('.soc-grid__action')?.getBoundingClientRect().left ?? NaN,
    ]),
  );
  const overlapping = edges.filter(([timeRight, actionLeft]) => !(timeRight! <= actionLeft!));
  expect(overlapping, `rows whose time runs into the action at ${width} wide`).toEqual([]);
}

async function shots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const size of [...WIDTHS, { width: 1280, height: 800 }]) {
    await page.setViewportSize(size);
    await expectTimeBeforeAction(page, size.width);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

const REASON = 'Not employed by this organization; ask your administrator which role your job needs, then request it again';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test('the audit trail reads in words: sign-in, the warning and a decision, a long row opened; a date of birth reads "Mon D, YYYY"', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');

  // Two decisions to find in the trail: an approval, and a rejection whose reason makes a long row.
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const first = queue.rows().first();
  const approvedId = Number(await first.getAttribute('data-request-id'));
  const program = ((await first.getByRole('gridcell').nth(5).textContent()) ?? '').trim();
  await queue.select(first);
  await queue.openApprove();
  await queue.confirmApprove();
  await expect(queue.result()).toContainText('1 request approved.');
  const next = queue.rows().first();
  // The grid draws the queue without the approved request a moment after the result shows.
  await expect(next).not.toHaveAttribute('data-request-id', String(approvedId));
  const rejectedId = Number(await next.getAttribute('data-request-id'));
  const role = ((await next.getByRole('gridcell').nth(4).textContent()) ?? '').trim();
  await queue.select(next);
  await queue.openReject();
  await queue.confirmReject(REASON);
  await expect(queue.result()).toContainText('1 request rejected.');

  await home.open('Audit trail');
  const audit = new AuditTrailPage(page);
  await audit.expectShown();
  await expect(audit.rows().filter({ hasText: 'Signed in' }).first()).toBeVisible();
  await expect(audit.rows().filter({ hasText: 'Accepted the warning' }).first()).toBeVisible();
  const approval = audit
    .rows()
    .filter({ hasText: 'Approved a role request' })
    .filter({ hasText: `Request ${approvedId}` });
  await expect(approval).toHaveCount(1);
  // Details as labelled fields, and no action code anywhere in the grid.
  await expect(approval).toContainText(`Program: ${program}`);
  await expect(audit.grid()).not.toContainText(/\b(signin|warning|request)\.[a-z_]+/);
  await expect(audit.grid()).not.toContainText('{');

  // The rejection's reason is longer than its row: open every detail.
  const rejection = audit
    .rows()
    .filter({ hasText: 'Rejected a role request' })
    .filter({ hasText: `Request ${rejectedId}` });
  await expect(rejection).toHaveCount(1);
  const panel = await audit.showDetails(rejection);
  await expect(panel.getByRole('heading', { level: 3 })).toHaveText(/^Event [\d]+: Rejected a role request$/);
  await expect(panel.getByRole('heading', { level: 3 })).toBeFocused();
  const fields = panel.locator('dl');
  await expect(fields).toContainText('OrganizationSunrise Skilled Nursing Center (123)');
  await expect(fields).toContainText(`Request ID${rejectedId}`);
  await expect(fields).toContainText(`Role${role}`);
  await expect(fields).toContainText(`Reason${REASON}`);
  await expect(fields).toContainText(/Time[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M/);
  await expectNoAxeViolations(page, 'audit trail, details open');
  await shots(page, '83-audit-words');

  // Hide details: the panel goes and the keyboard is back on the event.
  await panel.getByRole('button', { name: 'Hide details' }).click();
  await expect(panel).toBeHidden();
  await expect(rejection).toBeFocused();
  await expect(rejection.getByRole('button', { name: /^Show details of event \d+$/ })).toHaveAttribute('aria-expanded', 'false');

  // By keyboard: Enter on an event opens its details too.
  const signedIn = audit.rows().filter({ hasText: 'Signed in' }).first();
  await signedIn.focus();
  await page.keyboard.press('Enter');
  await expect(audit.detailsPanel().getByRole('heading', { level: 3 })).toHaveText(/^Event [\d]+: Signed in$/);
  await expect(audit.detailsPanel()).toContainText('Credential');

  // The filter's kinds hold their actions: sign-ins, not decisions.
  await audit.filterKind('Sign-ins and sessions');
  await expect(audit.rows().filter({ hasText: 'Signed in' }).first()).toBeVisible();
  await expect(audit.rows().filter({ hasText: 'Approved a role request' })).toHaveCount(0);
  await audit.filterKind('Role requests and decisions');
  await expect(approval).toHaveCount(1);
  await expect(rejection).toHaveCount(1);
  await expect(audit.rows().filter({ hasText: 'Signed in' })).toHaveCount(0);

  // A date of birth is a date, not yyyy-mm-dd.
  const db = host.database();
  let stored: string;
  try {
    stored = (await db.get<{ d: string }>("SELECT date_of_birth AS d FROM users WHERE user_id = 'demo.user'"))!.d;
  } finally {
    await db.close();
  }
  const [y, m, d] = stored.split('-').map(Number) as [number, number, number];
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  await lookup.findAndOpen('demo.user', 'Ayyagari, Aditya');
  const information = page.getByTestId('profile-information');
  await expect(information).toContainText(`Date of Birth${MONTHS[m - 1]} ${d}, ${y}`);
  await expect(information).not.toContainText(stored);
});

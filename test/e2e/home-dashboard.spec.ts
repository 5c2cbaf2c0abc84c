import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { ProfilePage, RoleRequestsPage, navBadgeCount, signInToHome } from './pages/console-pages.js';

/**
 * End to end, in the demo console, three months on: a provider Security Official's Home (the
 * actions of HARP Step 2 with the pending count in red, the dashboard's charts and their tables,
 * who the 120-day rule deactivates next and the in-person backlog, each name leading to the
 * profile), a decision that shows on the chart, and a new user's Home (a pending request, no
 * proofing yet, and what to do next).
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const WIDTHS = [1024, 1366, 1920] as const;
const DAY = 86_400_000;

async function shots(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // Charts measure their box when it changes size: let them draw at the new width.
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

test('Home: a provider official sees the day at a glance and acts from it; a new user sees what to do next', async ({ page, demoConsole: host }) => {
  test.slow();
  // Three months pass: the demo's last sign-ins (1 to 20 days before) are now 100 to 119 days old.
  await page.goto(host.url);
  await host.advanceClock(page, 99 * DAY);

  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  const widget = page.getByTestId('official-widget');
  await expect(widget.getByRole('heading', { name: 'Provider Security Official' })).toBeVisible();
  // HARP Step 2: "how many pending requests there are in red highlight", on the action itself.
  const pendingAction = widget.getByRole('button', { name: /^View Pending Role Requests/ });
  await expect(pendingAction.getByTestId('home-pending-count')).toHaveClass(/ds-c-badge--alert/);
  const count = Number(((await pendingAction.getByTestId('home-pending-count').textContent()) ?? '').replace(/[^\d]/g, ''));
  expect(count).toBeGreaterThan(0);
  expect(await navBadgeCount(page)).toBe(count);
  await expect(widget.getByRole('button', { name: 'Search for Users' })).toBeVisible();
  await expect(widget.getByRole('button', { name: 'In-Person Proofing' })).toBeVisible();
  // Said once: the alert band no longer repeats the pending count.
  await expect(page.getByTestId('alerts')).not.toContainText('pending role request');
  await expect(page.getByTestId('home-mail-off')).toHaveText(/No mail server is set up yet: emails to users wait in the Outbox\./);

  const dashboard = page.getByTestId('home-dashboard');
  await expect(dashboard.getByRole('heading', { level: 2, name: 'Dashboard' })).toBeVisible();
  await expect(dashboard).toContainText('Figures for Sunrise Skilled Nursing Center');
  const ages = page.getByTestId('chart-pending-age');
  await expect(ages.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(ages.getByText(/over 30 days: \d+/)).toBeVisible();
  // The text equivalent: the same figures as a table.
  await ages.getByText('Show as a table').click();
  await expect(ages.getByRole('table')).toContainText('Sunrise Skilled Nursing Center');
  await expect(ages.getByRole('columnheader', { name: 'Over 30 days' })).toBeVisible();

  const forecast = page.getByTestId('chart-deactivation');
  await expect(forecast).toContainText(/\d+ reach 120 days without sign-in within 14 days/);
  const soonest = forecast.getByTestId('home-deactivation-list');
  await expect(soonest.getByRole('row')).not.toHaveCount(0);
  const backlog = page.getByTestId('home-proofing-backlog');
  await expect(backlog.getByRole('link', { name: 'Castillo, Nora' })).toBeVisible();

  await shots(page, '81-home');
  await expectNoAxeViolations(page, 'Home, provider official');

  // A name in the backlog opens that profile in User Lookup.
  await backlog.getByRole('link', { name: 'Castillo, Nora' }).click();
  await new ProfilePage(page).expectShown();
  await expect(page.getByText('inperson.user').first()).toBeVisible();

  // From Home to the queue: approve the oldest request; the week's decisions show it.
  await home.open('Home');
  await page
    .getByTestId('official-widget')
    .getByRole('button', { name: /^View Pending Role Requests/ })
    .click();
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const row = queue.rows().filter({ hasNotText: 'Provider Security Official' }).filter({ hasNotText: 'Castillo' }).first();
  await queue.select(row);
  await queue.openApprove();
  await queue.confirmApprove();
  await expect(queue.result()).toBeVisible();
  await home.open('Home');
  await expect(page.getByTestId('chart-decisions')).toContainText('1 approved and 0 rejected in 12 weeks.');
  await expect(page.getByTestId('official-widget').getByTestId('home-pending-count')).toHaveText(new RegExp(`^${count - 1}`));
  await home.logOut();

  // A new user: her request waits, her identity is not proofed; Home says both and the next step.
  const nora = await signInToHome(page, host, host.demoAccount('inperson.user'), 'Nora');
  await expect(page.getByTestId('official-widget')).toHaveCount(0);
  await expect(page.getByTestId('home-dashboard')).toHaveCount(0);
  await expect(page.getByTestId('home-proofing')).toHaveText('Identity proofing: Referred to in-person proofing');
  await expect(page.getByTestId('home-my-requests')).toContainText('Pending');
  await expect(page.getByTestId('home-my-requests')).toContainText('Provider Basic User');
  await expect(page.getByTestId('home-next-steps')).toContainText('Ask your Security Official to prove your identity in person');
  await expect(page.getByTestId('home-next-steps')).toContainText('can be approved only once your identity is proofed');
  await shots(page, '82-home-new-user');
  await expectNoAxeViolations(page, 'Home, new user');
  await nora.logOut();
});

test('Home: a CMS official sees every organization, the busiest first', async ({ page, demoConsole: host }) => {
  test.slow();
  await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
  const ages = page.getByTestId('chart-pending-age');
  await ages.getByText('Show as a table').click();
  const rows = ages.getByRole('table').getByRole('rowheader');
  await expect(rows.first()).toHaveText('All organizations');
  await expect(page.getByTestId('home-dashboard')).toContainText('Figures for every organization');
  await shots(page, '83-home-cms');
  await expectNoAxeViolations(page, 'Home, CMS official');
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { ConsoleHost, SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import { RoleRequestsPage, UserLookupPage, signInToHome, type HomePage } from './pages/console-pages.js';

/**
 * Every view a CMS official, a provider official, a state official and a plain user are offered,
 * at 1024, 1366 and 1920 wide: axe finds nothing, and screenshots for people to judge
 * (test-results/screens/86-views-<view>-<width>.png). The grids are looked at with hundreds of
 * rows: they grow with the page, the window scrolls them and their header row sticks, View and
 * Requested stay on screen at 1024, and a selected row and an open pop-up pass axe too.
 * One console for the file and one sign-in per person keep it quick.
 */

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

const PEOPLE = [
  { key: 'cms', userId: 'cms.official', firstName: 'Dana' },
  { key: 'provider', userId: 'provider.so1', firstName: 'Pamela' },
  { key: 'state', userId: 'florida.so', firstName: 'Robert' },
  { key: 'user', userId: 'demo.user', firstName: 'Aditya' },
] as const;

const DAY = 86_400_000;
const ADDED_PENDING = 200;
const ADDED_DECIDED = 150;

test.describe.configure({ mode: 'serial' });

let host: ConsoleHost;
/** The provider official's own pending request, which the queue marks and does not let them select. */
let ownRequestId = 0;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  host = await ConsoleHost.start({ demo: true });
  const db = host.database();
  try {
    const now = Date.now();
    // Hundreds of pending requests and decisions in organization 123, as a busy provider has.
    const pending = await db.run(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at)
       SELECT u.id, p.id, o.id, r.id, 'Added for the views sweep', 'pending', CAST(? AS BIGINT) - (row_number() OVER (ORDER BY u.id, p.id, r.id)) * 60000
         FROM users u JOIN organizations o ON o.id = u.home_organization_id CROSS JOIN programs p CROSS JOIN roles r
        WHERE o.display_id = '123' AND u.status = 'active' AND u.user_id NOT LIKE 'provider.so%'
          AND r.name IN ('Assessment Coordinator', 'Provider Basic User')
        ORDER BY u.id, p.id, r.id LIMIT ?`,
      [now, ADDED_PENDING],
    );
    expect(pending.changes).toBe(ADDED_PENDING);
    const decided = await db.run(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at, decided_at, decided_by, reason)
       SELECT u.id, p.id, o.id, r.id, '', 'approved', CAST(? AS BIGINT) - (row_number() OVER (ORDER BY u.id, p.id, r.id)) * 3600000 - 86400000,
              CAST(? AS BIGINT) - (row_number() OVER (ORDER BY u.id, p.id, r.id)) * 3600000, (SELECT id FROM users WHERE user_id = 'provider.so1'), NULL
         FROM users u JOIN organizations o ON o.id = u.home_organization_id CROSS JOIN programs p CROSS JOIN roles r
        WHERE o.display_id = '123' AND u.user_id NOT LIKE 'provider.so%' AND r.name IN ('Assessment Coordinator', 'Provider Basic User')
        ORDER BY u.id, p.id, r.id LIMIT ?`,
      [now, now, ADDED_DECIDED],
    );
    expect(decided.changes).toBe(ADDED_DECIDED);
    // The provider official asked for a role in their own organization: the oldest request, first in the queue.
    const own = await db.get<{ id: number }>(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at)
       SELECT u.id, p.id, o.id, r.id, 'Also coordinating assessments', 'pending', ?
         FROM users u, programs p, organizations o, roles r
        WHERE u.user_id = 'provider.so1' AND p.name = 'iQIES Prod' AND o.display_id = '123' AND r.name = 'Assessment Coordinator'
       RETURNING id`,
      [now - 50 * DAY],
    );
    ownRequestId = own!.id;
  } finally {
    await db.close();
  }
});

test.afterAll(async () => {
  await host.stop();
});

const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const shotPath = (view: string, width: number) => join(SCREENSHOT_DIR, `86-views-${view}-${width}.png`);

/** The labels of the navigation links the person is offered, in order. */
async function navLabels(home: HomePage): Promise<string[]> {
  return (await home.nav().locator('a > span:first-child').allTextContents()).map((label) => label.trim());
}

/** The view has its heading and has stopped loading. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.ds-c-spinner')).toHaveCount(0);
}

/** Scrolls the window itself (the page's smooth scrolling aside). */
async function scrollWindowTo(page: Page, top: number): Promise<void> {
  await page.evaluate(`window.scrollTo({ top: ${Math.round(top)}, behavior: 'instant' })`);
}

async function atWidth(page: Page, size: (typeof WIDTHS)[number]): Promise<void> {
  await page.setViewportSize(size);
  await scrollWindowTo(page, 0);
}

/** Shows the right edge of `target` inside the window: nothing to scroll sideways to reach it. */
async function expectWithinWidth(page: Page, target: Locator, what: string): Promise<void> {
  const box = await target.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, `${what} is on screen`).not.toBeNull();
  expect((box?.x ?? 0) + (box?.width ?? 0), `${what} ends inside the ${width}px window`).toBeLessThanOrEqual(width);
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'the page does not scroll sideways').toBe(true);
}

/** A virtualized grid with many rows: the window scrolls it, its header row sticks, the seventh row and later are reachable. */
async function expectGrowsWithPage(page: Page, grid: Locator, view: string, width: number): Promise<void> {
  const header = grid.getByRole('row').first();
  const gridTop = (await grid.boundingBox())?.y ?? 0;
  await scrollWindowTo(page, gridTop + 900);
  // Only the window scrolls: the grid has no scroll box of its own.
  expect(await grid.evaluate((element) => element.scrollHeight <= element.clientHeight + 1)).toBe(true);
  await expect(async () => {
    const headerBox = await header.boundingBox();
    expect(headerBox?.y ?? -1, 'the header row sticks to the top of the window').toBeGreaterThanOrEqual(0);
    expect(headerBox?.y ?? 999, 'the header row sticks to the top of the window').toBeLessThan(160);
  }).toPass({ timeout: 5_000 });
  // Rows from the seventh on are on screen now (aria-rowindex counts the header row as 1). The
  // virtualizer draws them on the frame after the scroll, and a list still loading its next page
  // may take a few more.
  const windowHeight = page.viewportSize()?.height ?? 0;
  await expect(async () => {
    const onScreen = await grid.locator('[role="row"][data-index]').evaluateAll(
      (rows, height) =>
        rows
          .filter((row) => {
            const box = row.getBoundingClientRect();
            return box.bottom > 0 && box.top < height;
          })
          .map((row) => Number(row.getAttribute('aria-rowindex'))),
      windowHeight,
    );
    expect(onScreen.length, 'rows are on screen after scrolling the window').toBeGreaterThan(3);
    expect(Math.min(...onScreen), 'the rows on screen are the seventh and later').toBeGreaterThanOrEqual(8);
  }).toPass({ timeout: 5_000 });
  await page.screenshot({ path: shotPath(`${view}-scrolled`, width) });
  await scrollWindowTo(page, 0);
}

for (const person of PEOPLE) {
  test(`every view of the ${person.key} account passes axe at 1024, 1366 and 1920 wide`, async ({ page }) => {
    // About 35 axe scans per person: a minute or two on a quiet machine, much more on a busy one.
    test.setTimeout(600_000);
    const home = await signInToHome(page, host, host.demoAccount(person.userId), person.firstName);
    // The sidebar offers Home at once and the rest once the person's roles have loaded.
    await expect(home.nav().locator('a > span:first-child').nth(1)).toBeVisible();
    const labels = await navLabels(home);
    expect(labels.length).toBeGreaterThan(1);
    for (const label of labels) {
      await home.open(label);
      await settled(page);
      const view = `${person.key}-${slug(label)}`;
      if (label === 'Federal Surveyor IDs') {
        await page.getByRole('search', { name: 'Search for Users' }).getByRole('button', { name: 'Search', exact: true }).click();
        await expect(page.getByTestId('fsid-count')).toBeVisible();
      }
      for (const size of WIDTHS) {
        await atWidth(page, size);
        await settled(page);
        await expectNoAxeViolations(page, `${view} at ${size.width}`);
        await page.screenshot({ path: shotPath(view, size.width) });
        const grid = page.getByRole('grid');
        const list = grid.or(page.getByRole('table')).first();
        if ((await list.count()) > 0 && (await list.isVisible())) {
          // Nothing of a list is cut: the page never scrolls sideways.
          expect(
            await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
            `${view} at ${size.width}: the page does not scroll sideways`,
          ).toBe(true);
          // The list itself, as an official sees it once scrolled to.
          await scrollWindowTo(page, ((await list.boundingBox())?.y ?? 0) - 80);
          await page.screenshot({ path: shotPath(`${view}-list`, size.width) });
          await scrollWindowTo(page, 0);
        }
        if ((await grid.count()) > 0) {
          await expectWithinWidth(page, grid.getByRole('row').nth(1).getByRole('gridcell').last(), `${view}: the last column`);
          // Many rows (or more pages to load): the window must scroll the grid.
          const rowCount = Number(await grid.getAttribute('aria-rowcount'));
          if (rowCount === -1 || rowCount > 20) await expectGrowsWithPage(page, grid, view, size.width);
        }
      }
    }
  });
}

test('the Role Requests grid: the official’s own request is marked and not selectable; a selected row and the pop-ups pass axe', async ({ page }) => {
  test.setTimeout(180_000);
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  expect(await queue.total()).toBeGreaterThan(ADDED_PENDING);

  const own = queue.rowOf(ownRequestId);
  await expect(own.getByTestId('row-mine')).toHaveText('Your request');
  const ownBox = own.getByRole('checkbox');
  await expect(ownBox).toBeDisabled();
  await expect(ownBox).toHaveAccessibleName(/You cannot decide your own request/);
  // Select all leaves it out.
  await page.getByLabel('Select all on this page').check();
  await expect(ownBox).not.toBeChecked();
  const loaded = await queue.rows().count();
  expect(loaded).toBeGreaterThan(6);
  await page.getByLabel('Select all on this page').uncheck();

  for (const size of WIDTHS) {
    await atWidth(page, size);
    const requested = queue.grid().getByRole('columnheader', { name: 'Requested' });
    await expect(requested).toBeInViewport();
    await expectWithinWidth(page, requested, 'Requested');
    const row = queue.rows().nth(1);
    await expectWithinWidth(page, row.getByRole('button', { name: /^View/ }), 'View');

    await queue.select(row);
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expectNoAxeViolations(page, `role requests, a row selected, at ${size.width}`);
    await page.screenshot({ path: shotPath('provider-role-requests-selected', size.width) });

    const approve = await queue.openApprove();
    await expectNoAxeViolations(page, `approve pop-up at ${size.width}`);
    await page.screenshot({ path: shotPath('provider-approve-pop-up', size.width) });
    await approve.getByRole('button', { name: 'Cancel' }).click();
    await expect(approve).toBeHidden();

    const reject = await queue.openReject();
    await expectNoAxeViolations(page, `reject pop-up at ${size.width}`);
    await reject.getByRole('button', { name: 'Cancel' }).click();
    await expect(reject).toBeHidden();
    await row.getByRole('checkbox').uncheck();
  }

  // The keyboard still reaches the end of the list: the window scrolls with it and more pages load.
  await queue.rows().first().focus();
  await page.keyboard.press('End');
  await expect(page.locator(':focus')).toHaveAttribute('aria-rowindex', /^\d+$/);
  await expect(page.locator(':focus')).toBeInViewport();
  const focusedIndex = Number(await page.locator(':focus').getAttribute('aria-rowindex'));
  expect(focusedIndex).toBeGreaterThan(20);
});

test('User Lookup: the Remove role pop-up passes axe at every width', async ({ page }) => {
  test.setTimeout(120_000);
  const home = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  const profile = await lookup.findAndOpen('provider.so2', 'Oyelaran, Marcus');
  for (const size of WIDTHS) {
    await atWidth(page, size);
    const remove = await profile.removeRole('Provider Security Official', 'iQIES Prod');
    await expectNoAxeViolations(page, `remove role pop-up at ${size.width}`);
    await page.screenshot({ path: shotPath('cms-remove-role-pop-up', size.width) });
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await expect(remove).toBeHidden();
  }
});

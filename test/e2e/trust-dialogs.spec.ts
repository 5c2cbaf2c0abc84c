import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { DECISION_FLAG_LABELS, rolesFor } from '../../shared/roles.js';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import type { ConsoleHost } from './fixtures.js';
import {
  CreateUserDialog,
  DecisionList,
  LISTED_MAX_IN_POP_UP,
  MyAccessPage,
  RoleRequestsPage,
  UserLookupPage,
  signInFresh,
  signInToHome,
} from './pages/console-pages.js';

/**
 * The trust model as an official meets it: the Approve and Reject pop-ups say what each click
 * does (a Security Official role, an organization's first official, one of two CMS approvals,
 * a grant without dual control, a requester waiting for identity proofing), the queue shows a
 * CMS role's first approval, and the role lists offer only what the catalogue allows.
 * Screenshots at three widths go to test-results/screens/6x-*.png for people to look at.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));

const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/** A screenshot at each width; a pop-up as the window shows it, a page whole. */
async function shots(page: Page, name: string, kind: 'pop-up' | 'page'): Promise<void> {
  const before = page.viewportSize();
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}.png`), fullPage: kind === 'page' });
  }
  if (before) await page.setViewportSize(before);
}

const label = DECISION_FLAG_LABELS;
const DAY = 86_400_000;

async function requestIdOf(row: Locator): Promise<number> {
  await expect(row).toHaveCount(1);
  return Number(await row.getAttribute('data-request-id'));
}

test('bulk Approve and Reject flag each request; a CMS Security Official role takes two CMS officials, the queue shows 1 of 2 approvals', async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();
  // The second CMS official creates an account asking to be Bayview's Security Official: it waits for identity proofing.
  const lena = host.demoAccount('cms.official2');
  const lenaHome = await signInToHome(otherPage, host, lena, 'Lena');
  await lenaHome.open('User Lookup');
  await new UserLookupPage(otherPage).expectShown();
  const create = new CreateUserDialog(otherPage);
  await create.open();
  await create.create(
    { firstName: 'Iris', lastName: 'Quan', email: 'iris.quan@example.org', userId: 'iris.quan', organization: /\(456\)$/, role: 'Provider Security Official' },
    await host.freshCode(otherPage, lena.totpKey),
  );

  const home = await signInToHome(page, host, host.demoAccount('cms.official'), 'Dana');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const cmsRole = queue.rowWith('Prescott', 'CMS Security Official');
  const firstOfficial = queue.rowWith('Bayview Home Health Agency', 'Provider Security Official').filter({ hasNot: page.getByText('Quan') });
  const unproofed = queue.rowWith('Quan', 'Provider Security Official');
  const [cmsRoleId, firstOfficialId, unproofedId] = [await requestIdOf(cmsRole), await requestIdOf(firstOfficial), await requestIdOf(unproofed)];
  for (const row of [cmsRole, firstOfficial, unproofed]) await queue.select(row);

  // Approve: the refused one first, with why; each request's flags; the counts at the top.
  const approve = await queue.openApprove();
  const list = new DecisionList(approve);
  await expect(approve).toContainText('Approve 2 requests?');
  expect(await list.counts()).toEqual([
    '1 will not be approved',
    '3 Security Official roles',
    '2 first Security Officials of an organization',
    '1 CMS Security Official role: 1 of 2 approvals',
    '1 waiting for identity proofing',
  ]);
  expect((await list.requestIds())[0]).toBe(unproofedId);
  await expect(list.refused().locator(`tbody[data-request-id="${unproofedId}"]`)).toContainText('Iris Quan');
  await expect(list.refused()).toContainText('iris.quan');
  expect(await list.flags(unproofedId)).toEqual([label.unproofed_requester, label.security_official_role, label.first_official]);
  expect(await list.flags(cmsRoleId)).toEqual([label.security_official_role, label.first_of_dual_approval]);
  expect(await list.flags(firstOfficialId)).toEqual([label.security_official_role, label.first_official]);
  const item = list.item(cmsRoleId);
  for (const fact of ['Owen Prescott', 'cms.analyst', 'CMS Security Official', 'Centers for Medicare & Medicaid Services (CMS)', 'iQIES Prod'])
    await expect(item).toContainText(fact);
  await expectNoAxeViolations(page, 'approve pop-up with flags');
  await shots(page, '60-approve-flags', 'pop-up');
  await approve.getByRole('button', { name: 'Cancel' }).click();

  // Reject: the same list; an unproofed requester may be rejected, and one official's rejection is final (no 1 of 2).
  const reject = await queue.openReject();
  await expect(reject).toContainText('Reject 3 requests?');
  await expect(new DecisionList(reject).refused()).toHaveCount(0);
  expect(await new DecisionList(reject).flags(unproofedId)).toContain(label.unproofed_requester);
  expect(await new DecisionList(reject).flags(cmsRoleId)).toEqual([label.security_official_role]);
  expect(await new DecisionList(reject).counts()).toEqual([
    '3 Security Official roles',
    '2 first Security Officials of an organization',
    '1 waiting for identity proofing',
  ]);
  await expect(reject.getByLabel('Rejection Reason')).toBeVisible();
  await expectNoAxeViolations(page, 'reject pop-up with flags');
  await shots(page, '61-reject-flags', 'pop-up');
  await reject.getByRole('button', { name: 'Cancel' }).click();

  // From a request's View: the same pop-up for that request alone; Cancel goes back to the View.
  let panel = await queue.view(firstOfficial);
  let single = await queue.decideFromView(panel, 'Approve');
  await expect(single).toContainText('Approve 1 request?');
  await single.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Close' }).last().click();

  panel = await queue.view(cmsRole);
  single = await queue.decideFromView(panel, 'Approve');
  await expect(single).toContainText('Approve 1 request?');
  await expect(new DecisionList(single).countsBox()).toHaveCount(0);
  expect(await new DecisionList(single).flags(cmsRoleId)).toEqual([label.security_official_role, label.first_of_dual_approval]);
  await expectNoAxeViolations(page, 'approve pop-up for one request');
  await shots(page, '62-approve-single', 'pop-up');
  await queue.confirmApprove();
  await expect(page.getByTestId('decision-recorded')).toContainText('Recorded: 1 of 2 approvals');

  // The request stays, with its first approval and who gave it; Dana cannot give the second.
  await expect(queue.rowApprovals(cmsRole)).toHaveText('1 of 2 approvals');
  await expect(queue.rowApprovals(cmsRole)).toHaveAttribute('title', /Approved by cms\.official@example\.org/);
  await expect(cmsRole).toContainText('Cannot be approved');
  await expectNoAxeViolations(page, 'queue with 1 of 2 approvals');
  await shots(page, '63-queue-1-of-2-approvals', 'page');

  // The second CMS official sees who gave the first, and grants the role.
  await lenaHome.open('Role Requests');
  const lenaQueue = new RoleRequestsPage(otherPage);
  await lenaQueue.expectShown();
  const lenaRow = lenaQueue.rowOf(cmsRoleId);
  await expect(lenaQueue.rowApprovals(lenaRow)).toHaveText('1 of 2 approvals');
  const lenaPanel = await lenaQueue.view(lenaRow);
  await expect(lenaPanel.getByTestId('panel-approvals')).toContainText('Approved by cms.official@example.org');
  await lenaPanel.getByRole('button', { name: 'Close' }).last().click();
  await lenaQueue.select(lenaRow);
  await lenaQueue.select(lenaQueue.rowOf(firstOfficialId));
  const second = await lenaQueue.openApprove();
  expect(await new DecisionList(second).flags(cmsRoleId)).toEqual([label.security_official_role, label.second_of_dual_approval]);
  await expect(new DecisionList(second).countsBox()).toContainText('1 second approval: grants the CMS Security Official role');
  await expectNoAxeViolations(otherPage, 'approve pop-up, second approval');
  await shots(otherPage, '64-approve-second-approval', 'pop-up');
  await lenaQueue.confirmApprove();
  await expect(lenaQueue.result()).toContainText('2 requests approved.');
  await expect(lenaQueue.rowOf(cmsRoleId)).toHaveCount(0);
});

test('with one CMS Security Official left, the pop-up says the CMS role is granted without dual control', async ({ page, demoConsole: host }) => {
  test.slow();
  const dana = host.demoAccount('cms.official');
  let home = await signInToHome(page, host, dana, 'Dana');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  await lookup.search('cms.official2');
  const profile = await lookup.openProfile('Marchetti, Lena');
  await profile.accountAction('Deactivate account', await host.freshCode(page, dana.totpKey));
  // A deactivated colleague still counts for a while (nobody skips dual control by deactivating the other): a month later.
  await home.logOut();
  await host.advanceClock(page, 31 * DAY);
  home = await signInFresh(page, host, dana, 'Dana');

  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const cmsRole = queue.rowWith('Prescott', 'CMS Security Official');
  const id = await requestIdOf(cmsRole);
  await expect(queue.rowApprovals(cmsRole)).toHaveCount(0);
  await queue.select(cmsRole);
  const dialog = await queue.openApprove();
  expect(await new DecisionList(dialog).flags(id)).toEqual([label.security_official_role, label.without_dual_control]);
  await expectNoAxeViolations(page, 'approve pop-up without dual control');
  await shots(page, '65-approve-without-dual-control', 'pop-up');
  await queue.confirmApprove();
  await expect(queue.result()).toContainText('1 request approved.');
});

test('My Access and Create user offer only the roles of the organization chosen; a role that no longer fits is cleared, with why', async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();
  const userHome = await signInToHome(page, host, host.demoAccount('demo.user'), 'Aditya');
  await userHome.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  await access.chooseOrganization(/\(FL\)$/);
  expect(await access.roleOptions()).toEqual(rolesFor('state'));
  await expect(access.roleHint()).toHaveText('Only the roles of a state agency are offered.');
  await access.chooseRole('Surveyor');
  await access.chooseOrganization(/\(123\)$/);
  expect(await access.roleOptions()).toEqual(rolesFor('provider'));
  await expect(access.form().getByLabel('Role')).toHaveValue('');
  await expect(access.roleHint()).toContainText('The role Surveyor exists only in state agencies');
  await expect(access.roleHint()).toContainText('Choose a role again.');
  await expectNoAxeViolations(page, 'my access, a role cleared');
  await shots(page, '66-my-access-role-list', 'page');
  // Choosing a role again puts the plain hint back.
  await access.chooseRole('Assessment Coordinator');
  await expect(access.roleHint()).toHaveText('Only the roles of a provider organization are offered.');

  const dana = host.demoAccount('cms.official');
  const home = await signInToHome(otherPage, host, dana, 'Dana');
  await home.open('User Lookup');
  await new UserLookupPage(otherPage).expectShown();
  const create = new CreateUserDialog(otherPage);
  await create.open();
  await create.chooseOrganization(/\(FL\)$/);
  expect(await create.roleOptions()).toEqual(rolesFor('state'));
  // The default is an ordinary role, never a Security Official's.
  await expect(create.dialog().getByLabel('Role')).toHaveValue('State Agency General User');
  await create.dialog().getByLabel('Role').selectOption('Surveyor');
  await create.chooseOrganization(/\(CMS\)$/);
  expect(await create.roleOptions()).toEqual(rolesFor('cms'));
  await expect(create.dialog().getByLabel('Role')).toHaveValue('');
  await expect(create.roleHint()).toContainText('The role Surveyor exists only in state agencies');
  await expectNoAxeViolations(otherPage, 'create user, a role cleared');
  await shots(otherPage, '67-create-user-role-list', 'pop-up');
});

/** Pending requests of organization 123's people, written straight into the demo database (the queue reads it live). */
async function addPendingRequests(host: ConsoleHost, count: number): Promise<void> {
  const db = host.database();
  try {
    const added = await db.run(
      `INSERT INTO role_requests (requester_id, program_id, organization_id, role_id, justification, status, requested_at)
       SELECT u.id, p.id, o.id, r.id, 'Added for a long selection', 'pending', ?
         FROM users u JOIN organizations o ON o.id = u.home_organization_id CROSS JOIN programs p CROSS JOIN roles r
        WHERE o.display_id = '123' AND u.status = 'active' AND u.proofing_state = 'proofed_remote' AND u.user_id NOT LIKE 'provider.so%'
          AND r.name IN ('Assessment Coordinator', 'Provider Basic User')
        ORDER BY u.id, p.id, r.id LIMIT ?`,
      [Date.now(), count],
    );
    expect(added.changes).toBe(count);
  } finally {
    await db.close();
  }
}

test('a long bulk selection: counts cover all of it, the pop-up lists the first requests (refused first) and says how many more', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  await addPendingRequests(host, 160);
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const total = await queue.total();
  expect(total).toBeGreaterThan(LISTED_MAX_IN_POP_UP + 60);
  const unproofed = await requestIdOf(queue.rowWith('Castillo'));
  // Load every page (the grid asks for the next as its end comes into view), then select them all.
  await queue.rows().first().focus();
  await expect(async () => {
    await page.keyboard.press('End');
    await expect(queue.approveButton()).toBeVisible();
    await page.getByLabel('Select all on this page').check();
    await expect(queue.approveButton()).toHaveText(`Approve (${total.toLocaleString('en-US')})`, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  const dialog = await queue.openApprove();
  const list = new DecisionList(dialog);
  const counts = await list.counts();
  expect(counts).toContain('1 waiting for identity proofing');
  const refused = Number(/^(\d+) will not be approved$/.exec(counts.find((c) => c.endsWith('will not be approved')) ?? '')?.[1]);
  expect(refused).toBeGreaterThanOrEqual(1);
  await expect(dialog).toContainText(`Approve ${(total - refused).toLocaleString('en-US')} requests?`);
  // The refused ones come first, with why.
  const listed = await list.requestIds();
  expect(listed).toHaveLength(LISTED_MAX_IN_POP_UP);
  expect(listed.slice(0, refused)).toContain(unproofed);
  await expect(list.refused().locator(`tbody[data-request-id="${unproofed}"]`)).toContainText('Waiting for identity proofing');
  await expect(list.unlisted()).toHaveText(
    `And ${total - LISTED_MAX_IN_POP_UP} more selected requests, not listed here one by one. The counts above include them.`,
  );
  // The list scrolls inside the pop-up (and takes the keyboard), so the question and the buttons stay in view.
  expect(await list.list().evaluate((element) => element.scrollHeight > element.clientHeight)).toBe(true);
  await expect(list.list()).toHaveAttribute('tabindex', '0');
  await expect(dialog.getByRole('button', { name: 'Approve', exact: true })).toBeInViewport();
  await expectNoAxeViolations(page, 'approve pop-up, long selection');
  await shots(page, '68-approve-long-selection', 'pop-up');
});

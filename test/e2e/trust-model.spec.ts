import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DECISION_FLAG_LABELS, rolesFor } from '../../shared/roles.js';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import {
  CreateUserDialog,
  DecisionList,
  HomePage,
  InPersonProofingPage,
  MyAccessPage,
  ProfilePage,
  RoleRequestsPage,
  UserLookupPage,
  WarningPage,
  firstSignIn,
  signInToHome,
  startNewUserEnrollment,
} from './pages/console-pages.js';

/**
 * The attacks a reviewer found against the console's trust model, each tried again end to end in
 * the demo console, the way a person would try them, and each now doing no harm:
 *  1. anyone could become a CMS Security Official;
 *  2. one official alone could mint an accomplice (create an account, approve it, proof it, grant it);
 *  3. a withdrawn request left an official lasting power over someone else's account.
 * Where a page hides a button, the console is also asked straight through its bridge, as a
 * tampered page would, and refuses. Screenshots go to test-results/screens/7x-trust-*.png.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const shot = (name: string, fullPage = true) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });

type BridgeAnswer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; field?: string } };

/** Calls a channel of the console directly, as a page changed in the browser's tools could. */
async function askConsole(page: Page, channel: string, input: unknown): Promise<BridgeAnswer> {
  return page.evaluate(
    ([c, i]) => (globalThis as unknown as { api: { invoke(channel: string, input: unknown): Promise<BridgeAnswer> } }).api.invoke(c as string, i),
    [channel, input] as const,
  );
}

const label = DECISION_FLAG_LABELS;
const NOT_IN_YOUR_ORGANIZATIONS = 'No user with this User ID in the organizations you administer.';

test("1. Anyone can become a CMS Security Official: the role is offered only at CMS, is never in a provider official's queue, and takes two CMS officials", async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();

  // Aditya (demo.user, a Provider Basic User) looks for the CMS Security Official role at his own organization and at Florida.
  let home = await signInToHome(page, host, host.demoAccount('demo.user'), 'Aditya');
  await home.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  await access.chooseOrganization(/\(123\)$/);
  expect(await access.roleOptions()).not.toContain('CMS Security Official');
  expect(await access.roleOptions()).toEqual(rolesFor('provider'));
  await access.chooseOrganization(/\(FL\)$/);
  expect(await access.roleOptions()).not.toContain('CMS Security Official');
  expect(await access.roleOptions()).toEqual(rolesFor('state'));
  await expectNoAxeViolations(page, 'my access, the roles of a state agency');
  await page.screenshot(shot('70-trust-my-access-no-cms-role'));
  // Asked directly, the console refuses the pair too, and files nothing.
  const filed = await askConsole(page, 'access.request', { program: 'iQIES Prod', organization: '123', role: 'CMS Security Official', justification: '' });
  expect(filed).toEqual({
    ok: false,
    error: {
      code: 'VALIDATION',
      message: 'The role CMS Security Official exists only in the CMS organization; Sunrise Skilled Nursing Center is a provider organization.',
      field: 'role',
    },
  });
  const mine = await askConsole(page, 'access.mine', {});
  expect(mine.ok && JSON.stringify(mine.value)).not.toContain('CMS Security Official');
  await home.logOut();

  // Owen (cms.analyst) asked for the role properly, at CMS. Dana (cms.official) gives the first of two approvals.
  const dana = host.demoAccount('cms.official');
  home = await signInToHome(page, host, dana, 'Dana');
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const owensRow = queue.rowWith('Prescott', 'CMS Security Official');
  await expect(owensRow).toHaveCount(1);
  const owensRequest = Number(await owensRow.getAttribute('data-request-id'));
  await queue.select(owensRow);
  const approve = await queue.openApprove();
  expect(await new DecisionList(approve).flags(owensRequest)).toEqual([label.security_official_role, label.first_of_dual_approval]);
  await queue.confirmApprove();
  await expect(queue.result()).toContainText('Recorded: 1 of 2 approvals');
  await expect(queue.rowApprovals(owensRow)).toHaveText('1 of 2 approvals');
  await expect(owensRow).toContainText('Cannot be approved');
  await expectNoAxeViolations(page, 'queue after a first CMS approval');
  await page.screenshot(shot('71-trust-cms-role-1-of-2-approvals'));

  // Pamela (provider.so1) never sees Owen's request: not in her queue, her organizations, nor her Approve pop-up.
  const pamela = host.demoAccount('provider.so1');
  let otherHome = await signInToHome(otherPage, host, pamela, 'Pamela');
  await otherHome.open('Role Requests');
  const pamelasQueue = new RoleRequestsPage(otherPage);
  await pamelasQueue.expectShown();
  const pamelasTotal = await pamelasQueue.total();
  expect(pamelasTotal).toBeGreaterThan(0);
  await expect(pamelasQueue.rowWith('Prescott')).toHaveCount(0);
  await expect(pamelasQueue.rowWith('CMS Security Official')).toHaveCount(0);
  expect(await otherPage.getByLabel('Organization').locator('option').allTextContents()).not.toContainEqual(expect.stringContaining('(CMS)'));
  await otherPage.getByLabel('Select all on this page').check();
  const pamelasApprove = await pamelasQueue.openApprove();
  // Every request of her queue is listed, and Owen's is not among them.
  expect(await new DecisionList(pamelasApprove).requestIds()).toHaveLength(pamelasTotal);
  expect(await new DecisionList(pamelasApprove).requestIds()).not.toContain(owensRequest);
  await expect(pamelasApprove).not.toContainText('CMS Security Official');
  await expectNoAxeViolations(otherPage, "a provider official's approve pop-up");
  await otherPage.screenshot(shot('72-trust-provider-approve-no-cms-role', false));
  await pamelasApprove.getByRole('button', { name: 'Cancel' }).click();
  // Sent straight to the console, her approval of it is refused as a request she cannot see.
  const approved = await askConsole(otherPage, 'queue.approve', { requestIds: [owensRequest] });
  expect(approved).toMatchObject({ ok: true, value: { results: [{ requestId: owensRequest, outcome: 'not_found' }] } });
  await otherHome.logOut();

  // Lena (cms.official2), a second CMS official, gives the second approval: now the role is granted.
  otherHome = await signInToHome(otherPage, host, host.demoAccount('cms.official2'), 'Lena');
  await otherHome.open('Role Requests');
  const lenasQueue = new RoleRequestsPage(otherPage);
  await lenasQueue.expectShown();
  await lenasQueue.select(lenasQueue.rowOf(owensRequest));
  const second = await lenasQueue.openApprove();
  expect(await new DecisionList(second).flags(owensRequest)).toEqual([label.security_official_role, label.second_of_dual_approval]);
  await lenasQueue.confirmApprove();
  await expect(lenasQueue.result()).toContainText('1 request approved.');
  await expect(lenasQueue.rowOf(owensRequest)).toHaveCount(0);

  // Owen's next sign-in: a CMS Security Official's navigation, and the role on My Access.
  await home.logOut();
  home = await signInToHome(page, host, host.demoAccount('cms.analyst'), 'Owen');
  await expect(home.nav().getByRole('link', { name: 'Role Requests' })).toBeVisible();
  await expect(home.nav().getByRole('link', { name: 'User Lookup' })).toBeVisible();
  await home.open('My Access');
  await new MyAccessPage(page).expectShown();
  await expect(new MyAccessPage(page).roles()).toContainText('CMS Security Official');
  await expectNoAxeViolations(page, 'my access of a new CMS Security Official');
  await page.screenshot(shot('73-trust-new-cms-official'));
});

test("2. One official alone can mint an accomplice: the creator may not approve, proof or grant; a second official does, and the creator's password stops working", async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();

  // Pamela (provider.so1) creates Jonah's account, asking for a Provider Security Official role at her organization.
  const pamela = host.demoAccount('provider.so1');
  const home = await signInToHome(page, host, pamela, 'Pamela');
  await home.open('User Lookup');
  await new UserLookupPage(page).expectShown();
  const create = new CreateUserDialog(page);
  await create.open();
  await create.create(
    {
      firstName: 'Jonah',
      lastName: 'Reyes',
      email: 'jonah.reyes@example.org',
      userId: 'jonah.reyes',
      organization: /\(123\)$/,
      role: 'Provider Security Official',
    },
    await host.freshCode(page, pamela.totpKey),
  );
  const profile = new ProfilePage(page);
  await expect(profile.status()).toHaveText('Pending');
  const creatorsPassword = await profile.temporaryPassword();

  // She is not offered "Approve account": until someone else approves it and Jonah signs in, she may only deactivate it.
  expect(await profile.actionLabels()).toEqual(['Deactivate account']);
  await expectNoAxeViolations(page, "the creator's view of a new account");
  await page.screenshot(shot('74-trust-creator-profile'));
  const selfApproval = await askConsole(page, 'users.accountAction', {
    userId: 'jonah.reyes',
    action: 'approve',
    code: await host.freshCode(page, pamela.totpKey),
  });
  expect(selfApproval).toEqual({
    ok: false,
    error: { code: 'FORBIDDEN', message: 'You created this account: another Security Official must approve it and give the person their temporary password.' },
  });

  // The role request waits for identity proofing, and her Approve pop-up refuses it: she created the account.
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const jonahsRow = queue.rowWith('Reyes', 'Provider Security Official');
  await expect(jonahsRow).toHaveCount(1);
  const jonahsRequest = Number(await jonahsRow.getAttribute('data-request-id'));
  await expect(jonahsRow).toContainText('Cannot be approved');
  await queue.select(jonahsRow);
  const refused = await queue.openApprove();
  const list = new DecisionList(refused);
  await expect(refused).toContainText('None of the selected requests can be approved.');
  await expect(list.refused().locator(`tbody[data-request-id="${jonahsRequest}"]`)).toContainText(
    'You created this account: another Security Official must approve its requests.',
  );
  expect(await list.flags(jonahsRequest)).toEqual([label.unproofed_requester, label.security_official_role]);
  await expect(refused.getByRole('button', { name: 'Approve', exact: true })).toBeDisabled();
  await expectNoAxeViolations(page, "the creator's approve pop-up");
  await page.screenshot(shot('75-trust-creator-approve-refused', false));
  await refused.getByRole('button', { name: 'Cancel' }).click();

  // Nor may she proof him in person.
  await home.open('In-Person Proofing');
  const proofing = new InPersonProofingPage(page);
  await proofing.expectShown();
  await proofing.lookUp('jonah.reyes');
  await expect(proofing.refusal()).toHaveText("You created this account: another Security Official must prove this person's identity.");
  await expect(proofing.form()).toHaveCount(0);
  await expectNoAxeViolations(page, 'in-person proofing refused to the creator');
  await page.screenshot(shot('76-trust-creator-proofing-refused'));
  await home.logOut();

  // Marcus (provider.so2), the other official of 123, proofs Jonah in person, approves the account and grants the role.
  const marcus = host.demoAccount('provider.so2');
  const marcusHome = await signInToHome(otherPage, host, marcus, 'Marcus');
  await marcusHome.open('In-Person Proofing');
  await new InPersonProofingPage(otherPage).proofWithPassportAndBill('jonah.reyes');

  await marcusHome.open('User Lookup');
  const lookup = new UserLookupPage(otherPage);
  await lookup.expectShown();
  const marcusView = await lookup.findAndOpen('jonah.reyes', 'Reyes, Jonah');
  expect(await marcusView.actionLabels()).toContain('Approve account');
  const approversPassword = await marcusView.accountAction('Approve account', await host.freshCode(otherPage, marcus.totpKey));
  await expect(marcusView.status()).toHaveText('Active');
  expect(approversPassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
  expect(approversPassword).not.toBe(creatorsPassword);
  await expectNoAxeViolations(otherPage, "the approver's new temporary password");
  await otherPage.screenshot(shot('77-trust-approver-new-password'));

  await marcusHome.open('Role Requests');
  const marcusQueue = new RoleRequestsPage(otherPage);
  await marcusQueue.expectShown();
  await marcusQueue.select(marcusQueue.rowOf(jonahsRequest));
  const grant = await marcusQueue.openApprove();
  expect(await new DecisionList(grant).flags(jonahsRequest)).toEqual([label.security_official_role]);
  await marcusQueue.confirmApprove();
  await expect(marcusQueue.result()).toContainText('1 request approved.');

  // At his own computer, Jonah tries the password Pamela saw first: it no longer opens the account.
  await startNewUserEnrollment(page, host, 'jonah.reyes', creatorsPassword);
  await expect(page.getByTestId('sign-in-error')).toHaveText('User ID or Password is incorrect. Check for accuracy and re-enter your User ID and Password');
  await expect(page.getByRole('heading', { level: 1, name: 'New User Enrollment' })).toBeVisible();
  await expectNoAxeViolations(page, "new user enrollment, the creator's password refused");
  await page.screenshot(shot('78-trust-creator-password-refused'));

  // The one Marcus handed him does: a new password, an authenticator, and he is an official of 123.
  await firstSignIn(page, host, { userId: 'jonah.reyes', temporaryPassword: approversPassword ?? '', newPassword: 'granite willow harbor seven' });
  await new WarningPage(page).accept();
  const jonahsHome = new HomePage(page);
  await jonahsHome.expectWelcome('Jonah');
  await expect(jonahsHome.nav().getByRole('link', { name: 'Role Requests' })).toBeVisible();
});

test('3. A withdrawn request leaves lasting power: while pending it gives no account action, withdrawn it gives nothing', async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();

  // Samuel (surveyor.user), a Surveyor of Florida, asks for a role at organization 123.
  const samuelsHome = await signInToHome(page, host, host.demoAccount('surveyor.user'), 'Samuel');
  await samuelsHome.open('My Access');
  const access = new MyAccessPage(page);
  await access.expectShown();
  const requestId = await access.request({
    program: 'iQIES Prod',
    organization: /\(123\)$/,
    role: 'Provider Basic User',
    justification: 'Covering for a colleague',
  });

  // While it is pending, Pamela (provider.so1) finds him, but his account is Florida's too: no reset, no credential removal, nothing.
  const pamela = host.demoAccount('provider.so1');
  const home = await signInToHome(otherPage, host, pamela, 'Pamela');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(otherPage);
  await lookup.expectShown();
  const profile = await lookup.findAndOpen('surveyor.user', 'Ortiz, Samuel');
  expect(await profile.actionLabels()).toEqual([]);
  await expect(otherPage.getByText('No account action is available to you for this user.')).toBeVisible();
  await expect(otherPage.getByTestId('no-roles')).toBeVisible();
  await expectNoAxeViolations(otherPage, 'profile of a user tied to another organization');
  await otherPage.screenshot(shot('79-trust-pending-request-no-account-actions'));
  const reset = await askConsole(otherPage, 'users.accountAction', {
    userId: 'surveyor.user',
    action: 'resetPassword',
    code: await host.freshCode(otherPage, pamela.totpKey),
  });
  expect(reset).toEqual({
    ok: false,
    error: { code: 'FORBIDDEN', message: 'This user has a role or a request in an organization you do not administer; only CMS can change their account.' },
  });
  await profile.back();
  await expect(lookup.row('surveyor.user')).toBeVisible();

  // Samuel withdraws the request at once.
  await access.withdraw(requestId);
  await expect(access.requestRow(requestId)).toContainText('Withdrawn');

  // Pamela's list still shows him from before; opening him now finds nobody.
  await lookup.table().getByRole('button', { name: 'Ortiz, Samuel' }).click();
  await expect(profile.error()).toHaveText(NOT_IN_YOUR_ORGANIZATIONS);
  await expect(otherPage.getByRole('heading', { level: 2, name: 'Profile Information' })).toHaveCount(0);
  await expectNoAxeViolations(otherPage, 'profile not found after a withdrawn request');
  await otherPage.screenshot(shot('80-trust-withdrawn-profile-not-found'));
  await profile.back();
  await lookup.search('surveyor.user');
  await expect(lookup.count()).toHaveText('Users (0)');
  expect(await askConsole(otherPage, 'users.profile', { userId: 'surveyor.user' })).toEqual({
    ok: false,
    error: { code: 'NOT_FOUND', message: NOT_IN_YOUR_ORGANIZATIONS },
  });
  const later = await askConsole(otherPage, 'users.accountAction', {
    userId: 'surveyor.user',
    action: 'resetPassword',
    code: await host.freshCode(otherPage, pamela.totpKey),
  });
  expect(later).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: NOT_IN_YOUR_ORGANIZATIONS } });

  await home.open('In-Person Proofing');
  const proofing = new InPersonProofingPage(otherPage);
  await proofing.expectShown();
  await proofing.lookUp('surveyor.user');
  await expect(proofing.searchError()).toContainText('No account with this Account ID in the organizations you administer.');
});

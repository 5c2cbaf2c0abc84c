import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCREENSHOT_DIR, expect, expectNoAxeViolations, test } from './fixtures.js';
import {
  CreateUserDialog,
  FsidPage,
  InPersonProofingPage,
  MyAccessPage,
  ProfilePage,
  UserLookupPage,
  WarningPage,
  firstSignIn,
  signInToHome,
} from './pages/console-pages.js';

/**
 * End to end: In-Person Proofing (QualityNet guide 5.4.4.2), a new user's first sign-in,
 * and Federal Surveyor IDs (iQIES job aid, section 6), in the demo console.
 */

test.beforeAll(() => mkdirSync(SCREENSHOT_DIR, { recursive: true }));
const shot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
const popUpShot = (name: string) => ({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });

const license = { document: "Driver's license (STRONG)", issuer: 'Florida DHSMV', expiresOn: '2030-06-30', last4: 'A93K' };
const bill = { document: 'Utility bill (FAIR)', issuer: 'Florida Power & Light', last4: '0042' };

test('in-person proofing: reject without comments is refused, cancel and come back, approve with three documents, print the receipt', async ({
  page,
  demoConsole: host,
}) => {
  test.slow();
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await home.open('In-Person Proofing');
  const proofing = new InPersonProofingPage(page);
  await proofing.expectShown();
  await proofing.search('inperson.user');
  await expect(proofing.state()).toHaveText('Referred to in-person proofing');

  // Reject needs a Reason for Rejection and Comments.
  await proofing.form().getByLabel('** Reason for Rejection').selectOption('Other');
  await proofing.decide('Reject');
  await expect(proofing.form().getByText('Comments are required to Reject: explain why.')).toBeVisible();
  await expect(proofing.state()).toHaveText('Referred to in-person proofing');

  // The license expired: Cancel, so the person can come back with the right documents.
  await proofing.fill('photo', { ...license, expiresOn: '2024-01-31' });
  await expect(proofing.ial2()).toContainText('An expired document cannot support an approval');
  await proofing.decide('Cancel');
  await expect(proofing.outcome()).toContainText('Cancelled. Nora Castillo may come back with the right documents.');
  await proofing.search('inperson.user');
  await expect(page.getByText(/Cancelled by provider\.so1@example\.org/)).toBeVisible();

  // She comes back: a license for everything is not enough (one STRONG document), a utility bill makes IAL2.
  await proofing.fill('photo', license);
  await proofing.fill('address', 'same as photo');
  await proofing.fill('dateOfBirth', 'same as photo');
  await expect(proofing.ial2()).toContainText('IAL2 not reached.');
  await expect(page.getByTestId('approve-blocked')).toBeVisible();
  await proofing.fill('address', bill);
  await expect(proofing.ial2()).toContainText('IAL2 reached.');
  await expect(page.getByTestId('approve-blocked')).toContainText('Tick the affirmation');
  await proofing
    .form()
    .getByLabel(/I affirm that the individual appeared in person/)
    .check();
  await page.screenshot(shot('31-in-person-proofing'));
  await expectNoAxeViolations(page, 'in-person proofing');
  await proofing.decide('Approve');
  await expect(proofing.outcome()).toContainText('Approved. The identity of Nora Castillo is proofed in person.');
  await expect(proofing.state()).toHaveText('Identity proofed in person');

  const download = page.waitForEvent('download');
  await proofing.outcome().getByRole('button', { name: 'Print receipt' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^Identity-proofing-receipt-\d+\.pdf$/);
  expect(
    readFileSync(await file.path())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
});

test('a new user: first sign-in through enrollment shows the proofing state; proofed in person by another official, they can request a role', async ({
  page,
  otherPage,
  demoConsole: host,
}) => {
  test.slow();
  // Pamela (provider.so1) creates the account.
  const pamela = host.demoAccount('provider.so1');
  let home = await signInToHome(page, host, pamela, 'Pamela');
  await home.open('User Lookup');
  await new UserLookupPage(page).expectShown();
  const create = new CreateUserDialog(page);
  await create.open();
  await create.create(
    { firstName: 'Lena', lastName: 'Marsh', email: 'lena.marsh@example.org', userId: 'lena.marsh', role: 'Assessment Coordinator' },
    await host.freshCode(page, pamela.totpKey),
  );
  await expect(new ProfilePage(page).status()).toHaveText('Pending');
  await home.logOut();

  // Marcus (provider.so2), who did not create it, approves the account and hands Lena the temporary password it gives.
  const marcus = host.demoAccount('provider.so2');
  home = await signInToHome(page, host, marcus, 'Marcus');
  await home.open('User Lookup');
  const lookup = new UserLookupPage(page);
  await lookup.expectShown();
  const profile = await lookup.findAndOpen('lena.marsh', 'Marsh, Lena');
  const temporary = await profile.accountAction('Approve account', await host.freshCode(page, marcus.totpKey));
  expect(temporary).not.toBeNull();

  await firstSignIn(otherPage, host, { userId: 'lena.marsh', temporaryPassword: temporary ?? '', newPassword: 'quiet orchard lantern path' }, async () => {
    await expect(otherPage.getByTestId('enrollment-proofing')).toContainText('Identity not yet proofed');
  });
  await new WarningPage(otherPage).accept();
  await expect(otherPage.getByRole('heading', { level: 1, name: 'Welcome, Lena' })).toBeVisible();
  await otherPage.getByRole('navigation', { name: 'Security Official' }).getByRole('link', { name: 'My Access' }).click();
  await new MyAccessPage(otherPage).expectShown();
  await expect(otherPage.getByTestId('proofing-notice')).toBeVisible();

  // Lena comes in person with her documents; Marcus proofs her.
  await home.open('In-Person Proofing');
  const proofing = new InPersonProofingPage(page);
  await proofing.expectShown();
  await proofing.search('lena.marsh');
  await proofing.fill('photo', { document: 'U.S. passport (SUPERIOR)', issuer: 'U.S. Department of State', expiresOn: '2031-03-01', last4: '4821' });
  await proofing.fill('address', bill);
  await proofing.fill('dateOfBirth', 'same as photo');
  await proofing
    .form()
    .getByLabel(/I affirm that the individual appeared in person/)
    .check();
  await proofing.decide('Approve');
  await expect(proofing.state()).toHaveText('Identity proofed in person');

  // A fresh sign-in carries the new state.
  await otherPage.reload();
  await otherPage.getByRole('navigation', { name: 'Security Official' }).getByRole('link', { name: 'My Access' }).click();
  await expect(otherPage.getByTestId('proofing-notice')).toHaveCount(0);
  const requestId = await new MyAccessPage(otherPage).request({ program: 'iQIES Prod', organization: /\(123\)$/, role: 'Provider Basic User' });
  expect(requestId).toBeGreaterThan(0);
});

test('a state official verifies a Federal Surveyor ID the surveyor asked for', async ({ page, demoConsole: host }) => {
  const home = await signInToHome(page, host, host.demoAccount('florida.so'), 'Robert');
  await home.open('Federal Surveyor IDs');
  const fsid = new FsidPage(page);
  await fsid.expectShown();
  await fsid.searchPending();
  await expect(fsid.row('surveyor.user')).toContainText('Requested');
  await page.screenshot(shot('32-federal-surveyor-ids'));
  await expectNoAxeViolations(page, 'federal surveyor ids');

  await fsid
    .row('surveyor.user')
    .getByRole('button', { name: /Federal Surveyor ID for/ })
    .click();
  const enter = page.getByRole('dialog', { name: 'Enter Federal Surveyor ID' });
  await enter.getByLabel('Federal Surveyor ID').fill('FL-42');
  await enter.getByRole('button', { name: 'Save' }).click();
  await expect(enter.locator('.ds-c-inline-error')).toContainText('A Federal Surveyor ID is 1 to 10 letters or digits');
  await page.screenshot(popUpShot('33-enter-fsid-pop-up'));
  await enter.getByRole('button', { name: 'Cancel' }).click();

  await fsid.enter('surveyor.user', 'fl0042');
  await expect(fsid.row('surveyor.user')).toContainText('FL0042');
  await expect(fsid.row('surveyor.user')).toContainText('Pending');
  await fsid
    .row('surveyor.user')
    .getByRole('button', { name: /actions for/ })
    .click();
  await fsid.row('surveyor.user').getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Are you sure?' })).toBeVisible();
  await page.screenshot(popUpShot('34-are-you-sure-pop-up'));
  await page.getByRole('dialog', { name: 'Are you sure?' }).getByRole('button', { name: 'Verify', exact: true }).click();
  // Verified, the user leaves the list of those pending verification; the whole list shows them verified.
  await expect(fsid.row('surveyor.user')).toHaveCount(0);
  await page.getByLabel('Show only users pending Federal Surveyor ID verification').uncheck();
  await page.getByRole('search', { name: 'Search for Users' }).getByRole('button', { name: 'Search', exact: true }).click();
  await expect(fsid.row('surveyor.user')).toContainText('Verified');
});

test('a provider official is not offered the Federal Surveyor ID page, and its channels refuse them', async ({ page, demoConsole: host }) => {
  const home = await signInToHome(page, host, host.demoAccount('provider.so1'), 'Pamela');
  await expect(home.nav().getByRole('link', { name: 'In-Person Proofing' })).toBeVisible();
  await expect(home.nav().getByRole('link', { name: 'Federal Surveyor IDs' })).toHaveCount(0);
  const refused = await page.evaluate(() =>
    (globalThis as unknown as { api: { invoke(channel: string, input: unknown): Promise<unknown> } }).api.invoke('fsid.search', {}),
  );
  expect(refused).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Only State Security Officials manage Federal Surveyor IDs.' } });
});

test('the Federal Surveyor ID list pages forward and back, each user once', async ({ page, demoConsole: host }) => {
  // Forty more Florida surveyors, written straight into the demo database, so the list has two pages.
  const db = host.database();
  try {
    const idOf = async (sql: string) => (await db.get<{ id: number }>(sql))!.id;
    const florida = await idOf("SELECT id FROM organizations WHERE display_id = 'FL'");
    const program = await idOf("SELECT id FROM programs WHERE name = 'iQIES Prod'");
    const surveyor = await idOf("SELECT id FROM roles WHERE name = 'Surveyor'");
    await db.transaction(async (tx) => {
      for (let i = 0; i < 40; i++) {
        const user = await tx.get<{ id: number }>(
          `INSERT INTO users (user_id, first_name, last_name, email, status, password_hash, created_at, proofing_state, home_organization_id)
           VALUES (?, ?, 'Zamora', ?, 'active', 'unused', 0, 'proofed_remote', ?) RETURNING id`,
          [`fl.surveyor${i}`, `Surveyor${String(i).padStart(2, '0')}`, `fl.surveyor${i}@example.org`, florida],
        );
        await tx.run('INSERT INTO role_assignments (user_id, program_id, organization_id, role_id, granted_at) VALUES (?, ?, ?, ?, 0)', [
          user!.id,
          program,
          florida,
          surveyor,
        ]);
      }
    });
  } finally {
    await db.close();
  }

  const home = await signInToHome(page, host, host.demoAccount('florida.so'), 'Robert');
  await home.open('Federal Surveyor IDs');
  const fsid = new FsidPage(page);
  await fsid.expectShown();
  await page.getByRole('search', { name: 'Search for Users' }).getByRole('button', { name: 'Search', exact: true }).click();
  const pager = page.getByRole('navigation', { name: 'Pages of users' });
  await expect(pager).toContainText('Page 1 of 2');
  const userIds = () =>
    page
      .getByTestId('fsid-table')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user-id')));
  const first = await userIds();
  expect(first).toHaveLength(25);

  await pager.getByRole('button', { name: 'Next page' }).click();
  await expect(pager).toContainText('Page 2 of 2');
  await expect(pager.getByRole('button', { name: 'Next page' })).toBeDisabled();
  const second = await userIds();
  const total = Number((await page.getByTestId('fsid-count').innerText()).replace(/\D/g, ''));
  expect(first.length + second.length).toBe(total);
  expect(new Set([...first, ...second]).size).toBe(total);
  // The last page ends with the Zamoras, in first-name order.
  expect(second.slice(-3)).toEqual(['fl.surveyor37', 'fl.surveyor38', 'fl.surveyor39']);
  for (const width of [1024, 1366, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    // From the top: a full-page shot taken scrolled down draws the sticky table header mid-table.
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOT_DIR, `35-fsid-second-page-${width}.png`), fullPage: true });
  }
  await expectNoAxeViolations(page, 'federal surveyor ids, second page');

  await pager.getByRole('button', { name: 'Previous page' }).click();
  await expect(pager).toContainText('Page 1 of 2');
  expect(await userIds()).toEqual(first);
});

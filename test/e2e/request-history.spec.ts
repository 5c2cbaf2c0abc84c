import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, expectNoAxeViolations, expectNoAxeViolationsWithListOpen, shotsAtWidths, test } from './fixtures.js';
import { AuditTrailPage, RequestHistoryPage, RoleRequestsPage, organizationField, pickOrganization, signInToHome } from './pages/console-pages.js';

/**
 * End to end, as the iQIES job aid's section 5 reads: decide three requests, then find
 * each in Request History by Request ID and by name and read "Approved by" in its pop-up; export
 * an offline review archive, open it, and see the same rows, read-only; the Audit trail says it
 * is verified.
 */
test('decide three requests, find each by Request ID and by name, read "Approved by"; export an archive and open it read-only', async ({
  page,
  demoConsole,
}) => {
  // Two sign-ins' worth of pages, nine axe scans, a download and an upload.
  test.slow();
  const home = await signInToHome(page, demoConsole, demoConsole.demoAccount('provider.so1'), 'Pamela');

  // Decide three requests on Role Requests (job aid 3).
  await home.open('Role Requests');
  const queue = new RoleRequestsPage(page);
  await queue.expectShown();
  const decided: Array<{ requestId: number; name: string }> = [];
  for (let i = 0; i < 3; i += 1) {
    const row = queue.rows().nth(i);
    const requestId = Number(await row.getAttribute('data-request-id'));
    const cells = await row.getByRole('gridcell').allTextContents();
    decided.push({ requestId, name: `${cells[2]?.trim()}, ${cells[1]?.trim()}` });
    await queue.select(row);
  }
  await queue.openApprove();
  await queue.confirmApprove();
  await expect(queue.result()).toContainText('3 requests approved.');

  // Request History: newest first, the three on top.
  await home.open('Request History');
  const history = new RequestHistoryPage(page);
  await history.expectShown();
  await expectNoAxeViolations(page, 'request history');
  const live = await history.requestIds();
  expect(live.slice(0, 3).sort()).toEqual(decided.map((d) => d.requestId).sort());

  for (const { requestId, name } of decided) {
    // By Request ID: that one decision.
    await history.search(String(requestId));
    await expect(history.rows()).toHaveCount(1);
    await expect(history.rowOf(requestId)).toContainText(name);
    const dialog = await history.view(requestId);
    await expect(dialog.getByTestId('history-action')).toHaveText('Approved by provider.so1@example.org');
    await expect(dialog).toContainText(name);
    await expect(dialog).toContainText('Sunrise Skilled Nursing Center (123)');
    await expect(dialog.getByTestId('history-events')).toContainText('Approved by provider.so1@example.org');
    if (requestId === decided[0]?.requestId) await expectNoAxeViolations(page, 'request ID pop-up');
    await history.close(dialog);

    // By name ("Last, First"): the same decision is listed.
    await history.search(name);
    await expect(history.rowOf(requestId)).toBeVisible();
    const byName = await history.view(requestId);
    await expect(byName.getByTestId('history-action')).toHaveText('Approved by provider.so1@example.org');
    await history.close(byName);
  }

  // The Audit trail: verified, and the three approvals are there.
  await home.open('Audit trail');
  const audit = new AuditTrailPage(page);
  await audit.expectShown();
  await expect(audit.status()).toContainText(/Audit trail verified through event [\d,]+ at /);
  await audit.filterKind('Role requests and decisions');
  await expect(audit.rows().filter({ hasText: 'Approved a role request' })).toHaveCount(3);
  await expectNoAxeViolations(page, 'audit trail');

  // Export an archive of organization 123 (the default period: the last twelve months).
  await home.open('Request History');
  await history.expectShown();
  await history.search('');
  await expect.poll(() => history.requestIds()).toEqual(live);
  const folder = mkdtempSync(join(tmpdir(), 'soc-archive-'));
  try {
    await page.getByRole('button', { name: 'Export archive' }).click();
    await expect(page.getByRole('dialog', { name: 'Export archive' })).toBeVisible();
    await expectNoAxeViolations(page, 'export archive pop-up');
    await page.getByRole('dialog', { name: 'Export archive' }).getByRole('button', { name: 'Cancel' }).click();
    const file = await history.exportArchive([/\(123\)$/], join(folder, 'history-123.socarchive'));

    // Open it: verified, read-only, the same rows.
    const banner = await history.openArchive(file);
    await expect(banner).toContainText('Viewing an offline review archive (read-only)');
    await expect(banner.getByTestId('archive-signature')).toContainText('Signature verified');
    await expect(banner.getByTestId('archive-chain')).toContainText('Audit chain verified');
    await expect(banner).toContainText('(this console)');
    await expect(page.getByRole('button', { name: 'Export archive' })).toHaveCount(0);
    await expect.poll(() => history.requestIds()).toEqual(live);
    const { requestId } = decided[1]!;
    await history.search(String(requestId));
    const dialog = await history.view(requestId);
    await expect(dialog.getByTestId('history-action')).toHaveText('Approved by provider.so1@example.org');
    await history.close(dialog);
    await expectNoAxeViolations(page, 'request history, archive open');

    // The archive's audit trail, in the same view.
    await home.open('Audit trail');
    await audit.expectShown();
    await expect(page.getByTestId('archive-banner')).toBeVisible();
    await audit.filterKind('Role requests and decisions');
    await expect(audit.rows().filter({ hasText: 'Approved a role request' })).toHaveCount(3);
    await expectNoAxeViolations(page, 'audit trail, archive open');
    await page.getByRole('button', { name: 'Close archive' }).click();
    await expect(page.getByTestId('archive-banner')).toHaveCount(0);
    await expect(audit.status()).toContainText('Audit trail verified through event');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a CMS official filters Request History and the Audit trail by typing an organization, and adds organizations to an archive the same way', async ({
  page,
  demoConsole,
}) => {
  const home = await signInToHome(page, demoConsole, demoConsole.demoAccount('cms.official'), 'Dana');
  await home.open('Request History');
  const history = new RequestHistoryPage(page);
  await history.expectShown();
  const filters = page.getByRole('group', { name: 'Filters' });
  const field = organizationField(filters, 'Organization');
  // Every organization is a CMS official's: they type a name or ID instead of scrolling a list of them all.
  await expect(field).toHaveValue('All');
  await expect(field).toHaveAttribute('role', 'combobox');
  await field.click();
  await field.fill('sun');
  await expect(page.getByRole('option', { name: 'Sunrise Skilled Nursing Center (123)', exact: true })).toBeVisible();
  await expectNoAxeViolationsWithListOpen(page, 'request history, organization picker open');
  await shotsAtWidths(page, '89-organization-picker-history');
  await page.getByRole('option', { name: 'Sunrise Skilled Nursing Center (123)', exact: true }).click();
  await expect(field).toHaveValue('Sunrise Skilled Nursing Center (123)');
  // Only organization 123's decisions are listed.
  await expect(history.rows().first()).toBeVisible();
  const organizations = await history.rows().evaluateAll((rows) => rows.map((row) => row.textContent ?? ''));
  expect(organizations.length).toBeGreaterThan(0);
  for (const text of organizations) expect(text).toContain('(123)');
  await expectNoAxeViolations(page, 'request history, an organization picked');
  await filters.getByRole('button', { name: 'Clear search and filters' }).click();
  await expect(field).toHaveValue('All');

  // Export archive: organizations are found by name or ID, added, and listed ticked.
  await page.getByRole('button', { name: 'Export archive' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export archive' });
  const add = dialog.getByLabel('Add an organization');
  await add.click();
  await add.fill('bay');
  await page.getByRole('option', { name: 'Bayview Home Health Agency (456)', exact: true }).click();
  await expect(add).toHaveValue('');
  await expect(dialog.getByRole('checkbox', { name: 'Bayview Home Health Agency (456)' })).toBeChecked();
  await add.click();
  await add.fill('flo');
  await expect(page.getByRole('option', { name: 'Florida (FL)', exact: true })).toBeVisible();
  await shotsAtWidths(page, '90-organization-picker-archive');
  await page.getByRole('option', { name: 'Florida (FL)', exact: true }).click();
  await expect(dialog.getByRole('checkbox')).toHaveCount(2);
  // Unticked stays listed, and is not exported.
  await dialog.getByRole('checkbox', { name: 'Bayview Home Health Agency (456)' }).uncheck();
  await expect(dialog.getByRole('checkbox', { checked: true })).toHaveCount(1);
  await expectNoAxeViolations(page, 'export archive, organizations added');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The Audit trail's filter is the same field.
  await home.open('Audit trail');
  const audit = new AuditTrailPage(page);
  await audit.expectShown();
  const auditField = organizationField(page.getByRole('group', { name: 'Filters' }), 'Organization');
  await expect(auditField).toHaveValue('All');
  await pickOrganization(page.getByRole('group', { name: 'Filters' }), 'Organization', 'Florida (FL)', 'flo');
  await shotsAtWidths(page, '91-organization-picker-audit');
  await expect(audit.rows().or(page.getByTestId('audit-empty')).first()).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

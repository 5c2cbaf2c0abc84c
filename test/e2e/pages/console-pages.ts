import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** Page objects: a spec reads like the job aid's steps. */

export class SetupPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Set up this console' })).toBeVisible();
  }

  /** The key shown beside the QR code, exactly as an authenticator would take it. */
  async shownKey(): Promise<string> {
    const key = (await this.page.getByTestId('totp-key').textContent())?.replace(/\s+/g, '') ?? '';
    expect(key).toMatch(/^[A-Z2-7]{32,}$/);
    return key;
  }

  async fill(details: { userId: string; firstName: string; lastName: string; email: string; password: string; code: string }): Promise<void> {
    const form = this.page.getByRole('main');
    await form.getByLabel('User ID').fill(details.userId);
    await form.getByLabel('First Name').fill(details.firstName);
    await form.getByLabel('Last Name').fill(details.lastName);
    await form.getByLabel('Email Address').fill(details.email);
    await form.getByLabel('Password', { exact: true }).fill(details.password);
    await form.getByLabel('Confirm Password').fill(details.password);
    await form.getByLabel('Security Code').fill(details.code);
  }

  async submit(): Promise<void> {
    await this.page.getByRole('button', { name: 'Set up console' }).click();
  }
}

export class SignInPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Login' })).toBeVisible();
  }

  async signIn(userId: string, password: string, code: string): Promise<void> {
    await this.expectShown();
    await this.page.getByLabel('User ID').fill(userId);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByLabel('Security Code').fill(code);
    await this.page.getByLabel('I agree to the Terms & Conditions').check();
    await this.page.getByRole('button', { name: 'Login' }).click();
  }

  error(): Locator {
    return this.page.getByTestId('sign-in-error');
  }

  notice(): Locator {
    return this.page.getByTestId('sign-in-notice');
  }
}

export class WarningPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Warning' })).toBeVisible();
  }

  async accept(): Promise<void> {
    await this.expectShown();
    await this.page.getByRole('button', { name: 'I Accept' }).click();
  }

  async deny(): Promise<void> {
    await this.expectShown();
    await this.page.getByRole('button', { name: 'I Deny' }).click();
  }
}

export class HomePage {
  constructor(private readonly page: Page) {}

  async expectWelcome(firstName: string): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: `Welcome, ${firstName}` })).toBeVisible();
  }

  nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Security Official' });
  }

  async open(pageName: string): Promise<void> {
    await this.nav()
      .getByRole('link', { name: pageName })
      .or(this.nav().getByRole('button', { name: pageName }))
      .first()
      .click();
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('banner').getByRole('button', { name: 'Log Out' }).click();
    const dialog = this.page.getByRole('dialog');
    await expect(dialog).toContainText('Are you sure');
    await dialog.getByRole('button', { name: 'Log Out' }).click();
  }
}

export class CredentialsPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'My credentials' })).toBeVisible();
  }

  rows(): Locator {
    return this.page.getByRole('table').getByRole('row');
  }

  /** Starts enrolling a new credential and returns its ID and key as shown. */
  async startAdding(): Promise<{ credentialId: string; key: string }> {
    await this.page.getByRole('button', { name: 'Add a credential' }).click();
    const key = (await this.page.getByTestId('totp-key').textContent())?.replace(/\s+/g, '') ?? '';
    const credentialId = (await this.page.getByTestId('credential-id').textContent())?.trim() ?? '';
    expect(key).toMatch(/^[A-Z2-7]{32,}$/);
    return { credentialId, key };
  }

  async confirmAdding(code: string, name: string): Promise<void> {
    const section = this.page.getByRole('region', { name: 'Add a credential' });
    await section.getByLabel('Credential name').fill(name);
    await section.getByLabel('Security Code').fill(code);
    await section.getByRole('button', { name: 'Add Credential' }).click();
  }

  async remove(credentialId: string, code: string): Promise<void> {
    const section = this.page.getByRole('region', { name: 'Remove a credential' });
    await section.getByLabel('Credential ID').fill(credentialId);
    await section.getByLabel('Security Code').fill(code);
    await section.getByRole('button', { name: 'Remove Credential' }).click();
  }
}

/** Signs a demo account in, accepts the warning page and waits for the welcome. */
export async function signInToHome(
  page: Page,
  host: { url: string; code(secret: string): string },
  account: { userId: string; password: string; totpKey: string },
  firstName: string,
): Promise<HomePage> {
  await page.goto(host.url);
  await new SignInPage(page).signIn(account.userId, account.password, host.code(account.totpKey));
  await new WarningPage(page).accept();
  const home = new HomePage(page);
  await home.expectWelcome(firstName);
  return home;
}

/** The Role Requests navigation badge (the count of pending requests), or null when none is shown. */
export async function navBadgeCount(page: Page): Promise<number | null> {
  const badge = new HomePage(page).nav().getByRole('link', { name: 'Role Requests' }).getByTestId('nav-badge');
  if ((await badge.count()) === 0) return null;
  return Number(((await badge.textContent()) ?? '').replace(/[^\d]/g, ''));
}

export interface RoleRequestChoice {
  program: string;
  /** As the option reads, e.g. "Sunrise Skilled Nursing Center (123)". */
  organization: string | RegExp;
  role: string;
  justification?: string;
}

export class MyAccessPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'My Access' })).toBeVisible();
    await expect(this.page.getByRole('button', { name: 'Submit Request' })).toBeVisible();
  }

  /** Fills and submits the request form; returns the Request ID the confirmation names. */
  async request(choice: RoleRequestChoice): Promise<number> {
    const form = this.page.getByRole('region', { name: 'Request a role' });
    await form.getByLabel('Program').selectOption(choice.program);
    await pickOrganization(form, 'Organization', choice.organization);
    await form.getByLabel('Role').selectOption(choice.role);
    await form.getByLabel('Justification').fill(choice.justification ?? '');
    await form.getByRole('button', { name: 'Submit Request' }).click();
    const success = this.page.getByTestId('my-access-success');
    await expect(success).toContainText('Your request was submitted. Request ID:');
    const match = /Request ID: (\d+)\./.exec((await success.textContent()) ?? '');
    expect(match, 'the confirmation names the Request ID').not.toBeNull();
    return Number(match?.[1]);
  }

  requests(): Locator {
    return this.page.getByTestId('my-requests');
  }

  requestRow(requestId: number): Locator {
    return this.requests()
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: String(requestId), exact: true }) });
  }

  roles(): Locator {
    return this.page.getByRole('region', { name: 'My roles' });
  }

  form(): Locator {
    return this.page.getByRole('region', { name: 'Request a role' });
  }

  async chooseOrganization(organization: string | RegExp): Promise<void> {
    await pickOrganization(this.form(), 'Organization', organization);
  }

  async chooseRole(role: string): Promise<void> {
    await this.form().getByLabel('Role').selectOption(role);
  }

  /** The roles the Role list offers (not its "Select a role"). */
  async roleOptions(): Promise<string[]> {
    return (await this.form().getByLabel('Role').locator('option').allTextContents()).filter((label) => label !== 'Select a role');
  }

  /** The words under the Role list: why it is shorter, or why a role was cleared. */
  roleHint(): Locator {
    return this.form().locator('#request-role-hint');
  }

  async withdraw(requestId: number): Promise<void> {
    await this.requestRow(requestId).getByRole('button', { name: 'Withdraw' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Withdraw this request?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Withdraw' }).click();
    await expect(dialog).toBeHidden();
  }
}

async function optionMatching(select: Locator, pattern: RegExp): Promise<string> {
  const labels = await select.locator('option').allTextContents();
  const label = labels.find((text) => pattern.test(text));
  if (!label) throw new Error(`No option matches ${pattern}: ${labels.join(' | ')}`);
  return label;
}

/** The organization picker's field: a plain list (an official of a few organizations) or the search field (CMS). */
export function organizationField(within: Locator, label: string): Locator {
  return within.getByLabel(label).and(within.locator('select, input'));
}

/**
 * Chooses an organization with the organization picker, as the official does: from the plain
 * list, or by typing (`typed`, else the label itself; nothing for a pattern, which the first
 * organizations listed must hold) and picking the match.
 */
export async function pickOrganization(within: Locator, label: string, organization: string | RegExp, typed?: string): Promise<void> {
  const field = organizationField(within, label);
  // Until its first answer the picker is a disabled search field, which may then become a list.
  await expect(field).toBeEnabled();
  if ((await field.evaluate((element) => element.tagName)) === 'SELECT') {
    await field.selectOption({ label: typeof organization === 'string' ? organization : await optionMatching(field, organization) });
    return;
  }
  await field.click();
  await field.fill(typed ?? (typeof organization === 'string' ? organization : ''));
  await within
    .page()
    .getByRole('option', { name: organization, exact: typeof organization === 'string' })
    .click();
  await expect(field).toHaveValue(organization);
}

export class RoleRequestsPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Role Requests' })).toBeVisible();
    await expect(this.page.getByTestId('queue-count').or(this.page.getByTestId('queue-empty')).first()).toBeVisible();
  }

  grid(): Locator {
    return this.page.getByRole('grid');
  }

  /** The request rows (not the header row) on screen. */
  rows(): Locator {
    return this.grid()
      .getByRole('row')
      .filter({ has: this.page.getByRole('gridcell') });
  }

  /** Rows whose text has all of the given parts (a name, an organization, a role...). */
  rowWith(...parts: Array<string | RegExp>): Locator {
    let rows = this.rows();
    for (const part of parts) rows = rows.filter({ hasText: part });
    return rows;
  }

  rowOf(requestId: number): Locator {
    return this.grid().locator(`[role="row"][data-request-id="${requestId}"]`);
  }

  /** "N pending requests", as a number. */
  async total(): Promise<number> {
    const heading = this.page.getByTestId('queue-count');
    await expect(heading).toHaveText(/^[\d,]+ pending requests?$/);
    return Number(((await heading.textContent()) ?? '').replace(/[^\d]/g, ''));
  }

  empty(): Locator {
    return this.page.getByTestId('queue-empty');
  }

  async select(row: Locator): Promise<void> {
    await row.getByRole('checkbox').check();
  }

  async filterOrganization(label: string | RegExp): Promise<void> {
    const select = this.page.getByLabel('Organization');
    await select.selectOption({ label: typeof label === 'string' ? label : await optionMatching(select, label) });
  }

  approveButton(): Locator {
    return this.page.getByRole('button', { name: /^Approve( \(\d+\))?$/ });
  }

  rejectButton(): Locator {
    return this.page.getByRole('button', { name: /^Reject( \(\d+\))?$/ });
  }

  approveDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Approve Request' });
  }

  rejectDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Reject Request' });
  }

  async openApprove(): Promise<Locator> {
    await this.approveButton().click();
    await expect(this.approveDialog()).toBeVisible();
    return this.approveDialog();
  }

  async openReject(): Promise<Locator> {
    await this.rejectButton().click();
    await expect(this.rejectDialog()).toBeVisible();
    return this.rejectDialog();
  }

  async confirmApprove(): Promise<void> {
    await this.approveDialog().getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(this.approveDialog()).toBeHidden();
  }

  async confirmReject(reason: string): Promise<void> {
    const dialog = this.rejectDialog();
    await dialog.getByLabel('Rejection Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Reject', exact: true }).click();
  }

  /** The green notification after a decision. */
  result(): Locator {
    return this.page.getByTestId('decision-result');
  }

  async view(row: Locator): Promise<Locator> {
    await row.getByRole('button', { name: /^View/ }).click();
    const panel = this.page.getByRole('dialog', { name: /^Request ID: \d+$/ });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: 'Profile Information' })).toBeVisible();
    return panel;
  }

  /** Approve (or Reject) from a request's View: the same pop-up, for that request alone. */
  async decideFromView(panel: Locator, action: 'Approve' | 'Reject'): Promise<Locator> {
    await panel.getByRole('button', { name: action, exact: true }).click();
    const dialog = action === 'Approve' ? this.approveDialog() : this.rejectDialog();
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** "1 of 2 approvals" on a row of the queue (its title names who gave them). */
  rowApprovals(row: Locator): Locator {
    return row.getByTestId('row-approvals');
  }
}

/** How many selected requests the Approve and Reject pop-ups list one by one (the rest are counted). */
export const LISTED_MAX_IN_POP_UP = 100;

/** What the Approve and Reject pop-ups list: the counts per flag, then each selected request. */
export class DecisionList {
  constructor(private readonly dialog: Locator) {}

  /** The counts at the top ("2 Security Official roles"), each as it reads. */
  async counts(): Promise<string[]> {
    return (await this.dialog.getByTestId('decision-counts').getByRole('listitem').allTextContents()).map((text) => text.trim());
  }

  countsBox(): Locator {
    return this.dialog.getByTestId('decision-counts');
  }

  /** The part listing the requests that will not be decided, with why. */
  refused(): Locator {
    return this.dialog.getByTestId('refused-requests');
  }

  /** The part listing the requests the click decides. */
  decided(): Locator {
    return this.dialog.getByTestId('decided-requests');
  }

  /** One listed request: its row of facts and its flags or refusal. */
  item(requestId: number): Locator {
    return this.dialog.locator(`tbody[data-request-id="${requestId}"]`);
  }

  /** The flags of a listed request, in the words shown. */
  async flags(requestId: number): Promise<string[]> {
    return (
      await this.item(requestId)
        .getByRole('list', { name: /^Flags for / })
        .getByRole('listitem')
        .allTextContents()
    ).map((text) => text.trim());
  }

  /** The Request IDs listed, in order (refused ones first). */
  async requestIds(): Promise<number[]> {
    return this.dialog.locator('tbody[data-request-id]').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-request-id'))));
  }

  /** "And N more selected requests, not listed here one by one." */
  unlisted(): Locator {
    return this.dialog.getByTestId('decision-unlisted');
  }

  list(): Locator {
    return this.dialog.getByTestId('decision-list');
  }
}

export class OutboxPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Outbox' })).toBeVisible();
  }

  table(): Locator {
    return this.page.getByTestId('outbox-table');
  }

  async filter(status: 'All' | 'Queued' | 'Sent' | 'Failed'): Promise<void> {
    await this.page.getByLabel('Status').selectOption({ label: status });
  }
}

export class MailSettingsPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Mail settings' })).toBeVisible();
    await expect(this.page.getByLabel('SMTP host')).toBeVisible();
  }

  async save(settings: { host: string; port: number; tls: boolean; user?: string; from: string; password?: string }): Promise<void> {
    const main = this.page.getByRole('main');
    await main.getByLabel('SMTP host').fill(settings.host);
    await main.getByLabel('Port').fill(String(settings.port));
    await main.getByLabel('Use TLS').setChecked(settings.tls);
    await main.getByLabel('User name').fill(settings.user ?? '');
    await main.getByLabel('From address').fill(settings.from);
    if (settings.password !== undefined) await main.getByLabel('Password', { exact: true }).fill(settings.password);
    await main.getByRole('button', { name: 'Save' }).click();
    await expect(this.page.getByTestId('mail-settings-saved')).toContainText('Mail settings saved.');
  }
}

/**
 * Signs a demo account in again on a host where it signed in before: codes are single-use,
 * so this one moves the console's clock to a fresh step first.
 */
export async function signInFresh(
  page: Page,
  host: { url: string; freshCode(page: Page, secret: string): Promise<string> },
  account: { userId: string; password: string; totpKey: string },
  firstName: string,
): Promise<HomePage> {
  await page.goto(host.url);
  await new SignInPage(page).signIn(account.userId, account.password, await host.freshCode(page, account.totpKey));
  await new WarningPage(page).accept();
  const home = new HomePage(page);
  await home.expectWelcome(firstName);
  return home;
}

export class UserLookupPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'User Lookup' })).toBeVisible();
    await expect(this.count()).toHaveText(/^Users \([\d,]+\)$/);
  }

  form(): Locator {
    return this.page.getByRole('search', { name: 'User Lookup' });
  }

  async search(query: string, filters: { program?: string; organization?: string } = {}): Promise<void> {
    const form = this.form();
    if (filters.program) await form.getByLabel('Program *').selectOption(filters.program);
    if (filters.organization) await pickOrganization(form, 'Organization *', filters.organization);
    await form.getByLabel('Search').fill(query);
    await form.getByRole('button', { name: 'Search' }).click();
  }

  count(): Locator {
    return this.page.getByTestId('users-count');
  }

  /** "Users (N)", as a number. */
  async total(): Promise<number> {
    await expect(this.count()).toHaveText(/^Users \([\d,]+\)$/);
    return Number(((await this.count().textContent()) ?? '').replace(/[^\d]/g, ''));
  }

  table(): Locator {
    return this.page.getByTestId('users-table');
  }

  row(userId: string): Locator {
    return this.table().locator(`tr[data-user-id="${userId}"]`);
  }

  /** The user IDs listed, in order. */
  async userIds(): Promise<string[]> {
    return this.table()
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user-id') ?? ''));
  }

  async openProfile(name: string): Promise<ProfilePage> {
    await this.table().getByRole('button', { name }).click();
    const profile = new ProfilePage(this.page);
    await profile.expectShown();
    return profile;
  }

  /** Searches for the user ID, then opens that user's profile (its button reads "Last, First"). */
  async findAndOpen(userId: string, name: string): Promise<ProfilePage> {
    await this.search(userId);
    await expect(this.row(userId)).toBeVisible();
    return this.openProfile(name);
  }
}

/** User Lookup's Create user pop-up. */
export class CreateUserDialog {
  constructor(private readonly page: Page) {}

  dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Create user' });
  }

  async open(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Create user' }).click();
    await expect(this.dialog()).toBeVisible();
    return this.dialog();
  }

  async chooseOrganization(organization: string | RegExp): Promise<void> {
    await pickOrganization(this.dialog(), 'Organization', organization);
  }

  /** The roles the Role list offers (not its "Select a role"). */
  async roleOptions(): Promise<string[]> {
    return (await this.dialog().getByLabel('Role').locator('option').allTextContents()).filter((label) => label !== 'Select a role');
  }

  roleHint(): Locator {
    return this.dialog().locator('#create-role-hint');
  }

  /** Fills the person and their first role; the official's code confirms. */
  async create(
    person: { firstName: string; lastName: string; email: string; userId: string; organization?: string | RegExp; role: string },
    code: string,
  ): Promise<void> {
    const dialog = this.dialog();
    await dialog.getByLabel('First Name').fill(person.firstName);
    await dialog.getByLabel('Last Name').fill(person.lastName);
    await dialog.getByLabel('Email Address').fill(person.email);
    await dialog.getByLabel('User ID').fill(person.userId);
    if (person.organization) await this.chooseOrganization(person.organization);
    await dialog.getByLabel('Role').selectOption(person.role);
    await dialog.getByLabel('Security Code').fill(code);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect(dialog).toBeHidden();
  }
}

export class ProfilePage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 2, name: 'Profile Information' })).toBeVisible();
    await expect(this.page.getByRole('heading', { level: 2, name: 'User Roles' })).toBeVisible();
  }

  roles(): Locator {
    return this.page.getByTestId('user-roles');
  }

  status(): Locator {
    return this.page.getByTestId('account-status');
  }

  notice(): Locator {
    return this.page.getByTestId('profile-notice');
  }

  /** The message shown instead of a profile the official may not open. */
  error(): Locator {
    return this.page.getByRole('main').getByRole('alert').locator('.ds-c-alert__text');
  }

  actions(): Locator {
    return this.page.getByRole('group', { name: 'Account actions' });
  }

  /** The account actions offered, as their buttons read (none: an empty list). */
  async actionLabels(): Promise<string[]> {
    await expect(this.page.getByTestId('account-state')).toBeVisible();
    if ((await this.actions().count()) === 0) return [];
    return (await this.actions().getByRole('button').allTextContents()).map((text) => text.trim());
  }

  /** The temporary password the notice shows once (after Create user, an approval, a reset). */
  async temporaryPassword(): Promise<string> {
    const password = ((await this.page.getByTestId('temporary-password').textContent()) ?? '').trim();
    expect(password).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    return password;
  }

  async removeRole(role: string, program: string): Promise<Locator> {
    await this.roles()
      .getByRole('row')
      .filter({ hasText: role })
      .filter({ hasText: program })
      .getByRole('button', { name: /^Remove/ })
      .click();
    const dialog = this.page.getByRole('dialog', { name: 'Remove Role' });
    await expect(dialog).toContainText('Are you sure you want to remove this role?');
    return dialog;
  }

  /** Runs an account action with the official's fresh code; returns the temporary password, if one was given. */
  async accountAction(label: string, code: string): Promise<string | null> {
    await this.page.getByRole('group', { name: 'Account actions' }).getByRole('button', { name: label }).click();
    const dialog = this.page.getByRole('dialog', { name: label });
    await dialog.getByLabel('Security Code').fill(code);
    await dialog.getByRole('button', { name: label }).click();
    await expect(dialog).toBeHidden();
    await expect(this.notice()).toBeVisible();
    const password = this.page.getByTestId('temporary-password');
    return (await password.count()) > 0 ? ((await password.textContent()) ?? '').trim() : null;
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: /Back to Previous Page/ }).click();
  }
}

/** The first sign-in of an account without an authenticator: temporary password, new password, a first credential. */
export async function firstSignIn(
  page: Page,
  host: { url: string; code(secret: string): string; freshCode(page: Page, secret: string): Promise<string> },
  account: { userId: string; temporaryPassword: string; newPassword: string },
  /** Called on the enrollment page before it is filled (a screenshot, an axe scan). */
  onEnrollment?: () => Promise<void>,
): Promise<{ key: string }> {
  await startNewUserEnrollment(page, host, account.userId, account.temporaryPassword);
  await changePassword(page, account.newPassword);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' })).toBeVisible();
  await onEnrollment?.();
  const key = (await page.getByTestId('totp-key').textContent())?.replace(/\s+/g, '') ?? '';
  expect(key).toMatch(/^[A-Z2-7]{32,}$/);
  await page.getByLabel('Security Code').fill(host.code(key));
  await page.getByRole('button', { name: 'Link credential' }).click();
  // QualityNet guide, Figure 5-9: the last step of New User Enrollment, then on into the console.
  await expect(page.getByRole('heading', { level: 1, name: 'Successful Two-Factor Enrollment' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  return { key };
}

/** Start/Complete New User Enrollment on the Login page: user ID and temporary password, then Login. */
export async function startNewUserEnrollment(page: Page, host: { url: string }, userId: string, temporaryPassword: string): Promise<void> {
  await page.goto(host.url);
  await new SignInPage(page).expectShown();
  await page.getByRole('button', { name: 'Start/Complete New User Enrollment' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New User Enrollment' })).toBeVisible();
  await page.getByLabel('User ID').fill(userId);
  await page.getByLabel('Temporary Password').fill(temporaryPassword);
  await page.getByLabel('I agree to the Terms & Conditions').check();
  await page.getByRole('button', { name: 'Login', exact: true }).click();
}

export async function changePassword(page: Page, newPassword: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Change your password' })).toBeVisible();
  await page.getByLabel('New Password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm New Password').fill(newPassword);
  await page.getByRole('button', { name: 'Change Password' }).click();
}

export interface DocumentEntry {
  document: string;
  issuer: string;
  expiresOn?: string;
  last4: string;
}

export class InPersonProofingPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'In-Person Proofing' })).toBeVisible();
  }

  async search(accountId: string): Promise<void> {
    await this.lookUp(accountId);
    await expect(this.page.getByTestId('proofing-subject')).toContainText(accountId);
  }

  /** Types the Account ID and searches, whatever the answer (a person, or why not). */
  async lookUp(accountId: string): Promise<void> {
    await this.page.getByLabel('* Account ID').fill(accountId);
    await this.page.getByRole('search', { name: 'Find the account' }).getByRole('button', { name: 'Search' }).click();
  }

  /** Why the Account ID found nobody (shown under the field). */
  searchError(): Locator {
    return this.page.getByRole('search', { name: 'Find the account' }).locator('.ds-c-inline-error');
  }

  /** Why this official may not proof the person found (shown instead of the decision form). */
  refusal(): Locator {
    return this.page
      .getByRole('region')
      .filter({ has: this.page.getByTestId('proofing-subject') })
      .getByRole('alert')
      .locator('.ds-c-alert__text');
  }

  state(): Locator {
    return this.page.getByTestId('proofing-state');
  }

  evidence(kind: 'photo' | 'address' | 'dateOfBirth'): Locator {
    return this.page.getByTestId(`evidence-${kind}`);
  }

  async fill(kind: 'photo' | 'address' | 'dateOfBirth', entry: DocumentEntry | 'same as photo'): Promise<void> {
    const group = this.evidence(kind);
    const same = group.getByLabel('The same document as the Photo Identification');
    if (entry === 'same as photo') {
      await same.check();
      return;
    }
    if ((await same.count()) > 0) await same.uncheck();
    await group.getByLabel('Document', { exact: true }).selectOption({ label: entry.document });
    await group.getByLabel('Issuer').fill(entry.issuer);
    if (entry.expiresOn) await group.getByLabel(/^Expiry date/).fill(entry.expiresOn);
    await group.getByLabel('Last 4 characters of the number').fill(entry.last4);
  }

  ial2(): Locator {
    return this.page.getByTestId('ial2-status');
  }

  outcome(): Locator {
    return this.page.getByTestId('proofing-outcome');
  }

  form(): Locator {
    return this.page.getByRole('form', { name: 'Proofing decision' });
  }

  async decide(button: 'Approve' | 'Cancel' | 'Reject'): Promise<void> {
    await this.form().getByRole('button', { name: button, exact: true }).click();
  }

  /** The person is in the room with a passport and a utility bill (IAL2): the official approves. */
  async proofWithPassportAndBill(accountId: string): Promise<void> {
    await this.search(accountId);
    await this.fill('photo', { document: 'U.S. passport (SUPERIOR)', issuer: 'U.S. Department of State', expiresOn: '2031-03-01', last4: '4821' });
    await this.fill('address', { document: 'Utility bill (FAIR)', issuer: 'Florida Power & Light', last4: '0042' });
    await this.fill('dateOfBirth', 'same as photo');
    await this.form()
      .getByLabel(/I affirm that the individual appeared in person/)
      .check();
    await this.decide('Approve');
    await expect(this.state()).toHaveText('Identity proofed in person');
  }
}

export class FsidPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Federal Surveyor IDs' })).toBeVisible();
    await expect(this.page.getByRole('heading', { level: 2, name: 'Search for Users' })).toBeVisible();
  }

  async searchPending(): Promise<void> {
    await this.page.getByRole('button', { name: 'Show Advanced Search' }).click();
    await this.page.getByLabel('Show only users pending Federal Surveyor ID verification').check();
    await this.page.getByRole('search', { name: 'Search for Users' }).getByRole('button', { name: 'Search', exact: true }).click();
  }

  row(userId: string): Locator {
    return this.page.getByTestId('fsid-table').locator(`tr[data-user-id="${userId}"]`);
  }

  async enter(userId: string, fsid: string): Promise<void> {
    await this.row(userId)
      .getByRole('button', { name: /Federal Surveyor ID for/ })
      .click();
    const dialog = this.page.getByRole('dialog', { name: 'Enter Federal Surveyor ID' });
    await dialog.getByLabel('Federal Surveyor ID').fill(fsid);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
  }

  async choose(userId: string, action: 'Verify' | 'Remove'): Promise<void> {
    await this.row(userId)
      .getByRole('button', { name: /actions for/ })
      .click();
    await this.row(userId).getByRole('button', { name: action, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Are you sure?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: action, exact: true }).click();
    await expect(dialog).toBeHidden();
  }
}

/** iQIES job aid 5, Request History: search, the list, the Request ID pop-up; and the archive buttons. */
export class RequestHistoryPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Request History' })).toBeVisible();
    await expect(this.page.getByText('A history of your past approvals and rejections.')).toBeVisible();
    await expect(this.page.getByTestId('history-count').or(this.page.getByTestId('history-empty')).first()).toBeVisible();
  }

  async search(text: string): Promise<void> {
    const form = this.page.getByRole('search', { name: 'Request History' });
    await form.getByLabel('Search by Name or Request ID').fill(text);
    await form.getByRole('button', { name: 'Search' }).click();
  }

  grid(): Locator {
    return this.page.getByRole('grid');
  }

  rows(): Locator {
    return this.grid()
      .getByRole('row')
      .filter({ has: this.page.getByRole('gridcell') });
  }

  rowOf(requestId: number): Locator {
    return this.grid().locator(`[role="row"][data-request-id="${requestId}"]`);
  }

  /** The Request IDs listed, in order (the first page). */
  async requestIds(): Promise<number[]> {
    const ids = await this.rows().evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-request-id'))));
    return ids;
  }

  async view(requestId: number): Promise<Locator> {
    await this.rowOf(requestId).getByRole('button', { name: /^View/ }).click();
    const dialog = this.page.getByRole('dialog', { name: `Request ID: ${requestId}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('columnheader', { name: 'Action' })).toBeVisible();
    return dialog;
  }

  async close(dialog: Locator): Promise<void> {
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await expect(dialog).toBeHidden();
  }

  /** Export archive: choose organizations (as their checkboxes read), keep the default period; returns the downloaded file's path. */
  async exportArchive(organizations: Array<string | RegExp>, saveAs: string): Promise<string> {
    await this.page.getByRole('button', { name: 'Export archive' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Export archive' });
    await expect(dialog).toBeVisible();
    for (const organization of organizations) {
      // A few organizations are ticked; more are found by name or ID and added, ticked.
      const add = dialog.getByLabel('Add an organization');
      if ((await add.count()) > 0 && typeof organization === 'string') {
        await add.click();
        await add.fill(organization);
        await this.page.getByRole('option', { name: organization, exact: true }).click();
        // Added below, ticked; the field empties for the next one.
        await expect(add).toHaveValue('');
      }
      await dialog.getByRole('checkbox', { name: organization }).check();
    }
    const download = this.page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    const file = await download;
    await file.saveAs(saveAs);
    await expect(dialog).toBeHidden();
    await expect(this.page.getByTestId('archive-notice')).toContainText('signed by this console');
    return saveAs;
  }

  async openArchive(path: string): Promise<Locator> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Open archive' }).click();
    await (await chooser).setFiles(path);
    const banner = this.page.getByTestId('archive-banner');
    await expect(banner).toBeVisible();
    return banner;
  }
}

export class AuditTrailPage {
  constructor(private readonly page: Page) {}

  async expectShown(): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
    await expect(this.page.getByTestId('audit-count').or(this.page.getByTestId('audit-empty')).first()).toBeVisible();
  }

  status(): Locator {
    return this.page.getByTestId('audit-status');
  }

  grid(): Locator {
    return this.page.getByRole('grid');
  }

  rows(): Locator {
    return this.grid()
      .getByRole('row')
      .filter({ has: this.page.getByRole('gridcell') });
  }

  async filterKind(label: string): Promise<void> {
    await this.page.getByLabel('Kind of event').selectOption({ label });
  }

  /** The panel with every detail of the event opened by "Show details" (or Enter on its row). */
  detailsPanel(): Locator {
    return this.page.getByTestId('audit-event-details');
  }

  /** Opens every detail of an event (its row shows them on one line, cut at the cell's edge). */
  async showDetails(row: Locator): Promise<Locator> {
    // Its words turn to "Hide details" once open.
    const toggle = row.getByRole('button', { name: /^(Show|Hide) details of event \d+$/ });
    await expect(toggle).toHaveAccessibleName(/^Show details/);
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(this.detailsPanel()).toBeVisible();
    return this.detailsPanel();
  }
}

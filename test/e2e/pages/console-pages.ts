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
    await this.nav().getByRole('link', { name: pageName }).or(this.nav().getByRole('button', { name: pageName })).first().click();
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

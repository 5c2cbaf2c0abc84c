import { defineConfig } from '@playwright/test';

/**
 * The console under Playwright's _electron, where the Electron binary exists. Each spec
 * skips, saying why, where it does not (this machine and CI: the binary is downloaded on
 * first start and they cannot download it); the browser host specs (test/e2e) cover the same
 * screens there. Run with `npm run test:electron` (builds first).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.electron.spec.ts',
  // One Electron at a time: each is a whole browser.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  reporter: [['list']],
  outputDir: '../../test-results/electron',
  use: { trace: 'retain-on-failure' },
});

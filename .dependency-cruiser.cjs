// The layers of src/ (README, "Where is…"): base → bird → domain → activities → workflows → client → doors, domain
// pure, bird-sim apart. Checked by test/import-graph.test.ts (and `npx depcruise src`), type-only imports included.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-folder-cycle',
      comment: 'No folder imports a folder above it: folders, not only files, form no loop (e.g. bird ↔ domain).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'base-is-the-ground-floor',
      comment:
        'base/ (the zod issue formatter, Secret) is what bird/ and everything above it share: it imports no folder.',
      severity: 'error',
      from: { path: '^src/base/' },
      to: { path: '^src/(?!base/)', dependencyTypesNot: ['npm', 'core'] },
    },
    {
      name: 'bird-imports-only-base',
      comment: 'bird/ is the lowest layer after base/: it never climbs to domain/, config/ or above.',
      severity: 'error',
      from: { path: '^src/bird/' },
      to: { path: '^src/(?!bird/|base/)', dependencyTypesNot: ['npm', 'core'] },
    },
    {
      name: 'nothing-below-imports-workflows',
      comment: 'Activities, Bird, the bulk store, domain and callers never import workflow code: they share domain/.',
      severity: 'error',
      from: { path: '^src/(?!workflows/|worker/)' },
      to: { path: '^src/workflows/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        'domain/ is bundled into the workflow sandbox: only itself, zod, Temporal message definitions, Bird types, the zod issue formatter and the problems it makes.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/|bird/schemas|base/zod-issues|base/problems)', dependencyTypesNot: ['npm'] },
    },
    {
      name: 'bird-sim-apart',
      comment: 'The simulator stands for Bird: the product does not import it (only the demo, which runs it).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(bird-sim/|demo\\.ts|demo/)' },
      to: { path: '^src/bird-sim/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)' },
  },
};

// The layers of src/ (README, "Map"): bird → activities → workflows → client/CLI, domain pure, bird-sim apart.
// Checked by test/unit/import-graph.test.ts (and `npx depcruise src`), type-only imports included.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
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
        'domain/ is bundled into the workflow sandbox: only itself, zod, Temporal message definitions and Bird types.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/|bird/schemas)', dependencyTypesNot: ['npm'] },
    },
    {
      name: 'bird-sim-apart',
      comment: 'The simulator stands for Bird: the product does not import it (only the demo, which runs it).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(bird-sim/|demo\\.ts)' },
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

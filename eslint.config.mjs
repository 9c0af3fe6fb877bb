// @ts-check
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import prettier from 'eslint-config-prettier';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', '.test-build/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['eslint.config.mjs', 'scripts/bench/memory-probe.mjs', '.dependency-cruiser.cjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Async handlers without await are normal for fastify routes and injected fakes.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // src/workflows and the pure domain modules it imports are bundled into the workflow sandbox.
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Node built-ins are not allowed in workflow code (determinism).',
          })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities only as types: `import type`.',
            },
            {
              group: [
                '**/bird/client',
                '**/bird/rate-limits/pacer',
                '**/bird/rate-limits/pacer-shares',
                '**/bird/rate-limits/fairness',
                '**/bird-sim/**',
                '**/webhook-receiver/**',
                '**/config/**',
                '**/worker/**',
                '**/client/**',
              ],
              message: 'I/O modules are not allowed in workflow code (from bird/, only pure modules).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep()/condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep()/condition() from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code must not read the environment.' },
        { name: 'fetch', message: 'Workflow code does no I/O; call an activity.' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Formatting is prettier's (npm run format); this turns off the lint rules that would disagree with it.
  prettier,
);

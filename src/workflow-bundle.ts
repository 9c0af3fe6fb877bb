/**
 * Where the worker finds pre-bundled workflow code. The image builds it with scripts/bundle-workflows.ts next to
 * the compiled sources (dist/workflow-bundle.js beside dist/src/); in development (sources run by tsx) the worker
 * bundles src/workflows at start-up instead, so a stale bundle can never shadow the code being edited.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config';

/** dist/workflow-bundle.js, seen from the compiled dist/src/workflow-bundle.js. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = resolve(__dirname, '..', 'workflow-bundle.js');
const RUNNING_COMPILED = __filename.endsWith('.js');

/** The bundle to load: WORKFLOW_BUNDLE_PATH if set (it must exist), else the built one when running compiled code. */
export function findWorkflowBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const configured = env.WORKFLOW_BUNDLE_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new ConfigError([`WORKFLOW_BUNDLE_PATH: no file at ${configured} (build it with \`npm run bundle-workflows\`)`]);
    return { codePath: resolve(configured) };
  }
  return RUNNING_COMPILED && existsSync(DEFAULT_WORKFLOW_BUNDLE_PATH) ? { codePath: DEFAULT_WORKFLOW_BUNDLE_PATH } : undefined;
}

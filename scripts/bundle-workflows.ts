/**
 * Pre-bundles the workflow code (and its interceptors) at build time: `npm run bundle-workflows [-- out.js]`.
 * The Dockerfile runs it, so the production worker starts without webpack and without TypeScript sources of the
 * workflows; src/worker.ts loads the bundle when it exists (WORKFLOW_BUNDLE_PATH, default dist/workflow-bundle.js).
 */
import { bundleWorkflowCode, type Logger } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker/factory';
import { DEFAULT_WORKFLOW_BUNDLE_PATH } from '../src/worker/bundle';

export async function writeWorkflowBundle(out: string, logger?: Logger): Promise<{ path: string; bytes: number }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    ...(logger ? { logger } : {}),
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  return { path: out, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  // Compiled, this file is dist/scripts/bundle-workflows.js and the default is dist/workflow-bundle.js.
  const out = resolve(process.argv[2] ?? DEFAULT_WORKFLOW_BUNDLE_PATH);
  writeWorkflowBundle(out)
    .then(({ path, bytes }) => console.log(`workflow bundle: ${path} (${(bytes / 1024).toFixed(0)} KiB)`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

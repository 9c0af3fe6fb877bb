/**
 * The workflow code a worker runs: where it finds the pre-bundled code, or how it bundles the sources. The image builds it with scripts/bundle-workflows.ts next to
 * the compiled sources (dist/workflow-bundle.js beside dist/src/); in development (sources run by tsx) the worker
 * bundles src/workflows at start-up instead, so a stale bundle can never shadow the code being edited.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ConfigError } from '../config/app-config';

/** dist/workflow-bundle.js, seen from the compiled dist/src/worker/bundle.js. */
export const DEFAULT_WORKFLOW_BUNDLE_PATH = resolve(__dirname, '..', '..', 'workflow-bundle.js');
const RUNNING_COMPILED = __filename.endsWith('.js');

/** The bundle to load: WORKFLOW_BUNDLE_PATH if set (it must exist), else the built one when running compiled code. */
export function findWorkflowBundle(env: NodeJS.ProcessEnv = process.env): { codePath: string } | undefined {
  const configured = env.WORKFLOW_BUNDLE_PATH;
  if (configured) {
    if (!existsSync(configured))
      throw new ConfigError([
        {
          field: 'WORKFLOW_BUNDLE_PATH',
          reason: `no file at ${configured} (build it with \`npm run bundle-workflows\`)`,
        },
      ]);
    return { codePath: resolve(configured) };
  }
  return RUNNING_COMPILED && existsSync(DEFAULT_WORKFLOW_BUNDLE_PATH)
    ? { codePath: DEFAULT_WORKFLOW_BUNDLE_PATH }
    : undefined;
}

/**
 * Bundles src/workflows (and their interceptors) when running from sources. webpack's report (every asset and
 * module, many lines in one message) goes to debug; info gets one line: the bundle's size and how long it took.
 */
export async function bundleFromSources(
  workflowsPath: string,
  workflowInterceptorModules: string[],
  logger: Logger,
): Promise<{ code: string }> {
  const started = Date.now();
  const atDebug: Logger = {
    log: (level, message, meta) => {
      logger.log(level === 'INFO' ? 'DEBUG' : level, message, meta);
    },
    trace: (message, meta) => {
      logger.trace(message, meta);
    },
    debug: (message, meta) => {
      logger.debug(message, meta);
    },
    info: (message, meta) => {
      logger.debug(message, meta);
    },
    warn: (message, meta) => {
      logger.warn(message, meta);
    },
    error: (message, meta) => {
      logger.error(message, meta);
    },
  };
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: atDebug });
  logger.info('workflow bundle built from sources', {
    bundleKiB: Math.round(Buffer.byteLength(code) / 1024),
    bundleMs: Date.now() - started,
  });
  return { code };
}

/**
 * One real Temporal dev server and one workflow bundle per test run, created on first use and shared by every test
 * file (mocha runs them in one process). The server is the CLI binary scripts/temporal.sh builds; no download.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker/factory';
import { installTestRuntime } from './runtime';

export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** host:port of the dev server's frontend, for worker processes the tests spawn. */
  address: string;
  /** The dev server's Web UI (enabled for the browser test), e.g. http://127.0.0.1:41234. */
  uiUrl: string;
}

let harness: Promise<TemporalHarness> | undefined;

export function temporalCliPath(): string {
  const path = process.env.TEMPORAL_CLI ?? resolve(__dirname, '../../.tools/bin/temporal');
  if (!existsSync(path)) {
    throw new Error(`no Temporal CLI at ${path}: run "bash scripts/temporal.sh ensure" (or set TEMPORAL_CLI)`);
  }
  return path;
}

export function temporal(): Promise<TemporalHarness> {
  harness ??= (async () => {
    installTestRuntime();
    const uiPort = await freePort();
    const [env, workflowBundle] = await Promise.all([
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: temporalCliPath() },
          searchAttributes: [...PROVISIONING_SEARCH_ATTRIBUTES],
          log: { format: 'pretty', level: 'error' },
          // The Web UI is on for the browser test (test/ui.test.ts); it costs the other tests nothing.
          ui: true,
          uiPort,
          // Task-queue fairness, as scripts/temporal.sh runs the dev server (per-workspace Bird rate limits).
          extraArgs: ['--dynamic-config-value', 'matching.enableFairness=true'],
        },
      }),
      bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
        logger: quietLogger,
      }),
    ]);
    const address = String(env.connection.options.address);
    return { env, workflowBundle, address, uiUrl: `http://127.0.0.1:${uiPort}` };
  })();
  return harness;
}

export async function shutdownTemporal(): Promise<void> {
  if (!harness) return;
  const { env } = await harness;
  harness = undefined;
  await env.teardown();
}

/** The product's workflows with test-only workflow interceptors added (a bundle of their own, for one stack). */
export function bundleWithInterceptors(modules: string[]): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, ...modules],
    logger: quietLogger,
  });
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

/** A port free right now (for servers that cannot report the port they bound, like the dev server's UI). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

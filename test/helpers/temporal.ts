/**
 * One real Temporal dev server and one workflow bundle per test run, created on first use and shared by every test
 * file (mocha runs them in one process). The server is the CLI binary scripts/temporal.sh builds; no download.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';

export interface TemporalHarness {
  env: TestWorkflowEnvironment;
  workflowBundle: WorkflowBundleWithSourceMap;
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
    // Workers log state changes at INFO and expected workflow failures at WARN; tests print only errors (TEST_LOG_LEVEL=INFO to see all).
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
    const [env, workflowBundle] = await Promise.all([
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: temporalCliPath() },
          searchAttributes: [...PROVISIONING_SEARCH_ATTRIBUTES],
          log: { format: 'pretty', level: 'error' },
        },
      }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger }),
    ]);
    return { env, workflowBundle };
  })();
  return harness;
}

export async function shutdownTemporal(): Promise<void> {
  if (!harness) return;
  const { env } = await harness;
  harness = undefined;
  await env.teardown();
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

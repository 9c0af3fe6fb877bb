/**
 * A time-skipping Temporal test server (TestWorkflowEnvironment.createTimeSkipping) for tests whose durations are
 * the point: a 30-minute readiness deadline or hours of compensation retries run in seconds, at their real values.
 * The server is Temporal's Java test server, fetched from Maven Central by scripts/time-skipping-server.sh (the
 * SDK's own download comes from a CDN that not every machine reaches).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { installTestRuntime } from './runtime';

const ROOT = resolve(__dirname, '../..');

/** The launcher of the Java test server: $TEMPORAL_TEST_SERVER (set by scripts/prepare.sh), or fetched now. */
export function timeSkippingServerPath(): string {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER;
  if (fromEnv) return fromEnv;
  return execFileSync('bash', [resolve(ROOT, 'scripts/time-skipping-server.sh'), 'ensure'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** A time-skipping server with the product's search attributes registered (it refuses upserts of unknown ones). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      PROVISIONING_SEARCH_ATTRIBUTES.map((key) => [
        key.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export function bundleProductWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: resolve(ROOT, 'src/workflows'),
    workflowInterceptorModules: [resolve(ROOT, 'src/workflows/interceptors')],
    logger: quietLogger,
  });
}

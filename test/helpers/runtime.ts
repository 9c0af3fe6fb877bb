/**
 * The SDK runtime of the test process, installed once by whichever harness comes first (the dev server's or the
 * time-skipping server's): it can be installed only before its first use. Workers log state changes at INFO and
 * expected workflow failures at WARN; tests print only errors (TEST_LOG_LEVEL=INFO to see all).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

export function installTestRuntime(): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
}

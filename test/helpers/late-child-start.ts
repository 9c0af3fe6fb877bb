/**
 * Test-only workflow interceptor: a bulk run learns that every second child has started only a few seconds late (a
 * durable timer), as a busy worker or server can make it. A child that ends within that time reports before its
 * start has resolved in the bulk run, and the others of its batch are in the window while it is still starting: the
 * races test/bulk-early-reports.test.ts reproduces on purpose.
 */
import { sleep, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const LATE_START_MS = 4_000;

export const interceptors: WorkflowInterceptorsFactory = () => {
  let starts = 0; // per run (the factory is called once per workflow run, so replay counts alike)
  return {
    outbound: [
      {
        async startChildWorkflowExecution(input, next) {
          const [started, completed] = await next(input);
          if (workflowInfo().workflowType !== 'bulkOnboard' || starts++ % 2 === 0) return [started, completed];
          return [started.then(async (runId) => (await sleep(LATE_START_MS), runId)), completed];
        },
      },
    ],
  };
};

/** After-hook cleanup shared by the process tests: runs left waiting (on task queues nobody polls) are terminated. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

export async function terminateLeftoverRuns(client: Client, workflowIds: Iterable<string>): Promise<void> {
  for (const id of workflowIds) {
    await client.workflow
      .getHandle(id)
      .terminate('test cleanup')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError) && !/already completed/.test(String(err))) throw err;
      });
  }
}

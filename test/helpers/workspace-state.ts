/**
 * A workspace put into a known state for the plan and apply tests: a number provisioned under a connector name (an
 * inventory's, or a single provisioning's), or a connector seeded straight into the simulator (made by hand, or ours
 * but unrecorded).
 */
import assert from 'node:assert/strict';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { awaitResult, parseAndStartProvisioning } from '../../src/client/provisioning-client';
import { smsInput, type Stack } from './stack';
import { waitFor } from './wait';

/** Provisions `number` to the end under the connector name `name`; its connector id. */
export async function provisionNamed(stack: Stack, number: string, name: string): Promise<string> {
  const input = smsInput(stack);
  input.connector = {
    ...input.connector,
    name,
    arguments: { phoneNumberId: number, channelMessageType: 'transactional' },
  };
  const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
  stack.startedWorkflowIds.push(started.workflowId);
  const result = await awaitResult(stack.client, started.workflowId);
  assert.ok(result.ok);
  return result.result.connectorId;
}

/** A connector for `number` that no provisioning of ours made: its id. */
export function seedConnector(stack: Stack, number: string, name: string): string {
  return stack.sim.seedConnector(stack.workspaceId, {
    name,
    connectorTemplateRef: 'sms-messagebird:1',
    arguments: { phoneNumberId: number, channelMessageType: 'transactional' },
  });
}

/** A fresh number provisioned to the end with the stack's SMS input: the number and its connector. */
export async function provisionedNumber(stack: Stack): Promise<{ number: string; connectorId: string }> {
  const input = smsInput(stack);
  const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
  stack.startedWorkflowIds.push(started.workflowId);
  const done = await awaitResult(stack.client, started.workflowId);
  assert.ok(done.ok);
  const number = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  return { number, connectorId: done.result.connectorId };
}

/**
 * The runs a visibility query finds deleted, as if their histories had aged out of the namespace's retention: only
 * Bird still knows their connectors. Waits until each is gone (the server deletes them in the background).
 */
const GRPC_NOT_FOUND = 5;

export async function forgetRuns(stack: Stack, query: string): Promise<void> {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const { workflowId, runId } of stack.client.workflow.list({ query })) runs.push({ workflowId, runId });
  for (const run of runs) {
    stack.forgottenWorkflowIds.add(run.workflowId);
    try {
      await stack.client.workflowService.deleteWorkflowExecution({
        namespace: stack.client.options.namespace,
        workflowExecution: run,
      });
    } catch (err) {
      // Deleted already, with another run of the same id.
      if (!isGrpcServiceError(err) || (err.code as number) !== GRPC_NOT_FOUND) throw err;
    }
  }
  for (const run of runs)
    await waitFor(
      `run ${run.runId} to be deleted`,
      () =>
        stack.client.workflow
          .getHandle(run.workflowId, run.runId)
          .describe()
          .then(
            () => undefined,
            (err: unknown) => {
              if (err instanceof WorkflowNotFoundError) return true;
              throw err;
            },
          ),
      60_000,
      100,
    );
}

/**
 * Two operations on one channel never interleave: a provisioning is refused while the channel's offboarding runs. The
 * doors refuse before they start anything (src/client/offboarding-client.ts); the create refuses again right before
 * its Bird write, which covers the provisionings no door starts one by one: a bulk run's and an apply's children.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { IllegalStateError } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FailureType, withoutStack } from '../domain/failure-types';
import { channelLabel, offboardWorkflowId, type ChannelKey } from '../domain/offboarding';

/** The workflow id of the channel's offboarding while it runs; undefined when none does. */
export async function runningOffboarding(client: Client, key: ChannelKey): Promise<string | undefined> {
  const workflowId = offboardWorkflowId(key);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? workflowId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export function beingOffboardedMessage(key: ChannelKey, workflowId: string): string {
  return `${channelLabel(key)} is being offboarded (${workflowId}); start its provisioning again once that has finished`;
}

/** The worker's client; none for an activity run alone (MockActivityEnvironment), where no workflow can run either. */
function clientOf(temporal?: () => Client): Client | undefined {
  if (temporal) return temporal();
  try {
    return Context.current().client;
  } catch (err) {
    if (err instanceof IllegalStateError) return undefined;
    throw err;
  }
}

/** For the create activity: fails it, not retried, when the channel is being offboarded; Bird untouched. */
export function offboardingGuard(temporal?: () => Client) {
  return async (key: ChannelKey): Promise<void> => {
    const client = clientOf(temporal);
    const workflowId = client && (await runningOffboarding(client, key));
    if (!workflowId) return;
    throw withoutStack(
      ApplicationFailure.create({
        type: FailureType.beingOffboarded,
        nonRetryable: true,
        message: beingOffboardedMessage(key, workflowId),
        details: [{ operation: 'createConnector', attempt: Context.current().info.attempt }],
      }),
    );
  };
}

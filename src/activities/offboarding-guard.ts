/**
 * Two operations on one channel never interleave: a provisioning is refused while the channel's offboarding runs. The
 * doors refuse before they start anything (src/client/offboarding-client.ts); the create refuses again right before
 * its Bird write, which covers the provisionings no door starts one by one: a bulk run's and an apply's children.
 * The lookup is the client's (`runningOffboarding`), handed in by the worker: activities never import the client.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { IllegalStateError } from '@temporalio/common';
import { FailureType, withoutStack } from '../domain/failure-types';
import { beingOffboardedMessage, type ChannelKey } from '../domain/offboarding';

/** The workflow id of the channel's offboarding while it runs; undefined when none does. */
export type RunningOffboarding = (client: Client, key: ChannelKey) => Promise<string | undefined>;

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
export function offboardingGuard(running: RunningOffboarding, temporal?: () => Client) {
  return async (key: ChannelKey): Promise<void> => {
    const client = clientOf(temporal);
    const workflowId = client && (await running(client, key));
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

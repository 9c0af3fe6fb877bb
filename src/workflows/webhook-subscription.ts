/**
 * webhookSubscription: an entity workflow that owns one workspace-wide Bird webhook subscription. Its id is derived
 * from (workspace, event, url), so "ensure the subscription exists" is a start with USE_EXISTING: the first start
 * creates the subscription, every later one attaches and reads its id through the query. It stays open (idle, no
 * history growth) so the record outlives namespace retention.
 */
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { WorkspaceSubscriptionInput, type WorkspaceSubscriptionInputRaw } from '../domain/subscription-input';
import { INVALID_WORKFLOW_INPUT, withoutStack } from '../domain/failure-types';
import { describeIssues } from '../base/zod-issues';
import { BirdWorkspaceId } from '../domain/search-attributes';
import { createOptions } from './activity-options';
import { birdActivities } from './bird-activities';
import {
  retireSubscriptionSignal,
  workspaceSubscriptionQuery,
  type WorkspaceSubscriptionState,
} from '../domain/messages/subscription';

/** Before the Bird queues existed, the entity's one activity ran on its own task queue. */
const { createWorkspaceSubscription: createOnWorkflowQueue } = proxyActivities<Activities>(createOptions);

/**
 * Worker Deployment versioning: the entity lives for months, so it must not stay pinned to the build that started
 * it (that build could never be retired). AUTO_UPGRADE moves it to the current build at its next workflow task;
 * every change to its commands must therefore be guarded by patched(), as below. provisionChannel keeps the worker's
 * default, PINNED: a short run finishes on the code it started with.
 */
// Only on a versioned worker (an unversioned one reports a build id but no deployment name): the server refuses a
// versioning behavior from an unversioned worker (development, tests).
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}),
  webhookSubscription,
);

/** Entities started without this patch replay without the upsert. */
export const WORKSPACE_SEARCH_ATTRIBUTE_PATCH = 'subscription-entity-workspace-search-attribute';
/** The Bird call runs on the rate-limited writes queue; entities started without this patch call it on their own. */
export const BIRD_QUEUES_PATCH = 'subscription-entity-bird-writes-queue';

export async function webhookSubscription(
  rawInput: WorkspaceSubscriptionInputRaw,
): Promise<WorkspaceSubscriptionState> {
  const parsed = WorkspaceSubscriptionInput.safeParse(rawInput);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues);
    throw withoutStack(
      ApplicationFailure.create({
        type: INVALID_WORKFLOW_INPUT,
        message: `invalid subscription input: ${problems.join('; ')}`,
        nonRetryable: true,
      }),
    );
  }
  const input = parsed.data;
  if (patched(WORKSPACE_SEARCH_ATTRIBUTE_PATCH)) {
    // Findable beside the workspace's provisionings: `BirdWorkspaceId = '…'` lists its subscription entities too.
    upsertSearchAttributes([{ key: BirdWorkspaceId, value: input.workspaceId }]);
  }
  const state: WorkspaceSubscriptionState = { event: input.event, url: input.url };
  let retired = false;
  setHandler(workspaceSubscriptionQuery, () => state);
  setHandler(retireSubscriptionSignal, () => {
    retired = true;
  });

  const createWorkspaceSubscription = patched(BIRD_QUEUES_PATCH)
    ? birdActivities(input.workspaceId).createWorkspaceSubscription
    : createOnWorkflowQueue;
  const registered = await createWorkspaceSubscription(input);
  state.subscriptionId = registered.subscriptionId;
  state.registeredAt = new Date().toISOString();
  await condition(() => retired);
  return state;
}

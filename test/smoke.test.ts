/**
 * Smoke: the real dev server, a real worker with the real workflow bundle, and one activity calling the simulator
 * over HTTP. If this fails, nothing else can pass.
 */
import assert from 'node:assert/strict';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { RECEIVER_PUBLIC_URL, startStack, type Stack } from './helpers/stack';

describe('smoke: dev server + worker + simulator', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.closeCheckingHistories());

  it('runs a workflow whose activity calls the Bird simulator', async () => {
    const ensured = await ensureWorkspaceSubscription(
      stack.client,
      {
        organizationId: stack.organizationId,
        workspaceId: stack.workspaceId,
        event: 'channel.created',
        url: RECEIVER_PUBLIC_URL,
      },
      { taskQueue: stack.taskQueue },
    );
    const [subscription] = stack.sim.subscriptions();
    assert.equal(ensured.subscriptionId, subscription?.id);
    assert.equal(subscription?.event, 'channel.created');
    const calls = stack.sim.calls();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.operationId, 'createLegacyWebhookSubscription');
    assert.equal(calls[0]!.status, 201);
    const description = await stack.client.workflow.getHandle(ensured.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.taskQueue, stack.taskQueue);
  });
});

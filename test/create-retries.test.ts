/**
 * The create's retry budget, as the server holds it: bounded in time (a cancellation waiting on it is answered within
 * minutes), not in attempts. With a flaky Bird (the fault suite's 20% 5xx + 10% 429) one retried attempt in two
 * fails, and the former limit of 10 attempts failed about one provisioning in 200 of the fault suite's flaky bulk run
 * although Bird was up; the budget must leave room for many more attempts than a flaky Bird needs.
 */
import assert from 'node:assert/strict';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { millisOf } from './chaos/recovery';
import { smsInput, startStack, type Stack } from './helpers/stack';

describe('create retry budget', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
  });
  after(() => stack?.closeCheckingHistories());

  it('allows dozens of attempts within its five minutes, never a fixed attempt count', async () => {
    const { workflowId, handle } = await parseAndStartProvisioning(stack.client, smsInput(stack), {
      taskQueue: stack.taskQueue,
    });
    stack.startedWorkflowIds.push(workflowId);
    assert.ok((await awaitResult(stack.client, workflowId)).ok);
    const scheduled = (await handle.fetchHistory()).events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createConnector',
    )?.activityTaskScheduledEventAttributes;
    assert.ok(scheduled?.retryPolicy);
    const policy = scheduled.retryPolicy;
    assert.equal(policy.maximumAttempts ?? 0, 0, 'no attempt limit');
    const budgetMs = millisOf(scheduled.scheduleToCloseTimeout)!;
    assert.equal(budgetMs, 5 * 60_000);
    // Attempts that start within the budget, by the policy's own backoff.
    let attempts = 0;
    for (
      let at = 0, delay = millisOf(policy.initialInterval)!;
      at < budgetMs;
      attempts++,
        at += delay,
        delay = Math.min(delay * (policy.backoffCoefficient ?? 2), millisOf(policy.maximumInterval)!)
    );
    assert.ok(attempts >= 25, `only ${attempts} attempts fit in the create's budget`);
  });
});

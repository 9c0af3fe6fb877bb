/**
 * Failures the design expects (a failed provisioning, invalid input, Bird's verdicts) are read by people in the
 * Temporal UI: their history carries the message and details, no stack trace (it would say nothing to that reader
 * and publish the worker's file layout). Read from the real history on the dev server, with a real worker.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { PROVISIONING_FAILED } from '../src/domain/provisioning';
import { INVALID_WORKFLOW_INPUT } from '../src/domain/failure-types';
import { provisionChannel, webhookSubscription } from '../src/workflows';
import { smsInput, startStack, type Stack } from './helpers/stack';

/** Every failure in a history (the run's own, each activity's and their causes), with where it was found. */
function failuresIn(history: unknown): Array<{ at: string; type?: string; stackTrace?: string | null }> {
  const found: Array<{ at: string; type?: string; stackTrace?: string | null }> = [];
  const walk = (node: unknown, at: string): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${at}[${i}]`));
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if ((key === 'failure' || key === 'cause') && value && typeof value === 'object') {
        const f = value as { stackTrace?: string | null; applicationFailureInfo?: { type?: string } };
        found.push({ at: `${at}.${key}`, type: f.applicationFailureInfo?.type ?? undefined, stackTrace: f.stackTrace });
      }
      walk(value, `${at}.${key}`);
    }
  };
  walk(history, 'history');
  return found;
}

describe('failure stack traces in history', function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async function () {
    this.timeout(180_000);
    stack = await startStack();
  });
  after(() => stack?.closeCheckingHistories());
  beforeEach(() => stack.sim.reset());

  const historyOf = (workflowId: string) => stack.client.workflow.getHandle(workflowId).fetchHistory();

  it('a compensated run: ProvisioningFailed and the activity failure behind it (ChannelFailed) carry no stack', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'error',
      errorMessage: 'rejected by carrier',
    });
    const { workflowId } = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    const outcome = await awaitResult(stack.client, workflowId);
    assert.equal(outcome.ok, false);
    const failures = failuresIn(await historyOf(workflowId));
    assert.deepEqual(
      failures.map((f) => f.type),
      ['ChannelFailed', PROVISIONING_FAILED],
      JSON.stringify(failures),
    );
    for (const f of failures) assert.ok(!f.stackTrace, `${f.at} (${f.type}) has a stack: ${f.stackTrace}`);
  });

  it('invalid input (a blank name, started by hand in the short notation) fails the run naming the field, with no stack', async () => {
    const raw = { ...smsInput(stack), connector: { ...smsInput(stack).connector, name: '   ' } };
    const workflowId = `provision-by-hand-${randomUUID()}`;
    stack.startedWorkflowIds.push(workflowId);
    const err = await stack.client.workflow
      .execute(provisionChannel, { taskQueue: stack.taskQueue, workflowId, args: [raw] })
      .then(
        () => assert.fail('a blank name was accepted'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    assert.equal(err.cause.type, INVALID_WORKFLOW_INPUT);
    assert.match(err.cause.message, /connector\.name: must not be empty or only spaces/);
    const failures = failuresIn(await historyOf(workflowId));
    assert.deepEqual(
      failures.map((f) => f.type),
      [INVALID_WORKFLOW_INPUT],
    );
    assert.ok(!failures[0]!.stackTrace, `the failure has a stack: ${failures[0]!.stackTrace}`);
    assert.equal(stack.sim.calls().length, 0, 'nothing reached Bird');
  });

  it('invalid input to the workspace subscription entity: no stack either', async () => {
    const workflowId = `webhook-subscription-by-hand-${randomUUID()}`;
    stack.startedWorkflowIds.push(workflowId);
    await assert.rejects(
      stack.client.workflow.execute(webhookSubscription, {
        taskQueue: stack.taskQueue,
        workflowId,
        args: [{ workspaceId: 'nope' } as never],
      }),
      WorkflowFailedError,
    );
    const failures = failuresIn(await historyOf(workflowId));
    assert.deepEqual(
      failures.map((f) => f.type),
      [INVALID_WORKFLOW_INPUT],
    );
    assert.ok(!failures[0]!.stackTrace, `the failure has a stack: ${failures[0]!.stackTrace}`);
  });
});

/**
 * The `channelProvisioning` Nexus service's provisioning operations end to end: a caller workflow in a second
 * namespace calls them through a Nexus endpoint made with the Temporal CLI, against the real dev server, the product's
 * worker (which serves the Nexus service) and the Bird simulator over HTTP. The offboarding, plan and apply operations:
 * test/nexus-lifecycle.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeOutcome } from '../src/client/provisioning-client';
import { buildInventory, parseBulkDefaults } from '../src/domain/bulk-input';
import type { ProvisioningState } from '../src/nexus/service';
import type { BulkOnboardResult } from '../src/domain/bulk-onboarding';
import {
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
} from '../src/domain/provisioning';
import { INVALID_WORKFLOW_INPUT } from '../src/domain/failure-types';
import { callOperation, cancelCallSignal, provisionThrice, provisionUntilCancelled } from './nexus/caller-workflows';
import { smsInput, type Stack } from './helpers/stack';
import type { NexusCaller } from './helpers/nexus-caller';
import { nexusSuite } from './helpers/nexus-suite';
import { waitFor } from './helpers/wait';

describe('channelProvisioning Nexus service (caller in another namespace)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let caller: NexusCaller;
  const { call, execute, ok, failed, phoneOf, refOf, liveConnectors } = nexusSuite('nexus', (started) => {
    ({ stack, caller } = started);
  });

  it('provision succeeds; a second call for the number attaches and a later one returns the completed result, with one connector', async () => {
    const input = smsInput(stack);
    const [first, second, third] = await execute(provisionThrice, [caller.endpoint, input]);
    const result = ok<ProvisionChannelResult>(first!);
    assert.equal(result.workflowId, `provision/${stack.workspaceId}/${phoneOf(input)}`);
    assert.deepEqual(result.finalStatus, { status: 'ok', stage: 'active' });
    assert.deepEqual(ok(second!), result, 'the concurrent call attached to the same run');
    assert.deepEqual(ok(third!), result, 'the later call answered with the completed run');
    assert.equal(stack.sim.connectors().length, 1, 'exactly one connector');
    assert.equal(stack.sim.calls().filter((c) => c.operationId === 'createConnector').length, 1);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${result.workflowId}'` }))
      runs.push(wf.runId);
    assert.equal(runs.length, 1, 'one provisioning run');

    const state = ok<ProvisioningState>(await call('getProvisioning', refOf(input)));
    assert.equal(state.status, 'COMPLETED');
    assert.deepEqual(state.status === 'COMPLETED' && state.result, result);
    const cancel = ok<{ requested: boolean; finished?: ProvisioningState }>(
      await call('cancelProvisioning', refOf(input)),
    );
    assert.equal(cancel.requested, false, 'a completed provisioning is not cancelled');
    assert.equal(cancel.finished?.status, 'COMPLETED');
    assert.equal(liveConnectors().length, 1);
  });

  it("a Bird refusal reaches the caller as ProvisioningFailed with the workflow's details", async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', tenDlc: true });
    const causes = failed(await call('provision', input));
    assert.equal(causes[0]!.name, 'NexusOperationFailure');
    const failure = causes.find((c) => c.type === PROVISIONING_FAILED);
    assert.ok(failure, `no ${PROVISIONING_FAILED} among ${JSON.stringify(causes)}`);
    assert.match(failure.message, /HTTP 422 InvalidData: .*useCaseId/);
    const details = failure.details?.[0] as ProvisioningFailureDetails;
    assert.equal(details.failedStep, 'creating-connector');
    assert.equal(details.createOutcome, 'refused');
    assert.deepEqual(details.leftBehind, []);
    assert.equal(stack.sim.connectors().length, 0);

    const state = ok<ProvisioningState>(await call('getProvisioning', refOf(input)));
    assert.equal(state.status, 'FAILED');
    assert.equal(state.status === 'FAILED' && state.details?.createOutcome, 'refused');
  });

  it("the caller's cancellation cancels the provisioning, which deletes its connector", async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '60s' },
    });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 120_000 });
    const handle = await caller.client.workflow.start(provisionUntilCancelled, {
      taskQueue: caller.taskQueue,
      workflowId: `caller-${randomUUID()}`,
      args: [caller.endpoint, input],
    });
    await waitFor('the connector', () => (liveConnectors().length === 1 ? true : undefined), 30_000, 100);
    const running = ok<ProvisioningState>(await call('getProvisioning', refOf(input)));
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.status === 'RUNNING' && running.progress.connectorId, liveConnectors()[0]!.id);

    await handle.signal(cancelCallSignal);
    const causes = failed(await handle.result());
    assert.deepEqual(causes.map((c) => c.name).slice(0, 2), ['NexusOperationFailure', 'CancelledFailure']);
    assert.equal(liveConnectors().length, 0, 'the connector was deleted');
    assert.equal(stack.sim.connectors().length, 1);
    const outcome = await describeOutcome(stack.client, `provision/${stack.workspaceId}/${phoneOf(input)}`);
    assert.equal(outcome?.status, 'CANCELLED');
    assert.match(outcome.reason, /Undone: deleted connector/);
  });

  it('cancelProvisioning cancels a running provisioning; getProvisioning then reports what was undone', async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '60s' },
    });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 120_000 });
    const provisioning = execute(callOperation, [caller.endpoint, 'provision', input]);
    await waitFor('the connector', () => (liveConnectors().length === 1 ? true : undefined), 30_000, 100);
    const cancel = ok<{ requested: boolean }>(await call('cancelProvisioning', refOf(input)));
    assert.equal(cancel.requested, true);
    const causes = failed(await provisioning);
    assert.ok(
      causes.some((c) => c.name === 'CancelledFailure'),
      JSON.stringify(causes),
    );
    const state = ok<ProvisioningState>(await call('getProvisioning', refOf(input)));
    assert.equal(state.status, 'CANCELLED');
    assert.ok(
      state.status === 'CANCELLED' && state.details?.undone.some((u) => u.includes('deleted connector')),
      JSON.stringify(state),
    );
    assert.equal(liveConnectors().length, 0);
  });

  it('invalid input is refused by field before anything starts', async () => {
    const input = { ...smsInput(stack), workspaceId: 'not-a-uuid', readiness: { deadline: 'soon' } };
    const causes = failed(await call('provision', input));
    const handlerError = causes.find((c) => c.name === 'HandlerError');
    assert.equal(handlerError?.type, 'BAD_REQUEST');
    // The message names every field, one a line, as the problems' own text (src/nexus/handler.ts handlerErrorOf).
    assert.match(handlerError?.message ?? '', /^handler error \(BAD_REQUEST\): invalid provisioning input:\n {2}- /);
    assert.match(handlerError?.message ?? '', /\n {2}- workspaceId: must be a UUID/);
    assert.match(handlerError?.message ?? '', /\n {2}- readiness\.deadline: /);
    const refusal = causes.find((c) => c.type === INVALID_WORKFLOW_INPUT);
    assert.ok(refusal, JSON.stringify(causes));
    const problems = refusal.details?.[0] as string[];
    assert.ok(
      problems.some((p) => p.startsWith('workspaceId: ')),
      problems.join('; '),
    );
    assert.ok(
      problems.some((p) => p.startsWith('readiness.deadline: ')),
      problems.join('; '),
    );
    assert.equal(stack.sim.calls().length, 0, 'Bird was not called');

    const ref = failed(await call('getProvisioning', { workspaceId: stack.workspaceId }));
    // The caller's view is the first HandlerError of the chain (its message prefixed by its type); the handler's own
    // may follow as its cause.
    const refused = ref.find((c) => c.name === 'HandlerError');
    assert.deepEqual(
      [refused?.type, refused?.message],
      [
        'BAD_REQUEST',
        'handler error (BAD_REQUEST): invalid request:\n  - phoneNumberId: required (or connectorTemplateRef and name, for a template identified by name)',
      ],
    );
    assert.deepEqual(ref.find((c) => c.type === 'InvalidNexusRequest')?.details?.[0], [
      'phoneNumberId: required (or connectorTemplateRef and name, for a template identified by name)',
    ]);
    const unknown = failed(
      await call('getProvisioning', { workspaceId: stack.workspaceId, phoneNumberId: randomUUID() }),
    );
    assert.equal(unknown.find((c) => c.name === 'HandlerError')?.type, 'NOT_FOUND');
  });

  it('bulkOnboard runs a stored inventory and answers with its progress; an unknown key is refused', async () => {
    const { workspaceId, organizationId, connector, readiness } = smsInput(stack);
    const { arguments: _number, ...connectorDefaults } = connector;
    const defaults = parseBulkDefaults({
      workspaceId,
      organizationId,
      connector: { ...connectorDefaults, arguments: { channelMessageType: 'transactional' } },
      readiness,
    });
    const inventory = buildInventory(
      defaults,
      [1, 2].map((line) => ({ line, kind: 'columns' as const, columns: { phoneNumberId: randomUUID() } })),
    );
    assert.equal(inventory.valid.length, 2, JSON.stringify(inventory.invalid));
    const manifest = await stack.bulkStore.saveInventory(inventory, 'nexus.csv');
    const result = ok<BulkOnboardResult>(await call('bulkOnboard', { bulkKey: manifest.bulkKey, concurrency: 2 }));
    assert.equal(result.progress.stage, 'completed');
    assert.equal(result.progress.counts.active, 2, JSON.stringify(result.progress));
    assert.equal(liveConnectors().length, 2);

    const refused = failed(await call('bulkOnboard', { bulkKey: `${stack.workspaceId}-0000000000000000` }));
    assert.deepEqual(refused.find((c) => c.type === 'InvalidNexusRequest')?.details?.[0], [
      'bulkKey: no inventory with this key in the bulk store',
    ]);
  });
});

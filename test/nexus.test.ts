/**
 * The `channelProvisioning` Nexus service end to end: a caller workflow in a second namespace calls the operations
 * through a Nexus endpoint made with the Temporal CLI, against the real dev server, the product's worker (which
 * serves the Nexus service) and the Bird simulator over HTTP.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describeOutcome } from '../src/client/provisioning-client';
import { buildInventory, parseBulkDefaults } from '../src/domain/bulk-input';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import type { ProvisioningState } from '../src/nexus/service';
import type { ApplyResult } from '../src/domain/apply';
import type { BulkOnboardResult } from '../src/domain/bulk-onboarding';
import type { BulkOffboardResult } from '../src/domain/bulk-offboarding';
import { readBulkOffboardReport } from '../src/client/bulk-offboard-client';
import {
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
} from '../src/domain/provisioning';
import { INVALID_WORKFLOW_INPUT } from '../src/domain/failure-types';
import { offboardWorkflowId, type OffboardResult } from '../src/domain/offboarding';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { WORKFLOW_TYPES } from '../src/domain/workflow-types';
import { nameWithInventory, type Plan } from '../src/domain/plan';
import {
  callOperation,
  cancelCallSignal,
  provisionThrice,
  provisionUntilCancelled,
  type OperationName,
  type Seen,
} from './nexus/caller-workflows';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { startNexusCaller, type NexusCaller } from './helpers/nexus-caller';
import { waitFor } from './helpers/wait';

describe('channelProvisioning Nexus service (caller in another namespace)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let caller: NexusCaller;

  before(async function () {
    this.timeout(180_000);
    ({ stack, caller } = await startNexusCaller('nexus', startStack()));
  });
  after(async () => {
    await caller?.close();
    await stack?.closeCheckingHistories();
  });
  beforeEach(() => stack.sim.reset());

  const call = (operation: OperationName, input: unknown) =>
    execute(callOperation, [caller.endpoint, operation, input]);
  function execute<A extends unknown[], R>(workflow: (...args: A) => Promise<R>, args: A): Promise<R> {
    return caller.client.workflow.execute(workflow, {
      taskQueue: caller.taskQueue,
      workflowId: `caller-${randomUUID()}`,
      args,
    });
  }
  const phoneOf = (input: ProvisionChannelInputRaw) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const refOf = (input: ProvisionChannelInputRaw) => ({
    workspaceId: stack.workspaceId,
    phoneNumberId: phoneOf(input),
  });
  const liveConnectors = () => stack.sim.connectors().filter((c) => !c.deletedAt);
  const ok = <T>(seen: Seen): T => {
    assert.ok(seen.ok, `the operation failed: ${JSON.stringify(seen)}`);
    return seen.value as T;
  };
  const failed = (seen: Seen) => {
    assert.ok(!seen.ok, `the operation succeeded: ${JSON.stringify(seen)}`);
    return seen.causes;
  };

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

  it('offboard deletes our connector and confirms it gone; a bad input is refused by field', async () => {
    const input = smsInput(stack);
    const provisioned = ok<ProvisionChannelResult>(await call('provision', input));
    const report = ok<OffboardResult>(await call('offboard', refOf(input)));
    assert.equal(report.workflowId, `offboard/${stack.workspaceId}/${phoneOf(input)}`);
    assert.equal(report.outcome, 'offboarded');
    assert.deepEqual(
      report.deleted.map((d) => d.connectorId),
      [provisioned.connectorId],
    );
    assert.equal(report.birdWrites, 1);
    assert.equal(liveConnectors().length, 0, 'the connector was deleted');
    assert.equal(stack.sim.calls().filter((c) => c.method === 'DELETE').length, 1);

    const again = ok<OffboardResult>(await call('offboard', refOf(input)));
    assert.equal(again.outcome, 'already-absent');
    assert.equal(stack.sim.calls().filter((c) => c.method === 'DELETE').length, 1, 'no second DELETE');

    const refused = failed(await call('offboard', { workspaceId: stack.workspaceId }));
    assert.equal(refused.find((c) => c.name === 'HandlerError')?.type, 'BAD_REQUEST');
    assert.deepEqual(refused.find((c) => c.type === 'InvalidOffboardInput')?.details?.[0], [
      'phoneNumberId: give exactly one of phoneNumberId or connector',
    ]);
  });

  it('provision is refused, with the reason, while the number is being offboarded, and starts nothing', async () => {
    const input = smsInput(stack);
    // An offboarding that stays running: no worker polls its queue.
    const offboarding = await stack.client.workflow.start(WORKFLOW_TYPES.offboardChannel, {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: offboardWorkflowId(refOf(input)),
      args: [refOf(input)],
    });
    try {
      const causes = failed(await call('provision', input));
      const refusal = causes.find((c) => c.type === 'ProvisioningRefused');
      assert.match(refusal?.message ?? '', /is being offboarded/, JSON.stringify(causes));
      assert.equal(liveConnectors().length, 0);
      await assert.rejects(
        stack.client.workflow.getHandle(provisioningWorkflowId(refOf(input))).describe(),
        WorkflowNotFoundError,
      );
    } finally {
      await offboarding.terminate('test over');
    }
  });

  it("plan answers each number's action and writes nothing to Bird", async () => {
    const kept = smsInput(stack);
    kept.connector = { ...kept.connector, name: nameWithInventory('Keep', 'team-n') };
    ok<ProvisionChannelResult>(await call('provision', kept));
    const fresh = randomUUID();
    const before = stack.sim.calls().length;
    const plan = ok<Plan>(
      await call('plan', {
        workspaceId: stack.workspaceId,
        inventory: 'team-n',
        entries: [{ phoneNumberId: phoneOf(kept), line: 2 }, { phoneNumberId: fresh }],
      }),
    );
    assert.deepEqual(
      plan.entries.map((e) => [e.phoneNumberId, e.action]),
      [
        [phoneOf(kept), 'keep'],
        [fresh, 'create'],
      ],
    );
    assert.equal(plan.counts.keep, 1);
    assert.deepEqual(
      stack.sim
        .calls()
        .slice(before)
        .filter((c) => c.method !== 'GET'),
      [],
    );
    const refused = failed(await call('plan', { workspaceId: stack.workspaceId, inventory: 'no spaces', entries: [] }));
    assert.equal(
      refused
        .find((c) => c.type === 'InvalidPlanInput')
        ?.details?.[0]?.toString()
        .startsWith('inventory: '),
      true,
    );
  });

  it('apply creates an inventory, is a no-op once it matches, and refuses an invalid row by line', async () => {
    const { workspaceId, organizationId, connector, readiness } = smsInput(stack);
    const defaults = {
      workspaceId,
      organizationId,
      connector: { ...connector, arguments: { channelMessageType: 'transactional' } },
      readiness,
    };
    const numbers = [randomUUID(), randomUUID()];
    const request = { inventoryName: 'team-x', defaults, rows: numbers.map((phoneNumberId) => ({ phoneNumberId })) };
    const first = ok<ApplyResult>(await call('apply', request));
    assert.equal(first.changed, true);
    assert.equal(first.counts.create, 2);
    assert.equal(first.creates?.counts.active, 2, JSON.stringify(first.creates));
    assert.deepEqual(
      liveConnectors()
        .map((c) => c.number?.numberId)
        .sort(),
      [...numbers].sort(),
    );

    const before = stack.sim.calls().length;
    const again = ok<ApplyResult>(await call('apply', request));
    assert.equal(again.changed, false);
    assert.equal(again.counts.keep, 2);
    assert.deepEqual(
      stack.sim
        .calls()
        .slice(before)
        .filter((c) => c.method !== 'GET'),
      [],
      'a converged apply writes nothing to Bird',
    );

    const refused = failed(
      await call('apply', { ...request, rows: [{ phoneNumberId: numbers[0] }, { phoneNumberId: 'not-a-uuid' }] }),
    );
    assert.equal(refused.find((c) => c.name === 'HandlerError')?.type, 'BAD_REQUEST');
    const problems = refused.find((c) => c.type === 'InvalidNexusRequest')?.details?.[0] as string[];
    assert.ok(problems?.[0]?.startsWith('rows.1.phoneNumberId'), JSON.stringify(problems));
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

  it('bulkOffboard offboards the rows of a file; their results are read back from the store; a row naming nothing is refused by field', async () => {
    const input = smsInput(stack);
    const provisioned = ok<ProvisionChannelResult>(await call('provision', input));
    const absent = randomUUID();
    const file = `phoneNumberId\n${phoneOf(input)}\n${absent}\n`;
    const result = ok<BulkOffboardResult>(await call('bulkOffboard', { workspaceId: stack.workspaceId, file }));
    assert.equal(result.progress.stage, 'completed');
    assert.deepEqual([result.progress.counts.offboarded, result.progress.counts['already-absent']], [1, 1]);
    const report = await readBulkOffboardReport(stack.bulkStore, result);
    assert.deepEqual(
      report.results.map((r) => [r.outcome, r.deleted]),
      [
        ['offboarded', [provisioned.connectorId]],
        ['already-absent', undefined],
      ],
    );
    assert.equal(liveConnectors().length, 0, 'the connector was deleted');

    const refused = failed(
      await call('bulkOffboard', { workspaceId: stack.workspaceId, rows: [{ phoneNumberId: absent }, { name: 'x' }] }),
    );
    assert.equal(refused.find((c) => c.name === 'HandlerError')?.type, 'BAD_REQUEST');
    assert.deepEqual(refused.find((c) => c.type === 'InvalidBulkOffboardRequest')?.details?.[0], [
      'rows.1: give a phoneNumberId, or a connectorTemplateRef and a name',
    ]);
    const badLine = failed(
      await call('bulkOffboard', { workspaceId: stack.workspaceId, file: 'phoneNumberId,name\n,x\n' }),
    );
    assert.deepEqual(badLine.find((c) => c.type === 'InvalidBulkOffboardRequest')?.details?.[0], [
      'file: line 2: give a phoneNumberId, or a connectorTemplateRef and a name',
    ]);
  });
});

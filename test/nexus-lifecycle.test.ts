/**
 * The `channelProvisioning` Nexus service's lifecycle operations end to end (offboard, bulkOffboard, plan, apply, and
 * provision refused during an offboarding): a caller workflow in a second namespace calls them through a Nexus
 * endpoint made with the Temporal CLI, against the real dev server, the product's worker and the Bird simulator over
 * HTTP. The provisioning operations: test/nexus.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApplyResult } from '../src/domain/apply';
import type { BulkOffboardResult } from '../src/domain/bulk-offboarding';
import { readBulkOffboardReport } from '../src/client/bulk-offboard-client';
import type { ProvisionChannelResult } from '../src/domain/provisioning';
import { offboardWorkflowId, type OffboardResult } from '../src/domain/offboarding';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { WORKFLOW_TYPES } from '../src/domain/workflow-types';
import { nameWithInventory, type Plan } from '../src/domain/plan';
import { smsInput, type Stack } from './helpers/stack';
import { nexusSuite } from './helpers/nexus-suite';

describe('channelProvisioning Nexus service: offboarding, plan and apply (caller in another namespace)', function () {
  this.timeout(90_000);
  let stack: Stack;
  const { call, ok, failed, phoneOf, refOf, liveConnectors } = nexusSuite('nexus-lifecycle', (started) => {
    ({ stack } = started);
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

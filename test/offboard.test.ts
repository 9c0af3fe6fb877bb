/**
 * Offboarding one channel on the real dev server with a real worker and the simulator over HTTP: our connector is
 * deleted and confirmed gone (the simulator goes through deprovisioning to deprovisioned and 404), the webhook
 * subscriptions are reported left behind, a connector without our tag is never touched, a number with no channel
 * costs no Bird write, a running provisioning is cancelled and compensated first, and a provisioning started while
 * an offboarding runs is refused with the reason, by the client and, for a bulk run's, by the create.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import { offboard, ProvisioningRefused, startOffboarding } from '../src/client/offboarding-client';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { reconcile } from '../src/client/reconcile-client';
import { InvalidOffboardInput, offboardWorkflowId, type OffboardResult } from '../src/domain/offboarding';
import * as sa from '../src/domain/search-attributes';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { runStarter } from './helpers/starter-process';
import { waitFor } from './helpers/wait';

describe('offboarding one channel', function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ sim: { provisioningDelayMs: 300, deprovisioningDelayMs: 700 } });
  });
  after(() => stack?.closeCheckingHistories());

  const opts = () => ({ taskQueue: stack.taskQueue });
  const writesFor = (since: number) =>
    stack.sim.calls().filter((c, i) => i >= since && (c.method === 'DELETE' || c.method === 'POST'));
  const off = (phoneNumberId: string) => {
    stack.startedWorkflowIds.push(`offboard/${stack.workspaceId}/${phoneNumberId}`);
    return offboard(stack.client, { workspaceId: stack.workspaceId, phoneNumberId }, opts());
  };
  const numberOf = (input: ReturnType<typeof smsInput>) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;

  it('deletes our connector, confirms it gone, and reports the subscriptions left behind', async () => {
    const input = smsInput(stack, {
      subscriptions: [{ service: 'channels', event: 'channel.updated', url: 'https://ok.example.com/events' }],
    });
    const started = await parseAndStartProvisioning(stack.client, input, opts());
    stack.startedWorkflowIds.push(started.workflowId);
    const provisioned = await awaitResult(stack.client, started.workflowId);
    assert.ok(provisioned.ok);
    const { connectorId, subscriptionIds } = provisioned.result;
    assert.equal(subscriptionIds.length, 1);

    const before = stack.sim.calls().length;
    const report = await off(numberOf(input));
    assert.equal(report.outcome, 'offboarded');
    assert.deepEqual(
      report.deleted.map((d) => [d.connectorId, d.confirmedBy]),
      [[connectorId, 'not-found']],
    );
    assert.deepEqual(report.leftBehind, [{ kind: 'webhook-subscription', subscriptionId: subscriptionIds[0] }]);
    assert.deepEqual(report.foreign, []);
    assert.equal(report.birdWrites, 1);
    const gone = stack.sim.connectors().find((c) => c.id === connectorId)!;
    assert.ok(gone.deletedAt);
    assert.equal(gone.state.stage, 'deprovisioned');
    // One DELETE, and the confirmation read while it was still deprovisioning and again once it was gone.
    assert.deepEqual(
      writesFor(before).map((c) => c.method),
      ['DELETE'],
    );
    const statusReads = stack.sim
      .calls()
      .slice(before)
      .filter((c) => c.operationId === 'getConnectorStatus');
    assert.ok(statusReads.length >= 2, `status reads: ${statusReads.length}`);

    // The UI tells the story: stage and outcome as search attributes, and the run's details.
    const d = await stack.client.workflow.getHandle(report.workflowId).describe();
    assert.equal(d.typedSearchAttributes.get(sa.ProvisioningOutcome), 'offboarded');
    assert.equal(d.typedSearchAttributes.get(sa.BirdPhoneNumberId), numberOf(input));

    // Offboarding again: nothing left, no Bird write.
    const again = stack.sim.calls().length;
    const second = await off(numberOf(input));
    assert.equal(second.outcome, 'already-absent');
    assert.deepEqual(writesFor(again), []);
  });

  it('a number with no channel is already absent and costs no Bird write', async () => {
    const before = stack.sim.calls().length;
    const report = await off(randomUUID());
    assert.equal(report.outcome, 'already-absent');
    assert.equal(report.birdWrites, 0);
    assert.deepEqual(writesFor(before), []);
  });

  it('never touches a connector without our tag, and deletes a tagged one no run records', async () => {
    const foreignNumber = randomUUID();
    const foreignId = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Made in the dashboard',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: foreignNumber, channelMessageType: 'transactional' },
    });
    const before = stack.sim.calls().length;
    const report = await off(foreignNumber);
    assert.equal(report.outcome, 'foreign-left-untouched');
    assert.deepEqual(report.foreign, [{ connectorId: foreignId, name: 'Made in the dashboard' }]);
    assert.deepEqual(writesFor(before), []);
    assert.ok(!stack.sim.connectors().find((c) => c.id === foreignId)!.deletedAt);

    const lostNumber = randomUUID();
    const lostId = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Lost reply [prov-0123456789abcdef]',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: lostNumber, channelMessageType: 'transactional' },
    });
    const lost = await off(lostNumber);
    assert.equal(lost.outcome, 'offboarded');
    assert.deepEqual(
      lost.deleted.map((d) => d.connectorId),
      [lostId],
    );
  });

  it('cancels a provisioning still running and waits for its compensation', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(numberOf(input), { outcome: 'active', delayMs: 600_000 });
    const started = await parseAndStartProvisioning(stack.client, input, opts());
    stack.startedWorkflowIds.push(started.workflowId);
    const made = await waitFor(
      'the connector to be made',
      () => stack.sim.connectors().find((c) => c.number?.numberId === numberOf(input)),
      20_000,
      50,
    );
    const report = await off(numberOf(input));
    assert.equal(report.outcome, 'offboarded');
    assert.equal(report.cancelledProvisioning?.workflowId, started.workflowId);
    assert.equal((await started.handle.describe()).status.name, 'CANCELLED');
    await waitFor('the connector to be gone', () => stack.sim.connectors().find((c) => c.id === made.id)?.deletedAt);
  });

  it('refuses a provisioning started while the number is being offboarded', async () => {
    const input = smsInput(stack);
    const started = await parseAndStartProvisioning(stack.client, input, opts());
    stack.startedWorkflowIds.push(started.workflowId);
    assert.ok((await awaitResult(stack.client, started.workflowId)).ok);
    const offboarding = await startOffboarding(
      stack.client,
      { workspaceId: stack.workspaceId, phoneNumberId: numberOf(input) },
      opts(),
    );
    stack.startedWorkflowIds.push(offboarding.workflowId);
    await assert.rejects(
      parseAndStartProvisioning(stack.client, input, opts()),
      (err: unknown) => err instanceof ProvisioningRefused && /being offboarded/.test(err.message),
    );
    assert.equal((await offboarding.handle.result()).outcome, 'offboarded');
  });

  it("refuses a bulk run's provisioning while its number is being offboarded: no Bird write, the reason reported", async () => {
    const [held, free] = [randomUUID(), randomUUID()];
    // An offboarding that stays running: started on a task queue no worker polls.
    const offboarding = await stack.client.workflow.start('offboardChannel', {
      taskQueue: `${stack.taskQueue}-unpolled`,
      workflowId: offboardWorkflowId({ workspaceId: stack.workspaceId, phoneNumberId: held }),
      args: [{ workspaceId: stack.workspaceId, phoneNumberId: held }],
    });
    try {
      const file = join(await mkdtemp(join(tmpdir(), 'offboard-bulk-')), 'numbers.csv');
      await writeFile(file, `phoneNumberId\n${held}\n${free}\n`);
      const { workspaceId, organizationId } = stack;
      const connector = {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'Bulk while offboarding',
        arguments: { channelMessageType: 'transactional' },
      };
      const inventory = await prepareInventory(file, { workspaceId, organizationId, connector });
      const started = await startBulk(stack.client, stack.bulkStore, inventory, { taskQueue: stack.taskQueue });
      stack.startedWorkflowIds.push(started.workflowId);
      assert.equal((await awaitBulk(stack.client, started.workflowId)).status, 'completed');
      const report = await bulkReport(stack.bulkStore, await getBulkProgress(stack.client, started.workflowId));
      const row = (n: string) => report.find((r) => r.phoneNumberId === n);
      assert.equal(row(free)?.outcome, 'active');
      assert.equal(row(held)?.outcome, 'failed');
      assert.match(row(held)?.reason ?? '', new RegExp(`is being offboarded \\(${offboarding.workflowId}\\)`));
      assert.ok(!stack.sim.connectors().some((c) => c.number?.numberId === held), 'no connector made for it');
    } finally {
      await offboarding.terminate('test done');
    }
  });

  it('refuses bad input naming the field, before anything starts', async () => {
    await assert.rejects(
      offboard(stack.client, { workspaceId: 'nope', phoneNumberId: randomUUID() }, opts()),
      (err: unknown) => err instanceof InvalidOffboardInput && /workspaceId/.test(err.message),
    );
    await assert.rejects(
      offboard(stack.client, { workspaceId: stack.workspaceId }, opts()),
      (err: unknown) => err instanceof InvalidOffboardInput && /phoneNumberId: give exactly one/.test(err.message),
    );
    // Started by hand with bad input: the run fails at once, naming the field.
    const handle = await stack.client.workflow.start('offboardChannel', {
      taskQueue: stack.taskQueue,
      workflowId: `offboard-bad-${randomUUID()}`,
      args: [{ workspaceId: stack.workspaceId, phoneNumberId: 'x' }],
    });
    await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError);
  });

  it('the CLI offboards and prints the report; the orphan audit counts no offboarded number as an orphan', async () => {
    const input = smsInput(stack);
    const started = await parseAndStartProvisioning(stack.client, input, opts());
    stack.startedWorkflowIds.push(started.workflowId);
    assert.ok((await awaitResult(stack.client, started.workflowId)).ok);
    const run = await runStarter(stack, [
      'offboard',
      '--workspace',
      stack.workspaceId,
      '--number',
      numberOf(input),
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as OffboardResult).outcome, 'offboarded');
    const audit = await reconcile(stack.client, { workspaceId: stack.workspaceId, gracePeriod: '0s' }, opts());
    assert.deepEqual(
      audit.orphans.map((o) => o.numberId),
      [],
    );
  });
});

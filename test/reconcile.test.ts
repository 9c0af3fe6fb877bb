/**
 * The orphan audit on the real dev server with a real worker and the simulator: orphans planted the ways they arise
 * (a run terminated mid-readiness, one terminated mid-create before it learned its connector's id, a tagged connector
 * no run knows) are found and, only when asked, deleted; connectors that are someone else's, owned by a run, or too
 * young to judge are never touched. The Schedule runs the same workflow; the CLI prints the report.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { awaitResult, getProgress, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { ensureReconcileSchedule, reconcile, reconcileScheduleId } from '../src/client/reconcile-client';
import { InvalidReconcileInput, type ReconcileReport } from '../src/domain/reconcile';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { runStarter } from './helpers/starter-process';
import { waitFor } from './helpers/wait';

describe('orphan audit (reconcile)', function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ sim: { provisioningDelayMs: 300 } });
  });
  after(() => stack?.closeCheckingHistories());

  const audit = (opts: { delete?: boolean; gracePeriod?: string } = {}) =>
    reconcile(
      stack.client,
      { workspaceId: stack.workspaceId, gracePeriod: opts.gracePeriod ?? '0s', delete: opts.delete ?? false },
      { taskQueue: stack.taskQueue },
    );
  const live = (connectorId: string) => stack.sim.connectors().some((c) => c.id === connectorId && !c.deletedAt);
  const orphanIds = (r: ReconcileReport) => r.orphans.map((o) => o.connectorId).sort();

  async function start(overrides: Parameters<typeof smsInput>[1] = {}, behaviour?: { delayMs: number }) {
    const input = smsInput(stack, overrides);
    const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
    if (behaviour) stack.sim.configureNumber(phoneNumberId, { outcome: 'active', delayMs: behaviour.delayMs });
    const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    stack.startedWorkflowIds.push(started.workflowId);
    return { ...started, phoneNumberId };
  }

  let terminatedReadiness: string;
  let terminatedCreate: string;
  let noRun: string;
  let active: string;
  let handMade: string;
  let copiedTag: string;

  it('plants orphans: a run terminated mid-readiness, one terminated mid-create, a tagged connector no run knows', async () => {
    // Owned: a completed provisioning.
    const ok = await start();
    const okResult = await awaitResult(stack.client, ok.workflowId);
    assert.ok(okResult.ok);
    active = okResult.result.connectorId;

    // Terminated while waiting for readiness: its connector stays, no compensation ran.
    const slow = await start(
      { readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '2m' } },
      { delayMs: 600_000 },
    );
    const progress = await waitFor(
      'the run to await readiness',
      async () => {
        const p = await getProgress(stack.client, slow.workflowId);
        return p.stage === 'awaiting-readiness' ? p : undefined;
      },
      30_000,
      100,
    );
    await slow.handle.terminate('planting an orphan');
    terminatedReadiness = progress.connectorId!;

    // Terminated while its create is on the wire: the connector is made, the run never learns its id (found by tag).
    stack.sim.setFaults({ latencyMs: 1_500 });
    const mid = await start();
    await waitFor(
      'the create to be in flight',
      async () => {
        const d = await mid.handle.describe();
        return d.raw.pendingActivities?.some((a) => a.activityType?.name === 'createConnector' && a.lastStartedTime)
          ? true
          : undefined;
      },
      30_000,
      50,
    );
    await mid.handle.terminate('planting an orphan mid-create');
    const made = await waitFor(
      'the connector to be made',
      () => stack.sim.connectors().find((c) => c.number?.numberId === mid.phoneNumberId),
      10_000,
      50,
    );
    stack.sim.setFaults({ latencyMs: 0 });
    terminatedCreate = made.id;

    // A tagged connector no run records, one made by hand, and one whose name carries a real run's tag for another number.
    noRun = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Lost [prov-0123456789abcdef]',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
    });
    handMade = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Made in the dashboard',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
    });
    const okName = stack.sim.connectors().find((c) => c.id === active)!.name;
    copiedTag = stack.sim.seedConnector(stack.workspaceId, {
      name: `Copy ${okName.slice(okName.lastIndexOf('['))}`,
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
    });
  });

  it('reports them without deleting anything, leaving alone what is owned, untagged, foreign or too young', async () => {
    const report = await audit();
    assert.deepEqual(orphanIds(report), [terminatedReadiness, terminatedCreate, noRun].sort());
    const reasons = new Map(report.orphans.map((o) => [o.connectorId, o.reason]));
    assert.equal(reasons.get(terminatedReadiness), 'run-terminated');
    assert.equal(
      reasons.get(terminatedCreate),
      'run-terminated',
      'found by its tag: the run never recorded the connector id',
    );
    assert.equal(reasons.get(noRun), 'no-run');
    assert.equal(report.owned, 1);
    assert.equal(report.untagged, 1);
    assert.equal(report.foreign, 1);
    assert.equal(report.deleted, 0);
    for (const id of [terminatedReadiness, terminatedCreate, noRun, active, handMade, copiedTag])
      assert.ok(live(id), `${id} untouched by a report`);

    // Within the grace period a connector no run records may be one whose run is not visible yet: left alone.
    const young = await audit({ gracePeriod: '10m' });
    assert.deepEqual(orphanIds(young), [terminatedReadiness, terminatedCreate].sort());
    assert.equal(young.young, 1);
  });

  it('the CLI prints the report and exits 1 while orphans remain', async () => {
    const run = await runStarter(stack, ['reconcile', '--workspace', stack.workspaceId, '--grace', '0s', '--json']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal((JSON.parse(run.stdout) as ReconcileReport).orphanCount, 3);
  });

  it('--delete removes exactly the orphans; the next audit finds none', async () => {
    const report = await audit({ delete: true });
    assert.equal(report.deleted, 3);
    assert.deepEqual(
      report.orphans.map((o) => o.deletion),
      ['deleted', 'deleted', 'deleted'],
    );
    for (const id of [terminatedReadiness, terminatedCreate, noRun]) assert.ok(!live(id), `${id} deleted`);
    for (const id of [active, handMade, copiedTag]) assert.ok(live(id), `${id} kept`);
    assert.equal((await audit()).orphanCount, 0);
  });

  it('a Schedule runs the same audit; ensuring it again updates it', async () => {
    const orphan = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Scheduled [prov-fedcba9876543210]',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
    });
    const first = await ensureReconcileSchedule(
      stack.client,
      { workspaceId: stack.workspaceId, every: '1h', delete: true, gracePeriod: '0s' },
      { taskQueue: stack.taskQueue },
    );
    assert.deepEqual(first, { scheduleId: reconcileScheduleId(stack.workspaceId), created: true });
    const handle = stack.client.schedule.getHandle(first.scheduleId);
    try {
      const again = await ensureReconcileSchedule(
        stack.client,
        { workspaceId: stack.workspaceId, every: '2h', delete: true, gracePeriod: '0s' },
        { taskQueue: stack.taskQueue },
      );
      assert.equal(again.created, false);
      const described = await handle.describe();
      assert.equal(described.policies.overlap, 'SKIP');
      assert.equal(described.spec.intervals?.[0]?.every, 2 * 3_600_000);
      await handle.trigger();
      await waitFor('the scheduled audit to delete the orphan', () => (live(orphan) ? undefined : true), 30_000, 200);
      const runs = (await handle.describe()).info.recentActions;
      assert.ok(runs.length >= 1);
      stack.startedWorkflowIds.push(runs[0]!.action.workflow.workflowId);
    } finally {
      await handle.delete();
    }
  });

  it('refuses an invalid input naming the field, before starting anything', async () => {
    await assert.rejects(
      reconcile(stack.client, { workspaceId: 'not-a-uuid' }, { taskQueue: stack.taskQueue }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidReconcileInput);
        assert.match(err.message, /workspaceId: /);
        return true;
      },
    );
    await assert.rejects(
      ensureReconcileSchedule(
        stack.client,
        { workspaceId: stack.workspaceId, every: '5s' },
        { taskQueue: stack.taskQueue },
      ),
      /every: must be between/,
    );
  });
});

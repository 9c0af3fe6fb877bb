/**
 * Apply on the real dev server with a real worker and the simulator over HTTP, on a workspace with every kind of
 * row: a saved plan is refused once the workspace drifted; apply creates the missing (named with the inventory),
 * repairs the broken, leaves prune rows alone without --prune and, with it, deletes only this inventory's
 * connectors; a second apply makes no Bird write. The CLI refuses a prune it cannot confirm, and says "No changes."
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { applyFromFile } from '../src/client/apply-client';
import { ensureApplySchedule } from '../src/client/apply-schedule';
import { planFromFile } from '../src/client/plan-client';
import { applyWorkflowId, expectedOfSavedPlan, type ApplyResult } from '../src/domain/apply';
import { nameWithInventory, parseInventoryName } from '../src/domain/plan';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';
import { runStarter } from './helpers/starter-process';
import { forgetRuns, provisionNamed, seedConnector } from './helpers/workspace-state';
import { waitFor } from './helpers/wait';

describe('apply', function () {
  this.timeout(180_000);
  let stack: Stack;
  const n = Array.from({ length: 9 }, () => randomUUID());
  let file: string;
  let defaultsFile: string;
  let defaults: unknown;
  const ids: Record<string, string> = {};
  const opts = () => ({ taskQueue: stack.taskQueue, bulk: { sweepIntervalMs: 2_000 } });
  const live = (number: string) =>
    stack.sim.connectors().filter((c) => !c.deletedAt && c.arguments?.['phoneNumberId'] === number);
  const writesSince = (i: number) =>
    stack.sim
      .calls()
      .slice(i)
      .filter((c) => c.method !== 'GET');

  before(async function () {
    this.timeout(300_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200 } });
  });
  after(() => stack?.closeCheckingHistories());

  const provision = (number: string, name: string) => provisionNamed(stack, number, name);
  const seed = (number: string, name: string) => seedConnector(stack, number, name);

  it('refuses a saved plan that no longer holds, listing the differences', async () => {
    await provision(n[2]!, nameWithInventory('Keep', 'team-a'));
    ids.repair = await provision(n[3]!, nameWithInventory('Repair', 'team-a'));
    ids.adopt = seed(n[4]!, 'Adopt [prov-00000000000000aa]');
    ids.foreign = seed(n[5]!, 'Made in the dashboard');
    ids.prune = await provision(n[6]!, nameWithInventory('Prune', 'team-a'));
    ids.otherTeam = await provision(n[7]!, nameWithInventory('Other team', 'team-b'));
    ids.single = await provision(n[8]!, 'Single provisioning');
    await waitFor(
      'the seeded connectors to be active',
      () => (stack.sim.connectors().find((c) => c.id === ids.adopt)?.state.stage === 'active' ? true : undefined),
      30_000,
    );
    const dir = await mkdtemp(join(tmpdir(), 'apply-'));
    file = join(dir, 'inventory.csv');
    defaultsFile = join(dir, 'defaults.json');
    await writeFile(file, `phoneNumberId\n${[1, 2, 3, 4, 5].map((i) => n[i]).join('\n')}\n`);
    defaults = smsBulkDefaults(stack, { name: 'Team A' });
    await writeFile(defaultsFile, JSON.stringify(defaults));

    const saved = await planFromFile(stack.client, { file, defaults, inventory: 'team-a' }, opts());
    stack.sim.setChannelStatus(ids.repair, 'error', 'inactive', 'drift made by hand');
    const before = stack.sim.calls().length;
    await assert.rejects(
      applyFromFile(
        stack.client,
        stack.bulkStore,
        { file, defaults, inventory: 'team-a', expected: expectedOfSavedPlan(JSON.parse(JSON.stringify(saved.plan))) },
        opts(),
      ),
      (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.match(String(err.cause?.message), /saved plan no longer holds/);
        assert.match(String(err.cause?.message), new RegExp(`\\+ repair ${n[3]}`));
        return true;
      },
    );
    assert.deepEqual(writesSince(before), []);
  });

  it('creates the missing, repairs the broken, and leaves prune rows alone without --prune', async () => {
    const before = stack.sim.calls().length;
    const { result } = await applyFromFile(
      stack.client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a' },
      opts(),
    );
    const row = (i: number) => result.rows.find((r) => r.phoneNumberId === n[i]);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((i) => [row(i)?.action, row(i)?.outcome]),
      [
        ['create', 'created'],
        ['keep', 'unchanged'],
        ['repair', 'repaired'],
        ['adopt', 'adopted'],
        ['foreign', 'unchanged'],
        ['prune', 'skipped'],
      ],
    );
    // The create records the inventory in the connector's name; the repair made a new connector.
    const created = live(n[1]!);
    assert.equal(created.length, 1);
    assert.equal(parseInventoryName(created[0]!.name).inventory, 'team-a');
    const repaired = live(n[3]!);
    assert.equal(repaired.length, 1);
    assert.notEqual(repaired[0]!.id, ids.repair);
    assert.equal(parseInventoryName(repaired[0]!.name).inventory, 'team-a');
    // The only delete is the broken connector's; the only creates are for the missing and the repaired numbers.
    const writes = writesSince(before);
    assert.deepEqual(
      writes.filter((c) => c.method === 'DELETE').map((c) => c.path.split('/').pop()),
      [ids.repair],
    );
    assert.ok(live(n[6]!).some((c) => c.id === ids.prune));
    // The repair went through one bulk offboarding (its window, rate limits and report), as `bulk-offboard` does.
    const offboarding = await stack.client.workflow
      .getHandle(`${applyWorkflowId(stack.workspaceId, 'team-a')}/offboard`)
      .describe();
    assert.equal(offboarding.type, 'bulkOffboard');
    assert.equal(offboarding.status.name, 'COMPLETED');
  });

  it("with --prune deletes only this inventory's connectors, never another's or a foreign one", async () => {
    const before = stack.sim.calls().length;
    const { result } = await applyFromFile(
      stack.client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a', prune: true },
      opts(),
    );
    assert.equal(result.rows.find((r) => r.phoneNumberId === n[6])?.outcome, 'pruned');
    assert.deepEqual(live(n[6]!), []);
    for (const id of [ids.otherTeam, ids.single, ids.foreign, ids.adopt])
      assert.ok(
        stack.sim.connectors().some((c) => c.id === id && !c.deletedAt),
        `${id} is still there`,
      );
    assert.deepEqual(
      writesSince(before)
        .filter((c) => c.method === 'DELETE')
        .map((c) => c.path.split('/').pop()),
      [ids.prune],
    );
  });

  it('a second apply makes no Bird write and says "No changes."', async () => {
    const before = stack.sim.calls().length;
    const { result } = await applyFromFile(
      stack.client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a', prune: true },
      opts(),
    );
    assert.equal(result.changed, false);
    assert.deepEqual(writesSince(before), []);

    const cli = await starter(['apply', '--file', file, '--defaults', defaultsFile, '--inventory', 'team-a']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /No changes\./);
    assert.deepEqual(writesSince(before), []);

    // Without refresh, a converged apply reads the list pages only.
    const listOnly = stack.sim.calls().length;
    const again = await applyFromFile(
      stack.client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a', refresh: false },
      opts(),
    );
    assert.equal(again.result.changed, false);
    const calls = stack.sim.calls().slice(listOnly);
    assert.ok(calls.length > 0);
    assert.deepEqual(
      calls.filter((c) => c.operationId !== 'listConnectors'),
      [],
    );
  });

  it("plans no change once every run has aged out, and prunes an adopted connector as the inventory's", async () => {
    await forgetRuns(stack, "WorkflowType = 'provisionChannel'");
    const { plan } = await planFromFile(stack.client, { file, defaults, inventory: 'team-a' }, opts());
    assert.deepEqual(plan.counts, { create: 0, keep: 4, repair: 0, adopt: 0, foreign: 1, prune: 0, other: 2 });
    assert.equal(plan.entries.find((e) => e.connectorId === ids.adopt)?.madeBy, 'team-a');

    const dir = await mkdtemp(join(tmpdir(), 'apply-'));
    const without = join(dir, 'inventory.csv');
    await writeFile(without, `phoneNumberId\n${[1, 2, 3, 5].map((i) => n[i]).join('\n')}\n`);
    const dropped = await planFromFile(stack.client, { file: without, defaults, inventory: 'team-a' }, opts());
    const pruned = dropped.plan.entries.find((e) => e.connectorId === ids.adopt);
    assert.equal(pruned?.action, 'prune');
    assert.equal(pruned?.reason, 'adopted by inventory "team-a", no longer in it');
    const otherTeam = await planFromFile(stack.client, { file, defaults, inventory: 'team-b' }, opts());
    assert.equal(otherTeam.plan.entries.find((e) => e.connectorId === ids.adopt)?.action, 'other');
  });

  it('a scheduled apply runs applyInventory on a Temporal Schedule, prune off, until unscheduled', async () => {
    const { scheduleId, created } = await ensureApplySchedule(
      stack.client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a', every: '1h' },
      opts(),
    );
    assert.ok(created);
    const handle = stack.client.schedule.getHandle(scheduleId);
    const described = await handle.describe();
    assert.equal(described.action.type, 'startWorkflow');
    assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, 'applyInventory');
    const args = described.action.type === 'startWorkflow' ? (described.action.args as [{ prune: boolean }]) : [];
    assert.equal(args[0]?.prune, false);
    const before = stack.sim.calls().length;
    await handle.trigger();
    const started = await waitFor(
      'the triggered run',
      async () => (await handle.describe()).info.recentActions[0],
      60_000,
      200,
    );
    const result = (await stack.client.workflow.getHandle(started.action.workflow.workflowId).result()) as ApplyResult;
    assert.equal(result.changed, false);
    assert.deepEqual(writesSince(before), []);

    const cli = await starter(['apply', '--inventory', 'team-a', '--defaults', defaultsFile, '--unschedule']);
    assert.equal(cli.code, 0, cli.stderr);
    await assert.rejects(handle.describe(), ScheduleNotFoundError);
  });

  it('the CLI refuses to prune without a terminal unless --yes', async () => {
    const cli = await starter([
      'apply',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--inventory',
      'team-a',
      '--prune',
    ]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /--prune deletes connectors: give --yes/);
    const yes = await starter([
      'apply',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--inventory',
      'team-a',
      '--prune',
      '--yes',
      '--json',
    ]);
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal((JSON.parse(yes.stdout) as { changed: boolean }).changed, false);
  });

  const starter = (args: string[]) => runStarter(stack, args);
});

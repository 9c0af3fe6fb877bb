/**
 * Offboarding a file of numbers on the real dev server with a real worker and the simulator over HTTP, through the
 * CLI as an operator runs it: numbers provisioned, one Bird never had and one with a connector made elsewhere, each
 * with its line in the report and none of our connectors left; a run cancelled mid-way (the window's offboarding
 * cancelled, the rest not started); a row Bird failed retried from the report alone.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awaitBulkOffboard,
  cancelBulkOffboard,
  getBulkOffboardProgress,
  startBulkOffboard,
} from '../src/client/bulk-offboard-client';
import * as sa from '../src/domain/search-attributes';
import { startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';
import { provisionedNumber } from './helpers/workspace-state';
import { bulkOffboardArgs, runStarter } from './helpers/starter-process';
import { readReport, spreadsheetCsv } from './helpers/csv-files';

describe('bulk offboarding', function () {
  this.timeout(180_000);
  let stack: Stack;
  let dir: string;

  before(async function () {
    this.timeout(240_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200, deprovisioningDelayMs: 300 } });
    dir = await mkdtemp(join(tmpdir(), 'bulk-offboard-'));
  });
  after(() => stack?.closeCheckingHistories());

  const starter = (...args: string[]) => runStarter(stack, args, { timeoutMs: 150_000 });

  const file = (name: string, lines: string[]) => spreadsheetCsv(dir, name, lines);

  const provisioned = () => provisionedNumber(stack);

  const ourLive = (numbers: string[]) =>
    stack.sim
      .connectors()
      .filter((c) => !c.deletedAt && numbers.includes(c.number?.numberId ?? '') && /\[prov-/.test(c.name));

  it('offboards a file of numbers and reports every row: offboarded, already absent, foreign left untouched', async () => {
    const ours = [await provisioned(), await provisioned(), await provisioned()];
    const absent = randomUUID();
    const foreignNumber = randomUUID();
    const foreignId = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Made in the dashboard',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: foreignNumber, channelMessageType: 'transactional' },
    });
    const numbers = [...ours.map((o) => o.number), absent, foreignNumber];
    const path = await file('numbers.csv', ['phoneNumberId', ...numbers]);
    const report = join(dir, 'report.csv');
    const run = await starter(...bulkOffboardArgs(stack, path, '--concurrency', '2', '--report', report));
    assert.equal(run.code, 0, run.stderr);
    const rows = await readReport(report);
    assert.deepEqual(
      rows.map((r) => [r.line, r.phoneNumberId, r.outcome]),
      [
        ['2', ours[0]!.number, 'offboarded'],
        ['3', ours[1]!.number, 'offboarded'],
        ['4', ours[2]!.number, 'offboarded'],
        ['5', absent, 'already-absent'],
        ['6', foreignNumber, 'foreign-left-untouched'],
      ],
    );
    assert.deepEqual(
      rows.slice(0, 3).map((r) => r.deleted),
      ours.map((o) => o.connectorId),
    );
    assert.equal(rows[4]!.foreign, foreignId);
    assert.deepEqual(ourLive(numbers), []);
    assert.ok(!stack.sim.connectors().find((c) => c.id === foreignId)!.deletedAt);
    assert.match(run.stderr, /offboarded\s+3/);

    const workflowId = /bulk offboarding (bulk-offboard\/\S+):/.exec(run.stderr)![1]!;
    stack.startedWorkflowIds.push(workflowId, ...rows.map((r) => r.workflowId!));
    const d = await stack.client.workflow.getHandle(workflowId).describe();
    assert.equal(d.typedSearchAttributes.get(sa.ProvisioningOutcome), 'all-offboarded');
    assert.equal(d.typedSearchAttributes.get(sa.ProvisioningStage), 'bulk-completed');
    assert.equal(d.typedSearchAttributes.get(sa.BirdWorkspaceId), stack.workspaceId);
  });

  it('cancelled mid-run: the offboarding in its window is cancelled, the rows not started are not-started', async () => {
    // The first row's offboarding waits on a status read Bird never answers (the confirmation of its delete).
    const first = await provisioned();
    stack.sim.scriptFault('getConnectorStatus', 'timeout', 1);
    const rows = [first.number, randomUUID(), randomUUID()].map((phoneNumberId, i) => ({ line: i + 2, phoneNumberId }));
    const started = await startBulkOffboard(
      stack.client,
      stack.bulkStore,
      { workspaceId: stack.workspaceId, rows, concurrency: 1 },
      { taskQueue: stack.taskQueue },
    );
    stack.startedWorkflowIds.push(started.workflowId, `offboard/${stack.workspaceId}/${first.number}`);
    await waitFor(
      'the first connector to be deleted',
      () => stack.sim.connectors().find((c) => c.id === first.connectorId)?.deletedAt,
      30_000,
      50,
    );
    const during = await getBulkOffboardProgress(stack.client, started.workflowId);
    assert.deepEqual([during.running, during.pending], [1, 2]);
    await cancelBulkOffboard(stack.client, started.workflowId);
    const end = await awaitBulkOffboard(stack.client, stack.bulkStore, started.workflowId);
    assert.ok(end.status === 'cancelled', end.status);
    assert.deepEqual(
      end.result.results.map((r) => r.outcome),
      ['cancelled', 'not-started', 'not-started'],
    );
    assert.equal(end.result.progress.stage, 'cancelled');
    const child = await stack.client.workflow.getHandle(end.result.results[0]!.workflowId).describe();
    assert.equal(child.status.name, 'CANCELLED');
    // Never started: no offboarding run exists for the other rows.
    const others = end.result.results.slice(1).map((r) => r.workflowId);
    for (const id of others) await assert.rejects(stack.client.workflow.getHandle(id).describe(), /not found/i);
  });

  it('--retry-failed runs again only the rows Bird failed, from the report', async () => {
    const ok = await provisioned();
    const flaky = await provisioned();
    const path = await file('retry.csv', ['phoneNumberId', flaky.number, ok.number]);
    // The confirmation read of the first row's delete hangs past its deadline: that row fails.
    stack.sim.scriptFault('getConnectorStatus', 'timeout', 1);
    const started = await startBulkOffboard(
      stack.client,
      stack.bulkStore,
      {
        workspaceId: stack.workspaceId,
        rows: [{ line: 2, phoneNumberId: flaky.number }],
        concurrency: 1,
        confirmDeadline: 2_000,
      },
      { taskQueue: stack.taskQueue },
    );
    stack.startedWorkflowIds.push(started.workflowId, `offboard/${stack.workspaceId}/${flaky.number}`);
    const failed = await awaitBulkOffboard(stack.client, stack.bulkStore, started.workflowId);
    assert.ok(failed.status === 'completed', failed.status);
    assert.equal(failed.result.results[0]!.outcome, 'failed');
    assert.ok(failed.result.results[0]!.reason);

    // The report as the CLI writes it, with the second row done meanwhile.
    const report = join(dir, 'first-report.csv');
    await writeFile(
      report,
      [
        'line,phoneNumberId,connectorTemplateRef,name,outcome,workflowId,deleted,foreign,leftBehind,reason',
        `2,${flaky.number},,,failed,x,,,,"timed out, retry"`,
        `3,${ok.number},,,offboarded,y,,,,`,
      ].join('\n'),
    );
    const second = join(dir, 'second-report.csv');
    const run = await starter(...bulkOffboardArgs(stack, path, '--retry-failed', report, '--report', second));
    assert.equal(run.code, 0, run.stderr);
    const rows = await readReport(second);
    assert.deepEqual(
      rows.map((r) => [r.line, r.phoneNumberId]),
      [['2', flaky.number]],
    );
    assert.ok(['offboarded', 'already-absent'].includes(rows[0]!.outcome ?? ''), rows[0]!.outcome);
    assert.deepEqual(ourLive([flaky.number]), []);
    // The row the report said was done was not run again: its connector is still there.
    assert.ok(!stack.sim.connectors().find((c) => c.id === ok.connectorId)!.deletedAt);
  });

  it('continues as new every `startsPerRun` children, reading the rows a page at a time and keeping every result', async () => {
    const rows = [randomUUID(), randomUUID(), randomUUID()].map((phoneNumberId, i) => ({ line: i + 1, phoneNumberId }));
    const started = await startBulkOffboard(
      stack.client,
      stack.bulkStore,
      { workspaceId: stack.workspaceId, rows, concurrency: 2, startsPerRun: 1 },
      { taskQueue: stack.taskQueue, pageSize: 2 },
    );
    stack.startedWorkflowIds.push(started.workflowId);
    const end = await awaitBulkOffboard(stack.client, stack.bulkStore, started.workflowId);
    assert.ok(end.status === 'completed', end.status);
    assert.deepEqual(
      end.result.results.map((r) => [r.row, r.outcome]),
      [
        [0, 'already-absent'],
        [1, 'already-absent'],
        [2, 'already-absent'],
      ],
    );
    assert.equal(end.result.progress.continuedAsNew, 2);
  });

  it('refuses a file with a row that names nothing, naming its line, before anything starts', async () => {
    const path = await file('bad.csv', ['phoneNumberId,connectorTemplateRef,name', randomUUID(), ',whatsapp:1,']);
    const run = await starter(...bulkOffboardArgs(stack, path));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /line 3: give a phoneNumberId/);
  });
});

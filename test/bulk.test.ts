/**
 * Bulk onboarding end to end on the real dev server, with a real worker and the simulator over HTTP: numbers that
 * share one channel name (as one customer's do), a window that forces continue-as-new, re-runs, a number already
 * provisioned elsewhere, one whose provisioning is running, failures and their retry, and cancellation.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awaitBulk,
  bulkReport,
  cancelBulk,
  getBulkProgress,
  prepareInventory,
  startBulk,
  type PreparedInventory,
} from '../src/client/bulk-client';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import type { ReportRow } from '../src/domain/bulk-report';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';

describe('bulk onboarding', function () {
  this.timeout(180_000);
  let stack: Stack;
  let dir: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ sim: { provisioningDelayMs: 300 } });
    dir = await mkdtemp(join(tmpdir(), 'bulk-test-'));
  });
  after(() => stack?.closeCheckingHistories());

  const defaults = (over: Record<string, unknown> = {}) => ({
    ...smsBulkDefaults(stack, {
      readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '500ms', deadline: '30s' },
    }),
    ...over,
  });

  async function csv(lines: string[]): Promise<string> {
    const path = join(dir, `${randomUUID()}.csv`);
    await writeFile(path, lines.join('\r\n') + '\r\n');
    return path;
  }

  async function run(
    inventory: PreparedInventory,
    opts: { concurrency?: number; pageSize?: number; startsPerRun?: number } = {},
  ) {
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      sweepIntervalMs: 2_000,
      ...opts,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    const end = await awaitBulk(stack.client, started.workflowId);
    assert.notEqual(end.status, 'failed', JSON.stringify(end));
    const progress = await getBulkProgress(stack.client, started.workflowId);
    return { started, end, progress, report: await bulkReport(stack.bulkStore, progress) };
  }

  const live = (numberId: string) =>
    stack.sim.connectors().filter((c) => !c.deletedAt && c.number?.numberId === numberId);
  const creates = (numberId: string) =>
    stack.sim
      .calls()
      .filter(
        (c) =>
          c.operationId === 'createConnector' &&
          (c.body as { arguments?: { phoneNumberId?: string } } | undefined)?.arguments?.phoneNumberId === numberId,
      );
  const byNumber = (report: ReportRow[]) => new Map(report.map((r) => [r.phoneNumberId, r]));

  let numbers: string[];
  let firstFile: string;

  it('onboards a CSV of numbers sharing one name through continue-as-new: one connector each, a complete report', async () => {
    numbers = Array.from({ length: 24 }, () => randomUUID());
    const badId = 'not-a-uuid';
    // Quoted names with commas, an upper-case copy of a UUID elsewhere in the file is a duplicate, a row without a number.
    firstFile = await csv([
      'phoneNumberId,name,channelMessageType',
      ...numbers.map((n, i) => (i % 5 === 0 ? `${n},"Acme, Support",` : `${n},,`)),
      `${badId},,`,
      `${numbers[3]!.toUpperCase()},,`,
      ',,promotional',
    ]);
    const inventory = await prepareInventory(firstFile, defaults());
    assert.equal(inventory.valid.length, 24);
    // Line 1 is the header: the bad rows are lines 26, 27 and 28, each named by its column.
    assert.deepEqual(
      inventory.invalid.map((r) => r.line),
      [26, 27, 28],
    );
    assert.equal(inventory.invalid[0]!.problems[0]!.field, 'phoneNumberId');
    assert.deepEqual(inventory.invalid[1]!.problems, [
      { line: 27, field: 'phoneNumberId', reason: 'duplicate of line 5 (the same number once per file)' },
    ]);
    assert.ok(
      inventory.invalid[2]!.problems.some((p) => p.field === 'phoneNumberId' && p.reason.startsWith('required')),
    );

    const { end, progress, report, started } = await run(inventory, { concurrency: 5, pageSize: 7, startsPerRun: 6 });
    assert.equal(end.status, 'completed');
    assert.ok(progress.continuedAsNew >= 3, `continued as new ${progress.continuedAsNew} times`);
    assert.equal(report.length, 27, 'one report row per line of the file');
    const rows = byNumber(report);
    const connectorIds = new Set<string>();
    for (const n of numbers) {
      const r = rows.get(n);
      assert.equal(r?.outcome, 'active', JSON.stringify(r));
      const mine = live(n);
      assert.equal(mine.length, 1, `exactly one connector for ${n}`);
      assert.equal(mine[0]!.id, r.connectorId, 'the report names the connector Bird has for that number');
      assert.equal(creates(n).length, 1, 'one create per number: nothing sent twice');
      assert.equal(
        r.workflowId,
        `provision/${stack.workspaceId}/${n}`,
        'the number is the run a single provision would attach to',
      );
      connectorIds.add(r.connectorId);
    }
    assert.equal(connectorIds.size, numbers.length);
    assert.deepEqual(
      report.filter((r) => r.outcome === 'invalid').map((r) => r.reason.split(':')[0]),
      ['phoneNumberId', 'phoneNumberId', 'phoneNumberId'],
    );
    assert.deepEqual(progress.counts, {
      active: 24,
      alreadyActive: 0,
      failed: 0,
      compensated: 0,
      cancelled: 0,
      notStarted: 0,
    });

    // Every run of the chain kept a small history: continue-as-new bounds it by the starts per run, not the file.
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${started.workflowId}'` })) runs.push(wf);
    assert.ok(runs.length >= 4);
    for (const wf of runs) {
      const h = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      assert.ok((h.events?.length ?? 0) < 400, `run ${wf.runId} has ${h.events?.length} events`);
    }
  });

  it('running the same file again provisions nothing twice: every number is already-active', async () => {
    const createsBefore = stack.sim.calls().filter((c) => c.operationId === 'createConnector').length;
    const { report, progress } = await run(await prepareInventory(firstFile, defaults()), { concurrency: 10 });
    for (const n of numbers) assert.equal(byNumber(report).get(n)?.outcome, 'already-active');
    assert.equal(progress.counts.alreadyActive, numbers.length);
    assert.equal(
      stack.sim.calls().filter((c) => c.operationId === 'createConnector').length,
      createsBefore,
      'no create was sent',
    );
  });

  it('a number Bird already has an active connector for is already-active by what Bird has, with that connector', async () => {
    const outside = randomUUID();
    const theirs = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Made in the Bird dashboard',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: outside, channelMessageType: 'transactional' },
    });
    stack.sim.setChannelStatus(theirs, 'ok', 'active');
    const fresh = randomUUID();
    const file = await csv(['phoneNumberId', outside, fresh]);
    const { report } = await run(await prepareInventory(file, defaults()));
    const rows = byNumber(report);
    assert.equal(rows.get(outside)?.outcome, 'already-active');
    assert.equal(rows.get(outside)?.connectorId, theirs);
    assert.equal(creates(outside).length, 0, 'never sent a create that Bird would refuse');
    assert.equal(rows.get(fresh)?.outcome, 'active');
  });

  it("a number whose provisioning is already running is watched, not started again, and reported with that run's connector", async () => {
    const busy = randomUUID();
    stack.sim.configureNumber(busy, { outcome: 'active', delayMs: 3_000 });
    const single = await parseAndStartProvisioning(
      stack.client,
      {
        ...defaults(),
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'Acme Support',
          arguments: { phoneNumberId: busy, channelMessageType: 'transactional' },
        },
      },
      { taskQueue: stack.taskQueue },
    );
    stack.startedWorkflowIds.push(single.workflowId);
    const other = randomUUID();
    const { report } = await run(await prepareInventory(await csv(['phoneNumberId', busy, other]), defaults()));
    const singleResult = await awaitResult(stack.client, single.workflowId);
    assert.ok(singleResult.ok);
    const row = byNumber(report).get(busy);
    assert.equal(row?.outcome, 'active');
    assert.match(row.reason, /started elsewhere/);
    assert.equal(row.connectorId, singleResult.result.connectorId);
    assert.equal(creates(busy).length, 1);
    assert.equal(live(busy).length, 1);
    assert.equal(byNumber(report).get(other)?.outcome, 'active');
  });

  it('failed numbers are compensated and reported; --retry-failed re-runs only them', async () => {
    const good = Array.from({ length: 5 }, () => randomUUID());
    const bad = Array.from({ length: 3 }, () => randomUUID());
    for (const n of bad)
      stack.sim.configureNumber(n, { outcome: 'error', errorMessage: 'number not verified for A2P' });
    const file = await csv(['phoneNumberId', ...[...good, ...bad].sort()]);
    const first = await run(await prepareInventory(file, defaults()), { concurrency: 4 });
    const rows = byNumber(first.report);
    for (const n of bad) {
      assert.equal(rows.get(n)?.outcome, 'failed');
      assert.match(rows.get(n)!.reason, /number not verified for A2P/);
      assert.match(rows.get(n)!.reason, /Undone: deleted connector/);
      assert.equal(live(n).length, 0, 'a failed number leaves no connector');
    }
    assert.equal(first.progress.counts.compensated, 3);

    for (const n of bad) stack.sim.configureNumber(n, { outcome: 'active' });
    const retry = new Set(
      first.report
        .filter((r) => ['failed', 'cancelled', 'not-started'].includes(r.outcome))
        .map((r) => r.phoneNumberId),
    );
    const again = await run(await prepareInventory(file, defaults(), {}, retry));
    assert.equal(again.report.length, 3, 'only the failed rows');
    for (const n of bad) {
      assert.equal(byNumber(again.report).get(n)?.outcome, 'active');
      assert.equal(live(n).length, 1);
    }
    for (const n of good) assert.equal(creates(n).length, 1, 'rows that had succeeded were not touched');
  });

  it('cancelling the bulk run cancels its running provisionings (they compensate) and leaves the rest not started', async () => {
    const slow: string[] = Array.from({ length: 9 }, () => randomUUID());
    for (const n of slow) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 20_000 });
    const inventory = await prepareInventory(
      await csv(['phoneNumberId', ...slow]),
      defaults({ readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '1m' } }),
    );
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      concurrency: 3,
      sweepIntervalMs: 2_000,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    await waitFor(
      'three provisionings awaiting readiness',
      async () => {
        const p = await getBulkProgress(stack.client, started.workflowId);
        return p.running === 3 && slow.filter((n) => live(n).length === 1).length === 3 ? true : undefined;
      },
      30_000,
      200,
    );
    await cancelBulk(stack.client, started.workflowId);
    const end = await awaitBulk(stack.client, started.workflowId);
    assert.equal(end.status, 'cancelled');
    const progress = await getBulkProgress(stack.client, started.workflowId);
    const report = await bulkReport(stack.bulkStore, progress);
    const outcomes = report.map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, [...Array<string>(3).fill('cancelled'), ...Array<string>(6).fill('not-started')]);
    for (const r of report.filter((x) => x.outcome === 'cancelled')) assert.match(r.reason, /deleted connector/);
    for (const n of slow) assert.equal(live(n).length, 0, 'nothing left behind');
    assert.equal(
      stack.sim
        .calls()
        .filter(
          (c) =>
            c.operationId === 'createConnector' &&
            slow.includes((c.body as { arguments: { phoneNumberId: string } }).arguments.phoneNumberId),
        ).length,
      3,
      'rows not started were untouched',
    );
    assert.equal(progress.counts.notStarted, 6);
    assert.equal(progress.stage, 'cancelled');
  });
});

/**
 * A bulk run's bookkeeping when starts resolve late, as on a busy machine. A provisioning that ends before its bulk
 * run has seen it start: its report must count, not wait for the sweep.
 * Found by the 10,000-number benchmark (159 rows waited 5 minutes for the sweep on a busy machine); reproduced here
 * on purpose by a test-only interceptor that makes every second child's start resolve 4 s late in the bulk run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';

describe('bulk onboarding: reports that overtake their start', function () {
  this.timeout(180_000);
  let stack: Stack;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({
      sim: { provisioningDelayMs: 100 },
      workflowInterceptorModules: [require.resolve('./helpers/late-child-start')],
    });
  });
  after(() => stack?.closeCheckingHistories());

  async function inventoryOf(numbers: string[]) {
    const file = join(await mkdtemp(join(tmpdir(), 'bulk-early-')), 'numbers.csv');
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n') + '\n');
    return prepareInventory(
      file,
      smsBulkDefaults(stack, {
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '200ms', deadline: '30s' },
      }),
    );
  }

  it('while a batch is still starting, its rows already in the window are not counted twice as running', async () => {
    const numbers = Array.from({ length: 4 }, () => randomUUID());
    for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 8_000 });
    const started = await startBulk(stack.client, stack.bulkStore, await inventoryOf(numbers), {
      taskQueue: stack.taskQueue,
      concurrency: 4,
      sweepIntervalMs: 600_000,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    const seen: number[] = [];
    const deadline = Date.now() + 7_000;
    while (Date.now() < deadline) {
      seen.push((await getBulkProgress(stack.client, started.workflowId)).running);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(seen.includes(4), `the four rows were running at some point: ${seen.join(' ')}`);
    assert.ok(Math.max(...seen) <= 4, `never more running than the window of 4: ${seen.join(' ')}`);
    assert.equal((await awaitBulk(stack.client, started.workflowId)).status, 'completed');
  });

  it('a provisioning that reports before its start resolved is counted at once, active or compensated', async () => {
    const numbers = Array.from({ length: 8 }, () => randomUUID());
    const refused = numbers.slice(0, 2);
    for (const n of refused) stack.sim.configureNumber(n, { outcome: 'error', errorMessage: 'number not verified' });
    const inventory = await inventoryOf(numbers);
    // The sweep (the fallback for lost reports) comes only after 10 minutes: far beyond this test's time.
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      concurrency: 8,
      sweepIntervalMs: 600_000,
    });
    stack.startedWorkflowIds.push(started.workflowId);

    const ended = await Promise.race([
      awaitBulk(stack.client, started.workflowId),
      new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 90_000)),
    ]);
    if (ended === 'waiting') {
      const p = await getBulkProgress(stack.client, started.workflowId);
      assert.fail(
        `the bulk run still waits for ${p.running} report(s) that arrived before their start resolved (counts ${JSON.stringify(p.counts)})`,
      );
    }
    assert.equal(ended.status, 'completed');
    const progress = await getBulkProgress(stack.client, started.workflowId);
    assert.deepEqual(progress.counts, {
      active: 6,
      alreadyActive: 0,
      failed: 2,
      compensated: 2,
      cancelled: 0,
      notStarted: 0,
    });
    const report = await bulkReport(stack.bulkStore, progress);
    for (const n of refused)
      assert.match(report.find((r) => r.phoneNumberId === n)?.reason ?? '', /number not verified/);

    // The race did happen (each child ended while its start was held back), and no sweep looked anything up.
    const events = (await stack.client.workflow.getHandle(started.workflowId).fetchHistory()).events ?? [];
    const children = stack.sim
      .calls()
      .filter(
        (c) =>
          c.operationId === 'createConnector' &&
          (numbers as string[]).includes((c.body as { arguments: { phoneNumberId: string } }).arguments.phoneNumberId),
      ).length;
    assert.equal(children, numbers.length);
    assert.ok(
      events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
      'the early-report path ran (its patch marker)',
    );
    const activities = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    assert.ok(!activities.includes('describeProvisionings'), `no sweep: ${activities.join(', ')}`);
  });
});

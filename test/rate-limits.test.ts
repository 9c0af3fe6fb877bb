/**
 * Bird's rate limits, enforced with Temporal's own means: the Bird activities run on task queues whose dispatch rate
 * the server limits across all workers, so a burst of provisionings stays within Bird's budget (the simulator
 * answers 429 past it). Compared with the same burst without the limit, which Bird refuses in part. With fairness,
 * each workspace gets its own budget.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import { birdReadsQueue } from '../src/bird/rate-limits/queues';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';

/**
 * What Bird allows per workspace in these tests, and what the workers are told: half, because the server's limiter
 * lets short bursts through (seen: up to 9 dispatches in one second at 4/s with fairness) and the clocks differ.
 */
const BIRD_LIMIT = { getPerSecond: 6, postPerSecond: 6 };
const WORKER_LIMIT = { getPerSecond: 3, postPerSecond: 3 };

describe("Bird's rate limits", function () {
  this.timeout(180_000);
  const stacks: Stack[] = [];
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rate-limits-'));
  });
  after(async () => {
    const closed = await Promise.allSettled(stacks.map((s) => s.closeCheckingHistories()));
    for (const c of closed) if (c.status === 'rejected') throw c.reason;
  });

  async function bulkOf(stack: Stack, workspace: { workspaceId: string; organizationId: string }, n: number) {
    const numbers = Array.from({ length: n }, () => randomUUID());
    const file = join(dir, `${randomUUID()}.csv`);
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
    const inventory = await prepareInventory(
      file,
      // Many channels, one name; status polled every 200 ms, far more often than Bird's budget allows for all of them.
      smsBulkDefaults(workspace, {
        name: 'Burst',
        readiness: {
          mode: 'poll',
          initialPollInterval: '200ms',
          backoffCoefficient: 1,
          maxPollInterval: '200ms',
          deadline: '2m',
        },
      }),
    );
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      concurrency: n,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    return { started, numbers };
  }

  async function finish(stack: Stack, workflowId: string) {
    const end = await awaitBulk(stack.client, workflowId);
    assert.equal(end.status, 'completed', JSON.stringify(end));
    return bulkReport(stack.bulkStore, await getBulkProgress(stack.client, workflowId));
  }

  const refused = (stack: Stack, workspaceId: string) =>
    stack.sim.calls().filter((c) => c.rateLimited && c.path.includes(workspaceId)).length;

  it('the simulator refuses requests past a workspace budget with 429 and Retry-After, each workspace apart', async () => {
    const stack = await startStack({ sim: { rateLimits: { getPerSecond: 3, postPerSecond: 3 } } });
    // Closed here, not by an after() hook: mocha never runs a hook registered from inside a test (its worker would
    // be left holding the shared connection).
    try {
      const other = { id: randomUUID(), organizationId: stack.organizationId };
      stack.sim.addWorkspace(other);
      const list = (ws: string) =>
        fetch(`${stack.sim.url}/workspaces/${ws}/connectors`, {
          headers: { authorization: `AccessKey ${stack.secrets.accessKey}` },
        });
      const answers = await Promise.all(Array.from({ length: 6 }, () => list(stack.workspaceId)));
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 200, 429, 429, 429]);
      assert.equal(answers.find((r) => r.status === 429)?.headers.get('retry-after'), '1');
      assert.equal((await list(other.id)).status, 200, "another workspace's budget is its own");
    } finally {
      await stack.close(); // it starts no workflow
    }
  });

  it('with the task-queue limit a burst of provisionings gets no 429; without it Bird refuses part of the same burst', async () => {
    const limited = await startStack({
      sim: { rateLimits: BIRD_LIMIT, provisioningDelayMs: 1_500 },
      worker: { birdRateLimits: WORKER_LIMIT },
    });
    const unlimited = await startStack({
      sim: { rateLimits: BIRD_LIMIT, provisioningDelayMs: 1_500 },
      worker: { birdRateLimits: { getPerSecond: 1_000, postPerSecond: 1_000 } },
    });
    stacks.push(limited, unlimited);
    const a = await bulkOf(limited, limited, 12);
    const b = await bulkOf(unlimited, unlimited, 12);
    const [reportA, reportB] = await Promise.all([
      finish(limited, a.started.workflowId),
      finish(unlimited, b.started.workflowId),
    ]);
    for (const r of [...reportA, ...reportB]) assert.equal(r.outcome, 'active', JSON.stringify(r));
    const calls = limited.sim.calls().filter((c) => c.path.includes(limited.workspaceId)).length;
    console.log(
      `      limited: ${calls} Bird calls, ${refused(limited, limited.workspaceId)} answered 429; unlimited: ${refused(unlimited, unlimited.workspaceId)} answered 429`,
    );
    assert.equal(refused(limited, limited.workspaceId), 0, 'the server kept the burst within the budget');
    assert.ok(
      refused(unlimited, unlimited.workspaceId) > 0,
      'the same burst without the limit exceeds it (so the limit is what kept it)',
    );
  });

  it('with fairness each workspace gets its own budget: two workspaces at once, no 429, fairness keys on every Bird activity', async () => {
    const stack = await startStack({
      sim: { rateLimits: BIRD_LIMIT, provisioningDelayMs: 1_500 },
      worker: { birdRateLimits: WORKER_LIMIT, rateLimitScope: { scope: 'workspace', workspacesAtFullRate: 4 } },
    });
    stacks.push(stack);
    const second = { workspaceId: randomUUID(), organizationId: stack.organizationId };
    stack.sim.addWorkspace({ id: second.workspaceId, organizationId: second.organizationId });
    const a = await bulkOf(stack, stack, 10);
    const b = await bulkOf(stack, second, 10);
    const [reportA, reportB] = await Promise.all([
      finish(stack, a.started.workflowId),
      finish(stack, b.started.workflowId),
    ]);
    for (const r of [...reportA, ...reportB]) assert.equal(r.outcome, 'active');
    assert.equal(refused(stack, stack.workspaceId), 0);
    assert.equal(refused(stack, second.workspaceId), 0);

    // The server holds the per-workspace default rate on the reads queue.
    const described = await stack.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: birdReadsQueue(stack.taskQueue) },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportConfig: true,
    });
    assert.equal(
      described.config?.fairnessKeysRateLimitDefault?.rateLimit?.requestsPerSecond,
      WORKER_LIMIT.getPerSecond,
    );
    // And each provisioning's Bird activities carry its workspace as fairness key.
    const history = await stack.client.workflow.getHandle(reportB[0]!.workflowId).fetchHistory();
    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes);
    assert.ok(scheduled.length >= 2);
    for (const e of scheduled)
      assert.equal(e.activityTaskScheduledEventAttributes!.priority?.fairnessKey, second.workspaceId);
  });
});

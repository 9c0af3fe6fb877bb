/**
 * The demo as a person runs it (a real process, non-default ports, the shared test dev server): it provisions,
 * onboards in bulk, offboards and applies an inventory, and must not leave its webhookSubscription entity running.
 * It retires the one an earlier, killed demo left, and its own on Ctrl-C.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEFAULT_WORKSPACE } from '../src/bird-sim';
import { workspaceSubscriptionWorkflowId } from '../src/domain/subscription-input';
import { PUBLIC_URL } from '../src/demo';
import { webhookSubscription } from '../src/workflows';
import { freePort, temporal, type TemporalHarness } from './helpers/temporal';
import { startNodeProcess, type NodeProcess } from './helpers/processes';

describe('demo process', function () {
  this.timeout(180_000);
  let harness: TemporalHarness;
  let demo: NodeProcess | undefined;
  const taskQueue = `demo-${randomUUID()}`;
  const subscription = {
    organizationId: DEFAULT_WORKSPACE.organizationId,
    workspaceId: DEFAULT_WORKSPACE.id,
    event: 'channel.updated' as const,
    url: PUBLIC_URL,
    signingKeyRef: 'WEBHOOK_SIGNING_KEY',
  };
  const entityId = workspaceSubscriptionWorkflowId(subscription);

  before(async () => {
    harness = await temporal();
  });
  after(() => demo?.kill());

  it('retires the subscription entity an earlier run left running, and its own on Ctrl-C: none stays running', async () => {
    // What a demo killed with SIGKILL leaves behind: the entity of the demo workspace, still running.
    const leftover = await harness.env.client.workflow.start(webhookSubscription, {
      taskQueue,
      workflowId: entityId,
      args: [subscription],
    });
    demo = startNodeProcess(
      'src/demo.ts',
      {
        TEMPORAL_ADDRESS: harness.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        TEMPORAL_TASK_QUEUE: taskQueue,
        BIRD_SIM_PORT: '0',
        RECEIVER_PORT: '0',
        TEMPORAL_UI_PORT: String(await freePort()),
        DEMO_BULK_NUMBERS: '10',
      },
      { node: process.execPath, execArgv: ['--import', 'tsx'] },
    );
    await demo.waitForLine('the demo to settle', (l) => l.includes('Ctrl-C to stop'), 150_000);
    assert.ok(
      demo.lines.some((l) => l === `retired the subscription entity an earlier demo run left running (${entityId})`),
      demo.lines.join('\n'),
    );
    assert.equal(
      (await harness.env.client.workflow.getHandle(entityId, leftover.firstExecutionRunId).describe()).status.name,
      'COMPLETED',
    );
    assert.ok(demo.lines.some((l) => l.startsWith('  READY: ')));
    assert.ok(demo.lines.some((l) => l.startsWith('  FAILED (as intended): ')));
    // The bulk part: a file of numbers, two of them refused by Bird and compensated, and a report.
    assert.ok(
      demo.lines.some((l) =>
        /^ {2}8 active, 2 failed \(refused by Bird, compensated as intended\); report: .*report\.csv$/.test(l),
      ),
      demo.lines.join('\n'),
    );
    // A channel's life: the ready channel offboarded, then an inventory applied through drift made by hand.
    assert.ok(
      demo.lines.some((l) =>
        /^ {2}offboarded: deleted \S+ \(confirmed (not-found|deprovisioned)\); 1 Bird write/.test(l),
      ),
      demo.lines.join('\n'),
    );
    assert.ok(
      demo.lines.some((l) => / 1 create, 4 keep, 1 repair, 0 adopt, 1 foreign, 1 prune, \d+ other$/.test(l)),
      demo.lines.join('\n'),
    );
    assert.ok(
      demo.lines.some((l) => / 1 repaired, 1 created, 1 pruned$/.test(l)),
      demo.lines.join('\n'),
    );
    assert.ok(
      demo.lines.some((l) => /: No changes\.$/.test(l)),
      demo.lines.join('\n'),
    );
    const current = await harness.env.client.workflow.getHandle(entityId).describe();
    assert.equal(current.status.name, 'RUNNING', "this run's own entity, while the demo runs");
    assert.notEqual(current.runId, leftover.firstExecutionRunId);

    demo.child.kill('SIGINT');
    assert.deepEqual(await demo.exited, { code: 0, signal: null }, demo.lines.slice(-10).join('\n'));
    assert.ok(demo.lines.some((l) => l === `retired the subscription entity ${entityId}`));
    assert.equal(
      (await harness.env.client.workflow.getHandle(entityId).describe()).status.name,
      'COMPLETED',
      'nothing left running',
    );
  });
});

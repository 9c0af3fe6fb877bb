/**
 * Determinism guard: every recorded history in test/histories must replay against the current workflow code.
 * A change that would break running workflows (reordered commands, a removed activity call…) fails here.
 */
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { workerTracing } from '../src/observability/tracing';
import { resolve } from 'node:path';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { retireSubscriptionSignal } from '../src/domain/messages/subscription';
import { RECEIVER_PUBLIC_URL, smsInput, startStack } from './helpers/stack';
import { temporal } from './helpers/temporal';

const DIR = resolve(__dirname, 'histories');
/** The worker's span sink (a no-op without tracing), which the traced histories' runs call. */
const replaySinks = { sinks: workerTracing().sinks };

describe('replay of recorded histories', function () {
  this.timeout(120_000);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has histories for every workflow type and outcome we record', () => {
    assert.ok(files.length >= 6, `found ${files.length}`);
    const types = new Set(
      files.map((f) => {
        const first = (
          JSON.parse(readFileSync(resolve(DIR, f), 'utf8')) as {
            events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }>;
          }
        ).events[0];
        return first?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    assert.deepEqual([...types].sort(), [
      'applyInventory',
      'bulkOffboard',
      'bulkOnboard',
      'offboardChannel',
      'planInventory',
      'provisionChannel',
      'webhookSubscription',
    ]);
  });

  it('replays each of them without nondeterminism', async () => {
    const { workflowBundle } = await temporal();
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(readFileSync(resolve(DIR, file), 'utf8'))),
    }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle, replayName: 'recorded', ...replaySinks },
      histories,
    )) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, files.length);
  });

  it('recorded histories hold no secret-looking values', () => {
    for (const file of files) {
      const text = readFileSync(resolve(DIR, file), 'utf8');
      assert.doesNotMatch(text, /sim-key-|signing-key-|AccessKey /, file);
    }
  });
});

describe('replay of histories exported from a run of the current build', function () {
  this.timeout(120_000);

  it('runs provisionings and the entity, exports their histories as JSON, and replays them', async () => {
    const stack = await startStack();
    const ids: string[] = [];
    try {
      const ready = await parseAndStartProvisioning(stack.client, smsInput(stack), { taskQueue: stack.taskQueue });
      const refusedInput = smsInput(stack);
      stack.sim.configureNumber((refusedInput.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
        outcome: 'error',
        errorMessage: 'refused',
      });
      const refused = await parseAndStartProvisioning(stack.client, refusedInput, { taskQueue: stack.taskQueue });
      const entity = await ensureWorkspaceSubscription(
        stack.client,
        {
          organizationId: stack.organizationId,
          workspaceId: stack.workspaceId,
          event: 'channel.updated',
          url: RECEIVER_PUBLIC_URL,
        },
        { taskQueue: stack.taskQueue },
      );
      assert.equal((await awaitResult(stack.client, ready.workflowId)).ok, true);
      assert.equal((await awaitResult(stack.client, refused.workflowId)).ok, false);
      await stack.client.workflow.getHandle(entity.workflowId).signal(retireSubscriptionSignal);
      await stack.client.workflow.getHandle(entity.workflowId).result();
      ids.push(ready.workflowId, refused.workflowId, entity.workflowId);
    } finally {
      await stack.close();
    }

    // Exported the way `temporal workflow show --output json` and the UI's download do, then read back.
    const exported = await Promise.all(
      ids.map(async (workflowId) => ({
        workflowId,
        json: historyToJSON(await stack.client.workflow.getHandle(workflowId).fetchHistory()),
      })),
    );
    const { workflowBundle } = await temporal();
    const histories = exported.map(({ workflowId, json }) => ({
      workflowId,
      history: historyFromJSON(JSON.parse(json)),
    }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'exported' }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, 3);
  });
});

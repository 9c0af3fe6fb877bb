/**
 * Records workflow histories for the replay test (test/replay.test.ts): `npm run record-histories`.
 *
 * Re-record only on purpose, when a workflow change is meant to be incompatible (and then version it with
 * patched() instead, if runs of the old code may still be open). Each scenario runs on a real dev server against
 * the simulator, exactly as in the tests.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { awaitResult, cancelProvisioning, getProgress, startProvisioning } from '../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { RECEIVER_PUBLIC_URL, SIGNING_KEY_REF, smsInput, startStack, type Stack } from '../test/helpers/stack';
import { shutdownTemporal } from '../test/helpers/temporal';

const OUT = resolve(__dirname, '../test/histories');

type Scenario = (stack: Stack) => Promise<string>;

const scenarios: Record<string, Scenario> = {
  'poll-ready-with-subscription': async (stack) => {
    const input = smsInput(stack, { subscriptions: [{ service: 'channels', event: 'channel.updated', url: 'https://hooks.example.com/x', signingKeyRef: SIGNING_KEY_REF }] });
    const { workflowId } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'error-status-compensated': async (stack) => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, { outcome: 'error', errorMessage: 'rejected' });
    const { workflowId } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'cancelled-compensated': async (stack) => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, { outcome: 'active', delayMs: 60_000 });
    const { workflowId, handle } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    while ((await getProgress(stack.client, workflowId)).stage !== 'awaiting-readiness') await new Promise((r) => setTimeout(r, 100));
    await cancelProvisioning(stack.client, workflowId);
    await handle.result().catch(() => undefined);
    return workflowId;
  },
  'lost-create-reply-adopted': async (stack) => {
    stack.sim.scriptFault('createConnector', 'lost-response', 1);
    const { workflowId } = await startProvisioning(stack.client, smsInput(stack), { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'refused-create-nothing-to-undo': async (stack) => {
    const { workflowId } = await startProvisioning(stack.client, { ...smsInput(stack), workspaceId: '00000000-0000-4000-8000-000000000000' }, { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'deadline-final-check-ready': async (stack) => {
    const input = smsInput(stack, { readiness: { mode: 'poll', initialPollInterval: '1s', backoffCoefficient: 3, maxPollInterval: '10s', deadline: '8s' } });
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, { outcome: 'active', delayMs: 5_500 });
    const { workflowId } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'webhook-ready-by-report': async (stack) => {
    const ensured = await ensureWorkspaceSubscription(
      stack.client,
      { organizationId: stack.organizationId, workspaceId: stack.workspaceId, event: 'channel.updated', url: RECEIVER_PUBLIC_URL, signingKeyRef: SIGNING_KEY_REF },
      { taskQueue: stack.taskQueue },
    );
    await writeHistory(stack, 'workspace-subscription-entity', ensured.workflowId);
    const input = smsInput(stack, { readiness: { mode: 'both', initialPollInterval: '20s', deadline: '1m', maxPollInterval: '1m' } });
    const { workflowId } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
};

async function writeHistory(stack: Stack, name: string, workflowId: string): Promise<void> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const json = historyToJSON(history);
  for (const secret of Object.values(stack.secrets)) {
    if (json.includes(secret)) throw new Error(`refusing to write ${name}: a secret is in its history`);
  }
  await writeFile(resolve(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
  console.log(`recorded ${name} (${workflowId})`);
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const stack = await startStack({ receiver: true });
  try {
    for (const [name, run] of Object.entries(scenarios)) {
      stack.sim.reset();
      await writeHistory(stack, name, await run(stack));
    }
  } finally {
    await stack.close();
    await shutdownTemporal();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

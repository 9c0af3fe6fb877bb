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
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { awaitBulk, cancelBulk, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import {
  awaitResult,
  cancelProvisioning,
  getProgress,
  parseAndStartProvisioning,
} from '../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { offboardScenarios } from './record-offboard-histories';
import { bulkTemplateScenarios } from './record-bulk-template-histories';
import { smsBulkDefaults } from '../test/helpers/inventory';
import { RECEIVER_PUBLIC_URL, SIGNING_KEY_REF, smsInput, startStack, type Stack } from '../test/helpers/stack';
import { shutdownTemporal } from '../test/helpers/temporal';

const OUT = resolve(__dirname, '../test/histories');

type Scenario = (stack: Stack) => Promise<string | { workflowId: string; runId: string }>;

/** The per-channel subscription the recorded provisionings register. */
const SUBSCRIPTION = {
  service: 'channels' as const,
  event: 'channel.updated',
  url: 'https://hooks.example.com/x',
  signingKeyRef: SIGNING_KEY_REF,
};

/** The workspace's channel.updated subscription to the receiver (its entity workflow), so reports reach the runs. */
function receiverSubscription(stack: Stack) {
  const { organizationId, workspaceId, taskQueue } = stack;
  const subscription = { organizationId, workspaceId, event: 'channel.updated' as const, url: RECEIVER_PUBLIC_URL };
  return ensureWorkspaceSubscription(stack.client, { ...subscription, signingKeyRef: SIGNING_KEY_REF }, { taskQueue });
}

/** Starts a provisioning through the typed client and waits for its end; its workflow id. */
async function provisionToTheEnd(stack: Stack, input: ReturnType<typeof smsInput>): Promise<string> {
  const { workflowId } = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
  await awaitResult(stack.client, workflowId);
  return workflowId;
}

const scenarios: Record<string, Scenario> = {
  'poll-ready-with-subscription': (stack) =>
    provisionToTheEnd(stack, smsInput(stack, { subscriptions: [SUBSCRIPTION] })),
  'error-status-compensated': async (stack) => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'error',
      errorMessage: 'rejected',
    });
    return provisionToTheEnd(stack, input);
  },
  'cancelled-compensated': async (stack) => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'active',
      delayMs: 60_000,
    });
    const { workflowId, handle } = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    while ((await getProgress(stack.client, workflowId)).stage !== 'awaiting-readiness')
      await new Promise((r) => setTimeout(r, 100));
    await cancelProvisioning(stack.client, workflowId);
    await handle.result().catch(() => undefined);
    return workflowId;
  },
  'lost-create-reply-adopted': async (stack) => {
    stack.sim.scriptFault('createConnector', 'lost-response', 1);
    const { workflowId } = await parseAndStartProvisioning(stack.client, smsInput(stack), {
      taskQueue: stack.taskQueue,
    });
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'refused-create-nothing-to-undo': async (stack) => {
    const { workflowId } = await parseAndStartProvisioning(
      stack.client,
      { ...smsInput(stack), workspaceId: '00000000-0000-4000-8000-000000000000' },
      { taskQueue: stack.taskQueue },
    );
    await awaitResult(stack.client, workflowId);
    return workflowId;
  },
  'deadline-final-check-ready': async (stack) => {
    const input = smsInput(stack, {
      readiness: {
        mode: 'poll',
        initialPollInterval: '1s',
        backoffCoefficient: 3,
        maxPollInterval: '10s',
        deadline: '8s',
      },
    });
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'active',
      delayMs: 5_500,
    });
    return provisionToTheEnd(stack, input);
  },
  'webhook-ready-by-report': async (stack) => {
    const ensured = await receiverSubscription(stack);
    await writeHistory(stack, 'workspace-subscription-entity', ensured.workflowId);
    const input = smsInput(stack, {
      readiness: { mode: 'both', initialPollInterval: '20s', deadline: '1m', maxPollInterval: '1m' },
    });
    return provisionToTheEnd(stack, input);
  },
};

/** A bulk run of `numbers` over the test defaults, started through the typed API as the CLI does. */
async function bulkOf(
  stack: Stack,
  numbers: string[],
  opts: { concurrency?: number; startsPerRun: number; pageSize: number },
) {
  const file = resolve(await mkdtemp(resolve(tmpdir(), 'record-')), 'numbers.csv');
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
  const inventory = await prepareInventory(
    file,
    smsBulkDefaults(stack, {
      name: 'Recorded bulk',
      readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '1m' },
    }),
  );
  return startBulk(stack.client, stack.bulkStore, inventory, {
    taskQueue: stack.taskQueue,
    sweepIntervalMs: 2_000,
    ...opts,
  });
}

// Bulk onboarding (added after the hardening re-record; recorded alone with `npm run record-histories -- bulk-…`).
scenarios['bulk-first-run-continued-as-new'] = async (stack) => {
  const numbers = Array.from({ length: 7 }, () => randomUUID());
  stack.sim.configureNumber(numbers[1]!, { outcome: 'error', errorMessage: 'rejected' });
  const started = await bulkOf(stack, numbers, { concurrency: 3, startsPerRun: 4, pageSize: 3 });
  await awaitBulk(stack.client, started.workflowId);
  // The first run of the chain: it started children, continued as new with its window, and children report by signal.
  await writeHistory(stack, 'child-of-bulk-refused', `provision/${stack.workspaceId}/${numbers[1]!}`);
  return { workflowId: started.workflowId, runId: started.runId };
};
scenarios['bulk-cancelled'] = async (stack) => {
  const numbers = Array.from({ length: 5 }, () => randomUUID());
  for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 60_000 });
  const started = await bulkOf(stack, numbers, { concurrency: 2, startsPerRun: 500, pageSize: 100 });
  while ((await getBulkProgress(stack.client, started.workflowId)).running < 2)
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1_000));
  await cancelBulk(stack.client, started.workflowId);
  await awaitBulk(stack.client, started.workflowId);
  return started.workflowId;
};

// Fewer actions and polling fit to the activation time (docs/budgets.md, docs/polling.md).
scenarios['bulk-learns-poll-schedule'] = async (stack) => {
  const numbers = Array.from({ length: 10 }, () => randomUUID());
  const started = await bulkOf(stack, numbers, { concurrency: 10, startsPerRun: 500, pageSize: 100 });
  await awaitBulk(stack.client, started.workflowId);
  // The last row starts after the scouts have reported: with the learned minimum activation time.
  await writeHistory(stack, 'child-of-bulk-learned-schedule', `provision/${stack.workspaceId}/${numbers[9]!}`);
  return started.workflowId;
};
scenarios['both-webhook-before-first-poll'] = async (stack) => {
  await receiverSubscription(stack);
  const input = smsInput(stack, {
    readiness: {
      mode: 'both',
      firstPollAfter: '20s',
      initialPollInterval: '5s',
      maxPollInterval: '10s',
      deadline: '1m',
    },
    subscriptions: [SUBSCRIPTION],
  });
  return provisionToTheEnd(stack, input);
};
scenarios['error-status-compensated-merged-upserts'] = async (stack) => {
  const input = smsInput(stack);
  stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
    outcome: 'error',
    errorMessage: 'rejected',
  });
  return provisionToTheEnd(stack, input);
};

// The tag drawn by the starter and set at start with the creating-connector stage (patched('tag-set-at-start')).
scenarios['poll-ready-tag-set-at-start'] = (stack) =>
  // The secret check before the create, as the starters asked for it then (without it they now ask 'with-create').
  provisionToTheEnd(stack, smsInput(stack, { subscriptions: [SUBSCRIPTION], secretCheck: 'before-create' }));

// The secret check inside the create (secretCheck 'with-create', what the starters ask for): no local activity, no
// patch marker.
scenarios['poll-ready-secrets-checked-in-create'] = (stack) =>
  provisionToTheEnd(stack, smsInput(stack, { subscriptions: [SUBSCRIPTION] }));
scenarios['secret-missing-in-create'] = (stack) =>
  provisionToTheEnd(stack, smsInput(stack, { subscriptions: [{ ...SUBSCRIPTION, signingKeyRef: 'NOT_CONFIGURED' }] }));
scenarios['bulk-secrets-checked-in-create'] = async (stack) => {
  const numbers = Array.from({ length: 3 }, () => randomUUID());
  const started = await bulkOf(stack, numbers, { concurrency: 3, startsPerRun: 500, pageSize: 100 });
  await awaitBulk(stack.client, started.workflowId);
  await writeHistory(stack, 'child-of-bulk-secrets-checked-in-create', `provision/${stack.workspaceId}/${numbers[0]!}`);
  return started.workflowId;
};

// Only real reads on Bird's reads queue (a timer waits out the learned minimum activation time), and a window that
// adapts to Bird's limit (the default window: no concurrency given).
scenarios['bulk-adaptive-window'] = async (stack) => {
  const numbers = Array.from({ length: 10 }, () => randomUUID());
  const started = await bulkOf(stack, numbers, { startsPerRun: 500, pageSize: 100 });
  await awaitBulk(stack.client, started.workflowId);
  await writeHistory(stack, 'child-of-bulk-timer-before-first-read', `provision/${stack.workspaceId}/${numbers[9]!}`);
  return started.workflowId;
};
Object.assign(scenarios, offboardScenarios(provisionToTheEnd, SUBSCRIPTION, writeHistory));
Object.assign(scenarios, bulkTemplateScenarios(provisionToTheEnd, writeHistory));

async function writeHistory(
  stack: Stack,
  name: string,
  run: string | { workflowId: string; runId: string },
): Promise<void> {
  const { workflowId, runId } = typeof run === 'string' ? { workflowId: run, runId: undefined } : run;
  const history = await stack.client.workflow.getHandle(workflowId, runId).fetchHistory();
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
  // Names on the command line record only those (new scenarios, without re-recording the others).
  const only = process.argv.slice(2);
  try {
    for (const [name, run] of Object.entries(scenarios).filter(([n]) => !only.length || only.includes(n))) {
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

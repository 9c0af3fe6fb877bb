/**
 * The end-to-end demo (`bash scripts/demo.sh` starts the dev server, then runs this): the Bird simulator, the
 * webhook receiver and a worker in this process, against the Temporal dev server at TEMPORAL_ADDRESS.
 * It registers the receiver's workspace subscription, provisions one channel that becomes ready and one that
 * Bird refuses (to show compensation), then onboards a file of numbers in bulk (examples/bulk-defaults.json, a few
 * of them refused) with a progress bar and a report, offboards the ready channel and applies an inventory through
 * drift (src/demo/lifecycle.ts), prints the outcomes with links to the Temporal UI, and keeps everything running for
 * inspection until Ctrl-C (DEMO_EXIT=1 exits at once).
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { randomBytes, randomUUID } from 'node:crypto';
import { BirdClient } from './bird/client';
import { BirdSimulator, DEFAULT_WORKSPACE } from './bird-sim';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BulkStore } from './bulk/store';
import { writeReport } from './bulk/report-file';
import { progressView } from './bulk/progress-view';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from './client/bulk-client';
import { countOutcomes } from './domain/bulk-report';
import { awaitResult, parseAndStartProvisioning } from './client/provisioning-client';
import { ensureWorkspaceSubscription, retireWorkspaceSubscription } from './client/subscriptions-client';
import { dataConverterFromEnv } from './codec/env';
import { loadConfig } from './config/app-config';
import { type ProvisionChannelInputRaw } from './domain/provisioning-input';
import { workspaceSubscriptionWorkflowId } from './domain/subscription-input';
import { Secret } from './base/secret';
import { staticSecretStore } from './config/secrets';
import { buildWebhookReceiver } from './webhook-receiver/server';
import { temporalStatusRouter } from './webhook-receiver/status-router';
import { createProvisioningWorker } from './worker/factory';
import { applyDemo, offboardDemo, type LifecycleDemo } from './demo/lifecycle';

// One public URL (so one subscription entity) per demo workspace. The simulator forgets its subscriptions when the
// demo stops while the dev server remembers the entity, so the demo retires the entity on exit (and one left by a
// demo that was killed, at start): every run registers its subscription with its own simulator, and no entity
// workflow stays running after it.
export const PUBLIC_URL = `https://webhooks.demo.example/bird/channel-events/${DEFAULT_WORKSPACE.id}`;
const UI = process.env.TEMPORAL_UI_URL ?? `http://localhost:${process.env.TEMPORAL_UI_PORT ?? '8233'}`;
/** Numbers the demo onboards in bulk, and how many of them Bird refuses. */
const BULK_NUMBERS = Number(process.env.DEMO_BULK_NUMBERS ?? 40);
const BULK_REFUSED = 2;
const DEMO_DIR = resolve('.data', 'demo');

async function main(): Promise<void> {
  // The demo prints its own story; the SDK's per-task logs would bury it (the worker process logs at INFO).
  // No SDK signal handling: on Ctrl-C the worker must still run to retire the subscription entity before it stops.
  Runtime.install({
    logger: new DefaultLogger((process.env.DEMO_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR'),
    shutdownSignals: [],
  });
  const stack = await startStack();
  const { client, sim, config } = stack;
  const entityId = await registerSubscription(stack);
  const readyNumber = await provisionTwoChannels(stack);
  await bulkDemo(stack);
  const lifecycle: LifecycleDemo = {
    client,
    sim,
    store: stack.store,
    taskQueue: config.temporal.taskQueue,
    workspaceId: DEFAULT_WORKSPACE.id,
    defaults: JSON.parse(await readFile(resolve('examples', 'bulk-defaults.json'), 'utf8')) as Record<string, unknown>,
    dir: DEMO_DIR,
    say,
  };
  await offboardDemo(lifecycle, readyNumber);
  await applyDemo(lifecycle);
  const live = sim.connectors().filter((c) => !c.deletedAt).length;
  say(
    `\nconnectors left in the simulator: ${live} (${BULK_NUMBERS - BULK_REFUSED} of the bulk run, 6 of the inventory, 1 made in the dashboard; the refused ones were deleted by compensation, the offboarded and pruned ones by their runs)`,
  );

  if (process.env.DEMO_EXIT === '1' || process.env.CI) {
    await stopStack(stack, entityId);
    return;
  }
  say(`\nEverything keeps running so you can look around in the Temporal UI (${UI}). Ctrl-C to stop.`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
  await stopStack(stack, entityId);
}

type DemoStack = Awaited<ReturnType<typeof startStack>>;

/** The Bird simulator, the webhook receiver and a worker, in this process, with fresh Bird and signing keys. */
async function startStack() {
  const config = loadConfig({ ...process.env, BIRD_API_BASE_URL: undefined });
  const accessKey = randomBytes(18).toString('base64url');
  const signingKey = randomBytes(24).toString('base64url');

  const sim = await BirdSimulator.start({
    port: Number(process.env.BIRD_SIM_PORT ?? 8787),
    accessKeys: [accessKey],
    provisioningDelayMs: 4_000,
  });
  const connection = await Connection.connect(config.temporal.connectionOptions);
  const dataConverter = dataConverterFromEnv();
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const receiver = buildWebhookReceiver({
    signingKey: new Secret(signingKey),
    publicUrl: PUBLIC_URL,
    route: temporalStatusRouter(client),
  });
  const receiverAddress = await receiver.listen({ host: '127.0.0.1', port: Number(process.env.RECEIVER_PORT ?? 8788) });
  sim.routeDeliveries('https://webhooks.demo.example', receiverAddress);

  const store = new BulkStore(resolve(DEMO_DIR, 'bulk'));
  const workerConnection = await NativeConnection.connect(config.temporal.connectionOptions);
  const worker = await createProvisioningWorker({
    connection: workerConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    bird: new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey) }),
    secrets: staticSecretStore({ WEBHOOK_SIGNING_KEY: signingKey }),
    bulkStore: store,
    dataConverter,
  });
  const running = worker.run();
  say(`Bird simulator   ${sim.url}  (workspace ${DEFAULT_WORKSPACE.id})`);
  say(`webhook receiver ${receiverAddress}  (public URL ${PUBLIC_URL})`);
  say(`worker           task queue "${config.temporal.taskQueue}"`);
  say(`Temporal UI      ${UI}/namespaces/${config.temporal.namespace}/workflows`);
  return { config, sim, connection, client, receiver, workerConnection, worker, running, store };
}

/** Registers the workspace's channel.updated subscription; its entity's workflow id, to retire it on exit. */
async function registerSubscription({ client, config }: DemoStack): Promise<string> {
  const subscriptionInput = {
    organizationId: DEFAULT_WORKSPACE.organizationId,
    workspaceId: DEFAULT_WORKSPACE.id,
    event: 'channel.updated' as const,
    url: PUBLIC_URL,
    signingKeyRef: 'WEBHOOK_SIGNING_KEY',
  };
  const entityId = workspaceSubscriptionWorkflowId(subscriptionInput);
  // Its subscription lived in a simulator that is gone: retire it so this run registers one with its own.
  if (await retireWorkspaceSubscription(client, entityId))
    say(`retired the subscription entity an earlier demo run left running (${entityId})`);
  const subscription = await ensureWorkspaceSubscription(client, subscriptionInput, {
    taskQueue: config.temporal.taskQueue,
  });
  say(`\nchannel.updated subscription ${subscription.subscriptionId} → ${PUBLIC_URL}`);
  return entityId;
}

/**
 * One channel that becomes ready, and one Bird refuses (to show compensation), one after the other; the ready one's
 * number.
 */
async function provisionTwoChannels({ client, sim, config }: DemoStack): Promise<string> {
  const ready = demoInput('Demo SMS (ready)');
  const refused = demoInput('Demo SMS (refused by the carrier)');
  sim.configureNumber(phoneNumberOf(refused), {
    outcome: 'error',
    delayMs: 2_000,
    errorMessage: 'number is not verified for A2P messaging',
  });

  for (const input of [ready, refused]) {
    const started = await parseAndStartProvisioning(client, input, { taskQueue: config.temporal.taskQueue });
    say(
      `\nstarted ${started.workflowId}\n  ${UI}/namespaces/${config.temporal.namespace}/workflows/${encodeURIComponent(started.workflowId)}`,
    );
    const outcome = await awaitResult(client, started.workflowId);
    if (outcome.ok) {
      const r = outcome.result;
      say(
        `  READY: connector ${r.connectorId}, channel ${r.channelId}, ${r.finalStatus.status}/${r.finalStatus.stage}, readiness by ${r.readinessSource} after ${r.timings.readinessWaitMs} ms, ${r.statusPolls} status poll(s), subscriptions ${r.subscriptionIds.join(', ')}`,
      );
    } else {
      say(`  FAILED (as intended): ${outcome.reason}`);
    }
  }
  return phoneNumberOf(ready);
}

async function stopStack(stack: DemoStack, entityId: string): Promise<void> {
  const { client, worker, running, receiver, sim, connection, workerConnection } = stack;
  // While the worker still runs (the entity's retire is a workflow task).
  await retireWorkspaceSubscription(client, entityId, { timeoutMs: 10_000 }).then(
    () => say(`retired the subscription entity ${entityId}`),
    (err: unknown) => say(`could not retire the subscription entity ${entityId}: ${(err as Error).message}`),
  );
  worker.shutdown();
  await running;
  await receiver.close();
  await sim.close();
  await connection.close();
  await workerConnection.close();
}

/**
 * Bulk onboarding as `starter bulk --file … --defaults examples/bulk-defaults.json --wait --report …` does it: a file
 * of fresh numbers (one channel name for all, as one customer's are), readiness by webhook, a progress bar, a report.
 */
async function bulkDemo({ client, sim, store, config }: DemoStack): Promise<void> {
  const { taskQueue, namespace } = config.temporal;
  await mkdir(DEMO_DIR, { recursive: true });
  const numbers = Array.from({ length: BULK_NUMBERS }, () => randomUUID());
  for (const n of numbers.slice(0, BULK_REFUSED))
    sim.configureNumber(n, {
      outcome: 'error',
      delayMs: 2_000,
      errorMessage: 'number is not verified for A2P messaging',
    });
  const file = resolve(DEMO_DIR, 'numbers.csv');
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n') + '\n');
  const defaults = {
    ...(JSON.parse(await readFile(resolve('examples', 'bulk-defaults.json'), 'utf8')) as object),
    readiness: { mode: 'webhook', deadline: '2m' },
  };
  const started = await startBulk(client, store, await prepareInventory(file, defaults), {
    taskQueue,
    concurrency: 20,
  });
  say(
    `\nbulk onboarding of ${BULK_NUMBERS} numbers from ${file} (readiness by webhook, 20 at once): ${started.workflowId}`,
  );
  say(`  ${UI}/namespaces/${namespace}/workflows/${encodeURIComponent(started.workflowId)}`);
  const view = progressView(process.stdout, { plainEveryMs: 2_000 });
  const ended = awaitBulk(client, started.workflowId);
  let done = false;
  void ended.finally(() => (done = true));
  while (!done) {
    view.update(await getBulkProgress(client, started.workflowId));
    await sleep(500);
  }
  view.update(await getBulkProgress(client, started.workflowId));
  view.stop();
  const report = await bulkReport(store, await getBulkProgress(client, started.workflowId));
  const reportFile = resolve(DEMO_DIR, 'report.csv');
  await writeReport(reportFile, report);
  const counts = countOutcomes(report);
  say(
    `  ${counts.active} active, ${counts.failed} failed (refused by Bird, compensated as intended); report: ${reportFile}`,
  );
  say(`  its children in the UI: ParentWorkflowId = "${started.workflowId}"`);
}

function demoInput(name: string): ProvisionChannelInputRaw {
  return {
    workspaceId: DEFAULT_WORKSPACE.id,
    organizationId: DEFAULT_WORKSPACE.organizationId,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name,
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
      channelConversationalStatusEnabled: true,
    },
    readiness: { mode: 'both', initialPollInterval: '1s', maxPollInterval: '10s', deadline: '2m' },
    subscriptions: [
      {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/my-app/channel-events',
        signingKeyRef: 'WEBHOOK_SIGNING_KEY',
      },
    ],
  };
}

function phoneNumberOf(input: ProvisionChannelInputRaw): string {
  return (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // One line, no stack: the demo's usual failure is a Temporal server that is not running at TEMPORAL_ADDRESS.
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

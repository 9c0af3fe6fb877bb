/**
 * A whole local product for one test file: the Bird simulator over real HTTP, a Bird client pointed at it with a
 * random access key, a real worker on its own task queue, and (optionally) the webhook receiver wired to the
 * simulator's signed deliveries. Every workflow started through it is remembered so the file can prove no secret
 * reached their histories.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { activityAttempt } from '../../src/activities/attempt';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator, type SimulatorOptions } from '../../src/bird-sim';
import { BulkStore } from '../../src/bulk/store';
import { Secret } from '../../src/base/secret';
import { staticSecretStore } from '../../src/config/secrets';
import { buildWebhookReceiver } from '../../src/webhook-receiver/server';
import { temporalStatusRouter } from '../../src/webhook-receiver/status-router';
import {
  createProvisioningWorker,
  type ProvisioningWorker,
  type ProvisioningWorkerOptions,
} from '../../src/worker/factory';
import type { ProvisionChannelInputRaw } from '../../src/domain/provisioning-input';
import { assertNoSecretsInHistories } from './history';
import { bundleWithInterceptors, temporal } from './temporal';

export const RECEIVER_PUBLIC_URL = 'https://hooks.provisioning-tests.example/bird/events';
export const SIGNING_KEY_REF = 'WEBHOOK_SIGNING_KEY';

export interface Stack {
  sim: BirdSimulator;
  bird: BirdClient;
  client: Client;
  taskQueue: string;
  workspaceId: string;
  organizationId: string;
  /** Every secret of this stack: none may appear in any workflow history. */
  secrets: { accessKey: string; signingKey: string };
  receiver?: FastifyInstance;
  /** The bulk store the stack's worker reads (a fresh temporary directory). */
  bulkStore: BulkStore;
  startedWorkflowIds: string[];
  /** Runs a test deleted (as retention would): their histories are gone, so not checked. */
  forgottenWorkflowIds: Set<string>;
  close(): Promise<void>;
  /** For after(): proves no secret reached the history of any workflow started here, then closes. */
  closeCheckingHistories(): Promise<void>;
}

export interface StackOptions {
  sim?: SimulatorOptions;
  receiver?: boolean;
  /** Worker settings for tests that need them (rate limits, concurrency). */
  worker?: Partial<
    Pick<ProvisioningWorkerOptions, 'birdRateLimits' | 'rateLimitScope' | 'tuning' | 'roles' | 'dataConverter'>
  >;
  /** Test-only workflow interceptor modules (the worker then runs a bundle of its own). */
  workflowInterceptorModules?: string[];
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const harness = await temporal();
  const { env } = harness;
  const workflowBundle = opts.workflowInterceptorModules
    ? await bundleWithInterceptors(opts.workflowInterceptorModules)
    : harness.workflowBundle;
  const accessKey = `sim-key-${randomUUID()}`;
  const signingKey = `signing-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const sim = await BirdSimulator.start({
    provisioningDelayMs: 300,
    // Bird's day of webhook retries in about a minute.
    webhookRetryScale: 0.002,
    ...opts.sim,
    accessKeys: [accessKey],
    workspaces: [{ id: workspaceId, organizationId }],
  });
  const bird = new BirdClient({
    baseUrl: sim.url,
    accessKey: new Secret(accessKey),
    timeoutMs: 3_000,
    attempt: activityAttempt,
  });
  const taskQueue = `test-${randomUUID()}`;
  const bulkStore = new BulkStore(mkdtempSync(join(tmpdir(), 'bulk-store-')));
  const worker: ProvisioningWorker = await createProvisioningWorker({
    ...opts.worker,
    bulkStore,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    bird,
    secrets: staticSecretStore({ [SIGNING_KEY_REF]: signingKey }),
    workflowBundle,
  });
  const running = worker.run();

  let receiver: FastifyInstance | undefined;
  if (opts.receiver) {
    receiver = buildWebhookReceiver({
      signingKey: new Secret(signingKey),
      publicUrl: RECEIVER_PUBLIC_URL,
      route: temporalStatusRouter(env.client),
    });
    const address = await receiver.listen({ host: '127.0.0.1', port: 0 });
    sim.routeDeliveries('https://hooks.provisioning-tests.example', address);
  }

  const stack: Stack = {
    sim,
    bird,
    client: env.client,
    taskQueue,
    workspaceId,
    organizationId,
    secrets: { accessKey, signingKey },
    receiver,
    bulkStore,
    startedWorkflowIds: [],
    forgottenWorkflowIds: new Set(),
    async close() {
      worker.shutdown();
      await running;
      await receiver?.close();
      await sim.close();
    },
    async closeCheckingHistories() {
      try {
        const ids = [...stack.startedWorkflowIds];
        for await (const wf of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
          ids.push(wf.workflowId);
        const kept = ids.filter((id) => !stack.forgottenWorkflowIds.has(id));
        await assertNoSecretsInHistories(env.client, kept, [accessKey, signingKey]);
      } finally {
        await stack.close();
      }
    },
  };
  return stack;
}

/** A valid SMS provisioning input for a fresh number in the stack's workspace. */
export function smsInput(stack: Stack, overrides: Partial<ProvisionChannelInputRaw> = {}): ProvisionChannelInputRaw {
  return {
    workspaceId: stack.workspaceId,
    organizationId: stack.organizationId,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: `SMS ${randomUUID().slice(0, 8)}`,
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
      channelConversationalStatusEnabled: true,
    },
    readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '20s' },
    ...overrides,
  };
}

/**
 * A Worker Deployment upgrade with runs in flight, on a real dev server: build v1 serves, two provisionings and the
 * long-lived subscription entity start on it; build v2 starts and becomes current while the provisionings wait for
 * readiness; a third provisioning starts. Returns, per run, the build ids that completed its workflow tasks (read
 * from the history) and its versioning behavior, so the test can assert and scripts/versioned-upgrade.ts can print.
 */
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator } from '../../src/bird-sim';
import { awaitResult, getProgress, parseAndStartProvisioning } from '../../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../../src/client/subscriptions-client';
import { Secret } from '../../src/base/secret';
import { staticSecretStore } from '../../src/config/secrets';
import { retireSubscriptionSignal } from '../../src/domain/messages/subscription';
import { createProvisioningWorker, type ProvisioningWorker } from '../../src/worker/factory';
import { waitFor } from './wait';

const EventType = proto.api.enums.v1.EventType;

export interface RunReport {
  label: string;
  workflowId: string;
  workflowType: string;
  /** Build ids of the workers that completed each workflow task, in order (deduplicated runs). */
  builds: string[];
  behavior: string;
  outcome: string;
}

export interface UpgradeReport {
  deploymentName: string;
  /** A and B were still running when v2 became current (otherwise the demonstration proves nothing). */
  inFlightAtUpgrade: boolean;
  runs: RunReport[];
  log: string[];
}

export async function runVersionedUpgrade(opts: {
  client: Client;
  connection: NativeConnection;
  workflowBundle: WorkflowBundleWithSourceMap;
  namespace?: string;
}): Promise<UpgradeReport> {
  const namespace = opts.namespace ?? 'default';
  const log: string[] = [];
  const say = (line: string) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const accessKey = `sim-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `upgrade-${randomUUID()}`;
  const deploymentName = `bird-provisioning-${randomUUID().slice(0, 8)}`;
  const sim = await BirdSimulator.start({
    provisioningDelayMs: 200,
    accessKeys: [accessKey],
    workspaces: [{ id: workspaceId, organizationId }],
  });
  const bird = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey) });
  const workers: { worker: ProvisioningWorker; running: Promise<void> }[] = [];

  const startWorker = async (buildId: string) => {
    const worker = await createProvisioningWorker({
      connection: opts.connection,
      namespace,
      taskQueue,
      bird,
      secrets: staticSecretStore({ WEBHOOK_SIGNING_KEY: `k-${randomUUID()}` }),
      workflowBundle: opts.workflowBundle,
      deployment: { deploymentName, buildId },
      identity: `worker-${buildId}`,
    });
    const entry = { worker, running: worker.run() };
    workers.push(entry);
    say(`worker ${deploymentName}.${buildId} polling ${taskQueue}`);
    return entry;
  };

  // Makes a build current; retried until the server has seen its pollers on every task queue type.
  const setCurrent = async (buildId: string) => {
    await waitFor(
      `${buildId} to become current`,
      async () => {
        try {
          await opts.client.workflowService.setWorkerDeploymentCurrentVersion({
            namespace,
            deploymentName,
            buildId,
            identity: 'versioned-upgrade',
          });
          return true;
        } catch (err) {
          // Until the new build's pollers have registered every task queue type (workflow and activity), the server
          // refuses: "no Worker Deployment found … have pollers?" or "missing active task queues from the current version".
          if (/not found|does not exist|pollers|NotFound|missing active task queues/i.test(String(err)))
            return undefined;
          throw err;
        }
      },
      30_000,
      250,
    );
    say(`current version: ${deploymentName}.${buildId}`);
  };

  const slowInput = (name: string, delayMs: number) => {
    const phoneNumberId = randomUUID();
    sim.configureNumber(phoneNumberId, { outcome: 'active', delayMs });
    return {
      workspaceId,
      organizationId,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name,
        arguments: { phoneNumberId, channelMessageType: 'transactional' },
      },
      readiness: { mode: 'poll' as const, initialPollInterval: '200ms', maxPollInterval: '500ms', deadline: '1m' },
    };
  };

  try {
    const v1 = await startWorker('v1');
    await setCurrent('v1');

    const entity = await ensureWorkspaceSubscription(
      opts.client,
      { organizationId, workspaceId, event: 'channel.updated', url: 'https://hooks.upgrade.example/bird' },
      { taskQueue },
    );
    say(`subscription entity ${entity.workflowId} registered on v1`);
    const a = await parseAndStartProvisioning(opts.client, slowInput('in flight A', 8_000), { taskQueue });
    const b = await parseAndStartProvisioning(opts.client, slowInput('in flight B', 8_000), { taskQueue });
    for (const run of [a, b]) {
      await waitFor(
        `${run.workflowId} awaiting readiness`,
        async () =>
          (await getProgress(opts.client, run.workflowId)).stage === 'awaiting-readiness' ? true : undefined,
        20_000,
        100,
      );
    }
    say('provisionings A and B started on v1, now awaiting readiness (channels turn active in 8 s)');

    await startWorker('v2');
    await setCurrent('v2');
    const statuses = await Promise.all(
      [a, b].map(async (run) => (await opts.client.workflow.getHandle(run.workflowId).describe()).status.name),
    );
    const inFlightAtUpgrade = statuses.every((st) => st === 'RUNNING');
    say(`A and B when v2 became current: ${statuses.join(', ')}`);
    const c = await parseAndStartProvisioning(opts.client, slowInput('after upgrade C', 300), { taskQueue });
    say('provisioning C started after v2 became current');

    const outcomes = new Map<string, string>();
    for (const run of [a, b, c]) {
      const outcome = await awaitResult(opts.client, run.workflowId);
      outcomes.set(run.workflowId, outcome.ok ? 'completed' : `failed: ${outcome.reason}`);
    }
    say('A, B and C finished');

    await opts.client.workflow.getHandle(entity.workflowId).signal(retireSubscriptionSignal);
    await opts.client.workflow.getHandle(entity.workflowId).result();
    outcomes.set(entity.workflowId, 'retired (completed)');
    say('subscription entity signalled (retire) after the upgrade and completed');

    // v1 has no pinned run left: it could be shut down now (drained).
    v1.worker.shutdown();
    await v1.running;
    say('v1 shut down (drained)');

    const runs: RunReport[] = [];
    for (const [label, workflowId] of [
      ['A (pinned, in flight)', a.workflowId],
      ['B (pinned, in flight)', b.workflowId],
      ['C (started after v2)', c.workflowId],
      ['subscription entity (auto-upgrade)', entity.workflowId],
    ] as const) {
      runs.push(await describeRun(opts.client, label, workflowId, outcomes.get(workflowId) ?? '?'));
    }
    return { deploymentName, inFlightAtUpgrade, runs, log };
  } finally {
    for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await sim.close();
  }
}

async function describeRun(client: Client, label: string, workflowId: string, outcome: string): Promise<RunReport> {
  const handle = client.workflow.getHandle(workflowId);
  const history = await handle.fetchHistory();
  const builds: string[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) continue;
    const attrs = e.workflowTaskCompletedEventAttributes;
    const build = attrs?.deploymentVersion?.buildId ?? attrs?.workerVersion?.buildId ?? '(unversioned)';
    if (builds[builds.length - 1] !== build) builds.push(build);
  }
  const description = await handle.describe();
  const behaviorCode = description.raw.workflowExecutionInfo?.versioningInfo?.behavior ?? 0;
  const behavior = (proto.api.enums.v1.VersioningBehavior[behaviorCode] ?? String(behaviorCode)).replace(
    'VERSIONING_BEHAVIOR_',
    '',
  );
  return { label, workflowId, workflowType: description.type, builds, behavior, outcome };
}

export function formatUpgradeReport(report: UpgradeReport): string {
  const rows = report.runs.map(
    (r) =>
      `  ${r.label.padEnd(36)} ${r.workflowType.padEnd(20)} ${r.behavior.padEnd(13)} ${r.builds.join(' → ').padEnd(10)} ${r.outcome}`,
  );
  return [
    `Worker Deployment ${report.deploymentName}`,
    ...report.log.map((l) => `  ${l}`),
    '',
    `  ${'run'.padEnd(36)} ${'type'.padEnd(20)} ${'behavior'.padEnd(13)} ${'builds'.padEnd(10)} outcome`,
    ...rows,
  ].join('\n');
}

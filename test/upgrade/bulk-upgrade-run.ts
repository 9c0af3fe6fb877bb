/**
 * A bulk run following a Worker Deployment upgrade (src/workflows/bulk-upgrade.ts), on a server that tells pinned
 * runs about a new current version (test/upgrade/temporal-server.ts): build A serves and is current; a bulk run
 * starts its first window of children, which stay in flight (the simulator keeps their channels pending); build B
 * starts and becomes current; the bulk run continues as new onto B at once, while A's children finish on A and
 * report to it there; B starts the remaining rows. Returns what the histories say, for the test to assert and for
 * `npx tsx scripts/versioned-upgrade.ts --bulk` to print.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator } from '../../src/bird-sim';
import { BulkStore } from '../../src/bulk/store';
import { awaitBulk, getBulkProgress, prepareInventoryText, startBulk, type BulkEnd } from '../../src/client/bulk-client';
import { Secret } from '../../src/secret';
import { staticSecretStore } from '../../src/secrets';
import { createProvisioningWorker, type ProvisioningWorker } from '../../src/worker-factory';
import { waitFor } from '../helpers/wait';
import { describeChain, describeChildren, type BulkRunReport, type ChildReport } from './bulk-upgrade-histories';

export interface BulkUpgradeReport {
  deploymentName: string;
  serverVersion: string;
  /** Children of the bulk run still running when B became current (the demonstration needs some). */
  inFlightAtUpgrade: number;
  end: BulkEnd;
  /** The runs of the bulk run's continue-as-new chain, in order. */
  runs: BulkRunReport[];
  children: ChildReport[];
  log: string[];
}

export interface BulkUpgradeOptions {
  address: string;
  namespace: string;
  serverVersion: string;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Rows in the file, and how many run at once (the first window is the one that stays on A). */
  rows?: number;
  concurrency?: number;
  /** How long the first window's channels stay pending in the simulator. */
  inFlightMs?: number;
}

export async function runBulkUpgrade(opts: BulkUpgradeOptions): Promise<BulkUpgradeReport> {
  const rows = opts.rows ?? 6;
  const concurrency = opts.concurrency ?? 3;
  const log: string[] = [];
  const say = (line: string) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const accessKey = `sim-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `bulk-upgrade-${randomUUID()}`;
  const deploymentName = `bird-provisioning-${randomUUID().slice(0, 8)}`;
  const connection = await Connection.connect({ address: opts.address });
  const nativeConnection = await NativeConnection.connect({ address: opts.address });
  const client = new Client({ connection, namespace: opts.namespace });
  const sim = await BirdSimulator.start({ provisioningDelayMs: 200, accessKeys: [accessKey], workspaces: [{ id: workspaceId, organizationId }] });
  const bird = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey), timeoutMs: 3_000 });
  const bulkStore = new BulkStore(mkdtempSync(join(tmpdir(), 'bulk-upgrade-store-')));
  const workers: { worker: ProvisioningWorker; running: Promise<void> }[] = [];

  const startWorker = async (buildId: string) => {
    const worker = await createProvisioningWorker({
      connection: nativeConnection,
      namespace: opts.namespace,
      taskQueue,
      bird,
      bulkStore,
      temporal: () => client,
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

  // Retried until the server has seen the build's pollers on every task queue (workflows and both Bird queues).
  const setCurrent = async (buildId: string) => {
    await waitFor(`${buildId} to become current`, async () => {
      try {
        await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: opts.namespace, deploymentName, buildId, identity: 'bulk-upgrade' });
        return true;
      } catch (err) {
        if (/not found|does not exist|pollers|NotFound|missing active task queues/i.test(String(err))) return undefined;
        throw err;
      }
    }, 60_000, 250);
    say(`current version: ${deploymentName}.${buildId}`);
  };

  try {
    const numbers = Array.from({ length: rows }, () => randomUUID());
    // The first window's channels stay pending long enough for the upgrade to happen under them.
    numbers.forEach((n, i) => sim.configureNumber(n, { outcome: 'active', delayMs: i < concurrency ? (opts.inFlightMs ?? 8_000) : 300 }));
    const inventory = prepareInventoryText(
      ['phoneNumberId', ...numbers].join('\n') + '\n',
      'csv',
      {
        workspaceId,
        organizationId,
        connector: { connectorTemplateRef: 'sms-messagebird:1', name: 'Acme Support', arguments: { channelMessageType: 'transactional' } },
        readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '500ms', deadline: '1m' },
      },
      'bulk-upgrade.csv',
    );

    const a = await startWorker('A');
    await setCurrent('A');
    const started = await startBulk(client, bulkStore, inventory, { taskQueue, concurrency, startsPerRun: 100, sweepIntervalMs: 1_000 });
    await waitFor('the first window in flight', async () => ((await getBulkProgress(client, started.workflowId)).running === concurrency ? true : undefined), 30_000, 100);
    say(`bulk run ${started.workflowId} started ${concurrency} of ${rows} rows on A; their channels stay pending`);

    await startWorker('B');
    await setCurrent('B');
    const atUpgrade = await getBulkProgress(client, started.workflowId);
    say(`when B became current: ${atUpgrade.running} children in flight, ${atUpgrade.pending} rows not started`);

    const end = await awaitBulk(client, started.workflowId);
    say(`bulk run ended: ${end.status}`);
    // Every run pinned to A has finished: A is drained and can go.
    a.worker.shutdown();
    await a.running;
    say('A shut down (drained)');

    const runs = await describeChain(client, started.workflowId, started.runId);
    const children = await describeChildren(client, runs, bulkStore, end);
    return { deploymentName, serverVersion: opts.serverVersion, inFlightAtUpgrade: atUpgrade.running, end, runs, children, log };
  } finally {
    for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await sim.close();
    await nativeConnection.close();
    await connection.close();
  }
}

const VersioningBehavior = proto.api.enums.v1.VersioningBehavior;
export function behaviorName(code: number | null | undefined): string {
  return (VersioningBehavior[code ?? 0] ?? String(code)).replace('VERSIONING_BEHAVIOR_', '');
}

export function formatBulkUpgradeReport(r: BulkUpgradeReport): string {
  const runs = r.runs.map(
    (run, i) =>
      `  run ${i + 1}  builds ${run.builds.join(' → ').padEnd(6)} behavior ${run.behavior.padEnd(12)} told of a new version: ${run.toldOfNewVersion ? 'yes' : 'no '}  ` +
      `${run.continuedAsNew ? `continued as new (${run.continuedAsNew})` : 'completed'}  started ${run.childrenStarted} children`,
  );
  const children = r.children.map((c) => `  ${c.workflowId.padEnd(82)} from run ${c.startedByRun}  builds ${c.builds.join(' → ').padEnd(6)} ${c.behavior.padEnd(7)} ${c.outcome}`);
  return [
    `Worker Deployment ${r.deploymentName} on Temporal Server ${r.serverVersion}`,
    ...r.log.map((l) => `  ${l}`),
    '',
    'bulk run (continue-as-new chain):',
    ...runs,
    '',
    'children:',
    ...children,
  ].join('\n');
}

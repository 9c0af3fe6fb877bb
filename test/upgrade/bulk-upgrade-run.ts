/**
 * A bulk run following a Worker Deployment upgrade (src/workflows/bulk-upgrade.ts), on a server that tells pinned
 * runs about a new current version (test/upgrade/temporal-server.ts): build A serves and is current; a bulk run
 * starts its first window of children, which stay in flight (the simulator keeps their channels pending), and
 * continues as new once (a window per run), staying pinned to A; build B starts and becomes current; at its next
 * workflow task the bulk run continues as new onto B, while A's children finish on A and report to it there; B
 * starts the remaining rows. Returns what the histories say, for the test to assert and for
 * `npx tsx scripts/versioned-upgrade.ts --bulk` to print.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator } from '../../src/bird-sim';
import { BulkStore } from '../../src/bulk/store';
import {
  awaitBulk,
  getBulkProgress,
  prepareInventoryText,
  startBulk,
  type BulkEnd,
} from '../../src/client/bulk-client';
import { Secret } from '../../src/base/secret';
import { staticSecretStore } from '../../src/config/secrets';
import { createProvisioningWorker, type ProvisioningWorker } from '../../src/worker/factory';
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
}

/** Long enough to outlast the upgrade whatever the machine's load: the test releases these channels itself. */
const HELD_MS = 10 * 60_000;

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
  const sim = await BirdSimulator.start({
    provisioningDelayMs: 200,
    accessKeys: [accessKey],
    workspaces: [{ id: workspaceId, organizationId }],
  });
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
    await waitFor(
      `${buildId} to become current`,
      async () => {
        try {
          await client.workflowService.setWorkerDeploymentCurrentVersion({
            namespace: opts.namespace,
            deploymentName,
            buildId,
            identity: 'bulk-upgrade',
          });
          return true;
        } catch (err) {
          if (/not found|does not exist|pollers|NotFound|missing active task queues/i.test(String(err)))
            return undefined;
          throw err;
        }
      },
      60_000,
      250,
    );
    say(`current version: ${deploymentName}.${buildId}`);
  };

  try {
    const { held, inventory } = heldInventory(sim, rows, concurrency, { workspaceId, organizationId });
    const a = await startWorker('A');
    await setCurrent('A');
    // One window per run: the run continues as new after its first window, before any new version exists.
    const started = await startBulk(client, bulkStore, inventory, {
      taskQueue,
      concurrency,
      startsPerRun: concurrency,
      sweepIntervalMs: 1_000,
    });
    await waitFor(
      'the first window in flight, and a continue-as-new',
      async () => {
        const p = await getBulkProgress(client, started.workflowId);
        return p.running === concurrency && p.continuedAsNew >= 1 ? true : undefined;
      },
      30_000,
      100,
    );
    say(
      `bulk run ${started.workflowId} started ${concurrency} of ${rows} rows on A (their channels stay pending) and continued as new`,
    );

    await startWorker('B');
    await setCurrent('B');
    const atUpgrade = await getBulkProgress(client, started.workflowId);
    say(`when B became current: ${atUpgrade.running} children in flight, ${atUpgrade.pending} rows not started`);
    // The bulk run moves at its next workflow task (its sweep timer at the latest); A's children are still pending.
    await waitFor(
      'the bulk run to move to B',
      async () => ((await currentBuild(client, started.workflowId)) === 'B' ? true : undefined),
      60_000,
      200,
    );
    say(
      `the bulk run's current run is on B; ${(await getBulkProgress(client, started.workflowId)).running} children in flight`,
    );
    for (const c of sim.connectors())
      if (c.number && held.has(c.number.numberId)) sim.setChannelStatus(c.id, 'ok', 'active');
    say(`the first window's channels turn active`);

    const end = await awaitBulk(client, started.workflowId);
    say(`bulk run ended: ${end.status}`);
    // Every run pinned to A has finished: A is drained and can go.
    a.worker.shutdown();
    await a.running;
    say('A shut down (drained)');

    const runs = await describeChain(client, started.workflowId, started.runId);
    const children = await describeChildren(client, runs, bulkStore, end);
    return {
      deploymentName,
      serverVersion: opts.serverVersion,
      inFlightAtUpgrade: atUpgrade.running,
      end,
      runs,
      children,
      log,
    };
  } finally {
    for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await sim.close();
    await nativeConnection.close();
    await connection.close();
  }
}

/** A file of fresh numbers whose first `concurrency` channels stay pending until released (`held`). */
function heldInventory(
  sim: BirdSimulator,
  rows: number,
  concurrency: number,
  workspace: { workspaceId: string; organizationId: string },
) {
  const numbers = Array.from({ length: rows }, () => randomUUID());
  // The first window's channels stay pending until B is current: the upgrade happens under them.
  const held = new Set<string>(numbers.slice(0, concurrency));
  numbers.forEach((n) => sim.configureNumber(n, { outcome: 'active', delayMs: held.has(n) ? HELD_MS : 300 }));
  const inventory = prepareInventoryText(
    ['phoneNumberId', ...numbers].join('\n') + '\n',
    'csv',
    {
      ...workspace,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'Acme Support',
        arguments: { channelMessageType: 'transactional' },
      },
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '500ms', deadline: '1m' },
    },
    'bulk-upgrade.csv',
  );
  return { held, inventory };
}

/** The build the workflow's current run is pinned to (or, before its first task completes, the one it targets). */
async function currentBuild(client: Client, workflowId: string): Promise<string | undefined> {
  const info = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return info?.deploymentVersion?.buildId ?? undefined;
}

export function formatBulkUpgradeReport(r: BulkUpgradeReport): string {
  const runs = r.runs.map(
    (run, i) =>
      `  run ${i + 1}  started ${run.startedAs.padEnd(19)} builds ${run.builds.join(' → ').padEnd(6)} ${run.behavior.padEnd(7)} ` +
      `told of a new version: ${run.toldOfNewVersion ? 'yes' : 'no '}  upgrade marker: ${run.upgradeMarked ? 'yes' : 'no '}  ` +
      `started ${run.childrenStarted} children, received ${run.reportsFrom.length} reports, ${run.continuedAsNew ? 'continued as new' : 'completed'}`,
  );
  const children = r.children.map(
    (c) =>
      `  ${c.workflowId.padEnd(82)} from run ${c.startedByRun}  builds ${c.builds.join(' → ').padEnd(6)} ${c.behavior.padEnd(7)} ${c.outcome}`,
  );
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

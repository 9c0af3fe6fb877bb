/**
 * Bulk runs for the fault suite: an inventory of fresh numbers (some configured to end in Bird's error status, each
 * with its own provisioning delay), started through the typed bulk API or through a separate client process, and
 * its outcomes read back from the bulk store.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  awaitBulk,
  bulkReport,
  getBulkProgress,
  prepareInventory,
  startBulk,
  type BulkEnd,
} from '../../src/client/bulk-client';
import { startNodeProcess, type NodeProcess } from '../helpers/processes';
import type { Expected, NumberOutcome } from './audit';
import type { ChaosStack } from './stack';

export interface BulkPlan {
  numbers: string[];
  expected: Map<string, Expected>;
  file: string;
  defaultsFile: string;
  defaults: Record<string, unknown>;
}

export interface PlanOptions {
  size: number;
  /** Share of the numbers Bird ends in error status (their provisionings must fail and be compensated). */
  failShare: number;
  /** How long Bird takes to provision each number: a random delay in this range (ms). */
  delayMs: [number, number];
  readiness?: Record<string, unknown>;
}

export async function planInventory(stack: ChaosStack, opts: PlanOptions): Promise<BulkPlan> {
  const numbers = Array.from({ length: opts.size }, () => randomUUID());
  const failing = Math.round(opts.size * opts.failShare);
  const expected = new Map<string, Expected>();
  numbers.forEach((n, i) => {
    // Spread the failing ones through the file, so they meet every phase of the run.
    const fails =
      failing > 0 &&
      i % Math.floor(opts.size / failing) === 0 &&
      [...expected.values()].filter((e) => e === 'failed').length < failing;
    expected.set(n, fails ? 'failed' : 'active');
    const [lo, hi] = opts.delayMs;
    stack.sim.configureNumber(n, {
      outcome: fails ? 'error' : 'active',
      delayMs: Math.round(lo + Math.random() * (hi - lo)),
      ...(fails ? { errorMessage: 'number rejected by the carrier (chaos)' } : {}),
    });
  });
  return { numbers, expected, ...(await writeInventory(stack, numbers, opts.readiness)) };
}

/** An inventory file of these numbers and its defaults (the stack's workspace, SMS, polled readiness), written. */
export async function writeInventory(
  stack: ChaosStack,
  numbers: string[],
  readiness?: Record<string, unknown>,
): Promise<Pick<BulkPlan, 'file' | 'defaultsFile' | 'defaults'>> {
  const file = join(stack.world.dir, `inventory-${randomUUID()}.csv`);
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n') + '\n');
  const defaults = {
    workspaceId: stack.workspaceId,
    organizationId: stack.organizationId,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: 'Chaos SMS',
      arguments: { channelMessageType: 'transactional' },
    },
    readiness: readiness ?? { mode: 'poll', initialPollInterval: '500ms', maxPollInterval: '2s', deadline: '10m' },
  };
  const defaultsFile = join(stack.world.dir, `defaults-${randomUUID()}.json`);
  await writeFile(defaultsFile, JSON.stringify(defaults));
  return { file, defaultsFile, defaults };
}

export interface BulkRunOptions {
  concurrency: number;
  sweepIntervalMs?: number;
}

/** Stores the inventory and starts its bulk run with the typed API; returns the bulk workflow id. */
export async function startBulkRun(stack: ChaosStack, plan: BulkPlan, opts: BulkRunOptions): Promise<string> {
  const inventory = await prepareInventory(plan.file, plan.defaults);
  if (inventory.invalid.length)
    throw new Error(`the generated inventory has invalid rows: ${JSON.stringify(inventory.invalid.slice(0, 3))}`);
  const started = await startBulk(stack.world.client, stack.store, inventory, {
    taskQueue: stack.taskQueue,
    concurrency: opts.concurrency,
    sweepIntervalMs: opts.sweepIntervalMs ?? 30_000,
  });
  return started.workflowId;
}

export interface FinishedBulk {
  end: BulkEnd;
  outcomes: Map<string, NumberOutcome>;
  /** Every reason in the report, for the secret check. */
  reportText: string;
}

/** Waits for the bulk run to end and reads its report from the store. */
export async function finishBulkRun(stack: ChaosStack, workflowId: string): Promise<FinishedBulk> {
  const end = await awaitBulk(stack.world.client, workflowId);
  const progress = await getBulkProgress(stack.world.client, workflowId);
  const report = await bulkReport(stack.store, progress);
  return {
    end,
    outcomes: new Map(
      report.map((r) => [
        r.phoneNumberId,
        { outcome: r.outcome, connectorId: r.connectorId || undefined, reason: r.reason || undefined },
      ]),
    ),
    reportText: JSON.stringify(report),
  };
}

/**
 * A bulk run started and followed by a separate client process, which must outlast a server restart by itself: the
 * operator's `starter bulk --file … --defaults … --wait` (via 'cli'), or another service using the typed API
 * (`prepareInventory`, `startBulk`, `awaitBulk`: test/chaos/bulk-driver.ts, via 'typed-api'). Started for an
 * inventory whose run is going, either attaches to it.
 */
export function startBulkProcess(
  stack: ChaosStack,
  plan: BulkPlan,
  opts: BulkRunOptions,
  via: 'cli' | 'typed-api',
): NodeProcess {
  const env = {
    TEMPORAL_ADDRESS: stack.world.server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    BULK_STORE_DIR: stack.store.dir,
  };
  const proc =
    via === 'cli'
      ? startNodeProcess('src/starter.ts', env, {
          node: process.execPath,
          execArgv: ['--import', 'tsx'],
          args: BULK_CLI_ARGS(plan, opts),
        })
      : startNodeProcess('test/chaos/bulk-driver.ts', env, {
          node: process.execPath,
          execArgv: ['--import', 'tsx'],
          args: [plan.file, plan.defaultsFile, String(opts.concurrency), String(opts.sweepIntervalMs ?? 30_000)],
        });
  stack.adopt(proc);
  return proc;
}

/** `starter bulk --wait`: starts the file's run, follows it to its end, prints the summary (exit 1 when rows failed). */
const BULK_CLI_ARGS = (plan: BulkPlan, opts: BulkRunOptions) => [
  'bulk',
  '--file',
  plan.file,
  '--defaults',
  plan.defaultsFile,
  '--concurrency',
  String(opts.concurrency),
  '--wait',
];

/** Whether the bulk client process followed its run to the end: the CLI's summary, or the driver's last line. */
export function followedToTheEnd(proc: NodeProcess, exit: { code: number | null }): boolean {
  return (
    proc.lines.some((l) => /^bulk run completed: \d+ rows/.test(l) || l.includes('"msg":"bulk ended"')) &&
    (exit.code === 0 || exit.code === 1)
  );
}

/**
 * The typed API of apply: read and validate the inventory as bulk onboarding does, record the inventory's name in
 * every row's connector name (so a later plan sees what this apply creates as this inventory's), store it, and run
 * applyInventory (one run per inventory at a time). The report joins the create child's per-row outcomes.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { BulkStore } from '../bulk/store';
import {
  applyWorkflowId,
  withCreateOutcomes,
  type ApplyResult,
  type ApplyInputRaw,
  type ExpectedEntry,
} from '../domain/apply';
import type { BulkOverrides, InvalidRow } from '../domain/bulk-input';
import { nameWithInventory } from '../domain/plan';
import { parsePlanInput } from '../domain/plan-input';
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES, type ApplyInventoryWorkflow } from '../domain/workflow-types';
import { BULK_LIMITS, bulkReport, prepareInventory } from './bulk-client';

export { applyWorkflowId };

export interface ApplyArgs {
  file: string;
  defaults: unknown;
  inventory: string;
  overrides?: BulkOverrides;
  prune?: boolean;
  /** A saved plan's changing entries (expectedOfSavedPlan): the run refuses if the fresh plan differs. */
  expected?: ExpectedEntry[];
}

export interface ApplyOptions {
  taskQueue: string;
  /** The create child's window and pace (bulk onboarding's defaults otherwise). */
  bulk?: Partial<ApplyInputRaw['bulk']>;
  offboardWindow?: number;
}

export interface InventoryApply {
  result: ApplyResult;
  invalid: InvalidRow[];
  workflowId: string;
}

export class ApplyAlreadyRunning extends Error {
  constructor(readonly workflowId: string) {
    super(`an apply of this inventory is running (${workflowId}); wait for it or cancel it`);
    this.name = 'ApplyAlreadyRunning';
  }
}

/** The applyInventory input for a file: validated, stored (rows named with the inventory); nothing started. */
export async function prepareApply(
  store: BulkStore,
  args: ApplyArgs,
  opts: Omit<ApplyOptions, 'taskQueue'> = {},
): Promise<{ input: ApplyInputRaw; invalid: InvalidRow[] }> {
  const inventory = await prepareInventory(args.file, args.defaults, args.overrides);
  const plan = parsePlanInput({
    workspaceId: inventory.workspaceId,
    inventory: args.inventory,
    entries: inventory.valid.map((r) => ({ phoneNumberId: r.phoneNumberId, line: r.line })),
  });
  const valid = inventory.valid.map((r) => ({
    ...r,
    input: {
      ...r.input,
      connector: { ...r.input.connector, name: nameWithInventory(r.input.connector.name, plan.inventory) },
    },
  }));
  const source = inventory.source.split(/[\\/]/).pop() || inventory.source;
  const manifest = await store.saveInventory({ workspaceId: inventory.workspaceId, valid, invalid: [] }, source);
  const input: ApplyInputRaw = {
    plan,
    bulkKey: manifest.bulkKey,
    source,
    prune: args.prune ?? false,
    ...(args.expected ? { expected: args.expected } : {}),
    bulk: {
      concurrency: BULK_LIMITS.defaultConcurrency,
      maxConcurrency: BULK_LIMITS.maxConcurrency,
      pageSize: BULK_LIMITS.pageSize,
      startsPerRun: BULK_LIMITS.startsPerRun,
      sweepIntervalMs: BULK_LIMITS.sweepIntervalMs,
      ...opts.bulk,
    },
    ...(opts.offboardWindow ? { offboardWindow: opts.offboardWindow } : {}),
  };
  return { input, invalid: inventory.invalid };
}

/** Applies and returns the report (create and repair rows with the create child's outcome). */
export async function applyFromFile(
  client: Client,
  store: BulkStore,
  args: ApplyArgs,
  opts: ApplyOptions,
): Promise<InventoryApply> {
  const { input, invalid } = await prepareApply(store, args, opts);
  const workflowId = applyWorkflowId(input.plan.workspaceId, args.inventory);
  const handle = await client.workflow
    .start<ApplyInventoryWorkflow>(WORKFLOW_TYPES.applyInventory, {
      taskQueue: opts.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [{ key: sa.BirdWorkspaceId, value: String(input.plan.workspaceId).toLowerCase() }],
      staticSummary: `Apply inventory ${args.inventory} to workspace ${input.plan.workspaceId}${args.prune ? ' (with prune)' : ''}`,
    })
    .catch((err: unknown) => {
      throw err instanceof WorkflowExecutionAlreadyStartedError ? new ApplyAlreadyRunning(workflowId) : err;
    });
  return { result: await reportOf(store, await handle.result()), invalid, workflowId };
}

/** The run's result with the create child's per-row outcomes joined in. */
export async function reportOf(store: BulkStore, result: ApplyResult): Promise<ApplyResult> {
  if (!result.creates) return result;
  const report = await bulkReport(store, result.creates);
  return { ...result, rows: withCreateOutcomes(result.rows, report) };
}

/**
 * The typed API of apply: read and validate the inventory as bulk onboarding does, record the inventory's name in
 * every row's connector name (so a later plan sees what this apply creates as this inventory's), store it, and run
 * applyInventory (one run per inventory at a time). The report joins the create child's per-row outcomes.
 */
import { DEFAULT_OFFBOARD_CONCURRENCY } from '../domain/bulk-offboarding';
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
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
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES, type ApplyInventoryWorkflow } from '../domain/workflow-types';
import { BULK_LIMITS, bulkReport, prepareInventory, type PreparedInventory } from './bulk-client';
import { planInputOf } from './plan-client';

export { applyWorkflowId };

export interface ApplyArgs {
  file: string;
  defaults: unknown;
  inventory: string;
  overrides?: BulkOverrides;
  prune?: boolean;
  /** A saved plan's changing entries (expectedOfSavedPlan): the run refuses if the fresh plan differs. */
  expected?: ExpectedEntry[];
  /** false: plan from the list pages and our records, reading no status (PlanInput's `refresh`). */
  refresh?: boolean;
}

export interface ApplyOptions {
  taskQueue: string;
  /** The create child's window and pace (bulk onboarding's defaults otherwise). */
  bulk?: Partial<ApplyInputRaw['bulk']>;
  /** Repair and prune offboardings at once (bulk offboarding's default otherwise). */
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
  return prepareApplyOf(store, inventory, args, opts);
}

/** The same for an inventory already read and validated (a file, or the HTTP API's text). */
export async function prepareApplyOf(
  store: BulkStore,
  inventory: PreparedInventory,
  args: Pick<ApplyArgs, 'inventory' | 'prune' | 'expected' | 'refresh'>,
  opts: Omit<ApplyOptions, 'taskQueue'> = {},
): Promise<{ input: ApplyInputRaw; invalid: InvalidRow[] }> {
  const plan = planInputOf(inventory, args);
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
    // Bulk offboarding's window, given explicitly: the input's own default (10) is what older runs were started with.
    offboardWindow: opts.offboardWindow ?? DEFAULT_OFFBOARD_CONCURRENCY,
  };
  return { input, invalid: inventory.invalid };
}

/** How every door starts an apply: one run per inventory at a time (a second start fails while one is open). */
export function applyStartOptions(input: ApplyInputRaw) {
  const { workspaceId, inventory } = input.plan;
  return {
    workflowId: applyWorkflowId(workspaceId, inventory),
    args: [input] as [ApplyInputRaw],
    workflowIdConflictPolicy: 'FAIL' as const,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    typedSearchAttributes: [{ key: sa.BirdWorkspaceId, value: String(workspaceId).toLowerCase() }],
    staticSummary: `Apply inventory ${inventory} to workspace ${workspaceId}${input.prune ? ' (with prune)' : ''}`,
  };
}

/** Starts applyInventory over a prepared input; ApplyAlreadyRunning while a run of this inventory is open. */
export async function startApply(
  client: Client,
  input: ApplyInputRaw,
  opts: { taskQueue: string },
): Promise<WorkflowHandleWithFirstExecutionRunId<ApplyInventoryWorkflow>> {
  const options = applyStartOptions(input);
  return client.workflow
    .start<ApplyInventoryWorkflow>(WORKFLOW_TYPES.applyInventory, { taskQueue: opts.taskQueue, ...options })
    .catch((err: unknown) => {
      throw err instanceof WorkflowExecutionAlreadyStartedError ? new ApplyAlreadyRunning(options.workflowId) : err;
    });
}

/** Applies and returns the report (create and repair rows with the create child's outcome). */
export async function applyFromFile(
  client: Client,
  store: BulkStore,
  args: ApplyArgs,
  opts: ApplyOptions,
): Promise<InventoryApply> {
  const { input, invalid } = await prepareApply(store, args, opts);
  const handle = await startApply(client, input, opts);
  return { result: await reportOf(store, await handle.result()), invalid, workflowId: handle.workflowId };
}

/** The run's result with the create child's per-row outcomes joined in. */
export async function reportOf(store: BulkStore, result: ApplyResult): Promise<ApplyResult> {
  if (!result.creates) return result;
  const report = await bulkReport(store, result.creates);
  return { ...result, rows: withCreateOutcomes(result.rows, report) };
}

/**
 * The typed API for bulk onboarding: read and validate an inventory file against its defaults, store it, start (or
 * attach to) its bulk run, follow its progress, cancel it, and build its report from the store.
 */
import { readRunProgress } from './run-progress';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  parseCsv,
  parseJsonLines,
  readInventoryFile,
  type InventoryFormat,
  type ReadInventory,
} from '../bulk/inventory-file';
import type { BulkManifest, BulkStore } from '../bulk/store';
import {
  buildInventory,
  parseBulkDefaults,
  type BulkDefaults,
  type BulkOverrides,
  type Inventory,
} from '../domain/bulk-input';
import { buildReport, rowKey, type ReportRow, type RowIdentity } from '../domain/bulk-report';
import * as sa from '../domain/search-attributes';
// Type only: the client starts the workflow by its type name and never loads workflow code.
import { WORKFLOW_TYPES, type BulkOnboardWorkflow } from '../domain/workflow-types';
import { waitThroughOutages, type OutageOptions } from './outages';
import { type BulkOnboardInput, type BulkProgress } from '../domain/bulk-onboarding';
import { bulkProgressQuery } from '../domain/messages/bulk';

export const BULK_LIMITS = {
  /**
   * Provisionings at once; each run's pending children must stay far below the server's 2,000, and a worker holds
   * 1,000 in flight within its memory goal (docs/worker-tuning.md). The default window adapts up to it.
   */
  maxConcurrency: 1_000,
  defaultConcurrency: 100,
  pageSize: 100,
  startsPerRun: 500,
  sweepIntervalMs: 5 * 60_000,
} as const;

export interface PreparedInventory extends Inventory {
  /** Lines refused as unreadable or invalid, merged with the schema's refusals, in file order. */
  source: string;
}

/** Reads and validates the whole file; nothing is stored or started. Throws InvalidBulkDefaults / InventoryFileError. */
export async function prepareInventory(
  file: string,
  defaultsRaw: unknown,
  overrides: BulkOverrides = {},
  onlyKeys?: Set<string>,
): Promise<PreparedInventory> {
  const defaults = parseBulkDefaults(defaultsRaw, overrides);
  return validateInventory(defaults, await readInventoryFile(file), file, onlyKeys);
}

/**
 * The same for an inventory received as text (the HTTP API's upload): the same readers and the same rules as a file,
 * so a row refused by the CLI is refused here with the same line and field.
 */
export function prepareInventoryText(
  text: string,
  format: InventoryFormat,
  defaultsRaw: unknown,
  source: string,
): PreparedInventory {
  const defaults = parseBulkDefaults(defaultsRaw);
  return validateInventory(defaults, format === 'jsonl' ? parseJsonLines(text) : parseCsv(text), source);
}

function validateInventory(
  defaults: BulkDefaults,
  read: ReadInventory,
  source: string,
  onlyKeys?: Set<string>,
): PreparedInventory {
  const inventory = buildInventory(defaults, read.rows);
  const invalid = [...inventory.invalid, ...read.unreadable].sort((a, b) => a.line - b.line);
  // --retry-failed: only the rows the report names, by key (src/domain/bulk-report.ts rowKey).
  const listed = (r: RowIdentity) => onlyKeys!.has(rowKey(r) ?? '');
  return {
    workspaceId: inventory.workspaceId,
    valid: onlyKeys ? inventory.valid.filter(listed) : inventory.valid,
    invalid: onlyKeys ? invalid.filter(listed) : invalid,
    source,
  };
}

export function bulkWorkflowId(manifest: Pick<BulkManifest, 'workspaceId' | 'digest'>): string {
  return `bulk/${manifest.workspaceId}/${manifest.digest.slice(0, 16)}`;
}

export interface StartBulkOptions {
  taskQueue: string;
  /**
   * The window: provisionings at once. Given alone, it stays fixed; with `maxConcurrency`, or when neither is given
   * (100 up to 1,000), it is where an adapting window starts (docs/bulk.md).
   */
  concurrency?: number;
  /** The most an adapting window grows to. */
  maxConcurrency?: number;
  pageSize?: number;
  startsPerRun?: number;
  sweepIntervalMs?: number;
}

export interface StartedBulk {
  workflowId: string;
  /** The first run id: the key of this bulk run's outcomes in the store. */
  runId: string;
  manifest: BulkManifest;
  handle: WorkflowHandle<BulkOnboardWorkflow>;
}

/**
 * Stores the inventory and starts its bulk run. The same inventory started again while its run is going attaches
 * to it; started after it ended, it runs again (finding every number it provisioned `already-active`).
 */
export async function startBulk(
  client: Client,
  store: BulkStore,
  inventory: PreparedInventory,
  opts: StartBulkOptions,
): Promise<StartedBulk> {
  const manifest = await store.saveInventory(inventory, inventory.source);
  const { workflowId, ...options } = bulkStartOptions(manifest, opts);
  const handle = await client.workflow.start<BulkOnboardWorkflow>(WORKFLOW_TYPES.bulkOnboard, {
    workflowId,
    ...options,
    taskQueue: opts.taskQueue,
  });
  return { workflowId, runId: handle.firstExecutionRunId, manifest, handle };
}

/**
 * How the bulk run of a stored inventory is started, whoever starts it (startBulk, the Nexus `bulkOnboard`
 * operation): its workflow id, input, conflict policy, summary and search attributes.
 */
export function bulkStartOptions(manifest: BulkManifest, opts: Omit<StartBulkOptions, 'taskQueue'>) {
  const concurrency = Math.min(opts.concurrency ?? BULK_LIMITS.defaultConcurrency, BULK_LIMITS.maxConcurrency);
  // A window the starter chose stays as chosen; the default one adapts to Bird's limit up to the memory goal.
  const maxConcurrency =
    opts.maxConcurrency !== undefined
      ? Math.max(concurrency, Math.min(opts.maxConcurrency, BULK_LIMITS.maxConcurrency))
      : opts.concurrency === undefined
        ? BULK_LIMITS.maxConcurrency
        : undefined;
  const input: BulkOnboardInput = {
    bulkKey: manifest.bulkKey,
    workspaceId: manifest.workspaceId,
    rows: manifest.rows,
    invalid: manifest.invalid,
    source: baseName(manifest.source),
    templateRefs: manifest.templateRefs,
    concurrency,
    ...(maxConcurrency ? { maxConcurrency } : {}),
    pageSize: opts.pageSize ?? BULK_LIMITS.pageSize,
    startsPerRun: Math.min(opts.startsPerRun ?? BULK_LIMITS.startsPerRun, BULK_LIMITS.maxConcurrency),
    sweepIntervalMs: opts.sweepIntervalMs ?? BULK_LIMITS.sweepIntervalMs,
  };
  return {
    workflowId: bulkWorkflowId(manifest),
    args: [input] as [BulkOnboardInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: manifest.workspaceId },
      { key: sa.ProvisioningStage, value: 'indexing' },
    ],
    staticSummary: `Bulk onboarding of ${manifest.rows} numbers from ${input.source} in workspace ${manifest.workspaceId}`,
    staticDetails: [
      `- **Workspace:** ${manifest.workspaceId}`,
      `- **Inventory:** ${manifest.rows} numbers from ${input.source}${manifest.invalid ? ` (${manifest.invalid} invalid rows skipped)` : ''}; templates ${manifest.templateRefs.join(', ')}`,
      `- **Window:** ${concurrency} provisionings at once${maxConcurrency ? `, adapting up to ${maxConcurrency} to keep Bird's GET budget busy` : ''}; continue-as-new every ${input.startsPerRun} starts`,
      `- **Bulk store key:** ${manifest.bulkKey}`,
    ].join('\n'),
  };
}

export async function getBulkProgress(client: Client, workflowId: string): Promise<BulkProgress> {
  return client.workflow.getHandle(workflowId).query(bulkProgressQuery);
}

/** The run's status and progress, what a progress stream follows (src/client/run-progress.ts). */
export async function readBulkProgress(
  client: Client,
  workflowId: string,
  opts: { queryTimeoutMs: number },
): Promise<{ status: string; progress: BulkProgress }> {
  return readRunProgress(client, workflowId, bulkProgressQuery, opts);
}

export async function cancelBulk(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}

export type BulkEnd =
  { status: 'completed' | 'cancelled'; progress: BulkProgress } | { status: 'failed'; reason: string };

/**
 * Waits for the bulk run to end (completed, or cancelled after its children compensated), through restarts of the
 * Temporal server: the run goes on meanwhile, so the wait does too (src/client/outages.ts).
 */
export async function awaitBulk(client: Client, workflowId: string, outages: OutageOptions = {}): Promise<BulkEnd> {
  const handle = client.workflow.getHandle<BulkOnboardWorkflow>(workflowId);
  try {
    const result = await waitThroughOutages(() => handle.result(), outages);
    return { status: 'completed', progress: result.progress };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      if (err.cause?.name === 'CancelledFailure')
        return {
          status: 'cancelled',
          progress: await waitThroughOutages(() => handle.query(bulkProgressQuery), outages),
        };
      return { status: 'failed', reason: err.cause?.message ?? err.message };
    }
    throw err;
  }
}

/** One row per line of the file, from the store: every valid row with its outcome, every invalid row as `invalid`. */
export async function bulkReport(
  store: BulkStore,
  progress: Pick<BulkProgress, 'bulkKey' | 'runKey'>,
): Promise<ReportRow[]> {
  const rows = [];
  for await (const r of store.allRows(progress.bulkKey)) rows.push(r);
  const [invalid, outcomes] = await Promise.all([
    store.invalidRows(progress.bulkKey),
    store.outcomes(progress.bulkKey, progress.runKey),
  ]);
  return buildReport(rows, invalid, outcomes);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

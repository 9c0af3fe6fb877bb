/**
 * The typed API of the plan: read and validate an inventory file as bulk onboarding does (same readers, same
 * rules, same line numbers), then run planInventory, which reads the workspace and our records and changes nothing.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { BulkOverrides, InvalidRow } from '../domain/bulk-input';
import type { Plan } from '../domain/plan';
import { parsePlanInput, type PlanInput } from '../domain/plan-input';
import { WORKFLOW_TYPES, type PlanInventoryWorkflow } from '../domain/workflow-types';
import type { InventoryFormat } from '../bulk/inventory-file';
import { prepareInventory, prepareInventoryText, type PreparedInventory } from './bulk-client';

export interface InventoryPlan {
  plan: Plan;
  /** Rows of the file refused at validation: not planned. */
  invalid: InvalidRow[];
  /** The plan's run (its history shows every read it made). */
  workflowId: string;
}

export async function planFromFile(
  client: Client,
  args: { file: string; defaults: unknown; inventory: string; overrides?: BulkOverrides; refresh?: boolean },
  opts: { taskQueue: string },
): Promise<InventoryPlan> {
  const inventory = await prepareInventory(args.file, args.defaults, args.overrides);
  return planPrepared(client, inventory, args, opts);
}

/** The same for an inventory received as text (the HTTP API): the same readers, rules and line numbers. */
export async function planFromText(
  client: Client,
  args: {
    text: string;
    format: InventoryFormat;
    defaults: unknown;
    inventory: string;
    source: string;
    refresh?: boolean;
  },
  opts: { taskQueue: string },
): Promise<InventoryPlan> {
  const inventory = prepareInventoryText(args.text, args.format, args.defaults, args.source);
  return planPrepared(client, inventory, args, opts);
}

/** The plan's input for an inventory read and validated: its valid rows, with their lines. */
export function planInputOf(inventory: PreparedInventory, args: { inventory: string; refresh?: boolean }): PlanInput {
  return parsePlanInput({
    workspaceId: inventory.workspaceId,
    inventory: args.inventory,
    entries: inventory.valid.map((r) => ({ phoneNumberId: r.phoneNumberId, line: r.line })),
    ...(args.refresh === false ? { refresh: false } : {}),
  });
}

/** How every door starts a plan: one id per plan, so plans never attach to each other. */
export function planStartOptions(input: PlanInput) {
  return {
    workflowId: `plan/${input.workspaceId}/${input.inventory}/${new Date().toISOString()}-${randomUUID().slice(0, 8)}`,
    staticSummary: `Plan of inventory ${input.inventory} against workspace ${input.workspaceId} (reads only)`,
  };
}

async function planPrepared(
  client: Client,
  inventory: PreparedInventory,
  args: { inventory: string; refresh?: boolean },
  opts: { taskQueue: string },
): Promise<InventoryPlan> {
  const input = planInputOf(inventory, args);
  const { workflowId, staticSummary } = planStartOptions(input);
  const plan = await client.workflow.execute<PlanInventoryWorkflow>(WORKFLOW_TYPES.planInventory, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [input],
    staticSummary,
  });
  return { plan, invalid: inventory.invalid, workflowId };
}

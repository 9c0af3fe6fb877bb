/**
 * The typed API of the plan: read and validate an inventory file as bulk onboarding does (same readers, same
 * rules, same line numbers), then run planInventory, which reads the workspace and our records and changes nothing.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { BulkOverrides, InvalidRow } from '../domain/bulk-input';
import type { Plan } from '../domain/plan';
import { parsePlanInput } from '../domain/plan-input';
import { WORKFLOW_TYPES, type PlanInventoryWorkflow } from '../domain/workflow-types';
import { prepareInventory } from './bulk-client';

export interface InventoryPlan {
  plan: Plan;
  /** Rows of the file refused at validation: not planned. */
  invalid: InvalidRow[];
  /** The plan's run (its history shows every read it made). */
  workflowId: string;
}

export async function planFromFile(
  client: Client,
  args: { file: string; defaults: unknown; inventory: string; overrides?: BulkOverrides },
  opts: { taskQueue: string },
): Promise<InventoryPlan> {
  const inventory = await prepareInventory(args.file, args.defaults, args.overrides);
  const input = parsePlanInput({
    workspaceId: inventory.workspaceId,
    inventory: args.inventory,
    entries: inventory.valid.map((r) => ({ phoneNumberId: r.phoneNumberId, line: r.line })),
  });
  // One id per plan: plans never attach to each other.
  const workflowId = `plan/${input.workspaceId}/${input.inventory}/${new Date().toISOString()}-${randomUUID().slice(0, 8)}`;
  const plan = await client.workflow.execute<PlanInventoryWorkflow>(WORKFLOW_TYPES.planInventory, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [input],
    staticSummary: `Plan of inventory ${input.inventory} against workspace ${input.workspaceId} (reads only)`,
  });
  return { plan, invalid: inventory.invalid, workflowId };
}

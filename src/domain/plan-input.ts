/** The plan workflow's input: the workspace, the inventory's identity and its numbers (with their lines). */
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import { inventoryNameProblem } from './plan';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';

const Lower = BirdId.transform((id) => id.toLowerCase());

export const PlanInput = z.strictObject({
  workspaceId: Lower,
  inventory: z.string().superRefine((name, ctx) => {
    const problem = inventoryNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  entries: z.array(z.strictObject({ phoneNumberId: Lower, line: z.number().int().min(1).optional() })).max(20_000),
  /** Connectors per Bird list request. */
  pageSize: z.number().int().min(1).max(100).default(100),
  /**
   * Read the status of each of our connectors for a number of the inventory (one GET each), as Terraform refreshes
   * its state. Off (as Terraform's `-refresh=false`), the plan reads the list pages only: Bird's list carries no
   * status, so a connector of ours in `error` or `inactive` is then planned `keep` until a refreshing plan sees it.
   */
  refresh: z.boolean().default(true),
});
export type PlanInputRaw = z.input<typeof PlanInput>;
export type PlanInput = z.output<typeof PlanInput>;

export class InvalidPlanInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('plan input', problems);
    this.name = 'InvalidPlanInput';
  }
}

export function parsePlanInput(raw: unknown): PlanInput {
  return parseFields(PlanInput, raw, (problems) => new InvalidPlanInput(problems));
}

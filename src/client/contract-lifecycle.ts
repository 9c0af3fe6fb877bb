/**
 * The contract of the rest of a channel's life, as zod schemas: what offboardChannel takes and reports, what
 * planInventory takes and answers, what applyInventory takes and reports. As in contract-schemas.ts, the domain's types stay the source of truth: each
 * result schema is checked at compile time to describe exactly that type, and the inputs are the domain's own
 * schemas, so contracts/ cannot say something the workflows do not.
 */
import { z } from 'zod';
import { ApplyInput, type ApplyResult } from '../domain/apply';
import { OffboardInput, type OffboardResult } from '../domain/offboarding';
import { PLAN_ACTIONS, type Plan, type PlanAction } from '../domain/plan';
import { PlanInput } from '../domain/plan-input';
import { BulkCountsSchema } from './contract-schemas';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function describes<T>() {
  return <S extends z.ZodType>(
    schema: S & (Same<z.output<S>, T> extends true ? unknown : { error: 'schema and type differ' }),
  ): S => schema;
}

const Connector = z.object({ connectorId: z.string(), name: z.string() });

export const OffboardInputSchema = OffboardInput.meta({
  description:
    'Exactly one of phoneNumberId (SMS templates) or connector (templates keyed by name, the name as it was provisioned, without the tag). Checked beyond this schema: a duration written as a string within its bounds.',
});

export const OffboardResultSchema = describes<OffboardResult>()(
  z
    .object({
      workflowId: z.string(),
      workspaceId: z.string(),
      phoneNumberId: z.string().optional(),
      connector: z.object({ connectorTemplateRef: z.string(), name: z.string() }).optional(),
      outcome: z.enum(['offboarded', 'already-absent', 'foreign-left-untouched']).meta({
        description:
          'offboarded: our connector deleted (or the running provisioning cancelled and compensated); already-absent: nothing to delete, no Bird write; foreign-left-untouched: only connectors without our tag, never touched',
      }),
      deleted: z.array(
        Connector.extend({
          confirmedBy: z
            .enum(['deprovisioned', 'not-found'])
            .meta({ description: 'Bird answered deprovisioned, or 404' }),
        }),
      ),
      foreign: z.array(Connector).meta({ description: 'connectors for the channel without our tag: never touched' }),
      leftBehind: z
        .array(z.object({ kind: z.literal('webhook-subscription'), subscriptionId: z.string() }))
        .meta({ description: 'what stays at Bird: its API has no delete for a webhook subscription' }),
      cancelledProvisioning: z.object({ workflowId: z.string(), runId: z.string() }).optional(),
      birdWrites: z.number().int().meta({ description: 'Bird DELETEs this run sent' }),
    })
    .meta({ id: 'OffboardResult', description: 'the result of an offboardChannel run' }),
);

export const PlanInputSchema = PlanInput.meta({
  description:
    "planInventory's input: the inventory's numbers (each valid row of the file, with its line), its name (recorded in the names of the connectors it makes) and the workspace. The CLI and the HTTP API build it from an inventory file and defaults.",
});

const PlanActionSchema = z.enum(PLAN_ACTIONS as [PlanAction, ...PlanAction[]]).meta({
  id: 'PlanAction',
  description:
    'create: no channel; keep: ours and active; repair: ours but error, inactive or deprovisioned (deleted and created again); adopt: ours by tag but no inventory’s (apply records it as this one’s); foreign: not ours, a conflict, never touched; prune: ours, made by this inventory, no longer in it; other: made by another inventory or a single provisioning, never touched',
});

export const PlanSchema = describes<Plan>()(
  z
    .object({
      inventory: z.string(),
      workspaceId: z.string(),
      entries: z.array(
        z.object({
          action: PlanActionSchema,
          phoneNumberId: z.string().optional(),
          line: z.number().int().optional().meta({ description: 'the line of the inventory file' }),
          connectorId: z.string().optional(),
          madeBy: z.string().optional().meta({ description: 'the inventory that made the connector, when recorded' }),
          reason: z.string(),
        }),
      ),
      counts: z.record(PlanActionSchema, z.number().int()),
      unrelated: z
        .number()
        .int()
        .meta({ description: 'connectors that are not ours and not for a number of the inventory: never touched' }),
    })
    .meta({ id: 'Plan', description: 'the result of a planInventory run: reads only, writes nothing' }),
);

export const ApplyInputSchema = ApplyInput.meta({
  description:
    "applyInventory's input: the plan's input, the key of the inventory's rows in the bulk store (their connector names recording the inventory), whether to prune, a saved plan's changing entries that must still hold, and the create child's window and pace. The doors build it from an inventory and defaults.",
});

export const ApplyResultSchema = describes<ApplyResult>()(
  z
    .object({
      inventory: z.string(),
      workspaceId: z.string(),
      counts: z.record(PlanActionSchema, z.number().int()).meta({ description: 'the fresh plan’s counts' }),
      changed: z.boolean().meta({ description: 'false when the workspace already matched: no Bird write was made' }),
      rows: z.array(
        z.object({
          action: PlanActionSchema,
          phoneNumberId: z.string().optional(),
          line: z.number().int().optional(),
          connectorId: z.string().optional(),
          outcome: z.enum([
            'created',
            'already-active',
            'repaired',
            'adopted',
            'pruned',
            'unchanged',
            'skipped',
            'failed',
            'cancelled',
            'not-started',
          ]),
          reason: z.string(),
        }),
      ),
      creates: z
        .object({
          workflowId: z.string(),
          bulkKey: z.string(),
          runKey: z.string(),
          rows: z.number().int(),
          counts: BulkCountsSchema,
        })
        .optional()
        .meta({ description: 'the bulkOnboard child over the create and repaired rows, when there were any' }),
    })
    .meta({ id: 'ApplyResult', description: 'the report of an applyInventory run' }),
);

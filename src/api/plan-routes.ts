/**
 * POST /v1/plans: the plan of an inventory against its workspace, as `starter plan` makes it (the typed client's
 * planFromText: the same readers, rules and line numbers), answered as JSON. Reads only: nothing is written to Bird,
 * the bulk store or anywhere else. The inventory comes as the file's text (CSV or JSON Lines, as for bulk) or as rows
 * (objects with a bulk row's columns: row N is line N).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { planFromText } from '../client/plan-client';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { inventoryNameProblem } from '../domain/plan';
import type { ApiContext } from './context';
import { rowProblems } from './bulk-routes';

export const PlanRequest = z
  .strictObject({
    inventoryName: z.string().superRefine((name, ctx) => {
      const problem = inventoryNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    workspaceId: z.string().optional().meta({ description: 'overrides defaults.workspaceId (as --workspace-id)' }),
    defaults: z.record(z.string(), z.unknown()).meta({ description: 'every row is merged over these, as for bulk' }),
    format: z.enum(['csv', 'jsonl']).optional().meta({ description: 'the format of `inventory`' }),
    inventory: z.string().optional().meta({ description: 'the inventory file, as text (with `format`)' }),
    rows: z
      .array(z.record(z.string(), z.unknown()))
      .max(20_000)
      .optional()
      .meta({ description: "or the inventory's rows, each a bulk row's columns (row N is line N)" }),
    refresh: z.boolean().optional().meta({
      description:
        "false: read no connector's status, only the list pages and our records (as --no-refresh, Terraform's -refresh=false)",
    }),
  })
  .superRefine((body, ctx) => {
    if ((body.inventory === undefined) === (body.rows === undefined))
      ctx.addIssue({ code: 'custom', path: ['inventory'], message: 'give exactly one of inventory or rows' });
    else if (body.inventory !== undefined && body.format === undefined)
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'required with inventory (csv or jsonl)' });
  })
  .meta({
    description:
      'an inventory and its defaults as `starter plan` takes them: the file (`format` and `inventory`) or its rows, and the inventory name (--inventory)',
  });

export function registerPlanRoutes(app: FastifyInstance, ctx: ApiContext, opts: { bodyLimit: number }): void {
  app.post('/v1/plans', { bodyLimit: opts.bodyLimit }, async (request) => {
    // Refused by field (this request, its defaults, its file): src/api/errors.ts refusalOf.
    const body = parseFields(PlanRequest, request.body, (problems) => new InvalidFields('plan request', problems));
    const defaults =
      body.workspaceId === undefined ? body.defaults : { ...body.defaults, workspaceId: body.workspaceId };
    if (typeof defaults.workspaceId === 'string') ctx.requireWorkspace(request, defaults.workspaceId);
    await ctx.requireWorkers();
    const text = body.inventory ?? body.rows!.map((row) => JSON.stringify(row)).join('\n');
    const format = body.inventory !== undefined ? body.format! : 'jsonl';
    const { plan, invalid, workflowId } = await planFromText(
      ctx.client,
      { text, format, defaults, inventory: body.inventoryName, source: `http-plan.${format}`, refresh: body.refresh },
      { taskQueue: ctx.taskQueue },
    );
    return { workflowId, plan, notPlanned: rowProblems(invalid) };
  });
}

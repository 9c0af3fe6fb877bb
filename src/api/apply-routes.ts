/**
 * POST /v1/applies: carries out an inventory's plan (the typed client's prepareApplyOf and startApply: the readers,
 * rules and workflow of `starter apply`) → 202 with where to follow it, GET /v1/applies/{workspaceId}/{inventory}.
 * The request is a plan's (POST /v1/plans) with `prune` (off unless `true`: there is no prompt to confirm it) and an
 * optional saved `plan` (a POST /v1/plans answer's `plan`): planned again now, a difference refuses the apply (409,
 * the differences listed) before anything starts; the run checks it once more against Bird's state at its start.
 * Invalid rows refuse the whole request, as for bulk onboarding: an apply of part of an inventory would prune the rest.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApplyAlreadyRunning, prepareApplyOf, startApply } from '../client/apply-client';
import { prepareInventoryText } from '../client/bulk-client';
import { planFromText } from '../client/plan-client';
import { readApply, type ApplyReading } from '../client/read-apply';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { expectedOfSavedPlan, planDifferences, type ApplyResult, type ExpectedEntry } from '../domain/apply';
import type { ApiContext } from './context';
import { rowProblems } from './bulk-routes';
import { ApiError, isNotFound, notFound } from './errors';
import { PlanRequest } from './plan-routes';
import { runStateOf, type RunState } from './run-state';

export const ApplyRequest = PlanRequest.safeExtend({
  prune: z.boolean().optional().meta({ description: 'offboard the prune entries too (only when exactly true)' }),
  plan: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: 'a saved plan (POST /v1/plans answer’s `plan`) that must still hold, or nothing starts' }),
}).meta({ description: 'a plan request, with `prune` and optionally the saved plan to hold the apply to' });

export type ApplyState = RunState<ApplyResult, { reason: string; differences?: string[] }>;

export const APPLY_PATH = '/v1/applies/:workspaceId/:inventory';
type ApplyParams = { workspaceId: string; inventory: string };

export function applyLocation(workspaceId: string, inventory: string): string {
  return `/v1/applies/${encodeURIComponent(workspaceId)}/${encodeURIComponent(inventory)}`;
}

export function registerApplyRoutes(app: FastifyInstance, ctx: ApiContext, opts: { bodyLimit: number }): void {
  app.post('/v1/applies', { bodyLimit: opts.bodyLimit }, async (request, reply) => {
    const body = parseRequest(request.body);
    const defaults =
      body.workspaceId === undefined ? body.defaults : { ...body.defaults, workspaceId: body.workspaceId };
    if (typeof defaults.workspaceId === 'string') ctx.requireWorkspace(request, defaults.workspaceId);
    const text = body.inventory ?? body.rows!.map((row) => JSON.stringify(row)).join('\n');
    const format = body.inventory !== undefined ? body.format! : 'jsonl';
    const source = `http-apply.${format}`;
    // Refused by field or line (its defaults, its file): src/api/errors.ts refusalOf.
    const inventory = prepareInventoryText(text, format, defaults, source);
    ctx.requireWorkspace(request, inventory.workspaceId);
    if (inventory.invalid.length)
      throw new ApiError(
        422,
        'invalid-lines',
        `${inventory.invalid.length} of ${inventory.invalid.length + inventory.valid.length} lines are invalid; nothing was started`,
        rowProblems(inventory.invalid),
      );
    await ctx.requireWorkers();
    const expected = body.plan
      ? await savedPlanHolds(ctx, body.plan, { text, format, defaults, source }, body)
      : undefined;
    const { input } = await prepareApplyOf(ctx.bulkStore, inventory, {
      inventory: body.inventoryName,
      prune: body.prune === true,
      refresh: body.refresh,
      ...(expected ? { expected } : {}),
    });
    const started = await startApply(ctx.client, input, { taskQueue: ctx.taskQueue }).catch((err: unknown) => {
      if (err instanceof ApplyAlreadyRunning) throw new ApiError(409, 'apply-running', err.message);
      throw err;
    });
    const location = applyLocation(inventory.workspaceId, body.inventoryName);
    return reply
      .code(202)
      .header('location', location)
      .send({ workflowId: started.workflowId, runId: started.firstExecutionRunId, status: 'accepted', location });
  });
  app.get<{ Params: ApplyParams }>(APPLY_PATH, async (request: FastifyRequest<{ Params: ApplyParams }>) => {
    const { workspaceId, inventory } = request.params;
    ctx.requireWorkspace(request, workspaceId);
    const reading = await readApply(ctx.client, ctx.bulkStore, { workspaceId, inventory }, ctx).catch(
      (err: unknown) => {
        if (isNotFound(err)) throw notFound('apply of this inventory');
        throw err;
      },
    );
    return stateOf(reading);
  });
}

function parseRequest(raw: unknown) {
  return parseFields(ApplyRequest, raw, (problems) => new InvalidFields('apply request', problems));
}

/** The saved plan's changing entries, once a fresh plan shows they still hold (409 with the differences if not). */
async function savedPlanHolds(
  ctx: ApiContext,
  saved: Record<string, unknown>,
  file: Omit<Parameters<typeof planFromText>[1], 'inventory'>,
  body: { inventoryName: string; refresh?: boolean },
): Promise<ExpectedEntry[]> {
  let expected;
  try {
    expected = expectedOfSavedPlan(saved);
  } catch (err) {
    throw new ApiError(422, 'invalid-input', 'plan: not a plan', [{ field: 'plan', reason: (err as Error).message }]);
  }
  const fresh = await planFromText(ctx.client, { ...file, inventory: body.inventoryName, refresh: body.refresh }, ctx);
  const differences = planDifferences(expected, fresh.plan);
  if (differences.length)
    throw new ApiError(
      409,
      'plan-no-longer-holds',
      `the saved plan no longer holds (${differences.length} difference(s)); plan again; nothing was started`,
      differences.map((reason) => ({ field: 'plan', reason })),
    );
  return expected;
}

/** The one mapping of the client's reading (readApply) to the API's state. */
function stateOf(r: ApplyReading): ApplyState {
  return runStateOf<ApplyResult, { reason: string; differences?: string[] }, ApplyState['failure'] & object>(
    r,
    (ended) => ({
      reason: ended.reason,
      ...(ended.differences ? { differences: ended.differences } : {}),
    }),
  );
}

/**
 * POST /v1/bulk-onboardings and GET /v1/bulk-onboardings/{id}[/report|/events]: an inventory validated line by line
 * by the CLI's own readers and rules (src/bulk/inventory-file.ts, src/domain/bulk-input.ts through the typed bulk
 * client), refused whole with every bad line and field, or stored and started.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import {
  bulkReport,
  bulkWorkflowId,
  getBulkProgress,
  readBulkProgress,
  prepareInventoryText,
  startBulk,
  BULK_LIMITS,
} from '../client/bulk-client';
import type { InvalidRow } from '../domain/bulk-input';
import { reportCells, reportColumns } from '../domain/bulk-report';
import { parseFields, InvalidFields } from '../base/zod-issues';
import type { BulkProgress } from '../domain/bulk-onboarding';
import { ApiError, isNotFound, notFound, type ProblemBody } from './errors';
import type { ApiContext } from './context';
import { streamProgress } from './progress-events';

const BulkRequest = z.strictObject({
  format: z.enum(['csv', 'jsonl']),
  inventory: z.string(),
  defaults: z.record(z.string(), z.unknown()),
  concurrency: z.number().int().min(1).max(BULK_LIMITS.maxConcurrency).optional(),
});

const ENDED: ReadonlySet<BulkProgress['stage']> = new Set(['completed', 'cancelled']);

export function registerBulkRoutes(app: FastifyInstance, ctx: ApiContext, opts: { bodyLimit: number }): void {
  app.post('/v1/bulk-onboardings', { bodyLimit: opts.bodyLimit }, async (request, reply) => {
    // Refused by field (this request, its defaults, its file): src/api/errors.ts refusalOf.
    const body = parseFields(
      BulkRequest,
      request.body,
      (problems) => new InvalidFields('bulk onboarding request', problems),
    );
    const written = body.defaults.workspaceId;
    if (typeof written === 'string') ctx.requireWorkspace(request, written);
    const inventory = prepareInventoryText(body.inventory, body.format, body.defaults, `http-upload.${body.format}`);
    ctx.requireWorkspace(request, inventory.workspaceId);
    if (inventory.invalid.length) {
      const problems = rowProblems(inventory.invalid);
      throw new ApiError(
        422,
        'invalid-lines',
        `${inventory.invalid.length} of ${inventory.invalid.length + inventory.valid.length} lines are invalid; nothing was started`,
        problems,
      );
    }
    if (!inventory.valid.length)
      throw new ApiError(422, 'invalid-input', 'the inventory has no rows', [
        { field: 'inventory', reason: 'no rows after the header' },
      ]);
    await ctx.requireWorkers();
    const started = await startBulk(ctx.client, ctx.bulkStore, inventory, {
      taskQueue: ctx.taskQueue,
      concurrency: body.concurrency,
    });
    const id = started.manifest.bulkKey;
    const location = `/v1/bulk-onboardings/${id}`;
    return reply
      .code(202)
      .header('location', location)
      .send({ id, workflowId: started.workflowId, rows: started.manifest.rows, location });
  });

  app.get<{ Params: { id: string } }>('/v1/bulk-onboardings/:id', async (request) => progressOf(ctx, request));

  app.get<{ Params: { id: string } }>('/v1/bulk-onboardings/:id/report', async (request, reply) => {
    const progress = await progressOf(ctx, request);
    const rows = await bulkReport(ctx.bulkStore, progress);
    const columns = reportColumns(rows);
    return reply.type('text/csv; charset=utf-8').send(
      stringify(
        rows.map((r) => reportCells(r, columns)),
        { header: true, columns },
      ),
    );
  });

  app.get<{ Params: { id: string } }>('/v1/bulk-onboardings/:id/events', async (request, reply) => {
    const tick = (progress: BulkProgress, status = 'RUNNING') => ({
      progress,
      ended: ENDED.has(progress.stage) || status !== 'RUNNING',
    });
    const first = tick(await progressOf(ctx, request));
    const workflowId = bulkWorkflowIdOf(request.params.id);
    await streamProgress(reply, ctx.sseIntervalMs, first, async () => {
      const { status, progress } = await readBulkProgress(ctx.client, workflowId, {
        queryTimeoutMs: ctx.queryTimeoutMs,
      });
      return tick(progress, status);
    });
  });
}

/** Each refused row's problems (each on its line), with the number as the file wrote it when it was readable. */
export function rowProblems(invalid: readonly InvalidRow[]): ProblemBody[] {
  return invalid.flatMap((row) =>
    row.problems.map((p) => ({ ...p, ...(row.phoneNumberId ? { phoneNumberId: row.phoneNumberId } : {}) })),
  );
}

/** `<workspaceId>-<16 hex>` (the bulk key) → the bulk run's workflow id. */
function bulkWorkflowIdOf(id: string): string {
  const m = /^(.{36})-([0-9a-f]{16})$/.exec(id);
  if (!m || !BirdId.safeParse(m[1]).success)
    throw new ApiError(400, 'invalid-path', 'bad bulk onboarding id', [
      { field: 'id', reason: 'must be the id POST /v1/bulk-onboardings answered (<workspace uuid>-<16 hex>)' },
    ]);
  return bulkWorkflowId({ workspaceId: m[1]!, digest: m[2]! });
}

async function progressOf(ctx: ApiContext, request: FastifyRequest<{ Params: { id: string } }>): Promise<BulkProgress> {
  const workflowId = bulkWorkflowIdOf(request.params.id);
  ctx.requireWorkspace(request, request.params.id.slice(0, 36));
  try {
    return await ctx.client.withDeadline(Date.now() + ctx.queryTimeoutMs, () =>
      getBulkProgress(ctx.client, workflowId),
    );
  } catch (err) {
    if (isNotFound(err)) throw notFound('such bulk onboarding');
    throw err;
  }
}

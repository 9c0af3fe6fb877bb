/**
 * POST /v1/bulk-offboardings and GET /v1/bulk-offboardings/{id}[/report|/events], POST …/{id}/cancel: a file of
 * numbers (its text, or its rows as data) read and checked as the CLI reads it, its rows stored and their
 * bulkOffboard run started through the typed client; its progress while it runs (also as Server-Sent Events, as bulk
 * onboarding's), its report (a line per row, also as CSV) and its cancellation. Refusals are problems as data
 * (src/api/errors.ts refusalOf): a bad field or line is named, nothing is started.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BirdId } from '../bird/schemas';
import { offboardReportCsv, type OffboardReportRow } from '../bulk/offboard-file';
import { cancelBulkOffboard, startBulkOffboard } from '../client/bulk-offboard-client';
import { bulkOffboardOptionsOf } from '../client/bulk-offboard-request';
import {
  readBulkOffboard,
  readBulkOffboardProgress,
  readBulkOffboardReportLines,
  type BulkOffboardReading,
} from '../client/read-bulk-offboard';
import type { BulkOffboardProgress } from '../domain/bulk-offboarding';
import type { ApiContext } from './context';
import { ApiError, isNotFound, notFound } from './errors';
import { streamProgress } from './progress-events';
import { runStatusOf, type RunStatus } from './run-state';

export interface BulkOffboardingState {
  id: string;
  workflowId: string;
  runId: string;
  status: RunStatus;
  progress?: BulkOffboardProgress;
  report?: OffboardReportRow[];
  failure?: { reason: string };
}

export function registerBulkOffboardRoutes(app: FastifyInstance, ctx: ApiContext, opts: { bodyLimit: number }): void {
  app.post('/v1/bulk-offboardings', { bodyLimit: opts.bodyLimit }, async (request, reply) => {
    const options = bulkOffboardOptionsOf(request.body);
    ctx.requireWorkspace(request, options.workspaceId);
    await ctx.requireWorkers();
    const started = await startBulkOffboard(ctx.client, ctx.bulkStore, options, {
      taskQueue: ctx.taskQueue,
      source: 'http-upload',
    });
    const id = idOf(started.workflowId);
    const location = `/v1/bulk-offboardings/${id}`;
    return reply.code(202).header('location', location).send({
      id,
      workflowId: started.workflowId,
      runId: started.runId,
      rows: started.input.stored.rowCount,
      location,
    });
  });

  app.get<{ Params: { id: string } }>('/v1/bulk-offboardings/:id', async (request) => stateOf(ctx, request));

  app.get<{ Params: { id: string } }>('/v1/bulk-offboardings/:id/report', async (request, reply) => {
    const lines = await found(
      readBulkOffboardReportLines(ctx.client, ctx.bulkStore, runOf(ctx, request), {
        queryTimeoutMs: ctx.queryTimeoutMs,
      }),
    );
    return reply.type('text/csv; charset=utf-8').send(offboardReportCsv(lines));
  });

  app.get<{ Params: { id: string } }>('/v1/bulk-offboardings/:id/events', async (request, reply) => {
    const workflowId = runOf(ctx, request);
    const tick = async () => {
      const { status, progress } = await readBulkOffboardProgress(ctx.client, workflowId, {
        queryTimeoutMs: ctx.queryTimeoutMs,
      });
      return { progress, ended: status !== 'RUNNING' };
    };
    await streamProgress(reply, ctx.sseIntervalMs, await found(tick()), tick);
  });

  app.post<{ Params: { id: string } }>('/v1/bulk-offboardings/:id/cancel', async (request, reply) => {
    const cancelled = await found(cancelBulkOffboard(ctx.client, runOf(ctx, request)));
    const state = await stateOf(ctx, request);
    if (!cancelled.requested) return reply.code(409).send(state);
    return reply.code(202).header('location', `/v1/bulk-offboardings/${request.params.id}`).send(state);
  });
}

/** `bulk-offboard/<workspace>/<16 hex>` → `<workspace>-<16 hex>`. */
function idOf(workflowId: string): string {
  return workflowId.replace(/^bulk-offboard\//, '').replace('/', '-');
}

/** `<workspace uuid>-<16 hex>` → the run's workflow id (bulkOffboardWorkflowId). */
function workflowIdOf(id: string): string {
  const m = /^(.{36})-([0-9a-f]{16})$/.exec(id);
  if (!m || !BirdId.safeParse(m[1]).success)
    throw new ApiError(400, 'invalid-path', 'bad bulk offboarding id', [
      { field: 'id', reason: 'must be the id POST /v1/bulk-offboardings answered (<workspace uuid>-<16 hex>)' },
    ]);
  return `bulk-offboard/${m[1]!.toLowerCase()}/${m[2]!}`;
}

/** The run the path names, once the key may see its workspace. */
function runOf(ctx: ApiContext, request: FastifyRequest<{ Params: { id: string } }>): string {
  const workflowId = workflowIdOf(request.params.id);
  ctx.requireWorkspace(request, request.params.id.slice(0, 36));
  return workflowId;
}

/** A reading of the run, or the API's 404 when there is no such run. */
function found<T>(reading: Promise<T>): Promise<T> {
  return reading.catch((err: unknown) => {
    if (isNotFound(err)) throw notFound('such bulk offboarding');
    throw err;
  });
}

async function stateOf(ctx: ApiContext, request: FastifyRequest<{ Params: { id: string } }>) {
  const workflowId = runOf(ctx, request);
  const reading = await found(
    readBulkOffboard(ctx.client, ctx.bulkStore, workflowId, { queryTimeoutMs: ctx.queryTimeoutMs }),
  );
  return mapped(request.params.id, reading);
}

function mapped(id: string, r: BulkOffboardReading): BulkOffboardingState {
  const base = { id, workflowId: r.workflowId, runId: r.runId };
  switch (r.status) {
    case 'RUNNING':
      return { ...base, status: 'running', progress: r.progress };
    case 'COMPLETED':
    case 'CANCELLED':
      return { ...base, status: runStatusOf(r.status), progress: r.progress, report: r.report };
    default:
      return { ...base, status: runStatusOf(r.status), failure: { reason: r.reason } };
  }
}

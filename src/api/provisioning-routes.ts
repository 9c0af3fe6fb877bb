/**
 * POST /v1/provisionings, GET /v1/provisionings/{workspaceId}/{phoneNumberId} (a template identified by number) or
 * …/{workspaceId}/{connectorTemplateRef}/{name} (every other template), POST …/cancel: through the typed client
 * (attachOrStart, cancelProvisioning), so validation and idempotency are the CLI's own. Any template Bird lists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProvisioningRefused } from '../client/offboarding-client';
import { attachOrStart, cancelProvisioning } from '../client/provisioning-client';
import { parseProvisioningInput } from '../domain/provisioning-input';
import {
  provisioningWorkflowId,
  ProvisioningRefSchema,
  refOf,
  type ProvisioningRef,
} from '../domain/provisioning-identity';
import { ApiError, isNotFound, notFound } from './errors';
import { finishedState, provisioningState } from './provisioning-state';
import type { ApiContext } from './context';

export function provisioningLocation(ref: ProvisioningRef): string {
  return 'phoneNumberId' in ref
    ? `/v1/provisionings/${ref.workspaceId}/${ref.phoneNumberId}`
    : `/v1/provisionings/${ref.workspaceId}/${ref.connectorTemplateRef}/${encodeURIComponent(ref.name)}`;
}

export type RefParams = Record<string, string>;
export const NUMBER_PATH = '/v1/provisionings/:workspaceId/:phoneNumberId';
export const NAME_PATH = '/v1/provisionings/:workspaceId/:connectorTemplateRef/:name';

export function registerProvisioningRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/provisionings', async (request, reply) => {
    const body = request.body;
    // Another workspace is answered as if it did not exist, before anything about the input is said.
    const written = body && typeof body === 'object' ? (body as Record<string, unknown>).workspaceId : undefined;
    if (typeof written === 'string') ctx.requireWorkspace(request, written);
    const input = parseProvisioningInput(body); // refused by field: src/api/errors.ts refusalOf
    ctx.requireWorkspace(request, input.workspaceId);
    await ctx.requireWorkers();
    const location = provisioningLocation(refOf(input));
    const outcome = await attachOrStart(ctx.client, input, { taskQueue: ctx.taskQueue }).catch((err: unknown) => {
      if (err instanceof ProvisioningRefused) throw new ApiError(409, 'being-offboarded', err.message);
      throw err;
    });
    void reply.header('location', location);
    if (outcome.kind === 'started') {
      return reply
        .code(202)
        .send({ workflowId: outcome.workflowId, runId: outcome.runId, status: 'started', location });
    }
    // Attached to a run that is starting (its first workflow task may not have run yet): its progress may lag.
    return reply.code(200).send(await provisioningState(ctx.client, outcome.workflowId, ctx.queryTimeoutMs, true));
  });

  const read = async (request: FastifyRequest<{ Params: RefParams }>) => {
    const ref = refOfPath(request.params);
    ctx.requireWorkspace(request, ref.workspaceId);
    return provisioningState(ctx.client, provisioningWorkflowId(ref), ctx.queryTimeoutMs);
  };
  const cancel = async (request: FastifyRequest<{ Params: RefParams }>, reply: FastifyReply) => {
    const ref = refOfPath(request.params);
    ctx.requireWorkspace(request, ref.workspaceId);
    const workflowId = provisioningWorkflowId(ref);
    let cancelled;
    try {
      cancelled = await cancelProvisioning(ctx.client, workflowId);
    } catch (err) {
      if (isNotFound(err)) throw notFound('such provisioning');
      throw err;
    }
    if (!cancelled.requested) return reply.code(409).send(finishedState(cancelled.finished));
    void reply.header('location', provisioningLocation(ref));
    return reply.code(202).send(await provisioningState(ctx.client, workflowId, ctx.queryTimeoutMs, true));
  };
  app.get<{ Params: RefParams }>(NUMBER_PATH, read);
  app.get<{ Params: RefParams }>(NAME_PATH, read);
  app.post<{ Params: RefParams }>(`${NUMBER_PATH}/cancel`, cancel);
  app.post<{ Params: RefParams }>(`${NAME_PATH}/cancel`, cancel);
}

/** The provisioning a path names, its ids checked and lower-cased as the input schema does (400 naming each). */
export function refOfPath(params: RefParams): ProvisioningRef {
  const parsed = ProvisioningRefSchema.safeParse(params);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({
    field: String(issue.path[0] ?? 'path'),
    reason:
      issue.path[0] === 'workspaceId' || issue.path[0] === 'phoneNumberId'
        ? 'must be a UUID (8-4-4-4-12 hex digits)'
        : issue.message,
  }));
  throw new ApiError(400, 'invalid-path', 'bad ids in the path', problems);
}

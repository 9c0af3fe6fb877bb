/**
 * POST /v1/provisionings, GET /v1/provisionings/{workspaceId}/{phoneNumberId}, POST …/cancel: through the typed
 * client (attachOrStart, cancelProvisioning), so validation and idempotency are the CLI's own.
 */
import type { FastifyInstance } from 'fastify';
import { attachOrStart, cancelProvisioning } from '../client/provisioning-client';
import { BirdId } from '../bird/schemas';
import {
  InvalidProvisioningInput,
  parseProvisioningInput,
  phoneNumberIdOf,
  provisioningWorkflowId,
} from '../domain/provisioning-input';
import { ApiError, fieldProblems, isNotFound, notFound } from './errors';
import { finishedState, provisioningState } from './provisioning-state';
import type { ApiContext } from './context';

export function provisioningLocation(workspaceId: string, phoneNumberId: string): string {
  return `/v1/provisionings/${workspaceId}/${phoneNumberId}`;
}

interface NumberParams {
  workspaceId: string;
  phoneNumberId: string;
}

export function registerProvisioningRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/provisionings', async (request, reply) => {
    const body = request.body;
    // Another workspace is answered as if it did not exist, before anything about the input is said.
    const written = body && typeof body === 'object' ? (body as Record<string, unknown>).workspaceId : undefined;
    if (typeof written === 'string') ctx.requireWorkspace(request, written);
    let input;
    try {
      input = parseProvisioningInput(body);
    } catch (err) {
      if (err instanceof InvalidProvisioningInput)
        throw new ApiError(422, 'invalid-input', err.message, fieldProblems(err.problems));
      throw err;
    }
    const phoneNumberId = phoneNumberIdOf(input);
    if (!phoneNumberId) {
      throw new ApiError(422, 'invalid-input', 'the HTTP API provisions numbers', [
        { field: 'connector.arguments.phoneNumberId', reason: 'required (use the sms-messagebird:1 template)' },
      ]);
    }
    ctx.requireWorkspace(request, input.workspaceId);
    await ctx.requireWorkers();
    const location = provisioningLocation(input.workspaceId, phoneNumberId);
    const outcome = await attachOrStart(ctx.client, body, { taskQueue: ctx.taskQueue });
    void reply.header('location', location);
    if (outcome.kind === 'started') {
      return reply
        .code(202)
        .send({ workflowId: outcome.workflowId, runId: outcome.runId, status: 'started', location });
    }
    // Attached to a run that is starting (its first workflow task may not have run yet): its progress may lag.
    return reply.code(200).send(await provisioningState(ctx.client, outcome.workflowId, ctx.queryTimeoutMs, true));
  });

  app.get<{ Params: NumberParams }>('/v1/provisionings/:workspaceId/:phoneNumberId', async (request) => {
    const workflowId = numberWorkflowId(request.params);
    ctx.requireWorkspace(request, request.params.workspaceId);
    return provisioningState(ctx.client, workflowId, ctx.queryTimeoutMs);
  });

  app.post<{ Params: NumberParams }>('/v1/provisionings/:workspaceId/:phoneNumberId/cancel', async (request, reply) => {
    const workflowId = numberWorkflowId(request.params);
    ctx.requireWorkspace(request, request.params.workspaceId);
    let cancelled;
    try {
      cancelled = await cancelProvisioning(ctx.client, workflowId);
    } catch (err) {
      if (isNotFound(err)) throw notFound('such provisioning');
      throw err;
    }
    if (!cancelled.requested) return reply.code(409).send(finishedState(cancelled.finished));
    void reply.header(
      'location',
      provisioningLocation(request.params.workspaceId.toLowerCase(), request.params.phoneNumberId.toLowerCase()),
    );
    return reply.code(202).send(await provisioningState(ctx.client, workflowId, ctx.queryTimeoutMs, true));
  });
}

/** The workflow id of a number's provisioning, the ids checked and lower-cased as the input schema does. */
function numberWorkflowId(params: NumberParams): string {
  const problems = (['workspaceId', 'phoneNumberId'] as const)
    .filter((name) => !BirdId.safeParse(params[name]).success)
    .map((field) => ({ field, reason: 'must be a UUID (8-4-4-4-12 hex digits)' }));
  if (problems.length) throw new ApiError(400, 'invalid-path', 'bad ids in the path', problems);
  const connector = {
    connectorTemplateRef: 'sms-messagebird:1',
    name: '',
    arguments: { phoneNumberId: params.phoneNumberId.toLowerCase() },
  };
  return provisioningWorkflowId({ workspaceId: params.workspaceId.toLowerCase(), connector });
}

/**
 * DELETE /v1/provisionings/{workspaceId}/{phoneNumberId} (or …/{connectorTemplateRef}/{name}) offboards the channel
 * through the typed client (startOffboarding): 202 with where to follow it, GET /v1/offboardings/… (same ids). As an
 * HTTP DELETE (and Terraform's destroy) it is idempotent: while an offboarding runs, repeating it attaches to that
 * run; once it has ended, repeating it starts a new one, which finds nothing and writes nothing (`already-absent`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startOffboarding } from '../client/offboarding-client';
import { readOffboarding, type OffboardingReading } from '../client/read-offboarding';
import type { ChannelKey, OffboardResult } from '../domain/offboarding';
import type { ProvisioningRef } from '../domain/provisioning-identity';
import type { ApiContext } from './context';
import { isNotFound, notFound } from './errors';
import { NAME_PATH, NUMBER_PATH, refOfPath, type RefParams } from './provisioning-routes';
import { runStateOf, type RunState } from './run-state';

export type OffboardingState = RunState<OffboardResult, { reason: string }>;

export function offboardingLocation(ref: ProvisioningRef): string {
  return 'phoneNumberId' in ref
    ? `/v1/offboardings/${ref.workspaceId}/${ref.phoneNumberId}`
    : `/v1/offboardings/${ref.workspaceId}/${ref.connectorTemplateRef}/${encodeURIComponent(ref.name)}`;
}

function keyOf(ref: ProvisioningRef): ChannelKey {
  return 'phoneNumberId' in ref
    ? { workspaceId: ref.workspaceId, phoneNumberId: ref.phoneNumberId }
    : { workspaceId: ref.workspaceId, connector: { connectorTemplateRef: ref.connectorTemplateRef, name: ref.name } };
}

export function registerOffboardingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const offboard = async (request: FastifyRequest<{ Params: RefParams }>, reply: FastifyReply) => {
    const ref = refOfPath(request.params);
    ctx.requireWorkspace(request, ref.workspaceId);
    await ctx.requireWorkers();
    const started = await startOffboarding(ctx.client, keyOf(ref), { taskQueue: ctx.taskQueue });
    const location = offboardingLocation(ref);
    return reply
      .code(202)
      .header('location', location)
      .send({ workflowId: started.workflowId, runId: started.runId, status: 'accepted', location });
  };
  const read = async (request: FastifyRequest<{ Params: RefParams }>): Promise<OffboardingState> => {
    const ref = refOfPath(request.params);
    ctx.requireWorkspace(request, ref.workspaceId);
    const reading = await readOffboarding(ctx.client, keyOf(ref), { queryTimeoutMs: ctx.queryTimeoutMs }).catch(
      (err: unknown) => {
        if (isNotFound(err)) throw notFound('offboarding of this channel');
        throw err;
      },
    );
    return stateOf(reading);
  };
  app.delete<{ Params: RefParams }>(NUMBER_PATH, offboard);
  app.delete<{ Params: RefParams }>(NAME_PATH, offboard);
  app.get<{ Params: RefParams }>(NUMBER_PATH.replace('/v1/provisionings/', '/v1/offboardings/'), read);
  app.get<{ Params: RefParams }>(NAME_PATH.replace('/v1/provisionings/', '/v1/offboardings/'), read);
}

function stateOf(r: OffboardingReading): OffboardingState {
  return runStateOf<OffboardResult, { reason: string }, { reason: string }>(r, (ended) => ({ reason: ended.reason }));
}

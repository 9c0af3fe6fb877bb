/**
 * /_sim/*: introspection and control over HTTP for the demo and out-of-process tests. No auth (it is a
 * local test tool) and never subject to faults or latency. Nothing here exposes signing or access keys.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ComponentStage, ComponentStatus } from '../bird/schemas';
import { FaultConfigPatch, ScriptedFaultName } from './faults';
import { parseJson } from './results';
import type {
  FaultConfig,
  NumberBehaviour,
  OperationId,
  ScriptedFault,
  SimCall,
  SimConnector,
  SimDelivery,
  SimSubscription,
} from './types';
import { OPERATION_IDS } from './types';

export interface SimControl {
  connectors(): SimConnector[];
  calls(): SimCall[];
  subscriptions(): SimSubscription[];
  deliveries(): SimDelivery[];
  faults(): FaultConfig;
  setFaults(f: Partial<FaultConfig>): void;
  scriptFault(operationId: OperationId, fault: ScriptedFault, count?: number): void;
  configureNumber(phoneNumberId: string, behaviour: NumberBehaviour): void;
  hasConnector(connectorId: string): boolean;
  setChannelStatus(connectorId: string, status: ComponentStatus, stage: ComponentStage, errorMessage?: string): void;
  reset(): void;
}

const NumberBehaviourBody = z.strictObject({
  outcome: z.enum(['active', 'error']),
  delayMs: z.number().int().min(0).optional(),
  errorMessage: z.string().min(1).optional(),
  tenDlc: z.boolean().optional(),
  deleteRefused: z.boolean().optional(),
});

const ScriptedFaultBody = z.strictObject({
  operationId: z.enum(OPERATION_IDS),
  fault: ScriptedFaultName,
  count: z.number().int().min(1).optional(),
});

const ChannelStatusBody = z.strictObject({
  status: ComponentStatus,
  stage: ComponentStage,
  errorMessage: z.string().optional(),
});

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseBody<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const json = parseJson(typeof raw === 'string' ? raw : undefined);
  if (!json.ok) return { ok: false, message: 'request body must be JSON' };
  const parsed = schema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: z.prettifyError(parsed.error) };
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ code: 'InvalidSimRequest', message });
}

export function registerSimRoutes(app: FastifyInstance, sim: SimControl): void {
  app.get('/_sim/connectors', () => sim.connectors());
  app.get('/_sim/calls', () => sim.calls());
  app.get('/_sim/subscriptions', () => sim.subscriptions());
  app.get('/_sim/deliveries', () => sim.deliveries());
  app.get('/_sim/faults', () => sim.faults());

  app.post('/_sim/faults', (req, reply) => {
    const patch = parseBody(FaultConfigPatch, req.body);
    if (!patch.ok) return badRequest(reply, patch.message);
    sim.setFaults(patch.value as Partial<FaultConfig>);
    return sim.faults();
  });

  app.post('/_sim/scripted-faults', (req, reply) => {
    const body = parseBody(ScriptedFaultBody, req.body);
    if (!body.ok) return badRequest(reply, body.message);
    sim.scriptFault(body.value.operationId, body.value.fault, body.value.count);
    return reply.code(204).send();
  });

  app.post<{ Params: { phoneNumberId: string } }>('/_sim/numbers/:phoneNumberId', (req, reply) => {
    const body = parseBody(NumberBehaviourBody, req.body);
    if (!body.ok) return badRequest(reply, body.message);
    sim.configureNumber(req.params.phoneNumberId, body.value);
    return reply.code(204).send();
  });

  app.post<{ Params: { connectorId: string } }>('/_sim/connectors/:connectorId/status', (req, reply) => {
    const body = parseBody(ChannelStatusBody, req.body);
    if (!body.ok) return badRequest(reply, body.message);
    const { status, stage, errorMessage } = body.value;
    if (!sim.hasConnector(req.params.connectorId)) {
      return reply
        .code(404)
        .send({ code: 'ConnectorNotFound', message: `connector ${req.params.connectorId} not found` });
    }
    sim.setChannelStatus(req.params.connectorId, status, stage, errorMessage);
    return reply.code(204).send();
  });

  app.post('/_sim/reset', (_req, reply) => {
    sim.reset();
    return reply.code(204).send();
  });
}

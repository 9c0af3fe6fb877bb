/**
 * The OpenAPI document's part for the rest of a channel's life: DELETE of a provisioning (offboarding), the
 * offboarding's state, and POST /v1/plans; their schemas generated from the contract's zod schemas
 * (src/client/contract-lifecycle.ts) and from the plan request's own.
 */
import {
  BulkOffboardProgressSchema,
  BulkOffboardRequestSchema,
  OffboardReportRowSchema,
} from '../client/contract-bulk-offboard';
import { ApplyResultSchema, OffboardResultSchema, PlanSchema } from '../client/contract-lifecycle';
import { ApplyRequest } from './apply-routes';
import { COMMON_ERRORS, Location, component, components, error, json, ref, type Json } from './openapi-components';
import { PlanRequest } from './plan-routes';

/** DELETE at a provisioning's path: its channel's offboarding. */
export function offboardOperation(parameters: Json[], byName: boolean): Json {
  return {
    operationId: byName ? 'offboardByName' : 'offboard',
    summary:
      'Offboard the channel: cancel its provisioning if running, delete our connector and confirm it gone; connectors without our tag are never touched. Idempotent: repeated while it runs, it attaches to that offboarding',
    parameters,
    responses: {
      '202': {
        description: 'started, or attached to the running offboarding; follow it at Location',
        headers: Location,
        content: json(ref('OffboardingAccepted')),
      },
      '400': error('a bad id (named)'),
      '404': error('the workspace is not one of this key’s'),
      ...COMMON_ERRORS,
    },
  };
}

/** GET of a channel's offboarding. */
export function offboardingStateOperation(parameters: Json[], byName: boolean): Json {
  return {
    get: {
      operationId: byName ? 'getOffboardingByName' : 'getOffboarding',
      summary: "The channel's latest offboarding: running, or its report (what was deleted, confirmed and left)",
      parameters,
      responses: {
        '200': { description: 'its state', content: json(ref('OffboardingState')) },
        '400': error('a bad id (named)'),
        '404': error('this channel was never offboarded (or not this key’s workspace)'),
        ...COMMON_ERRORS,
      },
    },
  };
}

export function planPaths(): Json {
  return {
    '/v1/plans': {
      post: {
        operationId: 'plan',
        summary:
          'What it takes for the workspace to match an inventory, per number (create, keep, repair, adopt, foreign, prune, other). Reads only: writes nothing',
        requestBody: { required: true, content: json(ref('PlanRequest')) },
        responses: {
          '200': { description: 'the plan, and the rows not planned (invalid)', content: json(ref('PlanResponse')) },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error('invalid request, defaults or file: every bad field or line is named'),
          ...COMMON_ERRORS,
        },
      },
    },
  };
}

export function applyPaths(): Json {
  const params = ['workspaceId', 'inventory'].map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  return {
    '/v1/applies': {
      post: {
        operationId: 'apply',
        summary:
          'Make the workspace match an inventory: plan it again now, then create, repair and (only with `prune: true`) prune, as `starter apply`. With a saved plan, nothing starts unless it still holds',
        requestBody: { required: true, content: json(ref('ApplyRequest')) },
        responses: {
          '202': {
            description: 'started; follow it at Location',
            headers: Location,
            content: json(ref('ApplyAccepted')),
          },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '409': error(
            'the saved plan no longer holds (each difference listed: `+` only in the fresh plan, `-` only in the saved one), or an apply of this inventory is running; nothing was started',
          ),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error(
            'invalid request, defaults, saved plan or lines: every bad field or line is named; nothing was started',
          ),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/applies/{workspaceId}/{inventory}': {
      get: {
        operationId: 'getApply',
        summary: "The inventory's latest apply: running, or its report (each number's action and outcome)",
        parameters: params,
        responses: {
          '200': { description: 'its state', content: json(ref('ApplyState')) },
          '404': error('this inventory was never applied (or not this key’s workspace)'),
          ...COMMON_ERRORS,
        },
      },
    },
  };
}

export function registerLifecycleComponents(): void {
  component('ApplyResult', ApplyResultSchema, 'output');
  component('ApplyRequest', ApplyRequest, 'input');
  components.ApplyAccepted = accepted();
  components.ApplyState = runState(
    "an inventory's latest apply: running, or how it ended (its report, or the reason)",
    { result: ref('ApplyResult') },
    {
      differences: {
        type: 'array',
        items: { type: 'string' },
        description: 'a saved plan that no longer held at the run’s start: how the fresh plan differed',
      },
    },
  );
  component('OffboardResult', OffboardResultSchema, 'output');
  component('BulkOffboardingRequest', BulkOffboardRequestSchema, 'input');
  component('BulkOffboardProgress', BulkOffboardProgressSchema, 'output');
  component('BulkOffboardReportLine', OffboardReportRowSchema, 'output');
  components.BulkOffboardingAccepted = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      workflowId: { type: 'string' },
      runId: { type: 'string' },
      rows: { type: 'integer', description: 'rows stored' },
      location: { type: 'string' },
    },
    required: ['id', 'workflowId', 'runId', 'rows', 'location'],
    additionalProperties: false,
  };
  components.BulkOffboardingState = runState(
    'a bulk offboarding: running with its progress, or how it ended (its report, or the reason)',
    {
      id: { type: 'string' },
      progress: ref('BulkOffboardProgress'),
      report: {
        type: 'array',
        items: ref('BulkOffboardReportLine'),
        description: 'completed or cancelled: a line per row of the file, in its order',
      },
    },
  );
  component('Plan', PlanSchema, 'output');
  component('PlanRequest', PlanRequest, 'input');
  components.OffboardingAccepted = accepted();
  components.OffboardingState = runState(
    "a channel's latest offboarding: running, or how it ended (its report, or the reason)",
    { result: ref('OffboardResult') },
  );
  components.PlanResponse = {
    type: 'object',
    properties: {
      workflowId: { type: 'string', description: 'the plan’s run (its history shows every read it made)' },
      plan: ref('Plan'),
      notPlanned: { type: 'array', items: ref('Problem'), description: 'rows refused at validation, by line' },
    },
    required: ['workflowId', 'plan', 'notPlanned'],
    additionalProperties: false,
  };
}

/**
 * A lifecycle run's state as src/api/run-state.ts answers it: its ids and status, what it gives (`properties`), and
 * why it failed (a reason, and `failureProperties`). A property named `id` is required too.
 */
function runState(
  description: string,
  properties: Record<string, Json>,
  failureProperties: Record<string, Json> = {},
): Json {
  return {
    type: 'object',
    description,
    properties: {
      workflowId: { type: 'string' },
      runId: { type: 'string' },
      status: { type: 'string', enum: ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed-out'] },
      ...properties,
      failure: {
        type: 'object',
        properties: { reason: { type: 'string' }, ...failureProperties },
        required: ['reason'],
        additionalProperties: false,
      },
    },
    required: [...('id' in properties ? ['id'] : []), 'workflowId', 'runId', 'status'],
    additionalProperties: false,
  };
}

function accepted(): Json {
  return {
    type: 'object',
    properties: {
      workflowId: { type: 'string' },
      runId: { type: 'string' },
      status: { const: 'accepted' },
      location: { type: 'string' },
    },
    required: ['workflowId', 'runId', 'status', 'location'],
    additionalProperties: false,
  };
}

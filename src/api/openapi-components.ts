/**
 * The reusable parts of the HTTP API's OpenAPI document (src/api/openapi.ts): the schemas generated from the
 * contract's zod schemas, the error bodies, parameters and headers every path shares.
 */
import type { z } from 'zod';
import { contractJsonSchema } from '../client/contract-json-schema';
import {
  BulkProgressSchema,
  ProvisionChannelResultSchema,
  ProvisioningFailureDetailsSchema,
  ProvisioningInputSchema,
  ProvisioningProgressSchema,
} from '../client/contract-schemas';

export type Json = Record<string, unknown>;
export const components: Record<string, Json> = {};

/** A zod schema as an OpenAPI component: its $defs become components too, and its refs point there. */
export function component(name: string, schema: z.ZodType, io: 'input' | 'output'): Json {
  const generated = contractJsonSchema(schema, io);
  const text = JSON.stringify(generated).replace(/"#\/\$defs\//g, '"#/components/schemas/');
  const { $schema: _s, $defs, ...rest } = JSON.parse(text) as Json & { $defs?: Record<string, Json> };
  Object.assign(components, $defs ?? {});
  components[name] = rest;
  return ref(name);
}

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

export const Problem = {
  type: 'object',
  properties: {
    field: { type: 'string', description: 'the field (or CSV column) at fault, as the caller wrote it' },
    line: { type: 'integer', description: 'the line of the uploaded inventory' },
    phoneNumberId: { type: 'string' },
    reason: { type: 'string' },
  },
  required: ['reason'],
  additionalProperties: false,
};

/**
 * One Server-Sent Event of GET /v1/bulk-onboardings/{id}/events, its fields as the SSE format names them. OpenAPI 3.1
 * has no keyword for one item of a stream (3.2's itemSchema); a 3.1 media type's schema is read per event by
 * fuzzers (Schemathesis) and is this. Comment lines (": …") carry no event.
 */
export const BulkProgressEvent = {
  type: 'object',
  description:
    'a `progress` event at each change of the progress, then one `end` event with the final progress; `data` is the BulkProgress as JSON',
  properties: {
    event: { type: 'string', enum: ['progress', 'end'] },
    data: { type: 'string', contentMediaType: 'application/json', contentSchema: ref('BulkProgress') },
  },
  required: ['event', 'data'],
};

export const ErrorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        status: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        problems: { type: 'array', items: ref('Problem') },
      },
      required: ['status', 'code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
};

export const UuidParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});
export const BulkIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'the id POST /v1/bulk-onboardings answered',
  schema: { type: 'string', pattern: '^[0-9a-fA-F-]{36}-[0-9a-f]{16}$' },
};

export const json = (schema: Json) => ({ 'application/json': { schema } });
export const error = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref('Error')),
});
export const RetryAfter = {
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
};
export const Location = { Location: { description: 'where to follow it', schema: { type: 'string' } } };

/** A cancel's two answers, with the run's state either way. */
export function cancelResponses(state: string) {
  return {
    '202': { description: 'cancellation requested; follow it with GET', headers: Location, content: json(ref(state)) },
    '409': { description: 'it had already ended: its state', content: json(ref(state)) },
  };
}

export const COMMON_ERRORS = {
  '401': error('no API key, or an unknown one'),
  '429': error('too many requests for this API key', RetryAfter),
  '503': error('Temporal is unreachable or no worker serves the task queue; nothing was done', RetryAfter),
};

/** Fills `components`: the generated contract schemas first, then the API's own envelopes. */
export function registerComponents(): void {
  component('ProvisioningInput', ProvisioningInputSchema, 'input');
  component('ProvisioningProgress', ProvisioningProgressSchema, 'output');
  component('ProvisionChannelResult', ProvisionChannelResultSchema, 'output');
  component('ProvisioningFailureDetails', ProvisioningFailureDetailsSchema, 'output');
  component('BulkProgress', BulkProgressSchema, 'output');
  components.BulkProgressEvent = BulkProgressEvent;
  components.Problem = Problem;
  components.Error = ErrorBody;
  components.ProvisioningState = {
    type: 'object',
    description: 'where a provisioning is: its stage, and once it ended, how (result, or reason with what was undone)',
    properties: {
      workflowId: { type: 'string' },
      runId: { type: 'string' },
      status: { type: 'string', enum: ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed-out'] },
      stage: ref('ProvisioningStage'),
      connectorId: { type: 'string' },
      channelId: { type: 'string' },
      result: ref('ProvisionChannelResult'),
      failure: {
        type: 'object',
        properties: {
          type: { type: 'string', description: 'ProvisioningFailed, InvalidProvisioningInput, …' },
          reason: { type: 'string' },
          details: ref('ProvisioningFailureDetails'),
        },
        required: ['reason'],
        additionalProperties: false,
      },
      undone: { type: 'array', items: { type: 'string' } },
      leftBehind: { type: 'array', items: { type: 'string' } },
      progress: ref('ProvisioningProgress'),
    },
    required: ['workflowId', 'runId', 'status'],
    additionalProperties: false,
  };
  components.ProvisioningAccepted = {
    type: 'object',
    properties: {
      workflowId: { type: 'string' },
      runId: { type: 'string' },
      status: { const: 'started' },
      location: { type: 'string' },
    },
    required: ['workflowId', 'runId', 'status', 'location'],
    additionalProperties: false,
  };
  components.BulkOnboardingRequest = {
    type: 'object',
    description:
      'an inventory (CSV with a header row, or JSON Lines) and the defaults every row is merged over, exactly as `starter bulk` takes them',
    properties: {
      format: { type: 'string', enum: ['csv', 'jsonl'] },
      inventory: { type: 'string', description: 'the file, as text' },
      defaults: { type: 'object', description: 'a provisioning input without the per-number fields (as --defaults)' },
      concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
    },
    required: ['format', 'inventory', 'defaults'],
    additionalProperties: false,
  };
  components.BulkAccepted = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      workflowId: { type: 'string' },
      rows: { type: 'integer' },
      location: { type: 'string' },
    },
    required: ['id', 'workflowId', 'rows', 'location'],
    additionalProperties: false,
  };
}

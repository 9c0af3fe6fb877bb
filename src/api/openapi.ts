/**
 * The HTTP API's OpenAPI 3.1 document, served at /openapi.json. Its request and response schemas are generated from
 * the same zod schemas as contracts/*.schema.json (OpenAPI 3.1 schemas are JSON Schema 2020-12), so the API, the
 * published contract and the code cannot say different things; test/http-api.test.ts validates the document and
 * every exchange of the tests against it.
 */
import { z } from 'zod';
import {
  BulkProgressSchema,
  ProvisionChannelResultSchema,
  ProvisioningFailureDetailsSchema,
  ProvisioningInputSchema,
  ProvisioningProgressSchema,
} from '../client/contract-schemas';

type Json = Record<string, unknown>;
const components: Record<string, Json> = {};

/** A zod schema as an OpenAPI component: its $defs become components too, and its refs point there. */
function component(name: string, schema: z.ZodType, io: 'input' | 'output'): Json {
  const generated = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'throw',
    override: (ctx) => {
      delete (ctx.jsonSchema as Json).id;
    },
  }) as Json;
  const text = JSON.stringify(generated).replace(/"#\/\$defs\//g, '"#/components/schemas/');
  const { $schema: _s, $defs, ...rest } = JSON.parse(text) as Json & { $defs?: Record<string, Json> };
  Object.assign(components, $defs ?? {});
  components[name] = rest;
  return ref(name);
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

const Problem = {
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

const ErrorBody = {
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

const UuidParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});
const BulkIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'the id POST /v1/bulk-onboardings answered',
  schema: { type: 'string', pattern: '^[0-9a-fA-F-]{36}-[0-9a-f]{16}$' },
};

const json = (schema: Json) => ({ 'application/json': { schema } });
const error = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref('Error')),
});
const RetryAfter = {
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
};
const Location = { Location: { description: 'where to follow it', schema: { type: 'string' } } };

const COMMON_ERRORS = {
  '401': error('no API key, or an unknown one'),
  '429': error('too many requests for this API key', RetryAfter),
  '503': error('Temporal is unreachable or no worker serves the task queue; nothing was done', RetryAfter),
};

/** Fills `components`: the generated contract schemas first, then the API's own envelopes. */
function registerComponents(): void {
  component('ProvisioningInput', ProvisioningInputSchema, 'input');
  component('ProvisioningProgress', ProvisioningProgressSchema, 'output');
  component('ProvisionChannelResult', ProvisionChannelResultSchema, 'output');
  component('ProvisioningFailureDetails', ProvisioningFailureDetailsSchema, 'output');
  component('BulkProgress', BulkProgressSchema, 'output');
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

const provisioningParams = [UuidParam('workspaceId', 'the workspace'), UuidParam('phoneNumberId', 'the number')];

function provisioningPaths(): Json {
  return {
    '/v1/provisionings': {
      post: {
        operationId: 'startProvisioning',
        summary: 'Provision a channel for a number (idempotent: the same number is the same provisioning)',
        requestBody: { required: true, content: json(ref('ProvisioningInput')) },
        responses: {
          '202': { description: 'started', headers: Location, content: json(ref('ProvisioningAccepted')) },
          '200': {
            description: 'this number is already being provisioned, or was: its state (nothing new started)',
            headers: Location,
            content: json(ref('ProvisioningState')),
          },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error('invalid input: every bad field is named'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/provisionings/{workspaceId}/{phoneNumberId}': {
      get: {
        operationId: 'getProvisioning',
        summary: 'Stage, outcome, connector, channel and what was undone',
        parameters: provisioningParams,
        responses: {
          '200': { description: 'its state', content: json(ref('ProvisioningState')) },
          '400': error('a bad id (named)'),
          '404': error('no such provisioning (or not this key’s workspace)'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/provisionings/{workspaceId}/{phoneNumberId}/cancel': {
      post: {
        operationId: 'cancelProvisioning',
        summary: 'Cancel a running provisioning: it deletes what it made, then ends cancelled',
        parameters: provisioningParams,
        responses: {
          '202': {
            description: 'cancellation requested; follow it with GET',
            headers: Location,
            content: json(ref('ProvisioningState')),
          },
          '409': { description: 'it had already ended: its state', content: json(ref('ProvisioningState')) },
          '400': error('a bad id (named)'),
          '404': error('no such provisioning (or not this key’s workspace)'),
          ...COMMON_ERRORS,
        },
      },
    },
  };
}

function bulkOnboardingPaths(): Json {
  return {
    '/v1/bulk-onboardings': {
      post: {
        operationId: 'startBulkOnboarding',
        summary: 'Validate an inventory line by line and, if every line is valid, onboard its numbers',
        requestBody: { required: true, content: json(ref('BulkOnboardingRequest')) },
        responses: {
          '202': {
            description: 'started (the same inventory again attaches to its run)',
            headers: Location,
            content: json(ref('BulkAccepted')),
          },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error('invalid defaults or lines: every bad line and field is listed; nothing was started'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/bulk-onboardings/{id}': {
      get: {
        operationId: 'getBulkOnboarding',
        summary: 'Progress',
        parameters: [BulkIdParam],
        responses: {
          '200': { description: 'its progress', content: json(ref('BulkProgress')) },
          '400': error('a bad id'),
          '404': error('no such bulk onboarding'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/bulk-onboardings/{id}/report': {
      get: {
        operationId: 'getBulkReport',
        summary: 'One CSV row per inventory line: phoneNumberId, outcome, connectorId, channelId, workflowId, reason',
        parameters: [BulkIdParam],
        responses: {
          '200': { description: 'the report', content: { 'text/csv': { schema: { type: 'string' } } } },
          '400': error('a bad id'),
          '404': error('no such bulk onboarding'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/bulk-onboardings/{id}/events': {
      get: {
        operationId: 'streamBulkOnboarding',
        summary: 'Progress as Server-Sent Events: a `progress` event at each change, then `end` when the run has ended',
        parameters: [BulkIdParam],
        responses: {
          '200': { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          '400': error('a bad id'),
          '404': error('no such bulk onboarding'),
          ...COMMON_ERRORS,
        },
      },
    },
  };
}

function buildDocument(): Json {
  registerComponents();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bird channel provisioning',
      version: '1.0.0',
      description:
        'Provision Bird channels and onboard numbers in bulk, for services that do not speak Temporal. docs/http-api.md explains each call.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: { ...provisioningPaths(), ...bulkOnboardingPaths() },
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (API_KEYS / API_KEY_<NAME> on the server)' },
      },
    },
  };
}

let cached: Json | undefined;
/** A fresh copy each call (callers may not mutate the served one). */
export function openApiDocument(): Json {
  cached ??= buildDocument();
  return structuredClone(cached);
}

/** Every path template and its methods, for 404 vs 405. */
export function documentedRoutes(): Array<{ pattern: RegExp; methods: string[] }> {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).map(([path, item]) => ({
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    methods: Object.keys(item).map((m) => m.toUpperCase()),
  }));
}

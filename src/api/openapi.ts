/**
 * The HTTP API's OpenAPI 3.1 document, served at /openapi.json. Its request and response schemas are generated from
 * the same zod schemas as contracts/*.schema.json (OpenAPI 3.1 schemas are JSON Schema 2020-12), so the API, the
 * published contract and the code cannot say different things; test/http-api.test.ts validates the document and
 * every exchange of the tests against it.
 */
import {
  cancelResponses,
  type Json,
  components,
  ref,
  UuidParam,
  BulkIdParam,
  json,
  error,
  Location,
  COMMON_ERRORS,
  registerComponents,
} from './openapi-components';
import { CONNECTOR_TEMPLATES, TEMPLATE_REFS } from '../domain/connector-templates';
import {
  offboardingStateOperation,
  offboardOperation,
  planPaths,
  applyPaths,
  registerLifecycleComponents,
} from './openapi-lifecycle';
import { bulkOffboardingPaths, registerBulkOffboardComponents } from './openapi-bulk-offboard';

const numberParams = [UuidParam('workspaceId', 'the workspace'), UuidParam('phoneNumberId', 'the number')];
const nameParams = [
  UuidParam('workspaceId', 'the workspace'),
  {
    name: 'connectorTemplateRef',
    in: 'path',
    required: true,
    description: 'a template identified by name (every template but sms-messagebird:1)',
    schema: { type: 'string', enum: TEMPLATE_REFS.filter((t) => CONNECTOR_TEMPLATES[t].identity === 'name') },
  },
  { name: 'name', in: 'path', required: true, description: 'the connector name', schema: { type: 'string' } },
];

/** GET and cancel of one provisioning, at the path of its identity. */
function onePaths(parameters: Json[]): Json[] {
  return [
    {
      get: {
        operationId: parameters === numberParams ? 'getProvisioning' : 'getProvisioningByName',
        summary: 'Stage, outcome, connector, channel and what was undone',
        parameters,
        responses: {
          '200': { description: 'its state', content: json(ref('ProvisioningState')) },
          '400': error('a bad id (named)'),
          '404': error('no such provisioning (or not this key’s workspace)'),
          ...COMMON_ERRORS,
        },
      },
    },
    {
      post: {
        operationId: parameters === numberParams ? 'cancelProvisioning' : 'cancelProvisioningByName',
        summary: 'Cancel a running provisioning: it deletes what it made, then ends cancelled',
        parameters,
        responses: {
          ...cancelResponses('ProvisioningState'),
          '400': error('a bad id (named)'),
          '404': error('no such provisioning (or not this key’s workspace)'),
          ...COMMON_ERRORS,
        },
      },
    },
  ];
}

function provisioningPaths(): Json {
  return {
    '/v1/provisionings': {
      post: {
        operationId: 'startProvisioning',
        summary:
          'Provision a channel of any template Bird lists (idempotent: the same number, or template and name, is the same provisioning)',
        requestBody: {
          required: true,
          description:
            'the provisioning input of any template. As any JSON body here, one with a "__proto__" key, or a "constructor" object with a "prototype" key, is refused 400 (prototype poisoning), which a schema does not say.',
          content: json(ref('ProvisioningInput')),
        },
        responses: {
          '202': { description: 'started', headers: Location, content: json(ref('ProvisioningAccepted')) },
          '200': {
            description: 'this identity is already being provisioned, or was: its state (nothing new started)',
            headers: Location,
            content: json(ref('ProvisioningState')),
          },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '409': error('the channel is being offboarded: start it again once that has finished'),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error('invalid input: every bad field is named'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/provisionings/{workspaceId}/{phoneNumberId}': {
      ...onePaths(numberParams)[0],
      delete: offboardOperation(numberParams, false),
    },
    '/v1/provisionings/{workspaceId}/{phoneNumberId}/cancel': onePaths(numberParams)[1],
    '/v1/provisionings/{workspaceId}/{connectorTemplateRef}/{name}': {
      ...onePaths(nameParams)[0],
      delete: offboardOperation(nameParams, true),
    },
    '/v1/provisionings/{workspaceId}/{connectorTemplateRef}/{name}/cancel': onePaths(nameParams)[1],
    '/v1/offboardings/{workspaceId}/{phoneNumberId}': offboardingStateOperation(numberParams, false),
    '/v1/offboardings/{workspaceId}/{connectorTemplateRef}/{name}': offboardingStateOperation(nameParams, true),
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
          '200': {
            description: 'the event stream: its schema describes each event (see BulkProgressEvent)',
            content: { 'text/event-stream': { schema: ref('BulkProgressEvent') } },
          },
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
  registerLifecycleComponents();
  registerBulkOffboardComponents();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bird channel provisioning',
      version: '1.0.0',
      description:
        'Provision Bird channels, onboard numbers in bulk, offboard channels and plan an inventory, for services that do not speak Temporal. docs/http-api.md explains each call.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: {
      ...provisioningPaths(),
      ...bulkOnboardingPaths(),
      ...bulkOffboardingPaths(),
      ...planPaths(),
      ...applyPaths(),
    },
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

/**
 * The OpenAPI document's part for bulk offboarding (src/api/bulk-offboard-routes.ts): start, state, report, progress
 * events and cancel, as bulk onboarding's; the state's and the request's schemas are src/api/openapi-lifecycle.ts's.
 */
import {
  cancelResponses,
  BulkProgressEvent,
  COMMON_ERRORS,
  Location,
  components,
  error,
  json,
  ref,
  type Json,
} from './openapi-components';

const id = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[0-9a-fA-F-]{36}-[0-9a-f]{16}$' },
  description: 'the id POST /v1/bulk-offboardings answered (<workspace uuid>-<16 hex>)',
};

const readErrors = {
  '400': error('a bad id'),
  '404': error('no such bulk offboarding (or not this key’s workspace)'),
  ...COMMON_ERRORS,
};

/** One event of GET /v1/bulk-offboardings/{id}/events: bulk onboarding's, its data a BulkOffboardProgress. */
export function registerBulkOffboardComponents(): void {
  components.BulkOffboardProgressEvent = {
    ...BulkProgressEvent,
    description:
      'a `progress` event at each change of the progress, then one `end` event with the last progress once the run has ended (however it ended); `data` is the BulkOffboardProgress as JSON',
    properties: {
      ...BulkProgressEvent.properties,
      data: { type: 'string', contentMediaType: 'application/json', contentSchema: ref('BulkOffboardProgress') },
    },
  };
}

export function bulkOffboardingPaths(): Json {
  return {
    '/v1/bulk-offboardings': {
      post: {
        operationId: 'startBulkOffboarding',
        summary:
          'Offboard every row of a file of numbers (its text, or its rows as data) in a sliding window, as `starter bulk-offboard`; the same rows again attach to their run',
        requestBody: { required: true, content: json(ref('BulkOffboardingRequest')) },
        responses: {
          '202': {
            description: 'started, or attached to the run of the same rows; follow it at Location',
            headers: Location,
            content: json(ref('BulkOffboardingAccepted')),
          },
          '400': error('not JSON'),
          '404': error('the workspace is not one of this key’s'),
          '413': error('body too large'),
          '415': error('not application/json'),
          '422': error('invalid request, file line or row: each is named; nothing was started'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/bulk-offboardings/{id}': {
      get: {
        operationId: 'getBulkOffboarding',
        summary: 'Progress while it runs; once ended, its report: a line per row (as `--report` writes it)',
        parameters: [id],
        responses: { '200': { description: 'its state', content: json(ref('BulkOffboardingState')) }, ...readErrors },
      },
    },
    '/v1/bulk-offboardings/{id}/report': {
      get: {
        operationId: 'getBulkOffboardReport',
        summary:
          'One CSV line per row of the file, in its order (the columns of `--report`: line, phoneNumberId, connectorTemplateRef, name, outcome, workflowId, deleted, foreign, leftBehind, reason); while it runs, the rows without a recorded result are not-started',
        parameters: [id],
        responses: {
          '200': { description: 'the report', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...readErrors,
        },
      },
    },
    '/v1/bulk-offboardings/{id}/events': {
      get: {
        operationId: 'streamBulkOffboarding',
        summary: 'Progress as Server-Sent Events: a `progress` event at each change, then `end` when the run has ended',
        parameters: [id],
        responses: {
          '200': {
            description: 'the event stream: its schema describes each event (see BulkOffboardProgressEvent)',
            content: { 'text/event-stream': { schema: ref('BulkOffboardProgressEvent') } },
          },
          ...readErrors,
        },
      },
    },
    '/v1/bulk-offboardings/{id}/cancel': {
      post: {
        operationId: 'cancelBulkOffboarding',
        summary:
          'Cancel a running bulk offboarding: the offboardings in its window stop cleanly, the rows not started stay untouched; it ends cancelled with its report',
        parameters: [id],
        responses: {
          ...cancelResponses('BulkOffboardingState'),
          ...readErrors,
        },
      },
    },
  };
}

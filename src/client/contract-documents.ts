/**
 * The machine-readable contract, as the files `npm run contracts` writes under contracts/ and test/contracts.test.ts
 * compares with the committed ones: JSON Schema (draft 2020-12) generated from the zod schemas, plus the conventions
 * a caller in any language needs (workflow types, task queue, workflow ids, policies, query/update/signal names).
 */
import { CONNECTOR_TEMPLATES, type ConnectorTemplate } from '../domain/connector-templates';
import type { z } from 'zod';
import { FailureType } from '../domain/failure-types';
import { provisioningStartOptions } from '../domain/provisioning-start';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery, bulkProgressQuery } from '../domain/messages/bulk';
import { progressQuery, reportChannelStatusUpdate, watchOutcomeSignal } from '../domain/messages/provisioning';
import {
  BulkProgressSchema,
  CALLER_FAILURE_TYPES,
  ProvisionChannelResultSchema,
  ProvisioningFailureSchema,
  ProvisioningInputSchema,
  ProvisioningProgressSchema,
} from './contract-schemas';
import {
  BulkOffboardProgressSchema,
  BulkOffboardRequestSchema,
  BulkOffboardResultSchema,
} from './contract-bulk-offboard';
import { contractJsonSchema } from './contract-json-schema';
import {
  ApplyInputSchema,
  ApplyResultSchema,
  OffboardInputSchema,
  OffboardResultSchema,
  PlanInputSchema,
  PlanSchema,
} from './contract-lifecycle';

export const CONTRACTS_BASE_URI = 'https://github.com/bird-channel-provisioning/contracts/';
/** The workflow task queue a deployment uses unless TEMPORAL_TASK_QUEUE says otherwise. */
export const DEFAULT_TASK_QUEUE = 'channel-provisioning';

function schemaDocument(
  file: string,
  title: string,
  schema: z.ZodType,
  io: 'input' | 'output',
): Record<string, unknown> {
  const generated = contractJsonSchema(schema, io);
  const { $schema, ...rest } = generated;
  return { $schema, $id: `${CONTRACTS_BASE_URI}${file}`, title, ...rest };
}

/** The same start options every door uses, for a sample input: the policies are read from them, not restated. */
function samplePolicies() {
  const options = provisioningStartOptions(
    ProvisioningInputSchema.parse({
      workspaceId: '00000000-0000-4000-8000-000000000001',
      organizationId: '00000000-0000-4000-8000-000000000002',
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'x',
        arguments: { phoneNumberId: '00000000-0000-4000-8000-000000000003', channelMessageType: 'transactional' },
      },
    }),
  );
  return { workflowIdReusePolicy: options.workflowIdReusePolicy };
}

/** Each connector template Bird lists: what identifies its provisioning, its arguments, its bulk columns. */
function templateConventions(): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(CONNECTOR_TEMPLATES).map((t: ConnectorTemplate) => [
      t.ref,
      {
        channel: t.channel,
        identity: t.identity === 'phone-number' ? 'connector.arguments.phoneNumberId' : 'connector.name',
        workflowId:
          t.identity === 'phone-number'
            ? 'provision/<workspaceId>/<phoneNumberId>'
            : `provision/<workspaceId>/${t.ref}/<encodeURIComponent(connector.name)>`,
        arguments: t.arguments
          ? 'as Bird documents them (provisioning-input.schema.json)'
          : 'passed through as Bird defines them; secrets only by reference (connector.securityArgumentsRef)',
        bulkColumns: Object.keys(t.bulkColumns),
      },
    ]),
  );
}

export function contractDocuments(): Record<string, unknown> {
  const files: Record<string, unknown> = {
    'provisioning-input.schema.json': schemaDocument(
      'provisioning-input.schema.json',
      'provisionChannel input, as callers write it (durations as milliseconds or strings like "2s"; fields with a default may be left out)',
      ProvisioningInputSchema,
      'input',
    ),
    'provisioning-result.schema.json': schemaDocument(
      'provisioning-result.schema.json',
      'provisionChannel result',
      ProvisionChannelResultSchema,
      'output',
    ),
    'provisioning-failure.schema.json': schemaDocument(
      'provisioning-failure.schema.json',
      'provisionChannel failure (the ApplicationFailure a failed run ends with)',
      ProvisioningFailureSchema,
      'output',
    ),
    'provisioning-progress.schema.json': schemaDocument(
      'provisioning-progress.schema.json',
      'provisionChannel `progress` query answer',
      ProvisioningProgressSchema,
      'output',
    ),
    'bulk-progress.schema.json': schemaDocument(
      'bulk-progress.schema.json',
      'bulkOnboard `bulkProgress` query answer',
      BulkProgressSchema,
      'output',
    ),
    'offboard-input.schema.json': schemaDocument(
      'offboard-input.schema.json',
      'offboardChannel input, as callers write it',
      OffboardInputSchema,
      'input',
    ),
    'offboard-result.schema.json': schemaDocument(
      'offboard-result.schema.json',
      'offboardChannel result (the report)',
      OffboardResultSchema,
      'output',
    ),
    'plan-input.schema.json': schemaDocument('plan-input.schema.json', 'planInventory input', PlanInputSchema, 'input'),
    'plan-result.schema.json': schemaDocument(
      'plan-result.schema.json',
      'planInventory result (the plan)',
      PlanSchema,
      'output',
    ),
    'bulk-offboard-request.schema.json': schemaDocument(
      'bulk-offboard-request.schema.json',
      'a bulk offboarding as the HTTP API and the Nexus `bulkOffboard` operation take it',
      BulkOffboardRequestSchema,
      'input',
    ),
    'bulk-offboard-progress.schema.json': schemaDocument(
      'bulk-offboard-progress.schema.json',
      'bulkOffboard `bulkOffboardProgress` query answer',
      BulkOffboardProgressSchema,
      'output',
    ),
    'bulk-offboard-result.schema.json': schemaDocument(
      'bulk-offboard-result.schema.json',
      'bulkOffboard result (and `bulkOffboardReport` query answer): the progress and where the results are',
      BulkOffboardResultSchema,
      'output',
    ),
    'apply-input.schema.json': schemaDocument(
      'apply-input.schema.json',
      'applyInventory input',
      ApplyInputSchema,
      'input',
    ),
    'apply-result.schema.json': schemaDocument(
      'apply-result.schema.json',
      'applyInventory result (the report; the create rows’ outcomes are in the create child’s bulk report)',
      ApplyResultSchema,
      'output',
    ),
  };
  files['conventions.json'] = {
    $comment: 'Written by `npm run contracts` from the code; docs/callers.md explains each entry.',
    workflows: {
      provisionChannel: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input: 'provisioning-input.schema.json',
        result: 'provisioning-result.schema.json',
        failure: 'provisioning-failure.schema.json',
        workflowId: {
          smsNumber: 'provision/<workspaceId>/<phoneNumberId>',
          otherTemplates: 'provision/<workspaceId>/<connectorTemplateRef>/<encodeURIComponent(connector.name)>',
          ids: 'UUIDs lower-cased',
        },
        templates: templateConventions(),
        ...samplePolicies(),
        workflowIdConflictPolicy: 'USE_EXISTING',
        queries: { [progressQuery.name]: 'provisioning-progress.schema.json' },
        updates: { [reportChannelStatusUpdate.name]: 'the webhook receiver only' },
        signals: {
          [watchOutcomeSignal.name]:
            '{ "watcherWorkflowId": string }: the run signals provisioningFinished to that workflow when it ends',
        },
        cancellation: 'cancel the workflow: it deletes its connector, then ends CANCELLED',
      },
      bulkOnboard: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input: 'a key of the bulk store (start it through the CLI, the typed client or the HTTP API)',
        workflowId: 'bulk/<workspaceId>/<16 hex of the inventory digest>',
        workflowIdConflictPolicy: 'USE_EXISTING',
        queries: { [bulkProgressQuery.name]: 'bulk-progress.schema.json' },
      },
      offboardChannel: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input: 'offboard-input.schema.json',
        result: 'offboard-result.schema.json',
        workflowId: {
          smsNumber: 'offboard/<workspaceId>/<phoneNumberId>',
          otherTemplates: 'offboard/<workspaceId>/<connectorTemplateRef>/<encodeURIComponent(connector.name)>',
          ids: 'UUIDs lower-cased',
        },
        workflowIdConflictPolicy: 'USE_EXISTING',
        provisioningWhileRunning:
          'a provisioning of the channel started through the typed client, the CLI, the HTTP API or Nexus while its offboarding runs is refused (ProvisioningRefused; HTTP 409; the Nexus operation fails); start it again once the offboarding has ended',
      },
      bulkOffboard: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input:
          'a key of the bulk store (start it through the CLI, the typed client, the HTTP API or Nexus: bulk-offboard-request.schema.json)',
        result: 'bulk-offboard-result.schema.json',
        workflowId: 'bulk-offboard/<workspaceId>/<16 hex of the rows digest>',
        workflowIdConflictPolicy: 'USE_EXISTING',
        queries: {
          [bulkOffboardProgressQuery.name]: 'bulk-offboard-progress.schema.json',
          [bulkOffboardReportQuery.name]: 'bulk-offboard-result.schema.json',
        },
        children: 'offboardChannel, one per row, with its usual workflow id',
        cancellation:
          'cancel the workflow: the offboardings in its window stop cleanly; rows not started are not-started',
      },
      planInventory: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input: 'plan-input.schema.json',
        result: 'plan-result.schema.json',
        workflowId: 'plan/<workspaceId>/<inventory>/<ISO time>-<8 hex> (one per plan: plans never attach)',
        writes: 'none: it reads Bird (connector list pages, status reads) and the visibility store only',
      },
      applyInventory: {
        taskQueue: { default: DEFAULT_TASK_QUEUE, configuredBy: 'TEMPORAL_TASK_QUEUE' },
        input:
          'apply-input.schema.json (its bulkKey from the bulk store: start it through the CLI, the typed client, the HTTP API or Nexus)',
        result: 'apply-result.schema.json',
        workflowId: 'apply/<workspaceId>/<inventory> (one run per inventory at a time)',
        workflowIdConflictPolicy: 'FAIL',
        failure:
          'PlanNoLongerHolds (non-retryable) when a saved plan differs from the fresh one; its details: the differences',
      },
    },
    failureTypes: CALLER_FAILURE_TYPES,
    activityFailureTypes: Object.values(FailureType),
  };
  return files;
}

/** A document as it is written to disk (stable key order as generated, two-space indent, final newline). */
export function serialiseContract(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The handlers of the `channelProvisioning` Nexus service (src/nexus/service.ts), registered by the worker on its
 * workflow task queue. Each operation goes through the typed client's own code: the same validation, workflow ids,
 * id-reuse and conflict policies, outcome reading and cancellation as `startProvisioning`, `describeOutcome`,
 * `cancelProvisioning`, `startBulk`, `startOffboarding` and `planFromFile`.
 */
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import * as temporalNexus from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { randomUUID } from 'node:crypto';
import { BulkStoreError, type BulkStore } from '../bulk/store';
import { applyStartOptions, prepareApplyOf } from '../client/apply-client';
import { bulkStartOptions, prepareInventoryText } from '../client/bulk-client';
import { prepareBulkOffboard } from '../client/bulk-offboard-client';
import { bulkOffboardOptionsOf, InvalidBulkOffboardRequest } from '../client/bulk-offboard-request';
import { InventoryFileError } from '../bulk/inventory-file';
import { cancelProvisioning, describeOutcome, type FinishedProvisioning } from '../client/provisioning-client';
import { readProvisioning } from '../client/read-provisioning';
import { idempotencyTag } from '../domain/idempotency';
import { parseProvisioningInput, type ProvisionChannelInputRaw } from '../domain/provisioning-input';
import { provisioningStartOptions } from '../domain/provisioning-start';
import { problemText } from '../base/problems';
import { InvalidFields } from '../base/zod-issues';
import {
  WORKFLOW_TYPES,
  type ApplyInventoryWorkflow,
  type BulkOffboardWorkflow,
  type BulkOnboardWorkflow,
  type OffboardChannelWorkflow,
  type PlanInventoryWorkflow,
  type ProvisionChannelWorkflow,
} from '../domain/workflow-types';
import { offboardingStartOptions, ProvisioningRefused, refuseWhileOffboarding } from '../client/offboarding-client';
import { planStartOptions } from '../client/plan-client';
import { channelKeyOf, parseOffboardInput } from '../domain/offboarding';
import { parsePlanInput } from '../domain/plan-input';
import type { ProvisionChannelResult } from '../domain/provisioning';
import { InvalidNexusRequest, parseApplyRequest, parseBulkOnboardRequest, workflowIdOfRef } from './requests';
import { channelProvisioningService, type ProvisioningState } from './service';

/** How long a synchronous operation waits for the running workflow to answer its progress query. */
const QUERY_TIMEOUT_MS = 5_000;

export interface ChannelProvisioningDeps {
  /** The bulk store this worker's bulk activities read; `bulkOnboard` is refused without one. */
  bulkStore?: BulkStore;
}

export function channelProvisioningHandler(deps: ChannelProvisioningDeps) {
  return nexus.serviceHandler(channelProvisioningService, {
    provision: provisionOperation(),
    getProvisioning: async (_ctx, raw) =>
      provisioningState(
        temporalNexus.getClient(),
        refuseInvalid(() => workflowIdOfRef(raw)),
      ),
    cancelProvisioning: async (_ctx, raw) => {
      const client = temporalNexus.getClient();
      const workflowId = refuseInvalid(() => workflowIdOfRef(raw));
      const cancelled = await cancelProvisioning(client, workflowId).catch(notFound(workflowId));
      return cancelled.requested
        ? { workflowId, requested: true, runId: cancelled.runId }
        : { workflowId, requested: false, finished: stateOf(cancelled.finished) };
    },
    offboard: new temporalNexus.WorkflowRunOperationHandler(async (ctx, raw) => {
      const input = refuseInvalid(() => parseOffboardInput(raw));
      const { workflowId, ...options } = offboardingStartOptions(input);
      return temporalNexus.startWorkflow<OffboardChannelWorkflow>(ctx, WORKFLOW_TYPES.offboardChannel, {
        workflowId,
        args: [input],
        ...options,
      });
    }),
    bulkOffboard: new temporalNexus.WorkflowRunOperationHandler(async (ctx, raw) => {
      if (!deps.bulkStore)
        throw new nexus.HandlerError('NOT_IMPLEMENTED', 'this worker has no bulk store (BULK_STORE_DIR)');
      const store = deps.bulkStore;
      const options = refuseInvalid(() => {
        try {
          return bulkOffboardOptionsOf(raw);
        } catch (err) {
          // A bad line of the file: refused by field like every other input of this service.
          if (err instanceof InventoryFileError)
            throw new InvalidBulkOffboardRequest([{ field: 'file', reason: err.message }]);
          throw err;
        }
      });
      const { workflowId, ...start } = await prepareBulkOffboard(store, options, { source: 'nexus' }).catch(
        (err: unknown) => {
          throw handlerErrorOf(err);
        },
      );
      return temporalNexus.startWorkflow<BulkOffboardWorkflow>(ctx, WORKFLOW_TYPES.bulkOffboard, {
        workflowId,
        ...start,
      });
    }),
    plan: new temporalNexus.WorkflowRunOperationHandler(async (ctx, raw) => {
      const input = refuseInvalid(() => parsePlanInput(raw));
      const { workflowId, staticSummary } = planStartOptions(input);
      return temporalNexus.startWorkflow<PlanInventoryWorkflow>(ctx, WORKFLOW_TYPES.planInventory, {
        workflowId,
        args: [input],
        staticSummary,
      });
    }),
    apply: new temporalNexus.WorkflowRunOperationHandler(async (ctx, raw) => {
      const request = refuseInvalid(() => parseApplyRequest(raw));
      if (!deps.bulkStore)
        throw new nexus.HandlerError('NOT_IMPLEMENTED', 'this worker has no bulk store (BULK_STORE_DIR)');
      const text = request.rows.map((row) => JSON.stringify(row)).join('\n');
      const inventory = refuseInvalid(() => prepareInventoryText(text, 'jsonl', request.defaults, 'nexus-apply.jsonl'));
      if (inventory.invalid.length)
        throw handlerErrorOf(
          new InvalidNexusRequest(
            inventory.invalid.flatMap((row) =>
              row.problems.map((p) => ({
                field: `rows.${row.line - 1}${p.field ? `.${p.field}` : ''}`,
                reason: p.reason,
              })),
            ),
          ),
        );
      const { input } = await prepareApplyOf(deps.bulkStore, inventory, {
        inventory: request.inventoryName,
        prune: request.prune === true,
        refresh: request.refresh,
        ...(request.expected ? { expected: request.expected } : {}),
      });
      const { workflowId, ...options } = applyStartOptions(input);
      return temporalNexus.startWorkflow<ApplyInventoryWorkflow>(ctx, WORKFLOW_TYPES.applyInventory, {
        workflowId,
        ...options,
      });
    }),
    bulkOnboard: new temporalNexus.WorkflowRunOperationHandler(async (ctx, raw) => {
      const request = refuseInvalid(() => parseBulkOnboardRequest(raw));
      if (!deps.bulkStore)
        throw new nexus.HandlerError('NOT_IMPLEMENTED', 'this worker has no bulk store (BULK_STORE_DIR)');
      const manifest = await deps.bulkStore.manifest(request.bulkKey).catch((err: unknown) => {
        // The store's own message names its directory, which is none of the caller's business.
        if (err instanceof BulkStoreError)
          throw handlerErrorOf(
            new InvalidNexusRequest([{ field: 'bulkKey', reason: 'no inventory with this key in the bulk store' }]),
          );
        throw err;
      });
      const { workflowId, ...options } = bulkStartOptions(manifest, { concurrency: request.concurrency });
      return temporalNexus.startWorkflow<BulkOnboardWorkflow>(ctx, WORKFLOW_TYPES.bulkOnboard, {
        workflowId,
        ...options,
      });
    }),
  });
}

/**
 * `provision` starts the provisioning with the typed client's policies: a run in progress for the number is attached
 * to (USE_EXISTING; the server adds this caller's completion callback to it), and a completed one cannot be started
 * again (ALLOW_DUPLICATE_FAILED_ONLY), so its result is the answer, synchronously.
 */
function provisionOperation(): nexus.OperationHandler<ProvisionChannelInputRaw, ProvisionChannelResult> {
  const backing = new temporalNexus.WorkflowRunOperationHandler<ProvisionChannelInputRaw, ProvisionChannelResult>(
    async (ctx, raw) => {
      const input = refuseInvalid(() => parseProvisioningInput(raw));
      await refuseWhileOffboarding(temporalNexus.getClient(), channelKeyOf(input)).catch(refusedOperation);
      const { workflowId, ...options } = provisioningStartOptions(input, idempotencyTag(randomUUID()));
      return temporalNexus.startWorkflow<ProvisionChannelWorkflow>(ctx, WORKFLOW_TYPES.provisionChannel, {
        workflowId,
        workflowIdConflictPolicy: 'USE_EXISTING',
        ...options,
      });
    },
  );
  return {
    async start(ctx, raw) {
      try {
        return await backing.start(ctx, raw);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const outcome = await describeOutcome(temporalNexus.getClient(), err.workflowId);
        if (outcome?.status === 'COMPLETED') return nexus.HandlerStartOperationResult.sync(outcome.result);
        // It failed or started again between the start and this look: the caller's retry decides afresh.
        throw new nexus.HandlerError('INTERNAL', `${err.workflowId} changed while starting; retry`, {
          retryableOverride: true,
        });
      }
    },
    // Cancels the workflow: the provisioning compensates (deletes the connector it made) and ends cancelled.
    cancel: (ctx, token) => backing.cancel(ctx, token),
  };
}

/** The Nexus mapping of the client's one reading (readProvisioning). */
async function provisioningState(client: Client, workflowId: string): Promise<ProvisioningState> {
  const reading = await readProvisioning(client, workflowId, { queryTimeoutMs: QUERY_TIMEOUT_MS }).catch(
    notFound(workflowId),
  );
  if (reading.kind === 'finished') return stateOf(reading.finished);
  if (reading.progress) return { workflowId, runId: reading.runId, status: 'RUNNING', progress: reading.progress };
  throw new nexus.HandlerError('UNAVAILABLE', `no worker answered the progress query: ${reading.progressProblem}`, {
    retryableOverride: true,
  });
}

function stateOf(finished: FinishedProvisioning): ProvisioningState {
  const closedAt = finished.closedAt?.toISOString();
  const base = { workflowId: finished.workflowId, runId: finished.runId, ...(closedAt ? { closedAt } : {}) };
  if (finished.status === 'COMPLETED') return { ...base, status: 'COMPLETED', result: finished.result };
  const details = 'details' in finished ? finished.details : undefined;
  return { ...base, status: finished.status, reason: finished.reason, ...(details ? { details } : {}) };
}

function refuseInvalid<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw handlerErrorOf(err);
  }
}

/**
 * The Nexus mapping of input refused by field (problems as data): BAD_REQUEST (never retried), its message naming
 * every field, and the problems as an ApplicationFailure's details, "field: reason" each: the same failure type and
 * details as a workflow that refuses its input (src/workflows/invalid-input.ts). Any other error is returned as is.
 */
export function handlerErrorOf(err: unknown): unknown {
  if (!(err instanceof InvalidFields)) return err;
  const cause = ApplicationFailure.create({
    type: err.name,
    message: err.message,
    nonRetryable: true,
    details: [err.problems.map(problemText)],
  });
  return new nexus.HandlerError('BAD_REQUEST', err.message, { cause });
}

/** A provisioning refused while its channel is offboarded: the operation fails (not retried), saying why. */
function refusedOperation(err: unknown): never {
  if (!(err instanceof ProvisioningRefused)) throw err;
  const cause = ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true });
  throw new nexus.OperationError('failed', err.message, { cause });
}

function notFound(workflowId: string) {
  return (err: unknown): never => {
    if (err instanceof WorkflowNotFoundError)
      throw new nexus.HandlerError('NOT_FOUND', `no provisioning ${workflowId}`);
    throw err;
  };
}

/**
 * The `channelProvisioning` Nexus service: what another team's workflows call, from their own namespace, through a
 * Nexus endpoint that targets this deployment's workflow task queue (docs/nexus.md). Only the service's name, its
 * operations and their types: a caller imports this module (into its workflow code) without any worker code.
 */
import * as nexus from 'nexus-rpc';
import type { ProvisionChannelInputRaw } from '../domain/provisioning-input';
import type { BulkOnboardResult } from '../domain/bulk-onboarding';
import type { BulkOffboardResult } from '../domain/bulk-offboarding';
import type { BulkOffboardRequest } from '../client/bulk-offboard-request';
import type { ProvisioningRef } from '../domain/provisioning-identity';
import type { ProvisionChannelResult, ProvisioningFailureDetails, ProvisioningProgress } from '../domain/provisioning';
import type { OffboardInputRaw, OffboardResult } from '../domain/offboarding';
import type { ApplyResult, ExpectedEntry } from '../domain/apply';
import type { Plan } from '../domain/plan';
import type { PlanInputRaw } from '../domain/plan-input';

export const CHANNEL_PROVISIONING_SERVICE = 'channelProvisioning';

/**
 * Which provisioning: the workspace and the phone number id (SMS), or the workspace, template and connector name
 * (every other template), exactly as the provisioning's input named them. The workflow id follows from them.
 */
export type { ProvisioningRef } from '../domain/provisioning-identity';

/** A provisioning as `getProvisioning` sees it: running with its progress, or how its latest run ended. */
export type ProvisioningState = { workflowId: string; runId: string } & (
  | { status: 'RUNNING'; progress: ProvisioningProgress }
  | { status: 'COMPLETED'; closedAt?: string; result: ProvisionChannelResult }
  | {
      status: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';
      closedAt?: string;
      reason: string;
      details?: ProvisioningFailureDetails;
    }
);

/** `requested: false` when the provisioning had already ended (nothing to cancel): how it ended. */
export type CancelProvisioningResult = { workflowId: string } & (
  { requested: true; runId: string } | { requested: false; finished: ProvisioningState }
);

export type { BulkOffboardRequest } from '../client/bulk-offboard-request';

export interface BulkOnboardRequest {
  /** The key of an inventory in the bulk store shared with this deployment's workers (`<workspace>-<16 hex>`). */
  bulkKey: string;
  /** Provisionings at once (default 100, at most 1,000). */
  concurrency?: number;
}

export interface ApplyRequest {
  /** The inventory's name (recorded in the names of the connectors it makes), as `starter apply --inventory`. */
  inventoryName: string;
  /** Every row is merged over these, as for bulk onboarding (workspaceId, organizationId, connector, …). */
  defaults: Record<string, unknown>;
  /** The inventory's rows, each a bulk row's columns (row N is line N). An invalid row refuses the whole request. */
  rows: Array<Record<string, unknown>>;
  /** Offboard the prune entries too (only when exactly true). */
  prune?: boolean;
  /** false: the plan reads no connector's status, only the list pages and our records (PlanInput's `refresh`). */
  refresh?: boolean;
  /** A saved plan's changing entries: the run fails (`PlanNoLongerHolds`) if the fresh plan's differ. */
  expected?: ExpectedEntry[];
}

export const channelProvisioningService = nexus.service(CHANNEL_PROVISIONING_SERVICE, {
  /**
   * Asynchronous, backed by the `provisionChannel` workflow of the input's identity (its number for SMS, its
   * template and name for the others). A second call for the same identity attaches to the provisioning in progress, or answers at once with the result of the completed one.
   * Fails with the workflow's failure (`ProvisioningFailed`, its details saying what was undone); cancelling the
   * operation cancels the provisioning, which deletes the connector it created.
   */
  provision: nexus.operation<ProvisionChannelInputRaw, ProvisionChannelResult>(),
  /** Synchronous: the progress of the running provisioning, or how its latest run ended. */
  getProvisioning: nexus.operation<ProvisioningRef, ProvisioningState>(),
  /** Synchronous: requests the cancellation of the running provisioning (it then compensates). */
  cancelProvisioning: nexus.operation<ProvisioningRef, CancelProvisioningResult>(),
  /** Asynchronous, backed by the `bulkOnboard` workflow of a stored inventory; attaches to its run in progress. */
  bulkOnboard: nexus.operation<BulkOnboardRequest, BulkOnboardResult>(),
  /**
   * Asynchronous, backed by the `offboardChannel` workflow of the channel (its number, or its template and name): a
   * second call while it runs attaches to it. Cancels the channel's running provisioning first; deletes only our
   * connector and confirms it gone; the result reports what was deleted and what was left.
   */
  offboard: nexus.operation<OffboardInputRaw, OffboardResult>(),
  /**
   * Asynchronous, backed by the `bulkOffboard` workflow of the rows (the file's text, or its rows as data; stored in
   * the bulk store this worker reads): the same rows again attach to their run. Each row is an `offboard`; the result
   * is the progress and where the store holds each row's result.
   */
  bulkOffboard: nexus.operation<BulkOffboardRequest, BulkOffboardResult>(),
  /** Asynchronous, backed by a `planInventory` run of its own: each number's action. Reads only, writes nothing. */
  plan: nexus.operation<PlanInputRaw, Plan>(),
  /**
   * Asynchronous, backed by the inventory's `applyInventory` run (one at a time: a second call while it runs is
   * refused). Plans again, then creates, repairs and, with `prune: true`, prunes. The result's create and repair
   * rows read `not-started`: their outcomes are in the create child's bulk report (`creates`).
   */
  apply: nexus.operation<ApplyRequest, ApplyResult>(),
});

/**
 * Each workflow's name and signature, for the code that starts or queries one by name: clients, the CLI, the Nexus
 * handler. They never import workflow code, so a caller's process does not load the workflows (nor their sandbox
 * rules), and test/unit/workflow-types.test.ts keeps these types equal to the workflows' own.
 */
import type { BulkOffboardInput, BulkOffboardResult } from './bulk-offboarding';
import type { BulkOnboardInput, BulkOnboardResult } from './bulk-onboarding';
import type { WorkspaceSubscriptionState } from './messages/subscription';
import type { ProvisionChannelResult } from './provisioning';
import type { ProvisionChannelInput, ProvisionChannelInputRaw } from './provisioning-input';
import type { WorkspaceSubscriptionInputRaw } from './subscription-input';
import type { ReconcileInputRaw, ReconcileReport } from './reconcile';
import type { OffboardInputRaw, OffboardResult } from './offboarding';
import type { Plan } from './plan';
import type { PlanInputRaw } from './plan-input';
import type { ApplyCarried, ApplyInputRaw, ApplyResult } from './apply';

export type ProvisionChannelWorkflow = (
  arg: ProvisionChannelInput | ProvisionChannelInputRaw,
) => Promise<ProvisionChannelResult>;
export type BulkOnboardWorkflow = (input: BulkOnboardInput) => Promise<BulkOnboardResult>;
export type WebhookSubscriptionWorkflow = (input: WorkspaceSubscriptionInputRaw) => Promise<WorkspaceSubscriptionState>;
export type ReconcileConnectorsWorkflow = (input: ReconcileInputRaw) => Promise<ReconcileReport>;
export type OffboardChannelWorkflow = (input: OffboardInputRaw) => Promise<OffboardResult>;
export type BulkOffboardWorkflow = (input: BulkOffboardInput) => Promise<BulkOffboardResult>;
export type PlanInventoryWorkflow = (input: PlanInputRaw) => Promise<Plan>;
export type ApplyInventoryWorkflow = (input: ApplyInputRaw, carried?: ApplyCarried) => Promise<ApplyResult>;

/** The workflow type names the worker registers (the exported function names in src/workflows/index.ts). */
export const WORKFLOW_TYPES = {
  provisionChannel: 'provisionChannel',
  bulkOnboard: 'bulkOnboard',
  webhookSubscription: 'webhookSubscription',
  reconcileConnectors: 'reconcileConnectors',
  offboardChannel: 'offboardChannel',
  planInventory: 'planInventory',
  applyInventory: 'applyInventory',
  bulkOffboard: 'bulkOffboard',
} as const;

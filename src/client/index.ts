/**
 * The package's client entry point, `bird-channel-provisioning/client`: what another TypeScript service imports to
 * provision channels and onboard numbers in bulk through the same validation and idempotency as the CLI, the HTTP
 * API and the Nexus service. It loads no CLI, worker, activity or workflow code (test/client-entry.test.ts checks
 * its import graph); workflows are started by type name.
 */
export {
  attachOrStart,
  awaitOutcome,
  awaitResult,
  cancelProvisioning,
  cancellationMessage,
  describeOutcome,
  getProgress,
  parseAndStartProvisioning,
  startProvisioning,
  type AttachOrStart,
  type AwaitedResult,
  type FinishedProvisioning,
  type OutcomeOptions,
  type StartedProvisioning,
} from './provisioning-client';
export {
  awaitBulk,
  BULK_LIMITS,
  bulkReport,
  bulkWorkflowId,
  cancelBulk,
  getBulkProgress,
  prepareInventory,
  prepareInventoryText,
  startBulk,
  type BulkEnd,
  type PreparedInventory,
  type StartBulkOptions,
  type StartedBulk,
} from './bulk-client';
export { listProvisionings } from './list-provisionings';
export {
  BulkProgressSchema,
  CALLER_FAILURE_TYPES,
  ProvisionChannelResultSchema,
  ProvisioningFailureDetailsSchema,
  ProvisioningFailureSchema,
  ProvisioningInputSchema,
  ProvisioningProgressSchema,
} from './contract-schemas';
export { BulkStore } from '../bulk/store';
export { InventoryFileError } from '../bulk/inventory-file';
export { InvalidBulkDefaults } from '../domain/bulk-input';
export { FailureType, INVALID_WORKFLOW_INPUT } from '../domain/failure-types';
export { provisioningWorkflowId, refOf, type ProvisioningRef } from '../domain/provisioning-identity';
export { CONNECTOR_TEMPLATES, TEMPLATE_REFS, type TemplateRef } from '../domain/connector-templates';
export {
  InvalidProvisioningInput,
  parseProvisioningInput,
  type ParsedProvisioningInput,
  type ProvisionChannelInput,
  type ProvisionChannelInputRaw,
} from '../domain/provisioning-input';
export {
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
  type ProvisioningStage,
} from '../domain/provisioning';
export { progressQuery } from '../domain/messages/provisioning';
export { type BulkProgress } from '../domain/bulk-onboarding';
export { bulkProgressQuery } from '../domain/messages/bulk';

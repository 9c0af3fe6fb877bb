/**
 * Callers start workflows by name with the signatures in src/domain/workflow-types.ts; this file keeps those equal
 * to the workflows' own (the assignments below fail `npm run typecheck` when a signature drifts) and the names equal
 * to what the worker registers.
 */
import { strict as assert } from 'node:assert';
import type * as workflows from '../../src/workflows';
import {
  WORKFLOW_TYPES,
  type ApplyInventoryWorkflow,
  type BulkOffboardWorkflow,
  type BulkOnboardWorkflow,
  type OffboardChannelWorkflow,
  type PlanInventoryWorkflow,
  type ProvisionChannelWorkflow,
  type ReconcileConnectorsWorkflow,
  type WebhookSubscriptionWorkflow,
} from '../../src/domain/workflow-types';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const signatures: [
  Same<typeof workflows.provisionChannel, ProvisionChannelWorkflow>,
  Same<typeof workflows.bulkOnboard, BulkOnboardWorkflow>,
  Same<typeof workflows.webhookSubscription, WebhookSubscriptionWorkflow>,
  Same<typeof workflows.reconcileConnectors, ReconcileConnectorsWorkflow>,
  Same<typeof workflows.offboardChannel, OffboardChannelWorkflow>,
  Same<typeof workflows.planInventory, PlanInventoryWorkflow>,
  Same<typeof workflows.applyInventory, ApplyInventoryWorkflow>,
  Same<typeof workflows.bulkOffboard, BulkOffboardWorkflow>,
  Same<keyof typeof workflows, keyof typeof WORKFLOW_TYPES>,
] = [true, true, true, true, true, true, true, true, true];

describe('workflow types for callers', () => {
  it('name every workflow the worker registers, by its registered name', () => {
    for (const [key, name] of Object.entries(WORKFLOW_TYPES)) assert.equal(name, key);
    assert.ok(signatures.every(Boolean));
  });
});

/**
 * How a provisioning is started, whoever starts it: the typed client (and so the CLI) or the bulk workflow, which
 * starts the same runs as children. One definition, so a number onboarded in bulk is the very run a single
 * `provision` would attach to, with the same summary and search attributes in the Temporal UI.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { formatDuration } from './duration';
import type { ProvisionChannelInput } from './provisioning-input';
import { phoneNumberIdOf, provisioningWorkflowId } from './provisioning-identity';
import * as sa from './search-attributes';

export interface ProvisioningStartOptions {
  workflowId: string;
  /** The input as the run is started with it: the secret check inside the create unless the caller chose otherwise. */
  args: [ProvisionChannelInput];
  /** A new attempt is allowed only after a failed (or cancelled, terminated) one, never after a completed one. */
  workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY';
  typedSearchAttributes: SearchAttributePair[];
  staticSummary: string;
  staticDetails: string;
}

/**
 * `ownershipTag` (idempotencyTag of a fresh random UUID, drawn by the starter) is the run's connector tag, set at
 * start with the creating-connector stage: search attributes given at start are free, so the run does not upsert
 * them before its create (docs/budgets.md). The secret check, inside the create (`secretCheck: 'with-create'`), takes
 * milliseconds. Without one, the run draws its own tag and records it with the stage, as runs started by hand do.
 */
export function provisioningStartOptions(
  input: ProvisionChannelInput,
  ownershipTag?: string,
): ProvisioningStartOptions {
  const phoneNumberId = phoneNumberIdOf(input);
  const r = input.readiness;
  return {
    workflowId: provisioningWorkflowId(input),
    args: [
      {
        ...input,
        secretCheck: input.secretCheck ?? 'with-create',
        readiness: { ...r, firstPollWait: r.firstPollWait ?? 'timer' },
      },
    ],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      ...(phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: phoneNumberId }] : []),
      ...(ownershipTag
        ? [
            { key: sa.ProvisioningTag, value: ownershipTag },
            { key: sa.ProvisioningStage, value: 'creating-connector' },
          ]
        : [{ key: sa.ProvisioningStage, value: 'validating' }]),
    ],
    staticSummary: `Provision ${input.connector.connectorTemplateRef} channel "${input.connector.name}"${phoneNumberId ? ` for number ${phoneNumberId}` : ''} in workspace ${input.workspaceId}`,
    staticDetails: [
      `- **Workspace:** ${input.workspaceId}`,
      phoneNumberId ? `- **Phone number id:** ${phoneNumberId}` : undefined,
      `- **Template:** ${input.connector.connectorTemplateRef}`,
      `- **Readiness:** ${r.mode}; ${r.firstPollAfter ? `first status read after ${formatDuration(r.firstPollAfter)}, then ` : ''}polls every ${formatDuration(r.initialPollInterval)} ×${r.backoffCoefficient} up to ${formatDuration(r.maxPollInterval)}; deadline ${formatDuration(r.deadline)}`,
      `- **Subscriptions:** ${input.subscriptions.length ? input.subscriptions.map((s) => `${s.service}/${s.event} → ${s.url}`).join(', ') : 'none'}`,
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

import { z } from 'zod';
import { WebhookUrl } from '../bird/schemas';
import { CanonicalId, SecretRef } from './provisioning-input';

/**
 * The workspace-wide subscription the webhook receiver needs (channel.updated / channel.created for every channel).
 * Bird's API has no list of subscriptions, so "ensure it exists" is made idempotent by Temporal itself: one
 * long-lived workflow per (workspace, event, url), started with USE_EXISTING.
 */
export const WorkspaceSubscriptionInput = z.strictObject({
  organizationId: CanonicalId,
  workspaceId: CanonicalId,
  service: z.literal('channels').default('channels'),
  event: z.enum(['channel.created', 'channel.updated']),
  url: WebhookUrl,
  signingKeyRef: SecretRef.optional(),
});
export type WorkspaceSubscriptionInputRaw = z.input<typeof WorkspaceSubscriptionInput>;

export function workspaceSubscriptionWorkflowId(
  input: Pick<WorkspaceSubscriptionInputRaw, 'workspaceId' | 'event' | 'url'>,
): string {
  return `webhook-subscription/${input.workspaceId}/${input.event}/${input.url}`;
}

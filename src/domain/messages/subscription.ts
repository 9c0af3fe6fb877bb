/**
 * The messages of the workspace subscription entity: defined once, imported by the workflow and by every client (typed API, CLI, webhook
 * receiver, Nexus), so a renamed message cannot leave one side behind.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface WorkspaceSubscriptionState {
  subscriptionId?: string;
  event: string;
  url: string;
  registeredAt?: string;
}
export const workspaceSubscriptionQuery = defineQuery<WorkspaceSubscriptionState>('subscription');
/** Ends the entity workflow (the subscription itself stays: Bird's API cannot delete it). */
export const retireSubscriptionSignal = defineSignal('retire');

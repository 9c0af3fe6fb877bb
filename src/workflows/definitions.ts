/**
 * Signals, queries and the shapes they carry: defined once, imported by the workflow and by every client
 * (typed API, CLI, webhook receiver), so a renamed signal cannot leave one side behind.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ComponentStage, ComponentStatus } from '../bird/schemas';

export type ProvisioningStage =
  | 'validating'
  | 'creating-connector'
  | 'awaiting-readiness'
  | 'registering-subscriptions'
  | 'completed'
  | 'compensating'
  | 'failed'
  | 'cancelled';

/** A channel status change reported by Bird's webhook (already signature-checked by the receiver). */
export interface ChannelStatusChanged {
  event: 'channel.created' | 'channel.updated';
  channelId: string;
  connectorId?: string;
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
  /** Bird's messagebird-request-id, to ignore a delivery seen twice. */
  requestId?: string;
}

export interface ObservedStatus {
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
  source: 'poll' | 'signal';
  at: string;
}

export interface ProvisioningProgress {
  stage: ProvisioningStage;
  connectorId?: string;
  channelId?: string;
  adopted: boolean;
  statusPolls: number;
  signalsReceived: number;
  lastStatus?: ObservedStatus;
  lastError?: string;
  subscriptionIds: string[];
}

export interface ProvisionChannelResult {
  workflowId: string;
  connectorId: string;
  channelId: string;
  /** True when the create reply was lost and the connector was recognised by its idempotency tag. */
  adopted: boolean;
  finalStatus: { status: ComponentStatus; stage: ComponentStage };
  subscriptionIds: string[];
  statusPolls: number;
  readinessSource: 'poll' | 'signal';
  timings: { startedAt: string; connectorCreatedAt: string; readyAt: string; completedAt: string; readinessWaitMs: number; totalMs: number };
}

/** details[0] of a ProvisioningFailed application failure. */
export interface ProvisioningFailureDetails {
  failedStep: ProvisioningStage;
  reason: string;
  connectorId?: string;
  undone: string[];
  compensationFailures: string[];
  leftBehind: string[];
}

export const channelStatusChangedSignal = defineSignal<[ChannelStatusChanged]>('channelStatusChanged');
export const progressQuery = defineQuery<ProvisioningProgress>('progress');

export const PROVISIONING_FAILED = 'ProvisioningFailed';
export const INVALID_INPUT = 'InvalidProvisioningInput';

export interface WorkspaceSubscriptionState {
  subscriptionId?: string;
  event: string;
  url: string;
  registeredAt?: string;
}
export const workspaceSubscriptionQuery = defineQuery<WorkspaceSubscriptionState>('subscription');
/** Ends the entity workflow (the subscription itself stays: Bird's API cannot delete it). */
export const retireSubscriptionSignal = defineSignal('retire');

/**
 * What a provisioning takes, reports and returns: the shapes its messages carry (src/domain/messages/), its result
 * and its failure details, shared by the workflow, the activities and every client.
 */
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
export interface ChannelStatusReport {
  event: 'channel.created' | 'channel.updated';
  channelId: string;
  connectorId?: string;
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
  /**
   * What Bird's signature covers (its timestamp and a digest of the body), so a captured delivery re-sent with a
   * fresh request id is still the same report. Bird's request id is not signed and cannot serve.
   */
  deliveryKey: string;
}

/** Genuine readiness takes a few reports (created, updated); beyond this a run accepts none. */
export const MAX_STATUS_REPORTS_PER_RUN = 20;

export interface ObservedStatus {
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
  source: 'poll' | 'webhook';
  at: string;
}

export interface ProvisioningProgress {
  stage: ProvisioningStage;
  connectorId?: string;
  channelId?: string;
  adopted: boolean;
  /** Status reads the workflow saw complete (a poll cancelled because a webhook won is not counted). */
  statusPolls: number;
  /** Webhook reports accepted (at most MAX_STATUS_REPORTS_PER_RUN). */
  statusReports: number;
  lastStatus?: ObservedStatus;
  lastError?: string;
  subscriptionIds: string[];
  /** Once the run has failed or been cancelled: what compensation undid and what, if anything, was left. */
  compensation?: ProvisioningFailureDetails;
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
  readinessSource: 'poll' | 'webhook';
  timings: {
    startedAt: string;
    connectorCreatedAt: string;
    readyAt: string;
    completedAt: string;
    readinessWaitMs: number;
    totalMs: number;
  };
}

/**
 * What became of the create, which decides what compensation must do: nothing when Bird refused it (or it was
 * never sent), delete by id when it is known, look it up by ownership only when the outcome is truly unknown.
 */
export type CreateOutcome = 'not-sent' | 'refused' | 'created' | 'unknown';

/** details[0] of a ProvisioningFailed application failure. */
export interface ProvisioningFailureDetails {
  failedStep: ProvisioningStage;
  reason: string;
  createOutcome: CreateOutcome;
  connectorId?: string;
  undone: string[];
  compensationFailures: string[];
  leftBehind: string[];
}

export const PROVISIONING_FAILED = 'ProvisioningFailed';

/**
 * What a finished provisioning tells whoever watches it: its parent when it runs as a bulk run's child, and any
 * workflow that asked with `watchOutcome` (a bulk run that found the number's provisioning already running).
 * Signalled by workflow id, so it reaches a bulk run that has continued-as-new since it started the child.
 */
export interface ProvisioningFinished {
  workflowId: string;
  outcome: 'active' | 'failed' | 'cancelled';
  connectorId?: string;
  channelId?: string;
  reason?: string;
  /** For failed and cancelled runs: whether everything the run made was undone (nothing left behind). */
  compensated?: boolean;
  /** For active runs: connector created → channel seen ready (ms), and who saw it; a bulk run learns from them. */
  readinessWaitMs?: number;
  readinessSource?: 'poll' | 'webhook';
  /** For active runs: the status reads it made (a bulk run sizes its window from them). */
  statusReads?: number;
}
/** A run accepts at most this many watchers (a bulk run watches only runs it found already running). */
export const MAX_OUTCOME_WATCHERS = 10;

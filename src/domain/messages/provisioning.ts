/**
 * The messages of a provisioning run: defined once, imported by the workflow and by every client (typed API, CLI, webhook
 * receiver, Nexus), so a renamed message cannot leave one side behind.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelStatusReport, ProvisioningFinished, ProvisioningProgress } from '../provisioning';

export const progressQuery = defineQuery<ProvisioningProgress>('progress');

/**
 * Webhook reports arrive as an Update, not a Signal: the validator refuses reports the run does not need
 * (duplicates, other channels, a run not waiting for readiness, beyond the per-run cap), and a refused update is
 * never written to history. A signal is always recorded, so replayed or flooded deliveries would grow the history
 * until the server terminated the run.
 */
export const reportChannelStatusUpdate = defineUpdate<'accepted', [ChannelStatusReport]>('reportChannelStatus');

export const provisioningFinishedSignal = defineSignal<[ProvisioningFinished]>('provisioningFinished');
/** Ask a running provisioning to signal `provisioningFinished` to the sender when it ends. */
export const watchOutcomeSignal = defineSignal<[{ watcherWorkflowId: string }]>('watchOutcome');

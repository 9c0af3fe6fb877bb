/**
 * How a provisioning reads in the Temporal UI ("current details", markdown) and in its failure message.
 */
import { formatDuration } from './duration';
import type { ProvisionChannelInput } from './provisioning-input';
import { phoneNumberIdOf } from './provisioning-identity';
import type { ProvisioningFailureDetails, ProvisioningProgress } from './provisioning';

export function describeProgress(p: ProvisioningProgress, input: ProvisionChannelInput): string {
  const r = input.readiness;
  const lines = [
    `**Stage:** ${p.stage}`,
    `**Channel:** ${input.connector.name} (${input.connector.connectorTemplateRef})`,
    phoneNumberIdOf(input) ? `**Phone number id:** ${phoneNumberIdOf(input)}` : undefined,
    p.connectorId ? `**Connector:** ${p.connectorId}` : undefined,
    p.channelId ? `**Channel id:** ${p.channelId}` : undefined,
    `**Readiness:** ${r.mode}, polls every ${formatDuration(r.initialPollInterval)} ×${r.backoffCoefficient} up to ${formatDuration(r.maxPollInterval)}, deadline ${formatDuration(r.deadline)}`,
    p.lastStatus
      ? `**Last status:** ${p.lastStatus.status ?? '?'}/${p.lastStatus.stage ?? '?'} (by ${p.lastStatus.source})`
      : undefined,
    `**Status polls:** ${p.statusPolls} · **webhook reports:** ${p.statusReports}`,
    p.subscriptionIds.length ? `**Subscriptions:** ${p.subscriptionIds.join(', ')}` : undefined,
    p.compensation ? `**Failed at:** ${p.compensation.failedStep}: ${p.compensation.reason}` : undefined,
    p.compensation ? `**Undone:** ${undoneText(p.compensation)}` : undefined,
    p.compensation?.leftBehind.length ? `**Left behind:** ${p.compensation.leftBehind.join('; ')}` : undefined,
  ];
  // Markdown list items: the UI renders single newlines as one run-on line.
  return lines
    .filter((l): l is string => !!l)
    .map((l) => `- ${l}`)
    .join('\n');
}

function undoneText(d: ProvisioningFailureDetails): string {
  if (d.undone.length) return d.undone.join('; ');
  if (d.createOutcome === 'refused') return 'nothing to undo: Bird refused the create, no connector was made';
  if (d.createOutcome === 'not-sent') return 'nothing to undo: no connector was requested';
  return 'nothing to undo';
}

export function failureMessage(d: ProvisioningFailureDetails): string {
  let message = `${d.failedStep} failed: ${d.reason}. Undone: ${undoneText(d)}.`;
  if (d.compensationFailures.length) message += ` COMPENSATION FAILED: ${d.compensationFailures.join('; ')}.`;
  if (d.leftBehind.length) message += ` Left: ${d.leftBehind.join('; ')}.`;
  return message;
}

/**
 * provisionChannel: check the secrets, create (or adopt) a Bird connector, wait until its channel is ready (status
 * polls with backoff and/or webhook reports, whichever sees it first), register the requested subscriptions, and
 * undo everything on an expected failure or a cancellation.
 *
 * This file holds the run's handlers and its sequence of steps; the state and the steps themselves are
 * ProvisioningRun's (src/workflows/provisioning/run.ts). Only the failures the design expects compensate (Bird
 * refusals, readiness failures, timeouts, cancellation). Anything else is a bug: it fails the workflow task, the run
 * waits, and deploying a fix lets it resume, with its connector still there to finish or undo.
 */
import { ApplicationFailure, isCancellation, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { blankTextAcceptedBefore, parseProvisioningInputAcceptingBlankText } from '../domain/blank-text';
import { withoutStack } from '../domain/failure-types';
import {
  isResolvedInput,
  parseProvisioningInput,
  type ProvisionChannelInput,
  type ProvisionChannelInputRaw,
} from '../domain/provisioning-input';
import { messageOf } from './compensation';
import {
  PROVISIONING_FAILED,
  type ChannelStatusReport,
  type ProvisionChannelResult,
  type ProvisioningProgress,
} from '../domain/provisioning';
import { progressQuery, reportChannelStatusUpdate } from '../domain/messages/provisioning';
import { failureMessage } from '../domain/describe';
import { parseOrFailRun } from './invalid-input';
import { OutcomeWatchers } from './outcome-watchers';
import { REFUSE_BLANK_TEXT_PATCH } from './provisioning/patches';
import { ProvisioningRun } from './provisioning/run';
import { StepFailed } from './provisioning/step-failed';
import { StatusReportInbox } from './status-reports';

export async function provisionChannel(
  arg: ProvisionChannelInput | ProvisionChannelInputRaw,
): Promise<ProvisionChannelResult> {
  const progress: ProvisioningProgress = {
    stage: 'validating',
    adopted: false,
    statusPolls: 0,
    statusReports: 0,
    subscriptionIds: [],
  };
  setHandler(progressQuery, () => progress);

  // Installed before the first await so no early report is refused for want of a handler.
  const inbox = new StatusReportInbox(progress);
  setHandler(
    reportChannelStatusUpdate,
    (report) => {
      inbox.accept(report);
      return 'accepted' as const;
    },
    {
      validator: (report: ChannelStatusReport) => {
        const refusal = inbox.refusal(report);
        if (refusal) throw withoutStack(new Error(refusal));
      },
      description: "A signature-checked Bird channel event for this run's channel (from the webhook receiver).",
    },
  );

  // Installed before the input is checked: a parent waits for this run's outcome whatever it is.
  const watchers = new OutcomeWatchers();
  const input = await resolveInput(arg).catch(async (err: unknown) => {
    const { workflowId } = workflowInfo();
    await watchers.notify({ workflowId, outcome: 'failed', reason: messageOf(err), compensated: true });
    throw err;
  });

  const run = new ProvisioningRun(input, progress, inbox, watchers);
  try {
    await run.checkSecrets();
    const connector = await run.createOrAdopt();
    const ready = await run.awaitReadiness(connector);
    await run.registerSubscriptions(ready);
    return await run.complete(ready);
  } catch (err) {
    const cancelled = isCancellation(err);
    // Anything the design does not expect is a bug: fail the workflow task (Temporal retries it), compensate nothing.
    if (!(err instanceof StepFailed) && !cancelled) throw err;
    const details = await run.compensate(err, cancelled);
    await run.reportFailure(details, cancelled);
    if (cancelled) throw err;
    const message = failureMessage(details);
    throw withoutStack(
      ApplicationFailure.create({ type: PROVISIONING_FAILED, message, nonRetryable: true, details: [details] }),
    );
  }
}

/**
 * The input as recorded at start: already parsed, defaults applied (the typed client and the CLI pass it so), and
 * not parsed again, so a later change of a rule or default cannot change or break a run in flight. An input in the
 * short notation (started by hand from the Temporal CLI or UI) is parsed here and fails the run cleanly if invalid.
 */
async function resolveInput(arg: ProvisionChannelInput | ProvisionChannelInputRaw): Promise<ProvisionChannelInput> {
  if (isResolvedInput(arg)) return arg;
  // Blank free text was accepted before it was refused: a run started with it then replays as it ran. Asked only
  // for such inputs, so every other history stays as it was.
  if (blankTextAcceptedBefore(arg).length && !patched(REFUSE_BLANK_TEXT_PATCH)) {
    return parseOrFailRun(() => parseProvisioningInputAcceptingBlankText(arg));
  }
  return parseOrFailRun(() => parseProvisioningInput(arg));
}

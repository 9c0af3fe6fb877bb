/**
 * How a provisioning step fails. Only the failures the design expects become a StepFailed, which compensates:
 * Bird's refusals, readiness failures, timeouts. Anything else is a bug: it fails the workflow task, the run waits,
 * and deploying a fix lets it resume, with its connector still there to finish or undo.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure } from '@temporalio/workflow';
import type { ConnectorRef } from '../../activities';
import { FailureType, REQUEST_NOT_ACTED_ON } from '../../domain/failure-types';
import { messageOf } from '../compensation';

/** A step failed for a reason the caller should read (not a bug); the step itself is progress.stage at the time. */
export class StepFailed extends Error {}

/**
 * Turns an activity's failure into a StepFailed; anything else (a bug) goes on as it is. A local activity's
 * failure reaches the workflow as the activity's own ApplicationFailure, not wrapped in an ActivityFailure.
 */
export function stepFailure(step: string) {
  return (err: unknown): never => {
    if (err instanceof ActivityFailure || err instanceof ApplicationFailure) {
      throw new StepFailed(`${step}: ${messageOf(err)}`);
    }
    throw err;
  };
}

/**
 * A definitive refusal (a 4xx other than 429, or a request never sent) on the create's first attempt proves no
 * connector was made. On a later attempt the earlier ones' outcomes are unknown, so it proves nothing.
 */
export function refusedOnFirstAttempt(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || !cause.type || !REQUEST_NOT_ACTED_ON.includes(cause.type)) return false;
  const attempt = (cause.details?.[0] as { attempt?: number } | undefined)?.attempt;
  return attempt === 1;
}

export function alreadyExists(workspaceId: string, birdMessage: string | undefined): StepFailed {
  const exists = `a connector for this number or name already exists in workspace ${workspaceId}`;
  const untouched = `was not created by this provisioning; it was left untouched (Bird: ${birdMessage ?? 'HTTP 409'})`;
  return new StepFailed(`${FailureType.connectorAlreadyExists}: ${exists} and ${untouched}`);
}

/** An activity that breaks its contract is a bug, not a Bird failure: fail the workflow task, do not compensate. */
export function assertConnectorRef(ref: ConnectorRef): void {
  if (!ref || typeof ref.connectorId !== 'string' || ref.connectorId.length === 0) {
    throw new TypeError(`createConnector returned no connector id (got ${JSON.stringify(ref)})`);
  }
}

/**
 * Non-cancellable steps do not observe a cancellation requested while they run; look for one as soon as they
 * return, so a cancel during the create or the subscriptions still undoes the run instead of completing it.
 */
export function throwIfCancelled(): void {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('provisioning cancelled');
}

/**
 * What "compensated" means for a provisioning that failed or was cancelled, in one place: every undo succeeded and
 * nothing the run made is left in Bird. A deletion that failed leaves its connector behind, and a webhook
 * subscription is always left (Bird's API cannot delete it), so a run that registered one is never compensated.
 */

/** The two lists a provisioning's failure details (ProvisioningFailureDetails) keep about its undo. */
export interface UndoRecord {
  /** "<step>: <why>" for every undo that failed. */
  readonly compensationFailures: readonly string[];
  /** What the run made and did not (or could not) undo. */
  readonly leftBehind: readonly string[];
}

/** Lists that are absent (a failure recorded without details) count as empty. */
export function isCompensated(undo: Partial<UndoRecord>): boolean {
  return !undo.compensationFailures?.length && !undo.leftBehind?.length;
}

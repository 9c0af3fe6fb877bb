/**
 * The attempt of the activity the caller runs in (1 for the first), for the Bird client's call spans; undefined
 * outside an activity (tests, the CLI).
 */
import { Context } from '@temporalio/activity';

export function activityAttempt(): number | undefined {
  try {
    return Context.current().info.attempt;
  } catch {
    return undefined;
  }
}

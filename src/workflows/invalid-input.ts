/**
 * A workflow input refused by its schema fails the run at once, naming each bad field (a non-retryable
 * `INVALID_WORKFLOW_INPUT` failure), instead of failing its workflow task again and again: no retry and no new build can make
 * that input valid. Inputs started by hand from the Temporal CLI or UI are the ones that get here.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { INVALID_WORKFLOW_INPUT, withoutStack } from '../domain/failure-types';
import { problemText } from '../base/problems';
import { InvalidFields } from '../base/zod-issues';

export function parseOrFailRun<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidFields)
      throw withoutStack(
        ApplicationFailure.create({
          type: INVALID_WORKFLOW_INPUT,
          message: err.message,
          nonRetryable: true,
          details: [err.problems.map(problemText)],
        }),
      );
    throw err;
  }
}

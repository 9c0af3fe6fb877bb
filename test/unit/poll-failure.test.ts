/**
 * What a failed readiness poll means (pollFailure in src/workflows/readiness.ts): the failures are built as the SDK
 * hands them to the workflow (an ActivityFailure around the activity's own failure, or around a schedule-to-close
 * timeout carrying the last attempt's failure). Pure: no workflow context.
 */
import assert from 'node:assert/strict';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { FailureType } from '../../src/domain/failure-types';
import type { ProvisioningProgress } from '../../src/domain/provisioning';
import { pollFailure } from '../../src/workflows/readiness';

const progress = (): ProvisioningProgress => ({
  stage: 'awaiting-readiness',
  adopted: false,
  statusPolls: 2,
  statusReports: 0,
  subscriptionIds: [],
});
const activityFailure = (cause: Error) =>
  new ActivityFailure('activity failed', 'awaitChannelActive', '1', RetryState.TIMEOUT, 'worker', cause);
const app = (type: string, message: string, details?: unknown, nonRetryable = false) =>
  ApplicationFailure.create({ type, message, nonRetryable, details: details === undefined ? undefined : [details] });
function scheduleToClose(last?: Error): TimeoutFailure {
  // The SDK's failure converter sets the cause after construction, as here.
  return Object.assign(new TimeoutFailure('activity timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE), {
    cause: last,
  });
}

describe('pollFailure: what a failed readiness poll means', () => {
  it('a channel that failed ends the wait with its reason, counting its reads and showing its last status', () => {
    const p = progress();
    const outcome = pollFailure(
      activityFailure(
        app(
          FailureType.channelFailed,
          'channel status is error: not verified',
          { status: 'error', stage: 'inactive', errorMessage: 'not verified', statusReads: 4 },
          true,
        ),
      ),
      p,
    );
    assert.deepEqual(outcome, { kind: 'failed', reason: 'channel status is error: not verified (seen by poll)' });
    assert.equal(p.statusPolls, 6);
    assert.equal(p.lastStatus?.status, 'error');
    assert.equal(p.lastStatus?.errorMessage, 'not verified');
    assert.equal(p.lastStatus?.source, 'poll');
  });

  it('"not ready" with no time left for another retry is the deadline, with the last status seen', () => {
    const p = progress();
    const outcome = pollFailure(
      activityFailure(
        app(FailureType.channelNotReady, 'channel not ready yet', {
          status: 'pending',
          stage: 'provisioning',
          statusReads: 9,
        }),
      ),
      p,
    );
    assert.deepEqual(outcome, { kind: 'deadline' });
    assert.equal(p.statusPolls, 11);
    assert.deepEqual([p.lastStatus?.status, p.lastStatus?.stage], ['pending', 'provisioning']);
  });

  it('a schedule-to-close timeout is read through to the last attempt it carries', () => {
    const p = progress();
    const outcome = pollFailure(
      activityFailure(
        scheduleToClose(
          app(FailureType.channelNotReady, 'not ready', { status: 'pending', stage: 'provisioning', statusReads: 3 }),
        ),
      ),
      p,
    );
    assert.deepEqual(outcome, { kind: 'deadline' });
    assert.equal(p.statusPolls, 5);
    assert.equal(p.lastStatus?.stage, 'provisioning');
    // A timeout with no attempt's failure inside is the deadline all the same, with nothing seen.
    const bare = progress();
    assert.deepEqual(pollFailure(activityFailure(scheduleToClose()), bare), { kind: 'deadline' });
    assert.equal(bare.lastStatus, undefined);
  });

  it('an attempt made before the minimum activation time read nothing: no status to show', () => {
    const p = progress();
    pollFailure(activityFailure(app(FailureType.channelNotReady, 'not due', { statusReads: 0, notDue: true })), p);
    assert.equal(p.lastStatus, undefined);
    assert.equal(p.statusPolls, 2);
  });

  it('Bird refusing the status read fails the wait; a retryable error is the deadline, naming the last error', () => {
    assert.deepEqual(
      pollFailure(activityFailure(app(FailureType.rejected, 'Bird answered 403', undefined, true)), progress()),
      { kind: 'failed', reason: 'status check refused: Bird answered 403' },
    );
    assert.deepEqual(pollFailure(activityFailure(app(FailureType.serverError, 'Bird answered 503')), progress()), {
      kind: 'deadline',
      lastError: 'last poll error: Bird answered 503',
    });
    assert.deepEqual(pollFailure(activityFailure(new Error('socket hang up')), progress()), {
      kind: 'deadline',
      lastError: 'last poll error: socket hang up',
    });
  });

  it('a cancellation is passed on as it is; anything but an activity failure is a bug and is thrown', () => {
    const cancelled = new CancelledFailure('cancelled');
    assert.deepEqual(pollFailure(cancelled, progress()), { kind: 'cancelled', err: cancelled });
    const wrapped = activityFailure(new CancelledFailure('cancelled'));
    assert.deepEqual(pollFailure(wrapped, progress()), { kind: 'cancelled', err: wrapped });
    const bug = new TypeError('x is undefined');
    assert.throws(
      () => pollFailure(bug, progress()),
      (err) => err === bug,
    );
  });
});

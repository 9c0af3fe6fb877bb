/**
 * How a provisioning ended, decoded once (src/domain/provisioning-outcome.ts), and the one sum of rows handled: pure,
 * no server. The same failures the client, the bulk lookups and the metric decode.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { rowsHandled } from '../src/domain/bulk-report';
import {
  endOfFailure,
  METRIC_LABEL,
  outcomeOfCompensation,
  outcomeOfEnd,
  PROVISIONING_OUTCOMES,
  rowResultOfSnapshot,
  snapshotOfEnd,
} from '../src/domain/provisioning-outcome';
import { PROVISIONING_FAILED, type ProvisioningFailureDetails } from '../src/domain/provisioning';
import { INVALID_WORKFLOW_INPUT } from '../src/domain/failure-types';
import { isCompensated } from '../src/domain/compensation';

const details = (over: Partial<ProvisioningFailureDetails> = {}): ProvisioningFailureDetails => ({
  failedStep: 'awaiting-readiness',
  reason: 'channel error',
  createOutcome: 'created',
  connectorId: 'c-1',
  undone: ['deleted connector c-1'],
  compensationFailures: [],
  leftBehind: [],
  ...over,
});
const provisioningFailed = (d: ProvisioningFailureDetails) =>
  ApplicationFailure.create({ message: 'awaiting-readiness failed', type: PROVISIONING_FAILED, details: [d] });

describe('a provisioning outcome, decoded once', () => {
  it('reads a ProvisioningFailed failure by its type, with its details', () => {
    const end = endOfFailure(provisioningFailed(details()), 'outer');
    assert.equal(end.status, 'FAILED');
    assert.equal(end.status === 'FAILED' && end.details?.connectorId, 'c-1');
    assert.equal(outcomeOfEnd(end), 'compensated');
    assert.deepEqual(snapshotOfEnd(end, '2026-01-01T00:00:00.000Z'), {
      status: 'FAILED',
      closedAt: '2026-01-01T00:00:00.000Z',
      connectorId: 'c-1',
      reason: 'awaiting-readiness failed',
      compensated: true,
    });
  });

  it('names a compensation that failed compensation-failed, cancelled or not, and never calls it compensated', () => {
    const d = details({ compensationFailures: ['delete connector c-1: 500'], leftBehind: ['connector c-1'] });
    assert.equal(outcomeOfEnd(endOfFailure(provisioningFailed(d), '')), 'compensation-failed');
    assert.equal(outcomeOfCompensation(d, true), 'compensation-failed');
    assert.equal(outcomeOfCompensation(details(), true), 'cancelled');
    assert.equal(isCompensated(d), false);
    assert.equal(
      isCompensated(details({ compensationFailures: ['x'] })),
      false,
      'a failed step is not compensated even with nothing listed as left',
    );
    assert.equal(isCompensated(details()), true);
  });

  it('the outcome and the report agree: a run that left a webhook subscription in Bird is not compensated', () => {
    const d = details({ leftBehind: ['webhook subscription s-1 (Bird cannot delete it)'] });
    assert.equal(isCompensated(d), false);
    assert.equal(outcomeOfCompensation(d, false), 'compensation-failed');
    assert.equal(snapshotOfEnd(endOfFailure(provisioningFailed(d), ''), undefined).compensated, false);
  });

  it('tells cancelled, terminated, timed out, invalid input and anything else apart', () => {
    assert.deepEqual(endOfFailure(new CancelledFailure('cancelled'), ''), { status: 'CANCELLED' });
    const terminated = endOfFailure(new TerminatedFailure('by ops'), '');
    assert.equal(terminated.status, 'TERMINATED');
    assert.match(
      terminated.status === 'TERMINATED' ? terminated.reason : '',
      /^terminated \(by ops\); its connector, if any, was not undone$/,
    );
    assert.equal(endOfFailure(new TimeoutFailure('t', undefined, 'START_TO_CLOSE'), '').status, 'TIMED_OUT');
    assert.equal(
      outcomeOfEnd(endOfFailure(ApplicationFailure.create({ message: 'bad', type: INVALID_WORKFLOW_INPUT }), '')),
      'invalid-input',
    );
    assert.equal(outcomeOfEnd(endOfFailure(new Error('a bug'), '')), 'failed');
    assert.deepEqual(endOfFailure(undefined, 'workflow failed'), { status: 'FAILED', reason: 'workflow failed' });
  });

  it('gives a bulk row its result from a lookup', () => {
    const completed = snapshotOfEnd(
      { status: 'COMPLETED', result: { connectorId: 'c-2', channelId: 'ch-2' } as never },
      undefined,
    );
    assert.deepEqual(rowResultOfSnapshot(completed, true), {
      outcome: 'active',
      connectorId: 'c-2',
      channelId: 'ch-2',
      reason: 'provisioned by a run started elsewhere (this bulk run waited for it)',
      compensated: undefined,
    });
    assert.deepEqual(rowResultOfSnapshot(snapshotOfEnd({ status: 'CANCELLED' }, undefined), false), {
      outcome: 'cancelled',
      reason: 'cancelled',
    });
    assert.equal(rowResultOfSnapshot({ status: 'TERMINATED' }, false).reason, 'its provisioning ended terminated');
  });

  it('keeps the metric label values dashboards select on', () => {
    assert.deepEqual(
      PROVISIONING_OUTCOMES.map((o) => METRIC_LABEL[o]),
      ['completed', 'compensated', 'compensation_failed', 'cancelled', 'invalid_input', 'failed'],
    );
  });
});

describe('rows handled', () => {
  it('adds every row once: compensated rows are already counted as failed or cancelled', () => {
    const counts = { active: 3, alreadyActive: 2, failed: 4, cancelled: 1, notStarted: 5, compensated: 4 };
    assert.equal(rowsHandled(counts), 15);
  });
});

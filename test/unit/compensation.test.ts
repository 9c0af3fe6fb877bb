/**
 * Saga bookkeeping (src/workflows/compensation.ts): undo steps run in reverse, a failed undo stops none of the others,
 * and the report says what was undone and what failed. The undo steps here are plain async functions.
 */
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import fc from 'fast-check';
import { Compensations, messageOf } from '../../src/workflows/compensation';

describe('compensations', () => {
  it('runs the undo steps in the reverse order of their registration', async () => {
    const ran: string[] = [];
    const c = new Compensations();
    for (const step of ['create connector', 'register subscription', 'tag']) {
      c.add(step, async () => {
        ran.push(step);
        return `undid ${step}`;
      });
    }
    const report = await c.runAll();
    assert.deepEqual(ran, ['tag', 'register subscription', 'create connector']);
    assert.deepEqual(report, {
      undone: ['undid tag', 'undid register subscription', 'undid create connector'],
      failures: [],
      failedSteps: [],
    });
  });

  it('a failed undo is reported and the others still run', async () => {
    const ran: string[] = [];
    const c = new Compensations();
    c.add('first', async () => {
      ran.push('first');
      return 'first undone';
    });
    c.add('delete connector', async () => {
      ran.push('delete connector');
      throw new Error('Bird answered 403');
    });
    c.add('last', async () => {
      ran.push('last');
      return 'last undone';
    });
    const report = await c.runAll();
    assert.deepEqual(ran, ['last', 'delete connector', 'first']);
    assert.deepEqual(report.undone, ['last undone', 'first undone']);
    assert.deepEqual(report.failures, ['delete connector: Bird answered 403']);
    assert.deepEqual(report.failedSteps, ['delete connector']);
  });

  it('an undo that finds nothing to undo adds no line', async () => {
    const c = new Compensations();
    c.add('delete connector', async () => undefined);
    c.add('other', async () => '');
    assert.deepEqual(await c.runAll(), { undone: [], failures: [], failedSteps: [] });
  });

  it('with nothing registered, the report is empty', async () => {
    assert.deepEqual(await new Compensations().runAll(), { undone: [], failures: [], failedSteps: [] });
  });

  it('whatever fails, every step runs once and each lands in exactly one list', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok', 'nothing', 'fails'), { maxLength: 12 }), async (kinds) => {
        const c = new Compensations();
        const ran: number[] = [];
        kinds.forEach((kind, i) =>
          c.add(`step ${i}`, async () => {
            ran.push(i);
            if (kind === 'fails') throw new Error(`boom ${i}`);
            return kind === 'ok' ? `undid ${i}` : undefined;
          }),
        );
        const report = await c.runAll();
        assert.deepEqual(ran, kinds.map((_, i) => i).reverse());
        const indexes = (kind: string) => kinds.flatMap((k, i) => (k === kind ? [i] : [])).reverse();
        assert.deepEqual(
          report.undone,
          indexes('ok').map((i) => `undid ${i}`),
        );
        assert.deepEqual(
          report.failedSteps,
          indexes('fails').map((i) => `step ${i}`),
        );
        assert.deepEqual(
          report.failures,
          indexes('fails').map((i) => `step ${i}: boom ${i}`),
        );
      }),
    );
  });
});

describe('messageOf', () => {
  it("prefers the cause's message: an activity failure wraps the activity's own failure", () => {
    const cause = ApplicationFailure.create({
      type: 'BirdRejected',
      message: 'Bird answered 422: useCaseId is required',
    });
    const err = new ActivityFailure(
      'activity failed',
      'deleteConnector',
      'id-1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker',
      cause,
    );
    assert.equal(messageOf(err), 'Bird answered 422: useCaseId is required');
  });

  it("falls back to the error's message, then to its text", () => {
    assert.equal(messageOf(new Error('plain')), 'plain');
    assert.equal(messageOf({ cause: {}, message: 'outer' }), 'outer');
    assert.equal(messageOf('a string'), 'a string');
    assert.equal(messageOf(42), '42');
    assert.equal(messageOf(undefined), 'undefined');
    assert.equal(messageOf({}), '[object Object]');
  });
});

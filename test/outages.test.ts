/**
 * Waiting on a run outlasts the Temporal server being unreachable (UNAVAILABLE), and only that: every other error
 * surfaces at once. The end-to-end proof is the fault suite's server-restart scenario (test/chaos.test.ts), whose
 * bulk client process waits through 20 s of downtime, longer than the gRPC client's own retries last.
 */
import { ServiceError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { isServerUnavailable, waitThroughOutages } from '../src/client/outages';

const unavailable = () =>
  new ServiceError('Failed to get Workflow execution history', {
    cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
      metadata: {},
    }),
  });

describe('waiting through Temporal outages', () => {
  it('recognises UNAVAILABLE, wrapped or not, and nothing else', () => {
    assert.equal(isServerUnavailable(unavailable()), true);
    assert.equal(isServerUnavailable(unavailable().cause), true);
    assert.equal(
      isServerUnavailable(
        new ServiceError('not found', {
          cause: Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: '', metadata: {} }),
        }),
      ),
      false,
    );
    assert.equal(isServerUnavailable(new Error('boom')), false);
  });

  it('retries while the server is unreachable, then returns the result', async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await waitThroughOutages(
      async () => {
        if (++calls < 3) throw unavailable();
        return 'done';
      },
      { onUnavailable: (_err, ms) => seen.push(ms) },
    );
    assert.equal(result, 'done');
    assert.equal(calls, 3);
    assert.equal(seen.length, 2);
  });

  it('surfaces any other error at once, and an outage longer than allowed', async () => {
    let calls = 0;
    await assert.rejects(
      waitThroughOutages(async () => {
        calls++;
        throw new Error('workflow failed');
      }),
      /workflow failed/,
    );
    assert.equal(calls, 1);
    await assert.rejects(
      waitThroughOutages(() => Promise.reject(unavailable()), { maxOutageMs: 0 }),
      /Failed to get Workflow execution history/,
    );
  });
});

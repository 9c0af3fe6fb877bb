/**
 * Bulk offboarding at a size the bulk store makes possible: a file of 2,500 rows (more than the 2,000 a run's input
 * once held), its rows read from the store a page at a time, the run's input naming them, never carrying them, and a
 * report row per number. Minutes of child workflows, so in the longer suite (`npm run test:pacing`) rather than the
 * default one; the store path itself is covered there by test/bulk-offboard.test.ts with pages of 2 rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { awaitBulkOffboard, startBulkOffboard } from '../../src/client/bulk-offboard-client';
import { startStack, type Stack } from '../helpers/stack';

describe('bulk offboarding a file larger than 2,000 rows', function () {
  // 2,500 offboardings of numbers Bird never had (`already-absent`): minutes on a shared 2-core machine.
  this.timeout(2_400_000);
  let big: Stack;
  before(async () => {
    // Bird's reads paced far above its documented 50/s: this test is about the rows' journey, not the pacing.
    big = await startStack({ worker: { birdRateLimits: { getPerSecond: 1_000, postPerSecond: 1_000 } } });
  });
  // Its thousands of children's histories are not searched for secrets (the file above checks the same workflows').
  after(() => big?.close());

  it('offboards a file larger than 2,000 rows: rows read from the bulk store a page at a time, one report row per number', async function () {
    const numbers = Array.from({ length: 2_500 }, () => randomUUID());
    const rows = numbers.map((phoneNumberId, i) => ({ line: i + 2, phoneNumberId }));
    const started = await startBulkOffboard(
      big.client,
      big.bulkStore,
      { workspaceId: big.workspaceId, rows, concurrency: 20 },
      { taskQueue: big.taskQueue, source: 'numbers.csv' },
    );
    // The run's input names the stored rows, never the numbers.
    const history = await started.handle.fetchHistory();
    const startedInput = JSON.stringify(history.events![0]!.workflowExecutionStartedEventAttributes!.input);
    assert.ok(startedInput.length < 2_000, `input of ${startedInput.length} bytes`);
    assert.ok(!startedInput.includes(Buffer.from(numbers[0]!).toString('base64').slice(0, 20)));
    const end = await awaitBulkOffboard(big.client, big.bulkStore, started.workflowId);
    assert.ok(end.status === 'completed', end.status);
    assert.equal(end.result.results.length, 2_500);
    assert.deepEqual(
      end.result.results.map((r) => r.row),
      rows.map((_, i) => i),
    );
    assert.ok(end.result.results.every((r) => r.outcome === 'already-absent'));
    assert.equal(end.result.results[2_499]!.workflowId, `offboard/${big.workspaceId}/${numbers[2_499]}`);
    assert.equal(end.result.progress.counts['already-absent'], 2_500);
    assert.ok(end.result.progress.continuedAsNew >= 4, `continued as new ${end.result.progress.continuedAsNew} times`);
  });
});

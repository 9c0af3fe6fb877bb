/** Following a run's progress: a failing progress query never ends the wait, and a long failure is said once. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntilEnded } from '../../src/cli/progress-poll';

describe('following a run’s progress', () => {
  it('keeps waiting through failed progress queries, shows the ones that answer, and warns once', async () => {
    let reads = 0;
    const shown: number[] = [];
    const warnings: string[] = [];
    const ended = sleep(200);
    await pollUntilEnded(
      ended,
      async () => {
        reads++;
        if (reads <= 6) throw new Error('Failed to query Workflow');
        return reads;
      },
      (p) => shown.push(p),
      { everyMs: 10, warnAfterMs: 30, warn: (m) => warnings.push(m) },
    );
    assert.ok(reads > 6, `${reads} reads`);
    assert.ok(shown.length > 0 && shown.every((p) => p > 6), JSON.stringify(shown));
    assert.deepEqual(warnings, ['no progress for 0 s (Failed to query Workflow); still waiting']);
  });

  it('ends when the run ends, even if it failed', async () => {
    const failed = sleep(30).then(() => Promise.reject(new Error('run failed')));
    failed.catch(() => undefined);
    await pollUntilEnded(
      failed,
      async () => 1,
      () => undefined,
      { everyMs: 10, warnAfterMs: 1_000, warn: () => undefined },
    );
  });
});

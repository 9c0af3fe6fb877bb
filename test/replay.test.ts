/**
 * Determinism guard: every recorded history in test/histories must replay against the current workflow code.
 * A change that would break running workflows (reordered commands, a removed activity call…) fails here.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { temporal } from './helpers/temporal';

const DIR = resolve(__dirname, 'histories');

describe('replay of recorded histories', function () {
  this.timeout(120_000);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has histories for every workflow type and outcome we record', () => {
    assert.ok(files.length >= 6, `found ${files.length}`);
  });

  it('replays each of them without nondeterminism', async () => {
    const { workflowBundle } = await temporal();
    const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(resolve(DIR, file), 'utf8'))) }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'recorded' }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, files.length);
  });

  it('recorded histories hold no secret-looking values', () => {
    for (const file of files) {
      const text = readFileSync(resolve(DIR, file), 'utf8');
      assert.doesNotMatch(text, /sim-key-|signing-key-|AccessKey /, file);
    }
  });
});

/**
 * The fault suite's in-CI subset: every scenario of `npm run chaos` (scripts/chaos.ts) at a small size, against the
 * suite's own dev server, real worker processes and the simulator. Asserts correctness only (outcomes, connectors
 * per number, orphans, duplicates, secrets, nothing left running); the measured figures are printed as a table.
 */
import assert from 'node:assert/strict';
import { problemsOf, formatTable, type ScenarioResult } from './chaos/report';
import { killedWorkers } from './chaos/scenarios/killed-workers';
import { SMALL } from './chaos/sizes';
import { startWorld, type ChaosWorld } from './chaos/world';

describe('fault suite (small sizes)', function () {
  this.timeout(300_000);
  let world: ChaosWorld;
  const results: ScenarioResult[] = [];

  before(async function () {
    this.timeout(180_000);
    world = await startWorld();
  });
  after(async function () {
    this.timeout(60_000);
    if (results.length) console.log(`\n${formatTable(results)}\n`);
    await world?.close();
  });

  const check = (r: ScenarioResult) => {
    results.push(r);
    assert.deepEqual(problemsOf(r), [], `${r.name}:\n${formatTable([r])}`);
  };

  it('workers killed mid-bulk (create, readiness, compensation) converge with nothing duplicated or orphaned', async () => {
    check(await killedWorkers(world, SMALL.killedWorkers));
  });
});

/**
 * The fault suite's in-CI subset: every scenario of `npm run chaos` (scripts/chaos.ts) at a small size, against the
 * suite's own dev server, real worker processes and the simulator. Asserts correctness only (outcomes, connectors
 * per number, orphans, duplicates, secrets, nothing left running); the measured figures are printed as a table.
 *
 * The scenarios run side by side to keep the subset short: each has its own workspace, task queue and worker
 * processes, and the server restart its own dev server. Their recovery figures are then not comparable with
 * `npm run chaos`, which runs one scenario at a time.
 */
import assert from 'node:assert/strict';
import { problemsOf, formatTable, type ScenarioResult } from './chaos/report';
import { badInput } from './chaos/scenarios/bad-input';
import { flakyBird } from './chaos/scenarios/flaky-bird';
import { killedMidApply } from './chaos/scenarios/killed-mid-apply';
import { killedWorkers } from './chaos/scenarios/killed-workers';
import { orphanAudit } from './chaos/scenarios/orphan-audit';
import { serverRestart } from './chaos/scenarios/server-restart';
import { serverRestartMidOffboard } from './chaos/scenarios/server-restart-mid-offboard';
import { webhookAbuse } from './chaos/scenarios/webhook-abuse';
import { SMALL } from './chaos/sizes';
import { startWorld, type ChaosWorld } from './chaos/world';

describe('fault suite (small sizes)', function () {
  this.timeout(480_000);
  let world: ChaosWorld;
  // The server restarts get a dev server of their own (one after the other): they take it from under everything.
  let restartWorld: ChaosWorld;
  const results: ScenarioResult[] = [];
  const running = new Map<string, Promise<ScenarioResult>>();

  before(async function () {
    this.timeout(180_000);
    world = await startWorld();
    restartWorld = await startWorld({ bundlePath: world.bundlePath });
    const start = (key: string, run: () => Promise<ScenarioResult>) => {
      const p = run();
      p.catch(() => undefined); // awaited (and reported) by its own test
      running.set(key, p);
    };
    start('restart', () => serverRestart(restartWorld, SMALL.serverRestart));
    start('offboard-restart', () =>
      running
        .get('restart')!
        .catch(() => undefined)
        .then(() => serverRestartMidOffboard(restartWorld, SMALL.serverRestartMidOffboard)),
    );
    start('killed', () => killedWorkers(world, SMALL.killedWorkers));
    start('flaky', () => flakyBird(world, SMALL.flakyBird));
    start('webhooks', () => webhookAbuse(world, SMALL.webhookAbuse));
    start('orphans', () => orphanAudit(world, SMALL.orphanAudit));
    start('input', () => badInput(world, SMALL.badInput));
    start('apply', () => killedMidApply(world, SMALL.killedMidApply));
  });
  after(async function () {
    this.timeout(60_000);
    await Promise.allSettled(running.values());
    if (results.length) console.log(`\n${formatTable(results)}\n`);
    await Promise.all([world?.close(), restartWorld?.close()]);
  });

  const check = async (key: string) => {
    const r = await running.get(key)!;
    results.push(r);
    assert.deepEqual(problemsOf(r), [], `${r.name}:\n${formatTable([r])}`);
  };

  it('Temporal server restarted mid-bulk: workers, receiver and the bulk CLI reconnect by themselves', () =>
    check('restart'));
  it('workers killed mid-bulk (during creates, readiness or compensation) and restarted: nothing duplicated or orphaned', () =>
    check('killed'));
  it('flaky Bird (5xx, 429, lost create replies, latency spikes, error numbers) and an outage during compensation', () =>
    check('flaky'));
  it('hostile webhooks: the receiver stays up, bounded and fast, and signals only genuine events', () =>
    check('webhooks'));
  it('orphan audit: runs terminated mid-readiness are found by `reconcile` and removed by its Schedule', () =>
    check('orphans'));
  it('bad input through the typed client and the CLI starts nothing and names every field', () => check('input'));
  it('workers killed mid-apply (with prune, every kind of row): each number ends with one connector of ours, foreign and other inventories untouched, a second plan finds nothing to do', () =>
    check('apply'));
  it('Temporal server restarted mid-offboarding: every offboarding completes, our connectors gone, foreign ones untouched', () =>
    check('offboard-restart'));
});

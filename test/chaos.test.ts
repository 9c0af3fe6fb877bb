/**
 * The fault suite's in-CI subset: every scenario of `npm run chaos` (scripts/chaos.ts) at a small size, against the
 * suite's own dev server, real worker processes and the simulator. Asserts correctness only (outcomes, connectors
 * per number, orphans, duplicates, secrets, nothing left running); the measured figures are printed as a table.
 *
 * The server restart runs alone (it takes the server from under everything); the other scenarios, which each have
 * their own workspace, task queue and worker processes, run at the same time to keep the subset short. Their
 * recovery figures are then not comparable with `npm run chaos`, which runs one scenario at a time.
 */
import assert from 'node:assert/strict';
import { problemsOf, formatTable, type ScenarioResult } from './chaos/report';
import { badInput } from './chaos/scenarios/bad-input';
import { flakyBird } from './chaos/scenarios/flaky-bird';
import { killedWorkers } from './chaos/scenarios/killed-workers';
import { orphanAudit } from './chaos/scenarios/orphan-audit';
import { serverRestart } from './chaos/scenarios/server-restart';
import { webhookAbuse } from './chaos/scenarios/webhook-abuse';
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

  it('Temporal server restarted mid-bulk: workers, receiver and the bulk CLI reconnect by themselves', async () => {
    check(await serverRestart(world, SMALL.serverRestart));
  });

  describe('with the server up, side by side', () => {
    const running = new Map<string, Promise<ScenarioResult>>();
    before(() => {
      const start = (key: string, run: () => Promise<ScenarioResult>) => {
        const p = run();
        p.catch(() => undefined); // awaited (and reported) by its own test
        running.set(key, p);
      };
      start('killed', () => killedWorkers(world, SMALL.killedWorkers));
      start('flaky', () => flakyBird(world, SMALL.flakyBird));
      start('webhooks', () => webhookAbuse(world, SMALL.webhookAbuse));
      start('orphans', () => orphanAudit(world, SMALL.orphanAudit));
      start('input', () => badInput(world, SMALL.badInput));
    });

    it('workers killed mid-bulk (during creates, readiness or compensation) and restarted: nothing duplicated or orphaned', async () => {
      check(await running.get('killed')!);
    });
    it('flaky Bird (5xx, 429, lost create replies, latency spikes, error numbers) and an outage during compensation', async () => {
      check(await running.get('flaky')!);
    });
    it('hostile webhooks: the receiver stays up, bounded and fast, and signals only genuine events', async () => {
      check(await running.get('webhooks')!);
    });
    it('orphan audit: runs terminated mid-readiness are found by `reconcile` and removed by its Schedule', async () => {
      check(await running.get('orphans')!);
    });
    it('bad input through the typed client and the CLI starts nothing and names every field', async () => {
      check(await running.get('input')!);
    });
  });
});

/**
 * Bird's limit counted strictly (no more than N in ANY one-second window, the simulator's sliding-window model),
 * against two real worker processes serving the Bird queues, a bulk run polling far faster than the limit allows:
 * with each worker pacing its share of the limit evenly (src/bird/rate-limits/pacer.ts), under 1% of Bird's answers are 429
 * while the accepted GETs stay at 90% of the limit or more; the same run with pacing off (the server's task-queue
 * limit alone, which lets bursts of up to twice the limit through) gets more 429s than that.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitBulk, prepareInventory, startBulk } from '../../src/client/bulk-client';
import { type NodeProcess } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';
import { startBirdWorkers } from '../helpers/bird-workers';
import { smsBulkDefaults } from '../helpers/inventory';
import { waitFor } from '../helpers/wait';

const GET_PER_SECOND = 10;
const NUMBERS = 24;
/** How long the GETs are counted while every number polls (the channels are activated after it). */
const MEASURE_MS = 15_000;

interface Outcome {
  calls: number;
  refused: number;
  /** Accepted GETs per second while every number was still polling. */
  acceptedGetRate: number;
  /** That window, in seconds. */
  windowSeconds: number;
}

describe("pacing under Bird's strict (sliding-window) limit, two worker processes", function () {
  // Four worker processes start (tsx) and two bulk runs finish: minutes on a loaded machine, waits are on conditions.
  this.timeout(300_000);
  const processes: NodeProcess[] = [];
  const stacks: Stack[] = [];
  after(async () => {
    for (const p of processes) p.kill();
    const closed = await Promise.allSettled(stacks.map((s) => s.closeCheckingHistories()));
    for (const c of closed) if (c.status === 'rejected') throw c.reason;
  });

  async function run(pacing: 'on' | 'off'): Promise<Outcome> {
    const stack = await startStack({
      // Channels never activate on their own: the test activates them once it has measured.
      sim: {
        provisioningDelayMs: 3_600_000,
        rateLimits: { getPerSecond: GET_PER_SECOND, postPerSecond: 500, window: 'sliding-window' },
      },
      // This process runs the workflows only; the Bird calls go to the two worker processes.
      worker: { roles: ['workflows'] },
    });
    stacks.push(stack);
    // Both workers polling the reads queue, and long enough for each to have counted the other (refreshed every 5 s).
    const workers = await startBirdWorkers(stack, {
      count: 2,
      getPerSecond: GET_PER_SECOND,
      env: { BIRD_RATE_LIMIT_PACING: pacing },
    });
    processes.push(...workers);
    await new Promise((r) => setTimeout(r, 5_500));

    const numbers = Array.from({ length: NUMBERS }, () => randomUUID());
    const file = join(await mkdtemp(join(tmpdir(), 'pacing-')), 'numbers.csv');
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
    const inventory = await prepareInventory(
      file,
      smsBulkDefaults(stack, {
        name: 'Paced',
        // A minimum activation time of its own (0): the run has nothing to learn, so it starts every row at once
        // instead of a few scouts first (src/workflows/bulk-learning.ts), and every number polls.
        readiness: {
          mode: 'poll',
          firstPollAfter: '0s',
          initialPollInterval: '200ms',
          backoffCoefficient: 1,
          maxPollInterval: '200ms',
          deadline: '2m',
        },
      }),
    );
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      concurrency: NUMBERS,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    // Once every number is created and polling, the demand is 5 GETs/s per number, 120/s against 10
    // allowed: the limit is what bounds the run while the GETs are counted. Then the channels become active.
    const made = await waitFor(
      'every number created',
      () => {
        const mine = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId);
        return mine.length >= NUMBERS ? mine : undefined;
      },
      120_000,
      200,
    ).catch((err: unknown) => {
      const created = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId).length;
      const byKind: Record<string, number> = {};
      for (const c of stack.sim.calls()) {
        const k = `${c.method} ${c.path.replace(/[0-9a-f-]{36}/g, ':id')} ${c.rateLimited ? '429' : 'ok'}`;
        byKind[k] = (byKind[k] ?? 0) + 1;
      }
      console.log(`      ${pacing}: ${created} of ${NUMBERS} created; Bird calls ${JSON.stringify(byKind)}`);
      for (const w of workers)
        console.log(
          `      worker ${w.child.pid} (${pacing}):\n${w.lines
            .filter((l) => !l.includes('awaitChannelActive'))
            .slice(-10)
            .join('\n')}`,
        );
      throw err;
    });
    // Counted from 3 s on: the children's workflow tasks after their create are done by then.
    const from = Date.now() + 3_000;
    await new Promise((r) => setTimeout(r, 3_000 + MEASURE_MS));
    const until = Date.now();
    for (const c of made) stack.sim.setChannelStatus(c.id, 'ok', 'active');
    const end = await awaitBulk(stack.client, started.workflowId);
    assert.equal(end.status, 'completed', JSON.stringify(end));
    for (const w of workers) w.child.kill('SIGTERM');

    const calls = stack.sim.calls().filter((c) => c.path.includes(stack.workspaceId));
    const accepted = calls.filter((c) => c.method === 'GET' && !c.rateLimited && c.at >= from && c.at < until).length;
    return {
      calls: calls.length,
      refused: calls.filter((c) => c.rateLimited).length,
      acceptedGetRate: accepted / ((until - from) / 1000),
      windowSeconds: (until - from) / 1000,
    };
  }

  it('paced: under 1% of calls answered 429, accepted GETs at >= 90% of the limit; unpaced: more 429s than that', async () => {
    // One after the other: the simulator and the workflow worker run in this process, and a second run starting
    // meanwhile stalls its event loop, which bunches the requests it logs (a stall of 60 ms already puts 10 evenly
    // spaced calls of 9.5/s in one logged second).
    const paced = await run('on');
    const unpaced = await run('off');
    const line = (o: Outcome) =>
      `${o.refused} of ${o.calls} calls answered 429 (${((o.refused / o.calls) * 100).toFixed(2)}%), ${o.acceptedGetRate.toFixed(2)} accepted GETs/s = ${((o.acceptedGetRate / GET_PER_SECOND) * 100).toFixed(0)}% of the limit over ${o.windowSeconds.toFixed(1)} s`;
    console.log(`      paced: ${line(paced)}\n      unpaced: ${line(unpaced)}`);
    assert.ok(paced.refused / paced.calls < 0.01, `paced: ${paced.refused} of ${paced.calls} calls answered 429`);
    assert.ok(
      paced.acceptedGetRate >= 0.9 * GET_PER_SECOND,
      `paced: ${paced.acceptedGetRate.toFixed(1)} accepted GETs/s`,
    );
    assert.ok(
      unpaced.refused / unpaced.calls >= 0.01,
      `unpaced: only ${unpaced.refused} of ${unpaced.calls} calls answered 429`,
    );
  });
});

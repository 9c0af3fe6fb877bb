/**
 * Scenario 1, workers killed: a bulk run of fresh numbers (a tenth of which Bird ends in error status, so their runs
 * compensate) while worker processes are SIGKILLed, in turn while creating connectors, while awaiting readiness
 * and while compensating, and restarted. With one worker the recovery includes its restart; with two, the survivor
 * takes over.
 */
import { auditScenario } from '../audit';
import { finishBulkRun, planInventory, startBulkRun } from '../bulk';
import { killInTurn } from '../kills';
import type { ScenarioResult } from '../report';
import { startChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface KilledWorkersSize {
  numbers: number;
  workers: number;
  kills: number;
  concurrency: number;
}

const STAGES = ['creating-connector', 'awaiting-readiness', 'compensating'];

export async function killedWorkers(world: ChaosWorld, size: KilledWorkersSize): Promise<ScenarioResult> {
  const started = Date.now();
  // Bird answers in 300 ms, so every activity is in flight long enough to be killed mid-request.
  const stack = await startChaosStack(world, { workers: size.workers, sim: { faults: { latencyMs: 300 } } });
  try {
    const plan = await planInventory(stack, { size: size.numbers, failShare: 0.1, delayMs: [2_000, 10_000] });
    const bulkId = await startBulkRun(stack, plan, { concurrency: size.concurrency });
    const { recoveries, notes } = await killInTurn(
      stack,
      STAGES.map((stage) => ({ stage })),
      size.kills,
    );
    const finished = await finishBulkRun(stack, bulkId);
    if (finished.end.status !== 'completed') notes.push(`bulk run ended ${finished.end.status}`);
    const figures = await auditScenario(stack, plan.expected, finished.outcomes, [finished.reportText]);
    return {
      name: size.workers > 1 ? `workers killed (${size.workers} workers)` : 'workers killed (1 worker, restarted)',
      size: `${size.numbers} numbers, ${size.workers} worker(s), ${size.kills} kill(s)`,
      figures,
      recoveries,
      durationMs: Date.now() - started,
      notes,
    };
  } finally {
    await stack.close();
  }
}

/**
 * Scenario 3, a flaky Bird: a bulk run while Bird answers 20% of requests 503 and 10% 429 (Retry-After 1 s), drops
 * the reply of 5% of the creates it performed, has latency spikes (1.5 s, and requests held past the client's
 * timeout), and ends a tenth of the numbers in error status. Then a Bird outage of several minutes (every request
 * 503) that begins while runs are compensating: compensation must wait it out, not give up, and leave nothing.
 */
import type { Client } from '@temporalio/client';
import type { OperationId } from '../../../src/bird-sim';
import { auditScenario, type Expected, type NumberOutcome } from '../audit';
import { finishBulkRun, planInventory, startBulkRun } from '../bulk';
import type { ScenarioResult } from '../report';
import { startChaosStack, type ChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface FlakyBirdSize {
  numbers: number;
  concurrency: number;
  /** Numbers of the outage phase (all end in error status, so all compensate). */
  outageNumbers: number;
  outageMs: number;
}

const FLAKY = { serverErrorRate: 0.2, rateLimitRate: 0.1, retryAfterSeconds: 1, lostCreateResponseRate: 0.05 };

export async function flakyBird(world: ChaosWorld, size: FlakyBirdSize): Promise<ScenarioResult> {
  const started = Date.now();
  const stack = await startChaosStack(world, {
    workers: 2,
    sim: { faults: FLAKY, seed: 20261201 },
    workerEnv: { BIRD_REQUEST_TIMEOUT_MS: '3000' },
  });
  const notes: string[] = [];
  try {
    // Phase 1: the flaky bulk run, with latency spikes and held requests.
    const plan = await planInventory(stack, {
      size: size.numbers,
      failShare: 0.1,
      delayMs: [1_000, 6_000],
      readiness: { mode: 'poll', initialPollInterval: '500ms', maxPollInterval: '2s', deadline: '15m' },
    });
    const spikes = latencySpikes(stack, Math.max(2, Math.round(size.numbers / 20)));
    const phase1 = Date.now();
    const bulkId = await startBulkRun(stack, plan, { concurrency: size.concurrency });
    const first = await finishBulkRun(stack, bulkId).finally(() => spikes.stop());
    const calls = stack.sim.calls();
    const faulted = (f: string) => calls.filter((c) => c.fault === f).length;
    notes.push(
      `flaky phase: ${calls.length} Bird calls in ${((Date.now() - phase1) / 1000).toFixed(0)} s: ${faulted('503')} answered 503, ${faulted('429-retry-after')} answered 429, ${faulted('lost-response')} create replies lost, ${faulted('timeout')} held past the timeout, ${spikes.count()} latency spikes`,
    );

    // Phase 2: Bird goes down while runs are compensating.
    stack.sim.setFaults({ latencyMs: 1_000 });
    const doomed = await planInventory(stack, { size: size.outageNumbers, failShare: 1, delayMs: [1_000, 3_000] });
    const outageBulk = await startBulkRun(stack, doomed, { concurrency: size.outageNumbers });
    const compensating = await waitForStage(world.client, stack, 'compensating', 120_000);
    stack.sim.setFaults({ serverErrorRate: 1, rateLimitRate: 0, lostCreateResponseRate: 0 });
    const outageStart = Date.now();
    await new Promise((r) => setTimeout(r, size.outageMs));
    const stillCompensating = await countStage(world.client, stack, 'compensating');
    // Bird comes back healthy: what is measured is how long compensation takes to notice, not phase 1 again.
    stack.sim.setFaults({ serverErrorRate: 0, rateLimitRate: 0, latencyMs: 0 });
    const outageEnd = Date.now();
    const second = await finishBulkRun(stack, outageBulk);
    notes.push(
      `outage: every request 503 for ${((outageEnd - outageStart) / 60_000).toFixed(1)} min, begun with ${compensating} run(s) compensating and ended with ${stillCompensating} still compensating; all ${size.outageNumbers} compensated ${((Date.now() - outageEnd) / 1000).toFixed(0)} s after Bird came back (delete backoff caps at 5 min)`,
    );

    const expected = new Map<string, Expected>([...plan.expected, ...doomed.expected]);
    const outcomes = new Map<string, NumberOutcome>([...first.outcomes, ...second.outcomes]);
    const figures = await auditScenario(stack, expected, outcomes, [first.reportText, second.reportText]);
    return {
      name: 'flaky Bird + outage',
      size: `${size.numbers} numbers flaky, then ${size.outageNumbers} through a ${(size.outageMs / 60_000).toFixed(size.outageMs < 60_000 ? 2 : 0)} min outage`,
      figures,
      recoveries: [],
      durationMs: Date.now() - started,
      notes,
    };
  } finally {
    await stack.close();
  }
}

/**
 * Every few seconds a 1.5 s latency spike, with the next status read and the next create held past the client's
 * timeout: one at a time (a scripted fault waits for its request and must not pile up) and at most `maxHeld` of each,
 * or late in the run, when a single retrying provisioning is the only one still calling, every one of its calls
 * would be held and the test would measure its own script rather than Bird.
 */
function latencySpikes(stack: ChaosStack, maxHeld: number): { stop(): void; count(): number } {
  let stopped = false;
  let count = 0;
  const scripted = new Map<OperationId, number>();
  void (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 2_000 + Math.random() * 2_000));
      if (stopped) break;
      count++;
      stack.sim.setFaults({ latencyMs: 1_500 });
      const held = stack.sim.calls().filter((c) => c.fault === 'timeout');
      for (const op of ['getConnectorStatus', 'createConnector'] as const) {
        if (
          (scripted.get(op) ?? 0) >= maxHeld ||
          held.filter((c) => c.operationId === op).length < (scripted.get(op) ?? 0)
        )
          continue;
        stack.sim.scriptFault(op, 'timeout');
        scripted.set(op, (scripted.get(op) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 1_500));
      stack.sim.setFaults({ latencyMs: 0 });
    }
  })();
  return {
    stop: () => {
      stopped = true;
      stack.sim.setFaults({ latencyMs: 0 });
    },
    count: () => count,
  };
}

async function countStage(client: Client, stack: ChaosStack, stage: string): Promise<number> {
  const { count } = await client.workflow.count(
    `WorkflowType = 'provisionChannel' AND ExecutionStatus = 'Running' AND BirdWorkspaceId = '${stack.workspaceId}' AND ProvisioningStage = '${stage}'`,
  );
  return count;
}

async function waitForStage(client: Client, stack: ChaosStack, stage: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countStage(client, stack, stage);
    if (n > 0) return n;
    if (Date.now() > deadline) throw new Error(`no run reached ${stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

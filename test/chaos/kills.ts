/**
 * Killing a worker at a chosen moment: when one is running an activity of a run in the wanted stage (creating the
 * connector, awaiting readiness, compensating), SIGKILL the worker running the most of them, and measure how long
 * until what it was doing runs again elsewhere.
 */
import { activitiesInFlight, awaitResumed, recoveryOf, type InFlightActivity } from './recovery';
import type { ChaosStack } from './stack';
import type { WorkerProcess } from './workers';

export interface Kill {
  stage: string;
  /** The stage was seen on the victim (otherwise the kill fell at a random moment). */
  aimed: boolean;
  victim: WorkerProcess;
  interrupted: InFlightActivity[];
  killedAt: number;
}

/**
 * Waits (up to `aimMs`) for a worker busy in `stage` of a provisioning (or, given `workflowType`, in any run of that
 * type: `stage` then only names it), kills it; falls back to any busy provisioning worker. Undefined if none is busy.
 */
export async function killWorkerDuring(
  stack: ChaosStack,
  stage: string,
  aimMs = 30_000,
  workflowType?: string,
): Promise<Kill | undefined> {
  const deadline = Date.now() + aimMs;
  let aimed = true;
  const aim = workflowType ? { workflowType, taskQueue: stack.taskQueue } : { stage };
  for (;;) {
    const busy = await activitiesInFlight(stack.world.client, {
      workspaceId: stack.workspaceId,
      ...(aimed ? aim : {}),
    });
    const onLive = busy.filter((a) => stack.workers.byIdentity(a.identity));
    if (onLive.length) {
      const counts = new Map<string, number>();
      for (const a of onLive) counts.set(a.identity, (counts.get(a.identity) ?? 0) + 1);
      const identity = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
      const victim = stack.workers.byIdentity(identity)!;
      const killedAt = await stack.workers.kill(victim);
      return { stage, aimed, victim, interrupted: onLive.filter((a) => a.identity === identity), killedAt };
    }
    if (Date.now() > deadline) {
      if (!aimed) return undefined;
      aimed = false; // the stage did not come up: kill whatever is running
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Restarts a worker (in parallel) and measures the kill's recovery over (at most) `track` interrupted activities. */
export async function restartAndMeasure(stack: ChaosStack, kill: Kill, track = 5): Promise<number | undefined> {
  const restarted = stack.workers.start();
  const resumed = await awaitResumed(stack.world.client, kill.interrupted.slice(0, track), kill.killedAt);
  await restarted;
  return recoveryOf(resumed);
}

/** Where a kill is aimed: a provisioning's stage, or (with `workflowType`) any activity of that type's runs. */
export interface KillAim {
  stage: string;
  workflowType?: string;
}

/** `kills` kills, aimed in turn at `aims`, each worker restarted at once; the recoveries and a note per kill. */
export async function killInTurn(
  stack: ChaosStack,
  aims: KillAim[],
  kills: number,
  aimMs?: number,
): Promise<{ recoveries: number[]; notes: string[] }> {
  const recoveries: number[] = [];
  const notes: string[] = [];
  for (let k = 0; k < kills; k++) {
    const { stage, workflowType } = aims[k % aims.length]!;
    const kill = await killWorkerDuring(stack, stage, aimMs, workflowType);
    if (!kill) {
      notes.push(`kill ${k + 1}: nothing was running any more (the run had finished)`);
      break;
    }
    const recovery = await restartAndMeasure(stack, kill);
    if (recovery !== undefined) recoveries.push(recovery);
    notes.push(
      `kill ${k + 1} ${kill.aimed ? `during ${stage}` : `at a random moment (no ${stage} seen)`}: ${kill.interrupted.length} activities interrupted (${[...new Set(kill.interrupted.map((a) => a.activityType))].join(', ')}), running again after ${recovery === undefined ? '?' : `${(recovery / 1000).toFixed(1)} s`}`,
    );
  }
  return { recoveries, notes };
}

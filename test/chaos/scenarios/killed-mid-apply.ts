/**
 * Scenario 7, workers killed mid-apply: an inventory applied with prune (`applyInventory`, as `starter apply
 * --prune` runs it) to a workspace holding every kind of row (test/chaos/apply-workspace.ts), while worker processes
 * are SIGKILLed, in turn while offboarding the repair and prune rows, while creating connectors and while awaiting
 * readiness, and restarted. The apply must complete with each row's expected outcome, leave each inventory number
 * exactly one active connector of ours, touch no foreign connector nor another inventory's, and a second plan must
 * find nothing left to do.
 */
import { reportOf, prepareApply, startApply } from '../../../src/client/apply-client';
import { planFromFile } from '../../../src/client/plan-client';
import type { ApplyOutcome, ApplyResult } from '../../../src/domain/apply';
import { formatPlan, type Plan, type PlanAction } from '../../../src/domain/plan';
import { prepareApplyWorkspace, endStateProblems, type ApplyKinds, type ApplyWorkspace } from '../apply-workspace';
import { countSecretHits, duplicateTags, orphansFound, runsStillRunning, type Figures } from '../audit';
import { killInTurn, type KillAim } from '../kills';
import type { ScenarioResult } from '../report';
import { startChaosStack, type ChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface KilledMidApplySize extends ApplyKinds {
  workers: number;
  kills: number;
  /** The create child's window. */
  concurrency: number;
  /** Offboardings (repair and prune rows) at once. */
  offboardWindow: number;
}

/** Where each kill is aimed, in turn: an offboarding child's activity, or a provisioning's stage. */
const AIMS: KillAim[] = [
  { stage: 'offboarding', workflowType: 'offboardChannel' },
  { stage: 'creating-connector' },
  { stage: 'awaiting-readiness' },
];

const EXPECTED: Record<PlanAction, ApplyOutcome> = {
  create: 'created',
  keep: 'unchanged',
  repair: 'repaired',
  adopt: 'adopted',
  foreign: 'unchanged',
  prune: 'pruned',
  other: 'unchanged',
};

export async function killedMidApply(world: ChaosWorld, size: KilledMidApplySize): Promise<ScenarioResult> {
  const started = Date.now();
  // Bird answers in 300 ms and takes 3 s to deprovision, so offboardings and creates are long enough to be killed in.
  const stack = await startChaosStack(world, {
    workers: size.workers,
    sim: { faults: { latencyMs: 300 }, deprovisioningDelayMs: 3_000 },
  });
  try {
    const ws = await prepareApplyWorkspace(stack, size, { concurrency: size.concurrency });
    const { input } = await prepareApply(
      stack.store,
      { file: ws.file, defaults: ws.defaults, inventory: ws.inventory, prune: true },
      { bulk: { concurrency: size.concurrency, sweepIntervalMs: 2_000 }, offboardWindow: size.offboardWindow },
    );
    const handle = await startApply(world.client, input, { taskQueue: stack.taskQueue });
    const { recoveries, notes } = await killInTurn(stack, AIMS, size.kills, 60_000);
    const result = await reportOf(stack.store, await handle.result());
    const second = await planFromFile(
      world.client,
      { file: ws.file, defaults: ws.defaults, inventory: ws.inventory },
      { taskQueue: stack.taskQueue },
    );
    const figures = await auditApply(stack, ws, result, [JSON.stringify(result), formatPlan(second.plan)]);
    const failedChecks = secondPlanProblems(ws, second.plan);
    notes.push(`second plan: ${countsOf(second.plan.counts)}`);
    return {
      name: 'workers killed mid-apply',
      size: `${ws.kinds.size} numbers (${countsOf(size)}), ${size.workers} workers, ${size.kills} kill(s)`,
      figures,
      recoveries,
      durationMs: Date.now() - started,
      notes,
      failedChecks,
    };
  } finally {
    await stack.close();
  }
}

/** Each number's apply row against its kind, each number's connectors against what it must end with. */
async function auditApply(
  stack: ChaosStack,
  ws: ApplyWorkspace,
  result: ApplyResult,
  texts: string[],
): Promise<Figures> {
  const problems: string[] = [];
  const note = (p: string) => problems.length < 10 && problems.push(p);
  let completed = 0;
  for (const [n, kind] of ws.kinds) {
    const rows = result.rows.filter((r) => r.phoneNumberId === n);
    if (rows.length === 1 && rows[0]!.action === kind && rows[0]!.outcome === EXPECTED[kind]) completed++;
    else note(`${kind} ${n}: ${rows.map((r) => `${r.action} → ${r.outcome} (${r.reason})`).join(', ') || 'no row'}`);
  }
  const mismatches = endStateProblems(stack, ws);
  for (const p of mismatches.values()) note(p);
  const connectors = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId);
  const liveOf = (n: string) => connectors.filter((c) => !c.deletedAt && c.number?.numberId === n).length;
  const doubled = [...ws.kinds.keys()].reduce((sum, n) => sum + Math.max(0, liveOf(n) - 1), 0);
  // The adopted connectors: no run records them, but the inventory adopted them, so the audit must leave them.
  const adopted = new Set([...ws.kinds].filter(([, k]) => k === 'adopt').map(([n]) => ws.before.get(n)!.id));
  const orphans = await orphansFound(stack, note, adopted);
  return {
    runsExpected: ws.kinds.size,
    completed,
    failedAsExpected: 0,
    unexpected: ws.kinds.size - completed,
    connectorMismatches: mismatches.size,
    orphans: orphans.count,
    duplicates: doubled + duplicateTags(connectors, note),
    secretHits: await countSecretHits(stack, [...texts, orphans.reportText]),
    stuck: await runsStillRunning(stack, note),
    problems,
  };
}

/** Nothing left to do: no create, repair, adopt or prune; the adopted connectors are kept, as the inventory's. */
function secondPlanProblems(ws: ApplyWorkspace, plan: Plan): string[] {
  const want = (kinds: PlanAction[]) => [...ws.kinds.values()].filter((k) => kinds.includes(k)).length;
  const expected: Partial<Record<PlanAction, number>> = {
    create: 0,
    repair: 0,
    prune: 0,
    keep: want(['create', 'keep', 'repair', 'adopt']),
    adopt: 0,
    foreign: want(['foreign']),
    other: want(['other']),
  };
  return Object.entries(expected).flatMap(([action, n]) =>
    plan.counts[action as PlanAction] === n
      ? []
      : [`the second plan has ${plan.counts[action as PlanAction]} ${action}, expected ${n}`],
  );
}

function countsOf(c: Pick<Record<PlanAction, number>, keyof ApplyKinds>): string {
  return (['create', 'keep', 'repair', 'adopt', 'foreign', 'prune', 'other'] as const)
    .map((a) => `${c[a]} ${a}`)
    .join(', ');
}

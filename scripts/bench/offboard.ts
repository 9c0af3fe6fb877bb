/**
 * The bench's `offboard` mode: provisions N numbers by a bulk run (by polling, as the `poll` mode does), then
 * offboards every one of them at once through the typed client with its defaults (startOffboarding: one
 * offboardChannel run per number; Temporal's task-queue rate limits pace their Bird calls). It prints what the
 * offboarding alone cost per number: Bird DELETEs, GETs (accepted; 429s spend no budget) by operation, billable
 * Temporal actions (src/domain/billable-actions.ts over every offboarding's history), the 429s and their share, and
 * checks every connector of ours is gone (`deletedAt` in the simulator) and reported deleted, confirmed.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { BirdSimulator } from '../../src/bird-sim';
import type { PreparedInventory } from '../../src/client/bulk-client';
import { awaitBulk, startBulk } from '../../src/client/bulk-client';
import { startOffboarding } from '../../src/client/offboarding-client';
import type { BulkStore } from '../../src/bulk/store';
import { billableActions, sumActions, type ActionCount } from '../../src/domain/billable-actions';
import type { OffboardResult } from '../../src/domain/offboarding';
import { countBy } from './context';

export interface OffboardBench {
  client: Client;
  sim: BirdSimulator;
  store: BulkStore;
  taskQueue: string;
  workspaceId: string;
  numbers: number;
  timeScale: number;
  inventory: (name: string, numbers: string[], over: Record<string, unknown>) => Promise<PreparedInventory>;
  say: (line: string) => void;
}

export async function offboardScenario(b: OffboardBench): Promise<Record<string, unknown>> {
  const n = b.numbers;
  const numbers = await provisionToOffboard(b, 'offboard');
  b.say(`[offboard] offboarding the ${n} numbers at once …`);
  const callsBefore = b.sim.calls().length;
  const t0 = Date.now();
  const started = [];
  for (let i = 0; i < n; i += 50)
    started.push(
      ...(await Promise.all(
        numbers
          .slice(i, i + 50)
          .map((phoneNumberId) =>
            startOffboarding(b.client, { workspaceId: b.workspaceId, phoneNumberId }, { taskQueue: b.taskQueue }),
          ),
      )),
    );
  const reports: OffboardResult[] = await Promise.all(started.map((s) => s.handle.result()));
  const wallS = (Date.now() - t0) / 1000;
  const calls = b.sim.calls().slice(callsBefore);

  const accepted = calls.filter((c) => c.status !== 429);
  const byOp: Record<string, number> = {};
  for (const c of accepted) byOp[c.operationId ?? 'unknown'] = (byOp[c.operationId ?? 'unknown'] ?? 0) + 1;
  const rateLimited = calls.filter((c) => c.rateLimited).length;
  const actions = await actionsOf(
    b.client,
    started.map((s) => ({ workflowId: s.workflowId, runId: s.runId })),
  );
  const numberSet = new Set(numbers);
  const ours = b.sim.connectors().filter((c) => c.number && numberSet.has(c.number.numberId));
  const per = (k: number) => +(k / n).toFixed(3);
  const figures = {
    mode: 'offboard',
    numbers: n,
    outcomes: countBy(reports.map((r) => r.outcome)),
    wallSeconds: +wallS.toFixed(1),
    numbersPerSecond: +(n / wallS).toFixed(1),
    deletesPerNumber: per(accepted.filter((c) => c.method === 'DELETE').length),
    getsPerNumber: per(accepted.filter((c) => c.method === 'GET').length),
    otherWritesPerNumber: per(accepted.filter((c) => c.method !== 'GET' && c.method !== 'DELETE').length),
    birdCallsPerNumber: Object.fromEntries(Object.entries(byOp).map(([op, k]) => [op, per(k)])),
    actionsPerNumber: per(actions.total),
    actionsPerNumberByKind: Object.fromEntries(Object.entries(actions.byKind).map(([k, v]) => [k, per(v)])),
    rateLimited429: rateLimited,
    rateLimitedShare: `${((rateLimited / Math.max(1, calls.length)) * 100).toFixed(2)}%`,
    confirmedBy: countBy(reports.flatMap((r) => r.deleted.map((d) => d.confirmedBy))),
    connectorsLeft: ours.filter((c) => !c.deletedAt).length,
    reportedDeleted: reports.reduce((k, r) => k + r.deleted.length, 0),
  };
  b.say(JSON.stringify(figures, null, 2));
  return figures;
}

/** N numbers provisioned by a bulk run (by polling, as the `poll` mode does), every one active. */
export async function provisionToOffboard(b: OffboardBench, mode: string): Promise<string[]> {
  const n = b.numbers;
  const numbers: string[] = Array.from({ length: n }, () => randomUUID());
  for (const num of numbers)
    b.sim.configureNumber(num, {
      outcome: 'active',
      delayMs: Math.round((30 + Math.random() * 90) * 1000 * b.timeScale),
    });
  const poll = Math.max(100, Math.round(2_000 * b.timeScale));
  const inventory = await b.inventory(`${mode}-${numbers[0]}`, numbers, {
    readiness: { mode: 'poll', initialPollInterval: poll, maxPollInterval: poll * 30, deadline: '30m' },
  });
  b.say(`\n[${mode}] provisioning ${n} numbers first (bulk, by polling) …`);
  const bulk = await startBulk(b.client, b.store, inventory, { taskQueue: b.taskQueue });
  const provisioned = await awaitBulk(b.client, bulk.workflowId);
  if (provisioned.status !== 'completed' || provisioned.progress.counts.active !== n)
    throw new Error(`provisioning before the offboarding: ${JSON.stringify(provisioned)}`);
  return numbers;
}

/** The billable actions of these runs, summed (their histories fetched 20 at a time). */
export async function actionsOf(
  client: Client,
  runs: Array<{ workflowId: string; runId?: string }>,
): Promise<ActionCount> {
  const counts: ActionCount[] = [];
  for (let i = 0; i < runs.length; i += 20) {
    const histories = await Promise.all(
      runs.slice(i, i + 20).map((r) => client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()),
    );
    counts.push(...histories.map(billableActions));
  }
  return sumActions(counts);
}

/**
 * The bench's `apply` mode: provisions N numbers of an inventory by `apply` through the typed client with its
 * defaults (prepareApplyOf + startApply, as `starter apply` does), then applies the same inventory again to the
 * converged workspace, twice: as by default (the plan reads the list pages and each kept connector's status) and
 * with `refresh: false` (`--no-refresh`: the list pages only). Then N other numbers provisioned by a plain bulk run
 * (no inventory's) are adopted by an apply, and that inventory applied once more. Last, the first inventory cut to
 * one number is applied with prune (N - 1 offboardings, through the apply's bulk offboarding). For each apply it
 * prints Bird calls per 1,000 numbers by operation and billable Temporal actions per 1,000 numbers
 * (src/domain/billable-actions.ts over the history of every run the apply started: itself, its plan, its children
 * and theirs).
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { BirdSimulator } from '../../src/bird-sim';
import { awaitBulk, startBulk, type PreparedInventory } from '../../src/client/bulk-client';
import { prepareApplyOf, reportOf, startApply } from '../../src/client/apply-client';
import type { BulkStore } from '../../src/bulk/store';
import { billableActions, sumActions } from '../../src/domain/billable-actions';
import type { ApplyResult } from '../../src/domain/apply';

export interface ApplyBench {
  client: Client;
  sim: BirdSimulator;
  store: BulkStore;
  taskQueue: string;
  numbers: number;
  timeScale: number;
  inventory: (name: string, numbers: string[], over: Record<string, unknown>) => Promise<PreparedInventory>;
  say: (line: string) => void;
}

export async function applyScenario(b: ApplyBench): Promise<Record<string, unknown>> {
  const numbers: string[] = Array.from({ length: b.numbers }, () => randomUUID());
  for (const num of numbers)
    b.sim.configureNumber(num, {
      outcome: 'active',
      delayMs: Math.round((30 + Math.random() * 90) * 1000 * b.timeScale),
    });
  const poll = Math.max(100, Math.round(2_000 * b.timeScale));
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const inventory = await b.inventory(`apply-${name}`, numbers, {
    readiness: { mode: 'poll', initialPollInterval: poll, maxPollInterval: poll * 30, deadline: '30m' },
  });
  b.say(`\n[apply] provisioning ${b.numbers} numbers by apply (inventory ${name}) …`);
  const first = await measuredApply(b, inventory, name);
  if (first.result.counts.create !== b.numbers || first.result.creates?.counts.active !== b.numbers)
    throw new Error(`the first apply did not create every number: ${JSON.stringify(first.result.counts)}`);
  b.say(`[apply] applying the same inventory again to the converged workspace …`);
  const again = await measuredApply(b, inventory, name);
  if (again.result.changed || again.result.counts.keep !== b.numbers)
    throw new Error(`the converged apply was not a no-op: ${JSON.stringify(again.result.counts)}`);
  b.say(`[apply] and again without refresh (the list pages only) …`);
  const listOnly = await measuredApply(b, inventory, name, { refresh: false });
  if (listOnly.result.changed || listOnly.result.counts.keep !== b.numbers)
    throw new Error(`the converged apply without refresh was not a no-op: ${JSON.stringify(listOnly.result.counts)}`);
  const adoption = await adoptScenario(b, name, poll);
  b.say(`[apply] the first inventory cut to one number, applied with prune …`);
  const kept = await b.inventory(`prune-${name}`, numbers.slice(0, 1), {});
  const pruned = await measuredApply(b, kept, name, { refresh: false, prune: true });
  const prunedRows = pruned.result.rows.filter((r) => r.outcome === 'pruned').length;
  if (prunedRows !== b.numbers - 1) throw new Error(`the prune did not prune ${b.numbers - 1}: ${prunedRows}`);
  const figures = {
    mode: 'apply',
    numbers: b.numbers,
    converged: again.figures,
    convergedNoRefresh: listOnly.figures,
    first: first.figures,
    ...adoption,
    prune: {
      ...pruned.figures,
      pruned: prunedRows,
      numbersPerSecond: +(prunedRows / pruned.figures.wallSeconds).toFixed(2),
    },
  };
  b.say(JSON.stringify(figures, null, 2));
  return figures;
}

/** N numbers provisioned by a plain bulk run, adopted by an apply (no Bird write), then applied again: no change. */
async function adoptScenario(b: ApplyBench, name: string, poll: number) {
  const numbers: string[] = Array.from({ length: b.numbers }, () => randomUUID());
  for (const num of numbers)
    b.sim.configureNumber(num, { outcome: 'active', delayMs: Math.round(5_000 * b.timeScale) });
  const plain = await b.inventory(`adopt-${name}`, numbers, {
    readiness: { mode: 'poll', initialPollInterval: poll, maxPollInterval: poll * 30, deadline: '30m' },
  });
  b.say(`[apply] ${b.numbers} other numbers provisioned by a plain bulk run, then adopted by an apply …`);
  const bulk = await startBulk(b.client, b.store, plain, { taskQueue: b.taskQueue });
  if ((await awaitBulk(b.client, bulk.workflowId)).status !== 'completed') throw new Error('the plain bulk run failed');
  const adopter = `${name}-adopter`;
  const adopted = await measuredApply(b, plain, adopter);
  const writes = Object.keys(adopted.figures.birdCallsPer1000ByOperation).filter(
    (op) => !op.startsWith('get') && !op.startsWith('list'),
  );
  if (
    adopted.result.counts.adopt !== b.numbers ||
    adopted.result.rows.some((r) => r.action === 'adopt' && r.outcome !== 'adopted') ||
    writes.length
  )
    throw new Error(
      `the adopting apply did not adopt every number without a write: ${JSON.stringify(adopted.figures)}`,
    );
  b.say(`[apply] and that inventory applied again …`);
  const after = await measuredApply(b, plain, adopter);
  if (after.result.changed || after.result.counts.keep !== b.numbers)
    throw new Error(`the apply after the adoption was not a no-op: ${JSON.stringify(after.result.counts)}`);
  return { adopting: adopted.figures, afterAdoption: after.figures };
}

async function measuredApply(
  b: ApplyBench,
  inventory: PreparedInventory,
  name: string,
  args: { refresh?: boolean; prune?: boolean } = {},
) {
  const { input } = await prepareApplyOf(b.store, inventory, { inventory: name, ...args });
  const callsBefore = b.sim.calls().length;
  const startedAt = new Date(Date.now() - 1_000);
  const t0 = Date.now();
  const handle = await startApply(b.client, input, { taskQueue: b.taskQueue });
  const result: ApplyResult = await reportOf(b.store, await handle.result());
  const wallS = (Date.now() - t0) / 1000;
  const calls = b.sim.calls().slice(callsBefore);
  const per1k = (k: number) => +((k * 1000) / b.numbers).toFixed(1);
  const byOp: Record<string, number> = {};
  for (const c of calls.filter((c) => c.status !== 429))
    byOp[c.operationId ?? 'unknown'] = (byOp[c.operationId ?? 'unknown'] ?? 0) + 1;
  const actions = await actionsSince(b.client, startedAt);
  const figures = {
    wallSeconds: +wallS.toFixed(1),
    counts: result.counts,
    changed: result.changed,
    birdCallsPer1000: per1k(calls.filter((c) => c.status !== 429).length),
    birdCallsPer1000ByOperation: Object.fromEntries(Object.entries(byOp).map(([op, k]) => [op, per1k(k)])),
    rateLimited429: calls.filter((c) => c.status === 429).length,
    runs: actions.runs,
    actionsPer1000: per1k(actions.total),
    actionsPer1000ByKind: Object.fromEntries(Object.entries(actions.byKind).map(([k, v]) => [k, per1k(v)])),
  };
  return { result, figures };
}

/** Every run started since `since` (the bench's dev server runs nothing else meanwhile), its billable actions. */
async function actionsSince(client: Client, since: Date) {
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const r of client.workflow.list({ query: `StartTime >= '${since.toISOString()}'` }))
    runs.push({ workflowId: r.workflowId, runId: r.runId });
  const counts = [];
  for (let i = 0; i < runs.length; i += 20)
    counts.push(
      ...(await Promise.all(
        runs
          .slice(i, i + 20)
          .map(async (r) => billableActions(await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory())),
      )),
    );
  return { runs: runs.length, ...sumActions(counts) };
}

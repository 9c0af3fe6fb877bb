/**
 * The bench's readiness modes (`poll`, `webhook`, `both`): one bulk run of N numbers, with the wall time and its lower
 * bound, Bird's calls per number, the 429s, the largest histories, and no duplicate or orphan connector.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';
import { awaitBulk, bulkReport, getBulkProgress, startBulk } from '../../src/client/bulk-client';
import { clusterFigures } from './cluster-figures';
import { countBy, type BenchContext } from './context';
import { detectionLatency } from './detection';
import { getBoundFigures } from './get-bound';
import { sampleWindow } from './window-sampler';

export async function bulkScenario(
  ctx: BenchContext,
  mode: 'poll' | 'webhook' | 'both',
): Promise<Record<string, unknown>> {
  const { opts, sim, client, store, taskQueue, workspaceId, say } = ctx;
  const n = opts.numbers;
  const s = opts.timeScale;
  const numbers: string[] = Array.from({ length: n }, () => randomUUID());
  const delays = numbers.map(() => Math.round((30 + Math.random() * 90) * 1000 * s));
  numbers.forEach((num, i) => sim.configureNumber(num, { outcome: 'active', delayMs: delays[i]! }));
  const inventory = await ctx.inventory(mode, numbers, {
    readiness:
      mode !== 'webhook'
        ? {
            mode,
            initialPollInterval: Math.max(100, Math.round(2_000 * s)),
            backoffCoefficient: 2,
            maxPollInterval: Math.max(100, Math.round(60_000 * s)),
            deadline: '30m',
          }
        : { mode: 'webhook', deadline: '30m' },
    subscriptions: [
      {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/app',
        signingKeyRef: 'WEBHOOK_SIGNING_KEY',
      },
    ],
  });
  const callsBefore = sim.calls().length;
  say(
    `\n[${mode}] ${n} numbers, window ${opts.concurrency ?? 'default'}, ${opts.getLimit} GET/s, activation ${Math.round(30 * s * 10) / 10}–${Math.round(120 * s * 10) / 10} s …`,
  );
  const t0 = Date.now();
  const started = await startBulk(client, store, inventory, { taskQueue, concurrency: opts.concurrency });
  const sampler = sampleWindow(client, started.workflowId, `${taskQueue}-bird-reads`);
  const end = await awaitBulk(client, started.workflowId);
  const { figures: windowFigures, backlog } = sampler.stop();
  const wallS = (Date.now() - t0) / 1000;
  const limits = { getPerSecond: opts.getLimit, postPerSecond: BIRD_RATE_LIMITS.postPerSecond };
  if (end.status !== 'completed') throw new Error(`bulk run ended ${end.status}: ${JSON.stringify(end)}`);
  const report = await bulkReport(store, await getBulkProgress(client, started.workflowId));
  const calls = sim.calls().slice(callsBefore);

  const byOp: Record<string, number> = {};
  for (const c of calls) byOp[c.operationId ?? 'unknown'] = (byOp[c.operationId ?? 'unknown'] ?? 0) + 1;
  const rateLimited = calls.filter((c) => c.status === 429).length;
  // The fastest Bird allows the calls the run chose to make: its GETs at the GET limit, its writes at the POST limit.
  const bound = getBoundFigures({ calls, startedAt: t0, wallSeconds: wallS, backlog, ...limits });

  const numberSet = new Set<string>(numbers);
  const made = sim
    .connectors()
    .filter((c) => c.workspaceId === workspaceId && c.number && numberSet.has(c.number.numberId));
  const perNumber = new Map<string, number>();
  for (const c of made) perNumber.set(c.number!.numberId, (perNumber.get(c.number!.numberId) ?? 0) + 1);
  const reported = new Set(report.map((r) => r.connectorId));
  const histories = await largestHistories(client, started.workflowId);
  const detection = await detectionLatency(client, sim, workspaceId, numbers);

  const cluster = await clusterFigures({
    client,
    bulkWorkflowId: started.workflowId,
    numbers: n,
    calls,
    activationSeconds: Math.max(...delays) / 1000 / s,
    // Bird's GET budget as this run spent it, when that budget is what bound the run.
    getEfficiency: bound.boundByGets && opts.getLimit < BIRD_RATE_LIMITS.getPerSecond ? bound.getBudgetSpent : 1,
  });
  const figures = {
    mode,
    numbers: n,
    outcomes: countBy(report.map((r) => r.outcome)),
    wallSeconds: +wallS.toFixed(1),
    numbersPerSecond: +(n / wallS).toFixed(1),
    window: opts.concurrency ?? 'default',
    ...windowFigures,
    getLimit: opts.getLimit,
    ...bound,
    birdCallsPerNumber: Object.fromEntries(Object.entries(byOp).map(([op, k]) => [op, +(k / n).toFixed(3)])),
    rateLimited429: rateLimited,
    rateLimitedShare: `${((rateLimited / Math.max(1, calls.length)) * 100).toFixed(2)}%`,
    ...cluster,
    ...detection,
    ...histories,
    duplicates: [...perNumber.values()].filter((k) => k > 1).length,
    orphans: made.filter((c) => !c.deletedAt && !reported.has(c.id)).length,
    numbersWithoutConnector: numbers.filter((num) => !made.some((c) => c.number!.numberId === num && !c.deletedAt))
      .length,
  };
  say(JSON.stringify(figures, null, 2));
  return figures;
}

/** The largest history (events, bytes) of the bulk run's runs and of its children. */
async function largestHistories(client: Client, bulkWorkflowId: string): Promise<Record<string, number>> {
  let bulkEvents = 0;
  let bulkBytes = 0;
  let bulkRuns = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${bulkWorkflowId}'` })) {
    const d = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    bulkRuns++;
    bulkEvents = Math.max(bulkEvents, d.historyLength);
    bulkBytes = Math.max(bulkBytes, d.historySize ?? 0);
  }
  const children: string[] = [];
  for await (const c of client.workflow.list({ query: `ParentWorkflowId = '${bulkWorkflowId}'` }))
    children.push(c.workflowId);
  let childEvents = 0;
  let childBytes = 0;
  for (let i = 0; i < children.length; i += 50) {
    const ds = await Promise.all(children.slice(i, i + 50).map((id) => client.workflow.getHandle(id).describe()));
    for (const d of ds) {
      childEvents = Math.max(childEvents, d.historyLength);
      childBytes = Math.max(childBytes, d.historySize ?? 0);
    }
  }
  return {
    bulkRuns,
    largestBulkRunEvents: bulkEvents,
    largestBulkRunBytes: bulkBytes,
    children: children.length,
    largestChildEvents: childEvents,
    largestChildBytes: childBytes,
  };
}
